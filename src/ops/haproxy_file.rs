//! haproxy.cfg inside a running balancer: read it, and replace it safely.
//! The official image runs its server as user haproxy, who cannot rewrite
//! the root-owned config. So the new text goes in through the engine's
//! archive API (as root) next to the old file, is checked by `haproxy -c`
//! as the server's own user, and is then renamed over the old file by root,
//! keeping its owner and mode: a reload sees the old file or the new one,
//! never half of one.

use super::error::{StepError, StepResult};
use crate::config::Settings;
use crate::docker::{ExecPurpose, HostHandle};

/// Finds the config where the official image and Debian's package keep it.
const FIND_CONFIG: &str = r#"
cfg=${HAPROXY_CFG:-/usr/local/etc/haproxy/haproxy.cfg}
[ -r "$cfg" ] || cfg=/etc/haproxy/haproxy.cfg
[ -r "$cfg" ] || { echo "no haproxy.cfg at /usr/local/etc/haproxy or /etc/haproxy"; exit 3; }
"#;

/// Run as root: `$1` (the checked new file) takes the place of `$2`. A
/// bind-mounted config cannot be renamed over (EBUSY), so its content is
/// copied into it instead.
const INSTALL: &str = r#"
new=$1; cfg=$2
m=$(stat -c %a "$cfg" 2>/dev/null) && chmod "$m" "$new"
o=$(stat -c %u:%g "$cfg" 2>/dev/null) && chown "$o" "$new"
mv -f "$new" "$cfg" 2>/dev/null && exit 0
cat "$new" > "$cfg" && rm -f "$new" && exit 0
rm -f "$new"; exit 5
"#;

/// A balancer's config file and what it says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HaproxyConfig {
    pub path: String,
    pub text: String,
}

pub async fn read(handle: &HostHandle, s: &Settings, lb: &str) -> StepResult<HaproxyConfig> {
    let script = format!("{FIND_CONFIG}printf '%s\\n' \"$cfg\"; cat \"$cfg\"");
    let out = handle
        .exec(
            lb,
            &["sh", "-c", &script],
            &[],
            ExecPurpose::Probe,
            s.request_timeout,
        )
        .await?;
    match (out.exit_code, out.stdout.split_once('\n')) {
        (Some(0) | None, Some((path, text))) => Ok(HaproxyConfig {
            path: path.to_string(),
            text: text.to_string(),
        }),
        _ => Err(StepError::Failed(format!(
            "reading haproxy.cfg: {}",
            said(&out)
        ))),
    }
}

/// The temporary file beside `path` that the new text is checked in.
fn staging_path(path: &str) -> String {
    match path.rsplit_once('/') {
        Some((dir, file)) => format!("{dir}/.{file}.tugboat-new"),
        None => format!(".{path}.tugboat-new"),
    }
}

/// Replace the config at `path` with `text`, refused (the old file left as
/// it was) when `haproxy -c` finds fault with the new one.
pub async fn replace(
    handle: &HostHandle,
    s: &Settings,
    lb: &str,
    path: &str,
    text: String,
) -> StepResult {
    let staged = staging_path(path);
    handle
        .upload_files(lb, &[(staged.clone(), text)])
        .await
        .map_err(|e| StepError::Failed(format!("copying the new haproxy.cfg in: {e}")))?;
    let check = handle
        .exec(
            lb,
            &["haproxy", "-c", "-f", &staged],
            &[],
            ExecPurpose::Change,
            s.request_timeout * 2,
        )
        .await;
    let refusal = match check {
        Ok(out) if matches!(out.exit_code, Some(0) | None) => None,
        Ok(out) => Some(format!(
            "haproxy -c refused the new config, {path} left as it was: {}",
            said(&out)
        )),
        Err(e) => Some(format!("checking the new config: {e}")),
    };
    if let Some(refusal) = refusal {
        let _ = as_root(handle, s, lb, &["rm", "-f", &staged]).await;
        return Err(StepError::Failed(refusal));
    }
    let out = as_root(handle, s, lb, &["sh", "-c", INSTALL, "sh", &staged, path]).await?;
    match out.exit_code {
        Some(0) | None => Ok(()),
        _ => Err(StepError::Failed(format!(
            "{path} could not be replaced: {}",
            said(&out)
        ))),
    }
}

async fn as_root(
    handle: &HostHandle,
    s: &Settings,
    lb: &str,
    cmd: &[&str],
) -> StepResult<crate::docker::ExecOutput> {
    Ok(handle
        .exec_as(
            lb,
            Some("0"),
            cmd,
            &[],
            ExecPurpose::Change,
            s.request_timeout * 2,
        )
        .await?)
}

/// What the container printed, as one inert line for an outcome.
fn said(out: &crate::docker::ExecOutput) -> String {
    crate::model::sanitize(format!("{}{}", out.stdout, out.stderr).trim())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_new_text_is_staged_beside_the_config_as_a_hidden_file() {
        assert_eq!(
            staging_path("/usr/local/etc/haproxy/haproxy.cfg"),
            "/usr/local/etc/haproxy/.haproxy.cfg.tugboat-new"
        );
    }
}
