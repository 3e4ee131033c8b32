//! Scaling through the engine: a new compose-style replica made from an
//! existing one, a replica stopped and removed, a swarm service's replica
//! count. Mutations go through `HostHandle::mutation`, so read-only mode
//! refuses them here whatever the caller did.

use std::collections::HashMap;
use std::time::Duration;

use bollard::models::{
    ContainerConfig, ContainerCreateBody, ContainerInspectResponse, EndpointSettings, HostConfig,
    NetworkConnectRequest, NetworkingConfig,
};
use bollard::query_parameters::{
    CreateContainerOptions, InspectContainerOptions, RemoveContainerOptions, StopContainerOptions,
};

use super::connect::bounded;
use super::error::ReplicaError;
use super::handle::{HostError, HostHandle, RESTART_GRACE_SECS};
use crate::model::new_objects::LABEL_TUGBOAT_MEMBER;
use crate::model::service::LABEL_COMPOSE_NUMBER;

/// What creating a replica needs besides the create body: the networks to
/// join after creation (API 1.41 takes one network at create time).
#[derive(Debug, Clone, PartialEq)]
pub struct ReplicaSpec {
    pub body: ContainerCreateBody,
    pub more_networks: Vec<(String, EndpointSettings)>,
}

/// A new replica of `template` the way compose makes one: same image,
/// command, environment, mounts, healthcheck and labels, the next
/// container-number, the same networks and the aliases compose gives
/// (the service name), but not the template's own hostname, addresses or
/// container-specific aliases. Refused when the template publishes a fixed
/// host port, which a second replica could never bind.
pub fn replica_spec(
    template: &ContainerInspectResponse,
    name: &str,
    number: u32,
) -> Result<ReplicaSpec, ReplicaError> {
    let config = template.config.clone().unwrap_or_default();
    let host_config = template.host_config.clone().unwrap_or_default();
    let identity = TemplateIdentity::of(template);
    refuse_fixed_host_ports(&host_config, &identity.name)?;
    let labels = numbered_labels(&config, number);
    let hostname = chosen_hostname(&config, identity.short_id());
    let mode = host_config.network_mode.clone().unwrap_or_default();
    let networks = replica_networks(template, &identity, name, &mode);
    let (first, more_networks) = split_create_time_network(&mode, networks);
    let body = create_body(config, host_config, hostname, labels, first);
    Ok(ReplicaSpec {
        body,
        more_networks,
    })
}

/// The names the template answers to that are its own, not its service's:
/// a replica must not inherit them.
struct TemplateIdentity {
    id: String,
    name: String,
}

impl TemplateIdentity {
    fn of(template: &ContainerInspectResponse) -> Self {
        TemplateIdentity {
            id: template.id.clone().unwrap_or_default(),
            name: template
                .name
                .clone()
                .unwrap_or_default()
                .trim_start_matches('/')
                .to_string(),
        }
    }

    fn short_id(&self) -> &str {
        crate::model::container::short_id(&self.id)
    }

    fn is_own_alias(&self, alias: &str) -> bool {
        alias == self.short_id() || alias == self.name || alias == self.id
    }
}

/// A fixed host port can be bound by one container only, so a second
/// replica would fail to start; an empty or "0" port lets the engine pick.
fn refuse_fixed_host_ports(
    host_config: &HostConfig,
    template_name: &str,
) -> Result<(), ReplicaError> {
    for (port, bindings) in host_config.port_bindings.iter().flatten() {
        for b in bindings.iter().flatten() {
            let host_port = b.host_port.as_deref().unwrap_or("");
            if !host_port.is_empty() && host_port != "0" {
                return Err(ReplicaError::FixedHostPort {
                    template: template_name.to_string(),
                    host_port: host_port.into(),
                    port: port.clone(),
                });
            }
        }
    }
    Ok(())
}

