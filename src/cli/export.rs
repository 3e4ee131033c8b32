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
    let mut shared = Shared::default();
    for m in members {
        push_service(&mut y, m, &mut shared);
    }
    push_shared(&mut y, &shared, volume_labels);
    y
}

/// What the services name and the file must declare at its top level, in
/// the order first named: each network and volume once, every config.
#[derive(Default)]
struct Shared {
    networks: Vec<String>,
    volumes: Vec<String>,
    /// (config name, content)
    configs: Vec<(String, String)>,
}

/// One entry under `services:`; a section only when the member has any.
fn push_service(y: &mut String, m: &Member, shared: &mut Shared) {
    y.push_str(&format!(
        "  {}:\n    image: {}\n    container_name: {}\n",
        key(&m.name),
        q(&m.image),
        q(&m.name)
    ));
    push_command(y, &m.cmd);
    push_environment(y, &m.env);
    push_labels(y, &m.labels);
    push_ports(y, &m.ports);
    push_mounts(y, &m.mounts, &mut shared.volumes);
    push_networks(y, &m.networks, &mut shared.networks);
    push_files(y, &m.name, &m.files, &mut shared.configs);
}

fn push_command(y: &mut String, cmd: &[String]) {
    if cmd.is_empty() {
        return;
    }
    let masked = mask_args(cmd);
    // Said in the file, so that whoever runs it knows what to put back.
    if masked != cmd {
        y.push_str("    # secret arguments are not exported: put them back for ********\n");
    }
    let args: Vec<String> = masked.iter().map(|a| q(a)).collect();
    y.push_str(&format!("    command: [{}]\n", args.join(", ")));
}

fn push_environment(y: &mut String, env: &[(String, String)]) {
    if env.is_empty() {
        return;
    }
    y.push_str("    environment:\n");
    for (k, v) in env {
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

fn push_labels(y: &mut String, labels: &BTreeMap<String, String>) {
    if labels.is_empty() {
        return;
    }
    y.push_str("    labels:\n");
    for (k, v) in labels {
        y.push_str(&format!(
            "      {}: {}\n",
            key(k),
            q(&mask_label_value(k, v))
        ));
    }
}

fn push_ports(y: &mut String, ports: &[(String, String)]) {
    if ports.is_empty() {
        return;
    }
    y.push_str("    ports:\n");
    for (h, c) in ports {
        y.push_str(&format!("      - {}\n", q(&format!("{h}:{c}"))));
    }
}

/// The service's `volumes:`; each volume is also noted, once, for the
/// top-level `volumes:` that declares it.
fn push_mounts(y: &mut String, mounts: &[(String, String)], volumes: &mut Vec<String>) {
    if mounts.is_empty() {
        return;
    }
    y.push_str("    volumes:\n");
    for (v, p) in mounts {
        y.push_str(&format!("      - {}\n", q(&format!("{v}:{p}"))));
        if !volumes.contains(v) {
            volumes.push(v.clone());
        }
    }
}

/// The service's `networks:` with its aliases; each network is also
/// noted, once, for the top-level `networks:` that declares it.
fn push_networks(
    y: &mut String,
    member_networks: &[(String, Vec<String>)],
    networks: &mut Vec<String>,
) {
    if member_networks.is_empty() {
        return;
    }
    y.push_str("    networks:\n");
    for (n, aliases) in member_networks {
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

/// Files written before start, as `configs:` references; their content
/// goes in the top-level `configs:`.
fn push_files(
    y: &mut String,
    service: &str,
    files: &[(String, String)],
    configs: &mut Vec<(String, String)>,
) {
    if files.is_empty() {
        return;
    }
    y.push_str("    configs:\n");
    for (path, content) in files {
        let name = config_name(service, path);
        y.push_str(&format!(
            "      - source: {}\n        target: {}\n",
            key(&name),
            q(path)
        ));
        configs.push((name, content.clone()));
    }
}

/// The top-level `networks:`, `volumes:` and `configs:`. Networks and
/// volumes carry the cluster's labels, so that tugboat knows them as its own.
fn push_shared(y: &mut String, shared: &Shared, volume_labels: &BTreeMap<String, String>) {
    let labels: String = volume_labels
        .iter()
        .map(|(k, v)| format!("      {}: {}\n", key(k), q(v)))
        .collect();
    push_labelled(y, "networks:\n", &shared.networks, &labels);
    push_labelled(y, "volumes:\n", &shared.volumes, &labels);
    if !shared.configs.is_empty() {
        y.push_str("configs:\n");
        for (name, content) in &shared.configs {
            y.push_str(&format!("  {}:\n    content: |\n", key(name)));
            for l in content.lines() {
                y.push_str(&format!("      {l}\n"));
            }
        }
    }
}

/// A top-level section of named objects (`labels` is already indented).
fn push_labelled(y: &mut String, title: &str, names: &[String], labels: &str) {
    if names.is_empty() {
        return;
    }
    y.push_str(title);
    for n in names {
        y.push_str(&format!(
            "  {}:\n    name: {}\n    labels:\n{labels}",
            key(n),
            q(n)
        ));
    }
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
