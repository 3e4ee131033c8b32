//! haproxy.cfg inside a running balancer: read it, and replace it safely.
//! The official image runs its server as user haproxy, who cannot rewrite
//! the root-owned config. So the new text goes in through the engine's
//! archive API (as root) next to the old file, is checked by `haproxy -c`
//! as the server's own user, and is then renamed over the old file by root,
//! keeping its owner and mode: a reload sees the old file or the new one,
//! never half of one.
//!
//! A rewrite is read, edit, replace of the whole file, so what was read
//! must be the whole file, as it is: a read cut at the exec output limit or
//! not UTF-8 is refused (written back, it would lose or alter content), and
//! the file is replaced only if it still hashes as it did when read —
//! another job or an operator may have written it in between.

use sha2::{Digest, Sha256};

use super::error::StepError;
use crate::config::Settings;
use crate::docker::{ExecBytes, ExecPurpose, HostError, HostHandle, EXEC_OUTPUT_LIMIT};
use crate::model::SafeText;

/// Finds the config where the official image and Debian's package keep it.
const FIND_CONFIG: &str = r#"
cfg=${HAPROXY_CFG:-/usr/local/etc/haproxy/haproxy.cfg}
[ -r "$cfg" ] || cfg=/etc/haproxy/haproxy.cfg
[ -r "$cfg" ] || { echo "no haproxy.cfg at /usr/local/etc/haproxy or /etc/haproxy"; exit 3; }
"#;

/// Exit codes of `INSTALL` that are refusals, not faults.
const CHANGED: i64 = 6;
const NO_SHA256SUM: i64 = 7;

/// Run as root: `$1` (the checked new file) takes the place of `$2`, if
/// `$2` still has the SHA-256 `$3` it had when read (else nothing is
/// written). The check and the rename are one script, a moment apart. A
/// bind-mounted config cannot be renamed over (EBUSY), so its content is
/// copied into it instead.
const INSTALL: &str = r#"
new=$1; cfg=$2; want=$3
command -v sha256sum >/dev/null 2>&1 || { rm -f "$new"; exit 7; }
have=$(sha256sum < "$cfg") || { rm -f "$new"; exit 5; }
[ "${have%% *}" = "$want" ] || { rm -f "$new"; exit 6; }
m=$(stat -c %a "$cfg" 2>/dev/null) && chmod "$m" "$new"
o=$(stat -c %u:%g "$cfg" 2>/dev/null) && chown "$o" "$new"
mv -f "$new" "$cfg" 2>/dev/null && exit 0
cat "$new" > "$cfg" && rm -f "$new" && exit 0
rm -f "$new"; exit 5
"#;

/// Exit code of `tb_bounded` when the command ran out of time.
const TIMED_OUT: i64 = 124;

/// Why haproxy.cfg was not read, or not replaced. Every variant but
/// `Host`, `NotReplaced` and `InstallUnknown` leaves the file as it was.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CfgFileError {
    #[error("haproxy.cfg is larger than tugboat reads ({limit} bytes): refused rather than written back cut short")]
    TooLarge { limit: usize },
    #[error("{path} is not UTF-8 text (byte {at}): refused rather than written back altered")]
    NotText { path: SafeText, at: usize },
    #[error("reading haproxy.cfg: {said}")]
    Unreadable { said: SafeText },
    #[error("{path} changed since tugboat read it (another job or someone else wrote it): nothing written, their change kept")]
    Changed { path: SafeText },
    #[error("no sha256sum in the balancer: tugboat cannot tell whether {path} changed since it read it, so nothing was written")]
    NoSha256sum { path: SafeText },
    #[error("haproxy -c refused the new config, {path} left as it was: {said}")]
    CheckFailed { path: SafeText, said: SafeText },
    #[error(
        "haproxy -c gave no exit code, so the new config is not known good: {path} left as it was"
    )]
    CheckUnknown { path: SafeText },
    #[error("haproxy -c did not finish within {secs}s: {path} left as it was")]
    CheckTimedOut { path: SafeText, secs: u64 },
    #[error("{path} could not be replaced: {said}")]
    NotReplaced { path: SafeText, said: SafeText },
    #[error("the engine gave no exit code for the rename: {path} may hold the old config or the new one; look before a reload")]
    InstallUnknown { path: SafeText },
    #[error(transparent)]
    Host(#[from] HostError),
}

