//! Scale plans: a compose service grows by copies of a replica with the
//! next container-number and shrinks from the highest number down; a swarm
//! service by its replica count. Replicas behind a reachable HAProxy join
//! its backend (runtime API and haproxy.cfg) and leave it drained first.

use crate::model::balancer::{Balancer, BalancerKind};
use crate::model::service::{Replica, Service, ServiceKind};
use crate::model::Role;
use crate::ops::base::error::{PlanError, PlanResult};
use crate::ops::base::haproxy_command::{RuntimeCommand, ServerRef, ServerState};
use crate::ops::kernel::plan::{
    BalancerStep, ContainerStep, Plan, PlanAction, PlanTarget, Step, StepOp, UP_SECS,
};
use crate::ops::steps::scale_step::ScaleStep;

/// More replicas than this on one host is a typo, not a plan.
pub const MAX_REPLICAS: i64 = 100;
/// A swarm spreads its tasks over its nodes: a higher bound than one host's.
pub const MAX_SWARM_REPLICAS: i64 = 1000;
/// How long a drained server may keep its sessions before it is removed.
const IDLE_SECS: u64 = 30;

/// A backend of a reachable HAProxy that has servers among the service's
/// replicas.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BackendLink {
    pub host: String,
    pub balancer: String,
    pub balancer_id: String,
    pub socket: String,
    pub backend: String,
    /// The port the replicas serve on (from an existing server's address).
    pub port: u16,
    /// (replica container id, server name)
    pub servers: Vec<(String, String)>,
}

/// The backends the service sits behind.
pub fn backend_links(balancers: &[Balancer], svc: &Service) -> Vec<BackendLink> {
    let keys = svc.keys();
    let mut links = Vec::new();
    for b in balancers.iter().filter(|b| b.kind == BalancerKind::Haproxy) {
        let Some(socket) = &b.socket else { continue };
        for be in &b.backends {
            let servers: Vec<(String, String, u16)> = be
                .servers
                .iter()
                .filter_map(|s| {
                    let key = s.container.as_ref().filter(|k| keys.contains(k))?;
                    let port = s.stat.address.rsplit_once(':')?.1.parse().ok()?;
                    Some((key.1.clone(), s.stat.name.to_string(), port))
                })
                .collect();
            let Some(&(_, _, port)) = servers.first() else {
                continue;
            };
            links.push(BackendLink {
                host: b.host.clone(),
                balancer: b.container.to_string(),
                balancer_id: b.container_id.clone(),
                socket: socket.to_string(),
                backend: be.stat.proxy.to_string(),
                port,
                servers: servers
                    .into_iter()
                    .map(|(id, name, _)| (id, name))
                    .collect(),
            });
        }
    }
    links
}

/// Why a service of this role is not scaled by copying a container.
fn refused_role(role: Role) -> Option<&'static str> {
    match role {
        Role::Zookeeper => Some(
            "a ZooKeeper ensemble is not scaled by copying a member: every member must be \
             listed in every other's ZOO_SERVERS, so it grows through its own flow",
        ),
        Role::Mysql | Role::Mariadb => Some(
            "a database is not scaled by copying a container: a new replica needs its own \
             server id and a copy of the primary's data, so it has its own flow",
        ),
        _ => None,
    }
}

pub fn scale_plan(svc: &Service, want: i64, links: &[BackendLink]) -> PlanResult<Plan> {
    let label = svc.label();
    if let Some(why) = refused_role(svc.role) {
        return Err(PlanError::Refused(format!("{label}: {why}")));
    }
    if want < 0 {
        return Err(PlanError::Invalid(format!(
            "cannot scale {label} to {want}: a replica count is 0 or more"
        )));
    }
    if want > MAX_REPLICAS {
        return Err(PlanError::Refused(format!(
            "cannot scale {label} to {want}: tugboat scales to at most {MAX_REPLICAS} replicas on one host"
        )));
    }
    let steps = match &svc.kind {
        ServiceKind::Swarm { service } => swarm_steps(service, want as u64),
        ServiceKind::Compose { project, service }
        | ServiceKind::Cluster {
            cluster: project,
            role: service,
        } => {
            let have = svc.replicas.len() as i64;
            if want == have {
                return Err(PlanError::Refused(format!(
                    "{label} already has {have} replicas"
                )));
            }
            if want > have {
                grow_steps(svc, project, service, (want - have) as u32, links)?
            } else {
                shrink_steps(svc, (have - want) as usize, links)
            }
        }
    };
    Ok(Plan {
        action: PlanAction::Scale { to: want as u64 },
        host: svc.host.clone(),
        target: PlanTarget::Service {
            host: svc.host.clone(),
            service: label.to_string(),
        },
        steps,
    })
}