/// The template's labels with the replica's number in place of its own.
fn numbered_labels(config: &ContainerConfig, number: u32) -> HashMap<String, String> {
    let mut labels = config.labels.clone().unwrap_or_default();
    // A member of a cluster tugboat made is numbered the way it was made.
    let number_label = if labels.contains_key(LABEL_TUGBOAT_MEMBER) {
        LABEL_TUGBOAT_MEMBER
    } else {
        LABEL_COMPOSE_NUMBER
    };
    labels.insert(number_label.into(), number.to_string());
    labels
}

/// The template's hostname if someone chose it. The engine sets the
/// hostname to the short id unless one was given, and that one is the
/// template's alone.
fn chosen_hostname(config: &ContainerConfig, short_id: &str) -> Option<String> {
    config
        .hostname
        .clone()
        .filter(|h| !h.is_empty() && *h != short_id)
}

/// A network the replica joins, with its endpoint there.
type NetworkJoin = (String, EndpointSettings);

/// The template's networks, sorted by name with the one it was started on
/// (its network mode) first, each with the replica's aliases.
fn replica_networks(
    template: &ContainerInspectResponse,
    identity: &TemplateIdentity,
    name: &str,
    mode: &str,
) -> Vec<NetworkJoin> {
    let mut networks: Vec<NetworkJoin> = template
        .network_settings
        .as_ref()
        .and_then(|n| n.networks.clone())
        .unwrap_or_default()
        .iter()
        .map(|(net, e)| (net.clone(), replica_endpoint(e, identity, name)))
        .collect();
    networks.sort_by(|a, b| a.0.cmp(&b.0));
    if let Some(i) = networks.iter().position(|(n, _)| *n == mode) {
        let first = networks.remove(i);
        networks.insert(0, first);
    }
    networks
}

/// The replica's endpoint on one network: the template's aliases less its
/// own names, its links and driver options, but no address of its own.
fn replica_endpoint(
    e: &EndpointSettings,
    identity: &TemplateIdentity,
    name: &str,
) -> EndpointSettings {
    let mut aliases: Vec<String> = e
        .aliases
        .iter()
        .flatten()
        .filter(|a| !identity.is_own_alias(a))
        .cloned()
        .collect();
    // Where the template answered to its own name, so does the replica.
    if e.aliases.iter().flatten().any(|a| *a == identity.name) {
        aliases.push(name.to_string());
    }
    EndpointSettings {
        aliases: (!aliases.is_empty()).then_some(aliases),
        links: e.links.clone(),
        driver_opts: e.driver_opts.clone(),
        ..Default::default()
    }
}

/// The network to join at create time and those to join after: API 1.41
/// takes one network at create time, and only a user network is joined
/// that way (the built-in modes come with the host config).
fn split_create_time_network(
    mode: &str,
    mut networks: Vec<NetworkJoin>,
) -> (Option<NetworkJoin>, Vec<NetworkJoin>) {
    let user_network = !matches!(mode, "" | "default" | "bridge" | "host" | "none")
        && !mode.starts_with("container:");
    if user_network && !networks.is_empty() {
        let first = networks.remove(0);
        (Some(first), networks)
    } else {
        (None, Vec::new())
    }
}

/// The create body: the template's config as the engine takes it back,
/// with the replica's hostname, labels and create-time network.
fn create_body(
    config: ContainerConfig,
    host_config: HostConfig,
    hostname: Option<String>,
    labels: HashMap<String, String>,
    first: Option<NetworkJoin>,
) -> ContainerCreateBody {
    ContainerCreateBody {
        hostname,
        domainname: config.domainname,
        user: config.user,
        exposed_ports: config.exposed_ports,
        tty: config.tty,
        open_stdin: config.open_stdin,
        stdin_once: config.stdin_once,
        env: config.env,
        cmd: config.cmd,
        healthcheck: config.healthcheck,
        args_escaped: config.args_escaped,
        image: config.image,
        volumes: config.volumes,
        working_dir: config.working_dir,
        entrypoint: config.entrypoint,
        labels: Some(labels),
        stop_signal: config.stop_signal,
        stop_timeout: config.stop_timeout,
        shell: config.shell,
        host_config: Some(host_config),
        networking_config: first.map(|(net, e)| NetworkingConfig {
            endpoints_config: Some(HashMap::from([(net, e)])),
        }),
        ..Default::default()
    }
}

