//! `tugboat export CLUSTER --compose`: a docker-compose.yml equivalent to a
//! single-host cluster made by `tugboat create`, read back from its
//! containers. Secrets become `${VAR}` references (never their values);
//! files written before start become inline compose `configs`.

use std::collections::BTreeMap;
use std::process::ExitCode;
use std::time::Duration;

use super::interrupt::warn;
use super::{Loaded, EXIT_USAGE};
use crate::create::plan::{LABEL_TUGBOAT_CREATED, LABEL_TUGBOAT_FILES};
use crate::docker::{spawn_hosts, ExecPurpose, HostError, HostHandle};
use crate::model::new_objects::LABEL_TUGBOAT_JOB;
use crate::model::sanitize::escape_yaml;
use crate::model::secrets::{holds_secret, mask_args, mask_label_value};
use crate::model::{sanitize, sanitize_multiline, LABEL_TUGBOAT_CLUSTER};

/// One service of the compose file, as read from its container.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Member {
    pub name: String,
    pub image: String,
    /// (name, value) that the container sets beyond its image.
    pub env: Vec<(String, String)>,
    pub cmd: Vec<String>,
    pub labels: BTreeMap<String, String>,
    /// (host port, container port)
    pub ports: Vec<(String, String)>,
    /// (volume, path)
    pub mounts: Vec<(String, String)>,
    /// (network, aliases)
    pub networks: Vec<(String, Vec<String>)>,
    /// (path, content)
    pub files: Vec<(String, String)>,
}

/// A YAML scalar: JSON's double-quoted strings are valid YAML. Controls
/// and format characters (C1, bidi, …) are escaped: the value is kept
/// exactly, yet nothing in it reaches a terminal the file is printed on.
fn q(s: &str) -> String {
    escape_yaml(&serde_json::Value::String(s.to_string()).to_string())
}

/// A mapping key read from a container (env name, label, network, volume,
/// service): as it is when plain, else quoted, so that no name can break
/// the file's structure or carry a control character.
fn key(s: &str) -> String {
    let plain = !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || "._-/".contains(c));
    if plain {
        s.to_string()
    } else {
        q(s)
    }
}

fn config_name(service: &str, path: &str) -> String {
    let base = path.rsplit('/').next().unwrap_or(path).replace('.', "-");
    format!("{service}-{base}")
}

pub fn compose_yaml(
    cluster: &str,
    members: &[Member],
    volume_labels: &BTreeMap<String, String>,
) -> String {
    let mut y = format!(
        "# docker-compose.yml for the tugboat cluster {cluster} (written by `tugboat export`).\n\
         # Secrets are not written here: set the ${{VARIABLES}} marked `secret` in the\n\
         # environment or an .env file before `docker compose up`.\nname: {}\nservices:\n",
        q(cluster)
    );
    let mut networks = Vec::new();
    let mut volumes = Vec::new();
    let mut configs = Vec::new();
    for m in members {
        y.push_str(&format!(
            "  {}:\n    image: {}\n    container_name: {}\n",
            key(&m.name),
            q(&m.image),
            q(&m.name)
        ));
        if !m.cmd.is_empty() {
            let masked = mask_args(&m.cmd);
            if masked != m.cmd {
                y.push_str("    # secret arguments are not exported: put them back for ********\n");
            }
            let args: Vec<String> = masked.iter().map(|a| q(a)).collect();
            y.push_str(&format!("    command: [{}]\n", args.join(", ")));
        }
        if !m.env.is_empty() {
            y.push_str("    environment:\n");
            for (k, v) in &m.env {
                // A URL with a password is a secret whatever its name.
                if holds_secret(k, v) {
                    y.push_str(&format!(
                        "      {}: {}  # secret: not exported\n",
                        key(k),
                        q(&format!("${{{k}}}"))
                    ));
                } else {
                    // `$` would be read by compose as a variable.
                    y.push_str(&format!("      {}: {}\n", key(k), q(&v.replace('$', "$$"))));
                }
            }
        }
        if !m.labels.is_empty() {
            y.push_str("    labels:\n");
            for (k, v) in &m.labels {
                y.push_str(&format!(
                    "      {}: {}\n",
                    key(k),
                    q(&mask_label_value(k, v))
                ));
            }
        }
        if !m.ports.is_empty() {
            y.push_str("    ports:\n");
            for (h, c) in &m.ports {
                y.push_str(&format!("      - {}\n", q(&format!("{h}:{c}"))));
            }
        }
        if !m.mounts.is_empty() {
            y.push_str("    volumes:\n");
            for (v, p) in &m.mounts {
                y.push_str(&format!("      - {}\n", q(&format!("{v}:{p}"))));
                if !volumes.contains(v) {
                    volumes.push(v.clone());
                }
            }
        }
        if !m.networks.is_empty() {
            y.push_str("    networks:\n");
            for (n, aliases) in &m.networks {
                y.push_str(&format!("      {}:\n", key(n)));
                if !aliases.is_empty() {
                    let a: Vec<String> = aliases.iter().map(|a| q(a)).collect();
                    y.push_str(&format!("        aliases: [{}]\n", a.join(", ")));
                }
                if !networks.contains(n) {
                    networks.push(n.clone());
                }
            }
        }
        if !m.files.is_empty() {
            y.push_str("    configs:\n");
            for (path, content) in &m.files {
                let name = config_name(&m.name, path);
                y.push_str(&format!(
                    "      - source: {}\n        target: {}\n",
                    key(&name),
                    q(path)
                ));
                configs.push((name, content.clone()));
            }
        }
    }
    let labels: String = volume_labels
        .iter()
        .map(|(k, v)| format!("      {}: {}\n", key(k), q(v)))
        .collect();
    if !networks.is_empty() {
        y.push_str("networks:\n");
        for n in &networks {
            y.push_str(&format!(
                "  {}:\n    name: {}\n    labels:\n{labels}",
                key(n),
                q(n)
            ));
        }
    }
    if !volumes.is_empty() {
        y.push_str("volumes:\n");
        for v in &volumes {
            y.push_str(&format!(
                "  {}:\n    name: {}\n    labels:\n{labels}",
                key(v),
                q(v)
            ));
        }
    }
    if !configs.is_empty() {
        y.push_str("configs:\n");
        for (name, content) in &configs {
            y.push_str(&format!("  {}:\n    content: |\n", key(name)));
            for l in content.lines() {
                y.push_str(&format!("      {l}\n"));
            }
        }
    }
    y
}

