//! A container's inspect answer as the Inspect view shows it: sections of
//! lines, with its environment, command, entrypoint and labels masked
//! where they look secret, and every engine string sanitized.

use bollard::models::{ContainerConfig, ContainerInspectResponse};

use super::convert::{labels, mount};
use crate::model::clock::parse_rfc3339_utc;
use crate::model::secrets::{mask_args, mask_env_entry};
use crate::model::{sanitize, InspectSection, Mount, MountKind};

/// What `i` shows: one container's configuration, sanitized, secrets masked.
pub fn inspect_sections(r: &ContainerInspectResponse) -> Vec<InspectSection> {
    let config = r.config.as_ref();
    vec![
        InspectSection {
            title: "General",
            lines: general_lines(r),
        },
        InspectSection {
            title: "Environment",
            lines: env_lines(config),
        },
        InspectSection {
            title: "Networks",
            lines: network_lines(r),
        },
        InspectSection {
            title: "Mounts",
            lines: mount_lines(r),
        },
        InspectSection {
            title: "Labels",
            lines: label_lines(config),
        },
    ]
}

/// A line of the General section: its key and, if the engine filled it in, its value.
type GeneralField = (&'static str, Option<String>);

/// The General section: identity, then state, then how it runs; a field
/// the engine left empty gets no line.
fn general_lines(r: &ContainerInspectResponse) -> Vec<String> {
    identity_fields(r)
        .into_iter()
        .chain(state_fields(r))
        .chain(runtime_fields(r))
        .filter_map(|(key, value)| {
            value
                .filter(|v| !v.is_empty())
                .map(|v| format!("{key:<14} {}", sanitize(&v)))
        })
        .collect()
}

/// What the container is: name, id, image and what it runs.
fn identity_fields(r: &ContainerInspectResponse) -> Vec<GeneralField> {
    let config = r.config.as_ref();
    let (entrypoint, command) = masked_entrypoint_and_command(config);
    vec![
        (
            "Name",
            r.name
                .as_ref()
                .map(|n| n.trim_start_matches('/').to_string()),
        ),
        ("Id", r.id.clone()),
        ("Image", config.and_then(|c| c.image.clone())),
        ("Entrypoint", Some(entrypoint)),
        ("Command", Some(command)),
    ]
}

/// Entrypoint and command, masked as one line, so `mysql` in the
/// entrypoint makes `-pX` in the command a password.
fn masked_entrypoint_and_command(config: Option<&ContainerConfig>) -> (String, String) {
    let entrypoint = config
        .and_then(|c| c.entrypoint.clone())
        .unwrap_or_default();
    let cmd = config.and_then(|c| c.cmd.clone()).unwrap_or_default();
    let entrypoint_len = entrypoint.len();
    let mut masked = mask_args(&[entrypoint, cmd].concat());
    let masked_cmd = masked.split_off(entrypoint_len);
    (masked.join(" "), masked_cmd.join(" "))
}

/// How the container is or last was: status, start and end, how it ended.
fn state_fields(r: &ContainerInspectResponse) -> Vec<GeneralField> {
    let state = r.state.as_ref();
    // The engine writes year 1 for "never": leave those out.
    let when = |t: Option<&String>| t.filter(|t| parse_rfc3339_utc(t).is_some()).cloned();
    vec![
        (
            "Status",
            state.and_then(|s| s.status.map(|st| st.to_string())),
        ),
        ("Started", when(state.and_then(|s| s.started_at.as_ref()))),
        ("Finished", when(state.and_then(|s| s.finished_at.as_ref()))),
        (
            "Exit code",
            state.and_then(|s| s.exit_code).map(|c| c.to_string()),
        ),
        (
            "OOM killed",
            state
                .and_then(|s| s.oom_killed)
                .filter(|k| *k)
                .map(|_| "yes".into()),
        ),
        ("Error", state.and_then(|s| s.error.clone())),
    ]
}

/// How the container runs: its restarts and the process's surroundings.
fn runtime_fields(r: &ContainerInspectResponse) -> Vec<GeneralField> {
    let config = r.config.as_ref();
    vec![
        ("Restarts", r.restart_count.map(|c| c.to_string())),
        (
            "Restart policy",
            r.host_config
                .as_ref()
                .and_then(|h| h.restart_policy.as_ref())
                .and_then(|p| p.name.map(|n| n.to_string())),
        ),
        ("Hostname", config.and_then(|c| c.hostname.clone())),
        ("User", config.and_then(|c| c.user.clone())),
        ("Working dir", config.and_then(|c| c.working_dir.clone())),
    ]
}

/// The environment, each value under a secret-looking name masked.
fn env_lines(config: Option<&ContainerConfig>) -> Vec<String> {
    config
        .and_then(|c| c.env.as_ref())
        .map(|env| env.iter().map(|e| sanitize(&mask_env_entry(e))).collect())
        .unwrap_or_default()
}

/// One line per network: name, address, aliases, sorted so the view
/// does not reshuffle with the engine's map order.
fn network_lines(r: &ContainerInspectResponse) -> Vec<String> {
    let mut networks: Vec<String> = r
        .network_settings
        .as_ref()
        .and_then(|n| n.networks.as_ref())
        .map(|nets| {
            nets.iter()
                .map(|(name, ep)| {
                    let aliases = ep.aliases.clone().unwrap_or_default().join(",");
                    sanitize(&format!(
                        "{name:<16} {:<15} {aliases}",
                        ep.ip_address.as_deref().unwrap_or("-")
                    ))
                })
                .collect()
        })
        .unwrap_or_default();
    networks.sort();
    networks
}

/// One line per mount, as the mounts view writes them.
fn mount_lines(r: &ContainerInspectResponse) -> Vec<String> {
    r.mounts
        .clone()
        .unwrap_or_default()
        .into_iter()
        .map(mount)
        .map(|m| mount_line(&m))
        .collect()
}

/// `key=value` per label, masked as `labels` keeps them.
fn label_lines(config: Option<&ContainerConfig>) -> Vec<String> {
    labels(config.and_then(|c| c.labels.as_ref()))
        .into_iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect()
}

pub fn mount_line(m: &Mount) -> String {
    let what = match (&m.kind, &m.name) {
        (MountKind::Volume, Some(name)) => name.clone(),
        (MountKind::Tmpfs, _) => "tmpfs".into(),
        _ => m.source.clone(),
    };
    let mode = if m.read_write { "rw" } else { "ro" };
    format!(
        "{:<6} {what} -> {} ({mode})",
        m.kind.as_str(),
        m.destination
    )
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use bollard::models::ContainerConfig;

    use super::super::convert::container_from_inspect;
    use super::*;

    /// What `i` shows of a container whose environment, entrypoint, command
    /// and labels all carry a password somewhere.
    #[test]
    fn inspect_masks_env_command_entrypoint_and_labels() {
        let r = ContainerInspectResponse {
            path: Some("mysql".into()),
            args: Some(vec!["-phunter2".into()]),
            config: Some(ContainerConfig {
                env: Some(vec![
                    "MYSQL_PWD=hunter2".into(),
                    "DSN=postgres://app:hunter2@db/app".into(),
                    "MODE=fast".into(),
                ]),
                entrypoint: Some(vec!["mysql".into()]),
                cmd: Some(vec!["-uroot".into(), "-phunter2".into()]),
                labels: Some(HashMap::from([
                    ("com.example.db-pass".into(), "hunter2".into()),
                    ("com.example.url".into(), "redis://:hunter2@r:6379".into()),
                    ("io.tugboat.cluster".into(), "shop".into()),
                ])),
                ..Default::default()
            }),
            ..Default::default()
        };
        let text: Vec<String> = inspect_sections(&r)
            .into_iter()
            .flat_map(|s| s.lines)
            .collect();
        let text = text.join("\n");
        assert!(!text.contains("hunter2"), "{text}");
        assert!(text.contains("-p********"), "{text}");
        assert!(text.contains("MODE=fast"), "{text}");
        assert!(text.contains("postgres://app:********@db/app"), "{text}");
        assert!(text.contains("io.tugboat.cluster=shop"), "{text}");
        let c = container_from_inspect("local", r, 0);
        assert_eq!(c.command, "mysql -p********");
        assert_eq!(c.labels["com.example.db-pass"], "********");
        assert_eq!(c.labels["io.tugboat.cluster"], "shop");
    }
}