impl HostHandle {
    /// Create and start `name`, a replica of `template` numbered `number`.
    /// A replica that was created but could not start is removed again, so
    /// a failed scale-up leaves no stray container.
    pub async fn create_replica(
        &self,
        template: &str,
        name: &str,
        number: u32,
    ) -> Result<String, HostError> {
        let docker = self.mutation().await?;
        let inspect = bounded(
            self.timeout,
            "inspect",
            docker.inspect_container(template, None::<InspectContainerOptions>),
        )
        .await?;
        let spec = replica_spec(&inspect, name, number)?;
        let options = CreateContainerOptions {
            name: Some(name.to_string()),
            ..Default::default()
        };
        let created = bounded(
            self.create_limit(),
            "create",
            docker.create_container(Some(options), spec.body),
        )
        .await?;
        let started = async {
            for (network, endpoint) in spec.more_networks {
                let request = NetworkConnectRequest {
                    container: created.id.clone(),
                    endpoint_config: Some(endpoint),
                };
                bounded(
                    self.timeout,
                    "connect network",
                    docker.connect_network(&network, request),
                )
                .await?;
            }
            bounded(
                self.timeout * 2,
                "start",
                docker.start_container(&created.id, None),
            )
            .await
        }
        .await;
        if let Err(e) = started {
            let _ = self.remove_replica(&created.id).await;
            return Err(HostError::Engine(format!(
                "{e} (the half-made {name} was removed)"
            )));
        }
        Ok(created.id)
    }

    /// Stop (with the usual grace period) and remove a replica. Its named
    /// volumes stay, as with compose.
    pub async fn remove_replica(&self, id: &str) -> Result<(), HostError> {
        let current = self.current(id);
        let id = current.as_str();
        let docker = self.mutation().await?;
        let stop = StopContainerOptions {
            t: Some(RESTART_GRACE_SECS),
            signal: None,
        };
        let limit = Duration::from_secs(RESTART_GRACE_SECS as u64) + self.timeout * 2;
        // Stopping a stopped container answers 304, which bollard reports
        // as an error; removal below says whether it is really gone.
        let _ = bounded(limit, "stop", docker.stop_container(id, Some(stop))).await;
        let remove = RemoveContainerOptions {
            force: true,
            ..Default::default()
        };
        bounded(
            self.timeout * 2,
            "remove",
            docker.remove_container(id, Some(remove)),
        )
        .await
        .map_err(HostError::from)
    }

