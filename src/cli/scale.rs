//! `tugboat scale SERVICE COUNT`: the same scale plan as `s` in the TUI,
//! from one look at every host and balancer.

use std::process::ExitCode;

use super::contract::{nothing_to_do, CliError};
use super::{headless, status, Loaded};
use crate::model::cluster::role_from_image;
use crate::model::probed::balancers;
use crate::model::service::{find_service, Service, ServiceKind};
use crate::model::swarm_sources::swarm_service_named;
use crate::model::{cluster_of, detect_role, ClusterKind, Inventory, Role};
use crate::ops::error::{PlanError, PlanResult};
use crate::ops::plan::Plan;
use crate::ops::scale::{backend_links, scale_plan, swarm_scale_plan};

#[derive(Debug, clap::Args)]
pub struct ScaleArgs {
    /// SERVICE, PROJECT/SERVICE, or a swarm service's name.
    pub service: String,
    /// The number of replicas wanted.
    #[arg(allow_negative_numbers = true)]
    pub count: i64,
    /// The host the service runs on, when several have one by that name.
    #[arg(long = "on", value_name = "HOST")]
    pub host: Option<String>,
    /// Do not ask for confirmation.
    #[arg(long)]
    pub yes: bool,
    /// The plan and outcome as JSON; an error as
    /// `{"error": {kind, message, exit}}`.
    #[arg(long)]
    pub json: bool,
}

/// What the command comes to before anything is asked.
enum Scaling {
    Plan(Plan),
    /// The service already has that many replicas.
    AlreadyThere(String),
}

pub async fn run(loaded: &Loaded, args: ScaleArgs, read_only: bool) -> ExitCode {
    let planned = match super::hosts_given::check_on(loaded, args.host.as_deref()) {
        Ok(()) => plan_for(loaded, &args).await.map_err(CliError::from),
        Err(e) => Err(e),
    };
    match planned {
        Ok(Scaling::Plan(plan)) => {
            headless::run_plan(loaded, plan, args.yes, args.json, read_only).await
        }
        Ok(Scaling::AlreadyThere(said)) => nothing_to_do(&said, args.json),
        Err(e) => e.report(args.json),
    }
}

/// A ZooKeeper ensemble or a database cluster named as a service: not a
/// service tugboat scales, and `scale_plan` says why (the role's reason).
fn cluster_as_service(inv: &Inventory, name: &str, host: Option<&str>) -> Option<Service> {
    let c = inv.containers.values().find(|c| {
        let k = cluster_of(c);
        k.kind != ClusterKind::Ungrouped
            && k.name == name
            && host.is_none_or(|h| h == c.host)
            && matches!(
                detect_role(c),
                Role::Zookeeper | Role::Mysql | Role::Mariadb
            )
    })?;
    Some(Service {
        kind: ServiceKind::Cluster {
            cluster: name.to_string(),
            role: detect_role(c).as_str().to_string(),
        },
        host: c.host.clone(),
        role: detect_role(c),
        replicas: Vec::new(),
    })
}

/// A swarm service, scaled through a manager that lists it: its count
/// is the service's, whichever hosts run its tasks.
fn swarm_scaling(inv: &Inventory, args: &ScaleArgs) -> Option<PlanResult<Scaling>> {
    let (manager, service) = swarm_service_named(inv, &args.service, args.host.as_deref())?;
    let name = service.name.as_str();
    if service.desired as i64 == args.count && service.mode.is_scalable() {
        let said = format!("{name} already wants {} replicas", service.desired);
        return Some(Ok(Scaling::AlreadyThere(said)));
    }
    if !service.mode.is_scalable() {
        return Some(Err(PlanError::Refused(format!(
            "{name} is a {} service: the swarm runs its tasks by node or by job, not by a \
             replica count",
            service.mode.word()
        ))));
    }
    let role = role_from_image(service.image.as_str());
    Some(
        swarm_scale_plan(&manager.name, name, role, service.desired, args.count).map(Scaling::Plan),
    )
}

async fn plan_for(loaded: &Loaded, args: &ScaleArgs) -> PlanResult<Scaling> {
    let (inventory, probes, _) = status::collect(&loaded.hosts, &loaded.settings).await;
    if let Some(scaling) = swarm_scaling(&inventory, args) {
        return scaling;
    }
    let found = find_service(&inventory, &args.service, args.host.as_deref());
    let svc = match found.as_slice() {
        [one] => one.clone(),
        [] => {
            if let Some(svc) = cluster_as_service(&inventory, &args.service, args.host.as_deref()) {
                return scale_plan(&svc, args.count, &[]).map(Scaling::Plan);
            }
            return Err(PlanError::NotFound(format!(
                "no service `{}`{}: name a compose service (SERVICE or PROJECT/SERVICE) or a swarm service with running tasks",
                args.service,
                args.host
                    .as_ref()
                    .map(|h| format!(" on {h}"))
                    .unwrap_or_default()
            )));
        }
        many => {
            let names: Vec<String> = many
                .iter()
                .map(|s| format!("{} on {}", s.label(), s.host))
                .collect();
            return Err(PlanError::Invalid(format!(
                "`{}` is ambiguous: {}; say PROJECT/SERVICE or --on HOST",
                args.service,
                names.join(", ")
            )));
        }
    };
    let have = svc.replicas.len() as i64;
    let counted = !matches!(svc.kind, ServiceKind::Swarm { .. });
    if counted && args.count == have && args.count >= 0 {
        return Ok(Scaling::AlreadyThere(format!(
            "{} already has {have} replicas",
            svc.label()
        )));
    }
    let links = backend_links(&balancers(&inventory, &probes), &svc);
    scale_plan(&svc, args.count, &links).map(Scaling::Plan)
}
