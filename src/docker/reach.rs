//! Where a host's published ports are reached from other hosts: the
//! engine's view of its bridge network, and throwaway containers that prove
//! an address works before a spread cluster is created (one listens on a
//! published port and prints what it receives, another sends it a token).

use std::collections::HashMap;

use bollard::container::LogOutput;
use bollard::models::{ContainerCreateBody, HostConfig, PortBinding};
use bollard::query_parameters::{
    CreateContainerOptions, InspectContainerOptions, InspectNetworkOptions, LogsOptions,
};
use futures_util::StreamExt;

use super::connect::bounded;
use super::handle::{HostError, HostHandle};
use super::volume_io::HELPER_LABEL;
use crate::model::address::{first_address, AddressSource, HostAddress};

/// Output kept of a check container: its token lines or an error message.
const OUTPUT_LIMIT: usize = 4096;

/// The shell script of the listener: accept `connections` connections on
/// `port`, one after the other, printing what each sends. Either netcat
/// flavour (busybox/traditional `-l -p`, OpenBSD `-l`) will do.
fn listener_script(port: u16, connections: usize) -> String {
    format!(
        "n=0; while [ $n -lt {connections} ]; do \
         nc -l -p {port} 2>/dev/null || nc -l {port} || {{ echo 'tugboat-reach: nc could not listen'; exit 3; }}; \
         n=$((n+1)); done"
    )
}

/// The shell script of the sender: bash's /dev/tcp (which says why it
/// failed), else netcat; a few tries, as its listener may still be starting.
fn sender_script(address: &str, port: u16, token: &str) -> String {
    format!(
        "i=0; while [ $i -lt 5 ]; do \
         if command -v bash >/dev/null 2>&1; then bash -c 'echo {token} >/dev/tcp/{address}/{port}' && exit 0; \
         else echo {token} | nc -w 3 {address} {port} && exit 0; fi; \
         i=$((i+1)); sleep 1; done; exit 1"
    )
}

impl HostHandle {
    /// The bridge network's address as the engine reports it: the IPAM
    /// gateway, else the gateway a container on the bridge is given, else
    /// the first address of its subnet. None when it has no IPv4 bridge.
    pub async fn bridge_address(&self) -> Result<Option<HostAddress>, HostError> {
        let docker = self.docker()?;
        let net = bounded(
            self.timeout,
            "inspect network bridge",
            docker.inspect_network("bridge", None::<InspectNetworkOptions>),
        )
        .await
        .map_err(HostError::Engine)?;
        let configs = net.ipam.and_then(|i| i.config).unwrap_or_default();
        let v4 = configs
            .iter()
            .filter(|c| c.subnet.as_deref().is_some_and(|s| s.contains('.')));
        if let Some(g) = v4
            .clone()
            .find_map(|c| c.gateway.clone().filter(|g| !g.is_empty()))
        {
            return Ok(Some(HostAddress::new(g, AddressSource::BridgeGateway)));
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
                return Ok(Some(HostAddress::new(
                    g,
                    AddressSource::BridgeContainer { container },
                )));
            }
        }
        Ok(v4.filter_map(|c| c.subnet.clone()).find_map(|subnet| {
            first_address(&subnet)
                .map(|a| HostAddress::new(a, AddressSource::BridgeSubnet { subnet }))
        }))
    }

    /// Create and start a check container; returns its id. It is labelled a
    /// helper and must be removed by the caller (`remove_created_container`).
    async fn run_check(
        &self,
        name: &str,
        image: &str,
        script: String,
        publish: Option<u16>,
    ) -> Result<String, HostError> {
        let docker = self.mutation()?;
        let bindings = publish.map(|p| {
            HashMap::from([(
                format!("{p}/tcp"),
                Some(vec![PortBinding {
                    host_ip: None,
                    host_port: Some(p.to_string()),
                }]),
            )])
        });
        let body = ContainerCreateBody {
            image: Some(image.into()),
            entrypoint: Some(vec!["sh".into(), "-c".into(), script]),
            // Root: a listener may need a low port; the image's user is not ours.
            user: Some("0".into()),
            labels: Some(HashMap::from([(
                HELPER_LABEL.to_string(),
                "reach-check".to_string(),
            )])),
            exposed_ports: publish.map(|p| vec![format!("{p}/tcp")]),
            host_config: Some(HostConfig {
                port_bindings: bindings,
                ..Default::default()
            }),
            ..Default::default()
        };
        let options = CreateContainerOptions {
            name: Some(name.into()),
            ..Default::default()
        };
        let id = bounded(
            self.timeout * 2,
            "create check container",
            docker.create_container(Some(options), body),
        )
        .await
        .map_err(HostError::Engine)?
        .id;
        if let Err(e) = self.start(&id).await {
            let _ = self.remove_created_container(&id).await;
            return Err(e);
        }
        Ok(id)
    }

    /// A container of `image` listening on `port`, published on the same
    /// port of this host, for `connections` senders.
    pub async fn start_reach_listener(
        &self,
        name: &str,
        image: &str,
        port: u16,
        connections: usize,
    ) -> Result<String, HostError> {
        self.run_check(name, image, listener_script(port, connections), Some(port))
            .await
    }

    /// A container of `image` sending `token` to `address:port`.
    pub async fn start_reach_sender(
        &self,
        name: &str,
        image: &str,
        address: &str,
        port: u16,
        token: &str,
    ) -> Result<String, HostError> {
        self.run_check(name, image, sender_script(address, port, token), None)
            .await
    }

    /// What a container wrote so far (stdout and stderr, the first 4 KiB),
    /// sanitized.
    pub async fn output_of(&self, id: &str) -> Result<String, HostError> {
        let docker = self.docker()?;
        let options = LogsOptions {
            follow: false,
            stdout: true,
            stderr: true,
            tail: "all".into(),
            ..Default::default()
        };
        let mut stream = docker.logs(id, Some(options));
        let mut out = Vec::new();
        let read = async {
            while let Some(chunk) = stream.next().await {
                let chunk = chunk.map_err(|e| HostError::Engine(format!("logs: {e}")))?;
                let (LogOutput::StdOut { message }
                | LogOutput::StdErr { message }
                | LogOutput::Console { message }
                | LogOutput::StdIn { message }) = chunk;
                out.extend_from_slice(&message);
                if out.len() >= OUTPUT_LIMIT {
                    break;
                }
            }
            Ok::<(), HostError>(())
        };
        tokio::time::timeout(self.timeout, read)
            .await
            .map_err(|_| HostError::Engine("logs: no answer".into()))??;
        out.truncate(OUTPUT_LIMIT);
        Ok(crate::model::sanitize_multiline(&String::from_utf8_lossy(
            &out,
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scripts_name_the_port_address_and_token() {
        let l = listener_script(32181, 2);
        assert!(l.contains("-lt 2"), "{l}");
        assert!(
            l.contains("nc -l -p 32181") && l.contains("nc -l 32181"),
            "{l}"
        );
        let s = sender_script("172.17.0.1", 32181, "tok-1");
        assert!(s.contains("echo tok-1 >/dev/tcp/172.17.0.1/32181"), "{s}");
        assert!(s.contains("nc -w 3 172.17.0.1 32181"), "{s}");
    }
}