/// A swarm service set to `want` replicas through the manager `manager`,
/// from the `have` its spec wants now. The same roles are refused as for
/// containers: a ZooKeeper or database service grows through its own flow.
pub fn swarm_scale_plan(
    manager: &str,
    service: &str,
    role: Option<Role>,
    have: u64,
    want: i64,
) -> PlanResult<Plan> {
    if let Some(why) = role.and_then(refused_role) {
        return Err(PlanError::Refused(format!("{service}: {why}")));
    }
    if want < 0 {
        return Err(PlanError::Invalid(format!(
            "cannot scale {service} to {want}: a replica count is 0 or more"
        )));
    }
    if want > MAX_SWARM_REPLICAS {
        return Err(PlanError::Refused(format!(
            "cannot scale {service} to {want}: tugboat scales a swarm service to at most \
             {MAX_SWARM_REPLICAS} replicas"
        )));
    }
    if want as u64 == have {
        return Err(PlanError::Refused(format!(
            "{service} already wants {have} replicas"
        )));
    }
    Ok(Plan {
        action: PlanAction::Scale { to: want as u64 },
        host: manager.into(),
        target: PlanTarget::Service {
            host: manager.into(),
            service: service.into(),
        },
        steps: swarm_steps(service, want as u64),
    })
}

fn swarm_steps(service: &str, want: u64) -> Vec<Step> {
    vec![
        Step::new(
            format!("set swarm service {service} to {want} replicas"),
            StepOp::Scale(ScaleStep::ScaleService {
                service: service.into(),
                replicas: want,
            }),
        ),
        Step::new(
            format!("wait until {want} tasks of {service} run"),
            StepOp::Scale(ScaleStep::WaitServiceTasks {
                service: service.into(),
                replicas: want,
                timeout_secs: UP_SECS * 2,
            }),
        ),
    ]
}

/// `shop-web-1` → `shop-web-4`; compose v1's `shop_web_1` → `shop_web_4`;
/// the app template's `orders-app2` → `orders-app3`.
fn replica_name(template: &Replica, project: &str, service: &str, number: u32) -> String {
    let suffix = template.number.to_string();
    match template.name.strip_suffix(&suffix) {
        Some(stem) if !stem.is_empty() && !stem.ends_with(|c: char| c.is_ascii_digit()) => {
            format!("{stem}{number}")
        }
        _ => format!("{project}-{service}-{number}"),
    }
}

fn grow_steps(
    svc: &Service,
    project: &str,
    service: &str,
    more: u32,
    links: &[BackendLink],
) -> PlanResult<Vec<Step>> {
    // The newest running replica is the best model of how the service runs now.
    let template = svc
        .replicas
        .iter()
        .rev()
        .find(|r| r.running)
        .or(svc.replicas.last())
        .ok_or_else(|| PlanError::NotFound(format!("{}: no replica to copy", svc.label())))?;
    let next = svc.replicas.iter().map(|r| r.number).max().unwrap_or(0) + 1;
    let mut steps = Vec::new();
    for number in next..next + more {
        let name = replica_name(template, project, service, number);
        steps.push(Step::new(
            format!(
                "create and start {name} on {} as a copy of {}",
                svc.host, template.name
            ),
            StepOp::Scale(ScaleStep::CreateReplica {
                template: template.id.clone(),
                name: name.clone(),
                number,
            }),
        ));
        steps.push(Step::new(
            format!("wait until {name} runs and passes its healthcheck, if any"),
            StepOp::Container(ContainerStep::WaitUp {
                id: name.clone(),
                timeout_secs: UP_SECS,
            }),
        ));
        for link in links {
            let server = format!("{}/{name}", link.backend);
            steps.push(
                Step::new(
                    format!(
                        "add server {server} on {} (runtime API and haproxy.cfg) and enable it",
                        link.balancer
                    ),
                    StepOp::Scale(ScaleStep::HaproxyAddServer {
                        container_id: link.balancer_id.clone(),
                        socket: link.socket.clone(),
                        backend: link.backend.clone(),
                        server: name.clone(),
                        replica: name.clone(),
                        replica_host: svc.host.clone(),
                        port: link.port,
                    }),
                )
                .on(&link.host),
            );
            steps.push(
                Step::new(
                    format!("wait until {server} is UP"),
                    StepOp::Balancer(BalancerStep::WaitStatus {
                        container_id: link.balancer_id.clone(),
                        backend: link.backend.clone(),
                        server: name.clone(),
                        want: vec!["UP".into(), "no check".into()],
                        timeout_secs: UP_SECS,
                    }),
                )
                .on(&link.host),
            );
        }
    }
    Ok(steps)
}