/// Read one container back as a compose service.
/// Only engine requests fail here, so their error is returned as is.
async fn member(h: &HostHandle, name: &str) -> Result<Member, HostError> {
    let r = h.inspect_raw(name).await?;
    let config = r.config.unwrap_or_default();
    let image = config.image.unwrap_or_default();
    let (image_env, image_cmd) = h.image_defaults(&image).await.unwrap_or_default();
    let env = config
        .env
        .unwrap_or_default()
        .into_iter()
        .filter(|e| !image_env.contains(e))
        .filter_map(|e| {
            e.split_once('=')
                .map(|(k, v)| (k.to_string(), v.to_string()))
        })
        .collect();
    let cmd = config.cmd.unwrap_or_default();
    let labels: BTreeMap<String, String> = config
        .labels
        .unwrap_or_default()
        .into_iter()
        // The job label names the job that made this container: a copy is
        // not its work (a recover of that job must not take it for its own).
        .filter(|(k, _)| k.starts_with("io.tugboat.") && k != LABEL_TUGBOAT_JOB)
        .collect();
    let host_config = r.host_config.unwrap_or_default();
    let mut ports: Vec<(String, String)> = host_config
        .port_bindings
        .unwrap_or_default()
        .into_iter()
        .flat_map(|(port, b)| {
            let c = port.trim_end_matches("/tcp").to_string();
            b.unwrap_or_default()
                .into_iter()
                .filter_map(move |b| b.host_port.map(|h| (h, c.clone())))
        })
        .collect();
    ports.sort();
    let mounts = host_config
        .mounts
        .unwrap_or_default()
        .into_iter()
        .filter_map(|m| Some((m.source?, m.target?)))
        .collect();
    let mut networks: Vec<(String, Vec<String>)> = r
        .network_settings
        .and_then(|n| n.networks)
        .unwrap_or_default()
        .into_iter()
        .map(|(n, e)| {
            let aliases = e
                .aliases
                .unwrap_or_default()
                .into_iter()
                .filter(|a| *a != name && !a.chars().all(|c| c.is_ascii_hexdigit()))
                .collect();
            (n, aliases)
        })
        .collect();
    networks.sort();
    let mut files = Vec::new();
    for path in labels
        .get(LABEL_TUGBOAT_FILES)
        .map(|p| p.split(',').map(String::from).collect::<Vec<_>>())
        .unwrap_or_default()
    {
        let out = h
            .exec(
                name,
                &["sh", "-c", "cat -- \"$1\"", "sh", &path],
                &[],
                ExecPurpose::Probe,
                Duration::from_secs(10),
            )
            .await?;
        let content: Vec<String> = out.stdout.lines().map(sanitize).collect();
        files.push((path, content.join("\n") + "\n"));
    }
    Ok(Member {
        name: name.to_string(),
        cmd: if cmd == image_cmd { Vec::new() } else { cmd },
        image,
        env,
        labels,
        ports,
        mounts,
        networks,
        files,
    })
}