    /// The address `id` has on a network it shares with `peer` (for a
    /// balancer to reach a new replica).
    pub async fn address_seen_by(&self, id: &str, peer: &str) -> Result<String, HostError> {
        let current = self.current(id);
        let id = current.as_str();
        let peer_now = self.current(peer);
        let peer = peer_now.as_str();
        let docker = self.docker().await?;
        let networks = |r: ContainerInspectResponse| {
            r.network_settings
                .and_then(|n| n.networks)
                .unwrap_or_default()
        };
        let mine = networks(
            bounded(
                self.timeout,
                "inspect",
                docker.inspect_container(id, None::<InspectContainerOptions>),
            )
            .await?,
        );
        let theirs = networks(
            bounded(
                self.timeout,
                "inspect",
                docker.inspect_container(peer, None::<InspectContainerOptions>),
            )
            .await?,
        );
        let mut shared: Vec<(&String, &EndpointSettings)> = mine
            .iter()
            .filter(|(net, _)| theirs.contains_key(*net))
            .collect();
        shared.sort_by_key(|(net, _)| net.as_str());
        shared
            .iter()
            .find_map(|(_, e)| e.ip_address.clone().filter(|ip| !ip.is_empty()))
            .ok_or_else(|| {
                HostError::Engine(format!(
                    "{id} shares no network with {peer}, so it cannot reach it"
                ))
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::container::short_id;
    use bollard::models::{ContainerConfig, HostConfig, NetworkSettings, PortBinding};

    fn template() -> ContainerInspectResponse {
        let id = "0123456789abcdef".repeat(4);
        let endpoint = |aliases: &[&str], ip: &str| EndpointSettings {
            aliases: Some(aliases.iter().map(|a| a.to_string()).collect()),
            ip_address: Some(ip.into()),
            ..Default::default()
        };
        ContainerInspectResponse {
            id: Some(id.clone()),
            name: Some("/shop-web-1".into()),
            config: Some(ContainerConfig {
                hostname: Some(short_id(&id).to_string()),
                image: Some("busybox:latest".into()),
                env: Some(vec!["MODE=prod".into()]),
                labels: Some(HashMap::from([
                    (LABEL_COMPOSE_NUMBER.to_string(), "1".to_string()),
                    ("com.docker.compose.service".to_string(), "web".to_string()),
                ])),
                ..Default::default()
            }),
            host_config: Some(HostConfig {
                network_mode: Some("shop_default".into()),
                ..Default::default()
            }),
            network_settings: Some(NetworkSettings {
                networks: Some(HashMap::from([
                    (
                        "shop_default".to_string(),
                        endpoint(&["shop-web-1", "web", short_id(&id)], "172.18.0.2"),
                    ),
                    ("shop_back".to_string(), endpoint(&["web"], "172.19.0.2")),
                ])),
                ..Default::default()
            }),
            ..Default::default()
        }
    }

    #[test]
    fn a_replica_keeps_config_and_service_aliases_but_not_identity() {
        let spec = replica_spec(&template(), "shop-web-2", 2).unwrap();
        let body = &spec.body;
        assert_eq!(body.image.as_deref(), Some("busybox:latest"));
        assert_eq!(body.env, Some(vec!["MODE=prod".to_string()]));
        assert_eq!(body.hostname, None, "the engine gives it its own");
        let labels = body.labels.as_ref().unwrap();
        assert_eq!(labels[LABEL_COMPOSE_NUMBER], "2");
        assert_eq!(labels["com.docker.compose.service"], "web");
        let first = body.networking_config.as_ref().unwrap();
        let endpoints = first.endpoints_config.as_ref().unwrap();
        let e = &endpoints["shop_default"];
        assert_eq!(
            e.aliases,
            Some(vec!["web".to_string(), "shop-web-2".to_string()])
        );
        assert_eq!(e.ip_address, None, "no address copied");
        assert_eq!(spec.more_networks.len(), 1);
        assert_eq!(spec.more_networks[0].0, "shop_back");
    }

    #[test]
    fn a_fixed_host_port_is_refused() {
        let mut t = template();
        let hc = t.host_config.as_mut().unwrap();
        hc.port_bindings = Some(HashMap::from([(
            "80/tcp".to_string(),
            Some(vec![PortBinding {
                host_ip: None,
                host_port: Some("8080".into()),
            }]),
        )]));
        let err = replica_spec(&t, "shop-web-2", 2).unwrap_err();
        assert!(err.to_string().contains("host port 8080"), "{err}");
        // An engine-chosen port is fine.
        let hc = t.host_config.as_mut().unwrap();
        hc.port_bindings = Some(HashMap::from([(
            "80/tcp".to_string(),
            Some(vec![PortBinding {
                host_ip: None,
                host_port: Some(String::new()),
            }]),
        )]));
        assert!(replica_spec(&t, "shop-web-2", 2).is_ok());
    }
}
