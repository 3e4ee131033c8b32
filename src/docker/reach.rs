//! Where a host's published ports are reached from other hosts: the
//! engine's view of its bridge network, and throwaway containers that prove
//! an address works before a spread cluster is created (one listens on a
//! published port and prints what it receives, another sends it a token).

use std::collections::HashMap;

use bollard::models::{ContainerCreateBody, HostConfig, PortBinding};
use bollard::query_parameters::{
    CreateContainerOptions, InspectContainerOptions, InspectNetworkOptions,
};

use super::connect::bounded;
use super::handle::{HostError, HostHandle};
use super::volume_io::HELPER_LABEL;
use crate::model::address::{first_address, AddressSource, HostAddress};

/// Output kept of a check container: its token lines or an error message.
const OUTPUT_LIMIT: usize = 4096;

/// One host's side of the check, as a shell script: listen for `$2`
/// connections on port `$1`, one after the other, printing what each sends
/// (either netcat flavour: busybox/traditional `-l -p`, OpenBSD `-l`),
/// while sending each token to its address and port (the arguments after
/// those two, three by three: bash's /dev/tcp, which says why it failed,
/// else netcat), a few tries apiece as the other side may still be
/// starting. A send that never got through prints `tugboat-reach: to
/// ADDRESS:PORT: ERROR`. Every value is an argument (`check_args`), quoted
/// wherever it is used, and bash gets its own as arguments too: nothing
/// in them is ever read as shell.
const CHECK_SCRIPT: &str = r#"port=$1; connections=$2; shift 2
listen() { n=0; while [ "$n" -lt "$connections" ]; do nc -l -p "$port" 2>/dev/null || nc -l "$port" || { echo "$NO_LISTEN"; exit 3; }; n=$((n+1)); done; }
send() { i=0; err=''; while [ "$i" -lt "$SEND_TRIES" ]; do
  if command -v bash >/dev/null 2>&1; then err=$(bash -c 'echo "$1" >"/dev/tcp/$2/$3"' bash "$1" "$2" "$3" 2>&1) && return 0
  else err=$(echo "$1" | nc -w 3 "$2" "$3" 2>&1) && return 0; fi
  i=$((i+1)); sleep 1; done; echo "tugboat-reach: to $2:$3: $err"; }
listen &
while [ "$#" -ge 3 ]; do send "$1" "$2" "$3" & shift 3; done
wait"#;

/// The check container's command: `sh -c CHECK_SCRIPT` with the listening
/// port, the number of senders, then each send's token, address and port
/// as arguments. The two constants the script prints or counts with come
/// first, as variables.
fn check_command(port: u16, connections: usize, sends: &[ReachSend]) -> Vec<String> {
    let script = format!("NO_LISTEN='{NO_LISTEN}'; SEND_TRIES={SEND_TRIES}\n{CHECK_SCRIPT}");
    let mut cmd = vec![
        "sh".to_string(),
        "-c".into(),
        script,
        "sh".into(),
        port.to_string(),
        connections.to_string(),
    ];
    for s in sends {
        cmd.extend([s.token.clone(), s.address.clone(), s.port.to_string()]);
    }
    cmd
}

/// What the listener prints when the image cannot run the check.
pub const NO_LISTEN: &str = "tugboat-reach: nc could not listen";
/// Tries per send, a second apart.
const SEND_TRIES: u32 = 10;

/// A token one host's check sends to another host's address.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReachSend {
    pub token: String,
    pub address: String,
    pub port: u16,
}

impl HostHandle {
    /// The bridge network's address as the engine reports it: the IPAM
    /// gateway, else the gateway a container on the bridge is given, else
    /// the first address of its subnet. None when it has no IPv4 bridge.
    pub async fn bridge_address(&self) -> Result<Option<HostAddress>, HostError> {
        let docker = self.docker().await?;
        let net = bounded(
            self.timeout,
            "inspect network bridge",
            docker.inspect_network("bridge", None::<InspectNetworkOptions>),
        )
        .await?;
        let configs = net.ipam.and_then(|i| i.config).unwrap_or_default();
        let v4 = configs
            .iter()
            .filter(|c| c.subnet.as_deref().is_some_and(|s| s.contains('.')));
        // Each reported address is taken only as an IP address: it goes to
        // other hosts' check containers and into their clusters' settings.
        let host = &self.name;
        if let Some(g) = v4
            .clone()
            .find_map(|c| c.gateway.clone().filter(|g| !g.is_empty()))
        {
            return Ok(Some(HostAddress::from_engine(
                host,
                &g,
                AddressSource::BridgeGateway,
            )?));
        }
        for id in net.containers.unwrap_or_default().into_keys() {
            let Ok(c) = bounded(
                self.timeout,
                "inspect container",
                docker.inspect_container(&id, None::<InspectContainerOptions>),
            )
            .await
            else {
                continue;
            };
            let gateway = c
                .network_settings
                .and_then(|s| s.networks)
                .and_then(|n| n.get("bridge").and_then(|e| e.gateway.clone()))
                .filter(|g| !g.is_empty());
            if let Some(g) = gateway {
                let name = c.name.unwrap_or(id);
                let container = crate::model::sanitize(name.trim_start_matches('/'));
                return Ok(Some(HostAddress::from_engine(
                    host,
                    &g,
                    AddressSource::BridgeContainer { container },
                )?));
            }
        }
        // first_address gives an IPv4 address or nothing.
        Ok(v4.filter_map(|c| c.subnet.clone()).find_map(|subnet| {
            let subnet_shown = crate::model::sanitize(&subnet);
            first_address(&subnet).map(|a| {
                HostAddress::new(
                    a,
                    AddressSource::BridgeSubnet {
                        subnet: subnet_shown,
                    },
                )
            })
        }))
    }

