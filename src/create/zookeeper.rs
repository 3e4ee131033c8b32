//! The ZooKeeper ensemble template: members on one user network, or spread
//! over hosts and talking through ports published on each host's address.

use super::objects::{container, network, volume, Check, CreatePlan, Object, Publish, ReachTarget};
use super::spec::ClusterSpec;
use crate::model::address::HostAddress;

fn member_name(spec: &ClusterSpec, i: u32) -> String {
    format!("{}-zk{i}", spec.name)
}

fn with_volumes(
    spec: &ClusterSpec,
    host: &str,
    i: u32,
    plan: &mut CreatePlan,
) -> Vec<(String, String)> {
    if !spec.zookeeper.volumes {
        return Vec::new();
    }
    let data = volume(spec, host, format!("{}-zk{i}-data", spec.name), plan);
    let log = volume(spec, host, format!("{}-zk{i}-datalog", spec.name), plan);
    vec![(data, "/data".into()), (log, "/datalog".into())]
}

fn env(spec: &ClusterSpec, i: u32, servers: &[String]) -> Vec<String> {
    vec![
        format!("ZOO_MY_ID={i}"),
        format!("ZOO_SERVERS={}", servers.join(" ")),
        format!("ZOO_4LW_COMMANDS_WHITELIST={}", spec.zookeeper.whitelist),
    ]
}

/// Every member on `host`, on the cluster's network, named by DNS.
pub(super) fn single(spec: &ClusterSpec, host: &str, plan: &mut CreatePlan) {
    let z = &spec.zookeeper;
    let net = network(spec, host, plan);
    let servers: Vec<String> = (1..=z.members)
        .map(|i| {
            format!(
                "server.{i}={}:{}:{};{}",
                member_name(spec, i),
                z.peer_port,
                z.election_port,
                z.client_port
            )
        })
        .collect();
    let mut members = Vec::new();
    for i in 1..=z.members {
        let mounts = with_volumes(spec, host, i, plan);
        let mut c = container(
            spec,
            host,
            member_name(spec, i),
            &z.image,
            "zookeeper",
            Some(i),
        );
        c.env = env(spec, i, &servers);
        c.network = Some(net.clone());
        c.mounts = mounts;
        members.push((host.to_string(), c.name.clone()));
        plan.objects.push(Object::Container(c));
    }
    plan.checks.push(Check::ZookeeperQuorum { members });
}

/// Members round-robin over `hosts`. Each publishes its three ports, offset
/// by its number so that members sharing a host do not collide; others
/// reach it at its host's address, and it names itself 0.0.0.0 so that it
/// binds inside its container.
/// `hosts` are (name, address) pairs. Each host's address is checked first,
/// on the client port of its first member.
pub(super) fn spread(spec: &ClusterSpec, hosts: &[(&str, HostAddress)], plan: &mut CreatePlan) {
    let z = &spec.zookeeper;
    let offset = |i: u32| (i - 1) as u16;
    let host_of = |i: u32| &hosts[((i - 1) as usize) % hosts.len()];
    plan.reach = hosts
        .iter()
        .enumerate()
        .map(|(k, (name, address))| ReachTarget {
            host: name.to_string(),
            address: address.clone(),
            port: z.client_port + offset(k as u32 + 1),
            image: z.image.clone(),
        })
        .collect();
    let mut members = Vec::new();
    for i in 1..=z.members {
        let host = host_of(i).0;
        let servers: Vec<String> = (1..=z.members)
            .map(|j| {
                if j == i {
                    format!(
                        "server.{j}=0.0.0.0:{}:{};{}",
                        z.peer_port, z.election_port, z.client_port
                    )
                } else {
                    format!(
                        "server.{j}={}:{}:{};{}",
                        host_of(j).1.address,
                        z.peer_port + offset(j),
                        z.election_port + offset(j),
                        z.client_port + offset(j)
                    )
                }
            })
            .collect();
        let mounts = with_volumes(spec, host, i, plan);
        let mut c = container(
            spec,
            host,
            member_name(spec, i),
            &z.image,
            "zookeeper",
            Some(i),
        );
        c.env = env(spec, i, &servers);
        c.mounts = mounts;
        c.ports = [z.client_port, z.peer_port, z.election_port]
            .into_iter()
            .map(|p| Publish {
                host_port: p + offset(i),
                container_port: p,
            })
            .collect();
        members.push((host.to_string(), c.name.clone()));
        plan.objects.push(Object::Container(c));
    }
    plan.checks.push(Check::ZookeeperQuorum { members });
}