pub async fn run(loaded: &Loaded, cluster: &str, read_only: bool) -> ExitCode {
    let hosts = spawn_hosts(&loaded.hosts, &loaded.settings, read_only, |_| {});
    let labels = vec![
        format!("{LABEL_TUGBOAT_CREATED}=tugboat"),
        format!("{LABEL_TUGBOAT_CLUSTER}={cluster}"),
    ];
    let mut on = Vec::new();
    for h in &hosts {
        if !h.wait_connected(loaded.settings.request_timeout * 2).await {
            warn(format!("tugboat: host {} does not answer", h.name));
            return ExitCode::from(1);
        }
        match h.labelled(&labels).await {
            Ok(l) if !l.containers.is_empty() => on.push((h, l)),
            Ok(_) => {}
            Err(e) => {
                warn(format!("tugboat: {}: {e}", h.name));
                return ExitCode::from(1);
            }
        }
    }
    let (h, found) = match on.as_slice() {
        [one] => (one.0, &one.1),
        [] => {
            eprintln!("tugboat: no cluster `{cluster}` created by tugboat on any host");
            return ExitCode::from(EXIT_USAGE);
        }
        _ => {
            eprintln!("tugboat: cluster `{cluster}` spans several hosts: a compose file describes one host");
            return ExitCode::from(EXIT_USAGE);
        }
    };
    let mut members = Vec::new();
    for name in &found.containers {
        match member(h, name).await {
            Ok(m) => members.push(m),
            Err(e) => {
                warn(format!("tugboat: {name}: {e}"));
                return ExitCode::from(1);
            }
        }
    }
    let common = BTreeMap::from([
        (LABEL_TUGBOAT_CLUSTER.to_string(), cluster.to_string()),
        (LABEL_TUGBOAT_CREATED.to_string(), "tugboat".to_string()),
    ]);
    // Scalars are escaped and file lines sanitized already; this is the
    // last guard before the terminal.
    print!(
        "{}",
        sanitize_multiline(&compose_yaml(cluster, &members, &common))
    );
    ExitCode::SUCCESS
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_become_references_and_files_become_configs() {
        let m = Member {
            name: "db-db1".into(),
            image: "mariadb:10.11".into(),
            env: vec![
                ("MARIADB_ROOT_PASSWORD".into(), "s3cret".into()),
                ("MODE".into(), "a$b".into()),
                ("DSN".into(), "mysql://app:s3cret@db/app".into()),
            ],
            cmd: vec!["--server-id=1".into()],
            labels: BTreeMap::from([
                ("io.tugboat.cluster".into(), "db".into()),
                ("io.tugboat.auth".into(), "s3cret".into()),
            ]),
            ports: vec![("3306".into(), "3306".into())],
            mounts: vec![("db-db1-data".into(), "/var/lib/mysql".into())],
            networks: vec![("db".into(), vec!["app".into()])],
            files: vec![("/etc/x.cfg".into(), "a\nb\n".into())],
        };
        let y = compose_yaml("db", &[m], &BTreeMap::new());
        assert!(!y.contains("s3cret"), "{y}");
        assert!(
            y.contains("MARIADB_ROOT_PASSWORD: \"${MARIADB_ROOT_PASSWORD}\"  # secret"),
            "{y}"
        );
        assert!(y.contains("MODE: \"a$$b\""), "{y}");
        assert!(y.contains("DSN: \"${DSN}\"  # secret"), "{y}");
        assert!(y.contains("io.tugboat.auth: \"********\""), "{y}");
        assert!(y.contains("command: [\"--server-id=1\"]"), "{y}");
        assert!(y.contains("      - \"db-db1-data:/var/lib/mysql\""), "{y}");
        assert!(y.contains("        aliases: [\"app\"]"), "{y}");
        assert!(
            y.contains("configs:\n  db-db1-x-cfg:\n    content: |\n      a\n      b\n"),
            "{y}"
        );
        assert!(
            y.contains("volumes:\n  db-db1-data:\n    name: \"db-db1-data\""),
            "{y}"
        );
    }

    #[test]
    fn secret_arguments_are_masked_and_said_so() {
        let m = Member {
            name: "db-db1".into(),
            image: "mariadb:11".into(),
            cmd: vec!["--password=s3cret".into(), "--server-id=1".into()],
            ..Member::default()
        };
        let y = compose_yaml("db", &[m], &BTreeMap::new());
        assert!(!y.contains("s3cret"), "{y}");
        assert!(
            y.contains("    # secret arguments are not exported: put them back for ********\n    command: [\"--password=********\", \"--server-id=1\"]"),
            "{y}"
        );
    }

    #[test]
    fn hostile_names_and_values_are_escaped_or_quoted() {
        use crate::model::sanitize::is_dangerous;
        let m = Member {
            name: "app\u{202e}".into(),
            image: "img\u{9b}2J".into(),
            env: vec![("K\u{1b}]0;t\u{7}".into(), "v\u{200b}\u{e0041}".into())],
            labels: BTreeMap::from([("io.tugboat.x: y\nz".into(), "\u{85}".into())]),
            ..Member::default()
        };
        let y = compose_yaml("c", &[m], &BTreeMap::new());
        assert!(!y.chars().any(|c| c != '\n' && is_dangerous(c)), "{y}");
        assert!(y.contains("  \"app\\u202e\":\n"), "{y}");
        assert!(y.contains("image: \"img\\u009b2J\""), "{y}");
        assert!(y.contains(": \"v\\u200b\\U000e0041\""), "{y}");
        assert!(
            y.contains("      \"io.tugboat.x: y\\nz\": \"\\u0085\""),
            "{y}"
        );
    }
}