impl From<CfgFileError> for StepError {
    /// A file not read or not written whole is a refusal in words; the
    /// engine's own faults stay what they are.
    fn from(e: CfgFileError) -> Self {
        match e {
            CfgFileError::Host(h) => Self::Host(h),
            CfgFileError::NotReplaced { .. } | CfgFileError::InstallUnknown { .. } => {
                Self::Failed(e.to_string())
            }
            other => Self::Refused(other.to_string()),
        }
    }
}

/// A balancer's config file, what it says, and the SHA-256 of its bytes
/// as read (the replace compares it with the file's right before writing).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HaproxyConfig {
    pub path: String,
    pub text: String,
    sha256: String,
}

impl HaproxyConfig {
    /// Hex SHA-256 of the file as read.
    pub fn sha256(&self) -> &str {
        &self.sha256
    }
}

fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

pub async fn read(
    handle: &HostHandle,
    s: &Settings,
    lb: &str,
) -> Result<HaproxyConfig, CfgFileError> {
    let script = format!("{FIND_CONFIG}printf '%s\\n' \"$cfg\"; cat \"$cfg\"");
    let out = handle
        .exec_bytes_as(
            lb,
            None,
            &["sh", "-c", &script],
            &[],
            ExecPurpose::Probe,
            s.request_timeout,
        )
        .await?;
    parse_read(out)
}

/// The path line and the file's bytes after it, refused unless the read
/// was whole (exit 0, not cut at the output limit) and the bytes are text.
fn parse_read(out: ExecBytes) -> Result<HaproxyConfig, CfgFileError> {
    if out.truncated {
        return Err(CfgFileError::TooLarge {
            limit: EXEC_OUTPUT_LIMIT,
        });
    }
    let split = out.stdout.iter().position(|&b| b == b'\n');
    let (Some(0), Some(at)) = (out.exit_code, split) else {
        return Err(CfgFileError::Unreadable { said: said(&out) });
    };
    let (path, bytes) = (&out.stdout[..at], &out.stdout[at + 1..]);
    let path = String::from_utf8_lossy(path).into_owned();
    let text = match std::str::from_utf8(bytes) {
        Ok(text) => text.to_string(),
        Err(e) => {
            return Err(CfgFileError::NotText {
                path: SafeText::from_foreign(&path),
                at: e.valid_up_to(),
            })
        }
    };
    Ok(HaproxyConfig {
        sha256: sha256_hex(bytes),
        path,
        text,
    })
}

/// The temporary file beside `path` that the new text is checked in.
fn staging_path(path: &str) -> String {
    match path.rsplit_once('/') {
        Some((dir, file)) => format!("{dir}/.{file}.tugboat-new"),
        None => format!(".{path}.tugboat-new"),
    }
}

/// Replace the config `read` with `text`. Refused (the file left as it
/// is) when `haproxy -c` does not pass the new text within its time, or
/// when the file is no longer what was read.
pub async fn replace(
    handle: &HostHandle,
    s: &Settings,
    lb: &str,
    read: &HaproxyConfig,
    text: String,
) -> Result<(), CfgFileError> {
    let path = read.path.as_str();
    let staged = staging_path(path);
    handle.upload_files(lb, &[(staged.clone(), text)]).await?;
    if let Err(refusal) = check(handle, s, lb, path, &staged).await {
        let _ = as_root(handle, s, lb, &["rm", "-f", &staged]).await;
        return Err(refusal);
    }
    let install = ["sh", "-c", INSTALL, "sh", &staged, path, read.sha256()];
    let out = as_root(handle, s, lb, &install).await?;
    let path = SafeText::from_foreign(path);
    match out.exit_code {
        Some(0) => Ok(()),
        Some(CHANGED) => Err(CfgFileError::Changed { path }),
        Some(NO_SHA256SUM) => Err(CfgFileError::NoSha256sum { path }),
        None => Err(CfgFileError::InstallUnknown { path }),
        Some(_) => Err(CfgFileError::NotReplaced {
            path,
            said: said(&out),
        }),
    }
}