    /// Create (not start: creating is the slow part on a vfs engine, so
    /// every host's check is created before any starts) a check container
    /// of `image` that listens on `port`, published on the same port here,
    /// for `connections` senders, and sends `sends`. It is labelled a
    /// helper; the caller removes it (`remove_created_container`).
    pub async fn create_reach_check(
        &self,
        name: &str,
        image: &str,
        port: u16,
        connections: usize,
        sends: &[ReachSend],
    ) -> Result<String, HostError> {
        let docker = self.mutation().await?;
        let key = format!("{port}/tcp");
        let body = ContainerCreateBody {
            image: Some(image.into()),
            entrypoint: Some(check_command(port, connections, sends)),
            // Root: the image's own user is not ours to rely on.
            user: Some("0".into()),
            labels: Some(HashMap::from([(
                HELPER_LABEL.to_string(),
                "reach-check".to_string(),
            )])),
            exposed_ports: Some(vec![key.clone()]),
            host_config: Some(HostConfig {
                port_bindings: Some(HashMap::from([(
                    key,
                    Some(vec![PortBinding {
                        host_ip: None,
                        host_port: Some(port.to_string()),
                    }]),
                )])),
                ..Default::default()
            }),
            ..Default::default()
        };
        let options = CreateContainerOptions {
            name: Some(name.into()),
            ..Default::default()
        };
        bounded(
            self.create_limit(),
            "create check container",
            docker.create_container(Some(options), body),
        )
        .await
        .map(|r| r.id)
        .map_err(HostError::from)
    }

    /// What a container wrote so far (stdout and stderr, the first 4 KiB),
    /// sanitized.
    pub async fn output_of(&self, id: &str) -> Result<String, HostError> {
        let current = self.current(id);
        let id = current.as_str();
        let out = self.logs_written(id, "all", OUTPUT_LIMIT).await?;
        Ok(crate::model::sanitize_multiline(&String::from_utf8_lossy(
            &out,
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_script_gets_every_value_as_an_argument() {
        let sends = [
            ReachSend {
                token: "tok-1".into(),
                address: "172.17.0.1".into(),
                port: 32181,
            },
            ReachSend {
                token: "tok-2".into(),
                address: "10.0.0.5".into(),
                port: 32183,
            },
        ];
        let cmd = check_command(32182, 2, &sends);
        assert_eq!(cmd[..2], ["sh", "-c"]);
        assert_eq!(
            cmd[3..],
            [
                "sh",
                "32182",
                "2",
                "tok-1",
                "172.17.0.1",
                "32181",
                "tok-2",
                "10.0.0.5",
                "32183"
            ]
        );
        let script = &cmd[2];
        for value in ["32182", "tok-1", "172.17.0.1", "10.0.0.5", "32183"] {
            assert!(!script.contains(value), "{value} is in the script text");
        }
        assert!(script.contains("nc -l -p \"$port\"") && script.contains("nc -l \"$port\""));
        // bash gets the values as its own arguments, not in its script.
        assert!(
            script.contains(r#"bash -c 'echo "$1" >"/dev/tcp/$2/$3"' bash "$1" "$2" "$3""#),
            "{script}"
        );
    }

    /// The script run by a real shell, with `nc` and `bash` replaced by
    /// recorders: hostile values arrive whole, as single arguments, and
    /// nothing in them runs.
    #[test]
    fn hostile_values_reach_the_programs_whole_and_never_run() {
        let dir = tempfile::tempdir().expect("temp dir");
        let log = dir.path().join("log");
        let pwned = dir.path().join("pwned");
        for tool in ["nc", "bash"] {
            let path = dir.path().join(tool);
            std::fs::write(
                &path,
                format!(
                    "#!/bin/sh\nfor a in \"$@\"; do printf '{tool}[%s]\\n' \"$a\" >>'{}'; done\nexit 1\n",
                    log.display()
                ),
            )
            .expect("write recorder");
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).expect("chmod");
        }
        let hostile = format!("x$(touch {0})`touch {0}`;touch {0}", pwned.display());
        let sends = [ReachSend {
            token: hostile.clone(),
            address: format!("1.2.3.4\"; touch {} #", pwned.display()),
            port: 1,
        }];
        let mut cmd = check_command(40000, 0, &sends);
        // One try, no waiting.
        cmd[2] = cmd[2].replace("SEND_TRIES=10", "SEND_TRIES=1");
        let out = std::process::Command::new(&cmd[0])
            .args(&cmd[1..])
            .env("PATH", format!("{}:/usr/bin:/bin", dir.path().display()))
            .output()
            .expect("sh runs");
        let said = String::from_utf8_lossy(&out.stdout);
        let log = std::fs::read_to_string(&log).unwrap_or_default();
        assert!(!pwned.exists(), "a value ran: {said} {log}");
        // bash got the token and address as single arguments.
        assert!(log.contains(&format!("bash[{hostile}]")), "{log}");
        assert!(
            log.contains(&format!("bash[{}]", sends[0].address)),
            "{log}"
        );
        assert!(
            said.contains("tugboat-reach: to 1.2.3.4\"; touch"),
            "{said}"
        );
    }
}