fn shrink_steps(svc: &Service, fewer: usize, links: &[BackendLink]) -> Vec<Step> {
    let mut doomed: Vec<&Replica> = svc.replicas.iter().collect();
    doomed.sort_by(|a, b| (b.number, &b.name).cmp(&(a.number, &a.name)));
    let mut steps = Vec::new();
    for r in doomed.into_iter().take(fewer) {
        for link in links {
            let Some((_, server)) = link.servers.iter().find(|(id, _)| *id == r.id) else {
                continue;
            };
            let name = format!("{}/{server}", link.backend);
            let on = |step: Step| step.on(&link.host);
            let command = |state| {
                StepOp::Balancer(BalancerStep::Command {
                    container_id: link.balancer_id.clone(),
                    socket: link.socket.clone(),
                    command: RuntimeCommand::SetState {
                        on: ServerRef::new(&link.backend, server),
                        state,
                    },
                })
            };
            let ready = on(Step::new(
                format!("make {name} ready again"),
                command(ServerState::Ready),
            ));
            steps.push(
                on(Step::new(
                    format!("drain {name} on {} (no new sessions)", link.balancer),
                    command(ServerState::Drain),
                ))
                .undone_by(ready),
            );
            steps.push(on(Step::new(
                format!("wait until {name} has no sessions left (up to {IDLE_SECS}s)"),
                StepOp::Scale(ScaleStep::WaitServerIdle {
                    container_id: link.balancer_id.clone(),
                    backend: link.backend.clone(),
                    server: server.clone(),
                    timeout_secs: IDLE_SECS,
                }),
            )));
            steps.push(
                on(Step::new(
                    format!(
                        "delete server {name} from {} (runtime API and haproxy.cfg)",
                        link.balancer
                    ),
                    StepOp::Scale(ScaleStep::HaproxyRemoveServer {
                        container_id: link.balancer_id.clone(),
                        socket: link.socket.clone(),
                        backend: link.backend.clone(),
                        server: server.clone(),
                    }),
                ))
                .settling(command(ServerState::Ready)),
            );
        }
        steps.push(Step::new(
            format!(
                "stop and remove {} on {} (its named volumes stay)",
                r.name, svc.host
            ),
            StepOp::Scale(ScaleStep::RemoveContainer {
                id: r.id.clone(),
                name: r.name.clone(),
            }),
        ));
    }
    steps
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn new_replicas_are_named_after_the_newest_one() {
        let r = |name: &str, number: u32| Replica {
            id: "x".into(),
            name: name.into(),
            number,
            running: true,
        };
        assert_eq!(
            replica_name(&r("shop-web-1", 1), "shop", "web", 4),
            "shop-web-4"
        );
        assert_eq!(
            replica_name(&r("shop_web_1", 1), "shop", "web", 4),
            "shop_web_4"
        );
        assert_eq!(
            replica_name(&r("orders-app2", 2), "orders", "app", 3),
            "orders-app3"
        );
        // A name that does not end in its number (or ends in another).
        assert_eq!(replica_name(&r("web", 1), "shop", "web", 2), "shop-web-2");
        assert_eq!(replica_name(&r("db11", 1), "shop", "db", 2), "shop-db-2");
    }

    fn web(replicas: &[(u32, &str)]) -> Service {
        Service {
            kind: ServiceKind::Compose {
                project: "shop".into(),
                service: "web".into(),
            },
            host: "local".into(),
            role: Role::Other,
            replicas: replicas
                .iter()
                .map(|(n, name)| Replica {
                    id: format!("id-{name}"),
                    name: name.to_string(),
                    number: *n,
                    running: true,
                })
                .collect(),
        }
    }

    fn link() -> BackendLink {
        BackendLink {
            host: "local".into(),
            balancer: "lb".into(),
            balancer_id: "id-lb".into(),
            socket: "/var/run/haproxy.sock".into(),
            backend: "be_app".into(),
            port: 8080,
            servers: vec![
                ("id-shop-web-1".into(), "web1".into()),
                ("id-shop-web-3".into(), "shop-web-3".into()),
            ],
        }
    }

    fn ops(plan: &Plan) -> Vec<String> {
        plan.steps
            .iter()
            .map(|s| match &s.op {
                StepOp::Scale(ScaleStep::CreateReplica { name, number, .. }) => {
                    format!("create {name} #{number}")
                }
                StepOp::Container(ContainerStep::WaitUp { id, .. }) => format!("up {id}"),
                StepOp::Scale(ScaleStep::HaproxyAddServer { server, port, .. }) => {
                    format!("add {server}:{port}")
                }
                StepOp::Balancer(BalancerStep::WaitStatus { server, .. }) => {
                    format!("wait {server}")
                }
                StepOp::Balancer(BalancerStep::Command { command, .. }) => command.to_string(),
                StepOp::Scale(ScaleStep::WaitServerIdle { server, .. }) => format!("idle {server}"),
                StepOp::Scale(ScaleStep::HaproxyRemoveServer { server, .. }) => {
                    format!("del {server}")
                }
                StepOp::Scale(ScaleStep::RemoveContainer { name, .. }) => format!("rm {name}"),
                other => format!("{other:?}"),
            })
            .collect()
    }

    #[test]
    fn growing_numbers_after_the_highest_and_joins_the_backend() {
        let svc = web(&[(1, "shop-web-1"), (3, "shop-web-3")]);
        let plan = scale_plan(&svc, 4, &[link()]).unwrap();
        assert_eq!(plan.target.to_string(), "local/service/shop/web");
        assert_eq!(
            ops(&plan),
            [
                "create shop-web-4 #4",
                "up shop-web-4",
                "add shop-web-4:8080",
                "wait shop-web-4",
                "create shop-web-5 #5",
                "up shop-web-5",
                "add shop-web-5:8080",
                "wait shop-web-5",
            ]
        );
        // The copy is made from the newest running replica.
        assert!(matches!(&plan.steps[0].op,
            StepOp::Scale(ScaleStep::CreateReplica { template, .. }) if template == "id-shop-web-3"));
    }

    #[test]
    fn shrinking_drains_then_removes_the_highest_numbers_first() {
        let svc = web(&[(1, "shop-web-1"), (2, "shop-web-2"), (3, "shop-web-3")]);
        let plan = scale_plan(&svc, 1, &[link()]).unwrap();
        assert_eq!(
            ops(&plan),
            [
                "set server be_app/shop-web-3 state drain",
                "idle shop-web-3",
                "del shop-web-3",
                "rm shop-web-3",
                "rm shop-web-2",
            ]
        );
    }

    #[test]
    fn compose_v1_names_keep_their_underscores() {
        let svc = web(&[(1, "shop_web_1")]);
        let plan = scale_plan(&svc, 2, &[]).unwrap();
        assert_eq!(ops(&plan), ["create shop_web_2 #2", "up shop_web_2"]);
    }

    #[test]
    fn bad_counts_and_stateful_roles_are_refused_with_the_reason() {
        let svc = web(&[(1, "shop-web-1")]);
        assert!(scale_plan(&svc, -1, &[])
            .unwrap_err()
            .to_string()
            .contains("0 or more"));
        assert!(scale_plan(&svc, 1000, &[])
            .unwrap_err()
            .to_string()
            .contains("at most 100"));
        assert!(scale_plan(&svc, 1, &[])
            .unwrap_err()
            .to_string()
            .contains("already has 1"));
        let mut zk = svc.clone();
        zk.role = Role::Zookeeper;
        assert!(scale_plan(&zk, 3, &[])
            .unwrap_err()
            .to_string()
            .contains("ZooKeeper"));
        let mut db = svc.clone();
        db.role = Role::Mariadb;
        assert!(scale_plan(&db, 3, &[])
            .unwrap_err()
            .to_string()
            .contains("database"));
    }

    #[test]
    fn swarm_services_change_their_replica_count() {
        let svc = Service {
            kind: ServiceKind::Swarm {
                service: "web".into(),
            },
            ..web(&[])
        };
        let plan = scale_plan(&svc, 0, &[]).unwrap();
        assert!(matches!(
            &plan.steps[0].op,
            StepOp::Scale(ScaleStep::ScaleService { service, replicas: 0 }) if service == "web"
        ));
        assert!(matches!(
            &plan.steps[1].op,
            StepOp::Scale(ScaleStep::WaitServiceTasks { replicas: 0, .. })
        ));
    }
}