/// `haproxy -c` on the staged file, as the server's own user, ended in
/// the container when its time is up; only exit code 0 passes.
async fn check(
    handle: &HostHandle,
    s: &Settings,
    lb: &str,
    path: &str,
    staged: &str,
) -> Result<(), CfgFileError> {
    let limit = s.request_timeout * 2;
    let script = crate::probes::limit::bounded("tb_bounded haproxy -c -f \"$1\"");
    let out = handle
        .exec_bytes_as(
            lb,
            None,
            &["sh", "-c", &script, "sh", staged],
            &[],
            ExecPurpose::Change,
            limit,
        )
        .await?;
    let path = SafeText::from_foreign(path);
    match out.exit_code {
        Some(0) => Ok(()),
        Some(TIMED_OUT) => Err(CfgFileError::CheckTimedOut {
            path,
            secs: limit.as_secs(),
        }),
        Some(_) => Err(CfgFileError::CheckFailed {
            path,
            said: said(&out),
        }),
        None => Err(CfgFileError::CheckUnknown { path }),
    }
}

async fn as_root(
    handle: &HostHandle,
    s: &Settings,
    lb: &str,
    cmd: &[&str],
) -> Result<ExecBytes, HostError> {
    handle
        .exec_bytes_as(
            lb,
            Some("0"),
            cmd,
            &[],
            ExecPurpose::Change,
            s.request_timeout * 2,
        )
        .await
}

/// What the container printed, as one inert line for an outcome.
fn said(out: &ExecBytes) -> SafeText {
    let mut all = out.stdout.clone();
    all.extend_from_slice(&out.stderr);
    SafeText::from_foreign(String::from_utf8_lossy(&all).trim())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read_out(stdout: &[u8], exit_code: Option<i64>, truncated: bool) -> ExecBytes {
        ExecBytes {
            stdout: stdout.to_vec(),
            stderr: Vec::new(),
            exit_code,
            truncated,
        }
    }

    #[test]
    fn the_new_text_is_staged_beside_the_config_as_a_hidden_file() {
        assert_eq!(
            staging_path("/usr/local/etc/haproxy/haproxy.cfg"),
            "/usr/local/etc/haproxy/.haproxy.cfg.tugboat-new"
        );
    }

    #[test]
    fn a_whole_text_read_keeps_its_bytes_hash() {
        let cfg = parse_read(read_out(
            b"/etc/haproxy/haproxy.cfg\nglobal\n",
            Some(0),
            false,
        ))
        .unwrap();
        assert_eq!(cfg.path, "/etc/haproxy/haproxy.cfg");
        assert_eq!(cfg.text, "global\n");
        // As the container's sha256sum prints it.
        assert_eq!(
            cfg.sha256(),
            "bde69edbbd1e37f29a7d5abb737590d929362f186c935f5fa9384ce2074acec4"
        );
    }

    #[test]
    fn a_cut_unknown_or_non_text_read_is_refused() {
        let cut = parse_read(read_out(b"/c\nglobal\n", Some(0), true)).unwrap_err();
        assert_eq!(
            cut,
            CfgFileError::TooLarge {
                limit: EXEC_OUTPUT_LIMIT
            }
        );
        let unknown = parse_read(read_out(b"/c\nglobal\n", None, false)).unwrap_err();
        assert!(
            matches!(unknown, CfgFileError::Unreadable { .. }),
            "{unknown}"
        );
        let failed = parse_read(read_out(b"no haproxy.cfg\n", Some(3), false)).unwrap_err();
        assert_eq!(failed.to_string(), "reading haproxy.cfg: no haproxy.cfg");
        let latin1 = parse_read(read_out(b"/c\n# caf\xe9\n", Some(0), false)).unwrap_err();
        assert_eq!(
            latin1.to_string(),
            "/c is not UTF-8 text (byte 5): refused rather than written back altered"
        );
        assert!(matches!(StepError::from(latin1), StepError::Refused(_)));
    }
}
