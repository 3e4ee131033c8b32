//! Claims that hold across processes and machines: besides the claims in
//! this process's memory, a job takes a lease on every engine that holds
//! something it touches (docker/lease.rs: a named volume whose labels say
//! who holds it, since when, for what). Another tugboat — another
//! terminal, another bastion, another user — that wants any of them is
//! refused, naming the holder and whether its process still runs. Leases
//! go when the job ends; a job cut off by `kill -9` or a reboot leaves
//! them, and `tugboat recover`, which makes its leftovers safe, frees them.

use std::collections::HashMap;
use std::fmt;

use super::claim::Claim;
use super::journal_holder::{Holder, Liveness, Machine};
use crate::docker::{HostError, HostHandle, LeaseLabels, LEASE_LABEL, LEASE_PREFIX};

const TOKEN: &str = "io.tugboat.lease.token";
const USER: &str = "io.tugboat.lease.user";
const MACHINE_HOST: &str = "io.tugboat.lease.machine";
const MACHINE_ID: &str = "io.tugboat.lease.machine-id";
const BOOT_ID: &str = "io.tugboat.lease.boot-id";
const PID: &str = "io.tugboat.lease.pid";
const START: &str = "io.tugboat.lease.start-ticks";
const SINCE: &str = "io.tugboat.lease.since";
const JOB: &str = "io.tugboat.lease.job";

/// Why a job may not take its leases.
#[derive(Debug, thiserror::Error)]
pub enum LeaseError {
    #[error("{0}")]
    Held(Box<Held>),
    #[error("the lease on {thing} could not be taken on {host}: {error}")]
    Engine {
        thing: String,
        host: String,
        error: HostError,
    },
}

/// A lease someone else holds, as its labels say (their text sanitized).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Held {
    pub thing: String,
    pub host: String,
    pub lease: String,
    pub job: String,
    pub user: String,
    pub machine: String,
    pub pid: String,
    pub since: String,
    pub liveness: Liveness,
    /// Who holds it, as its labels say (for freeing all it left).
    pub holder: Holder,
    /// This process holds it.
    pub ours: bool,
}

impl fmt::Display for Held {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let who = format!(
            "{}@{} (pid {}) since {}",
            self.user, self.machine, self.pid, self.since
        );
        let state = match self.liveness {
            Liveness::Running => "its process runs".to_string(),
            Liveness::OtherMachine => format!(
                "on another machine: only {} can tell whether it runs (`tugboat recover` there; \
                 once its job is known to have stopped, `tugboat leases free {} --force`)",
                self.machine, self.lease
            ),
            Liveness::Gone => format!(
                "its process is gone: `tugboat recover` as {} makes what it left safe and frees it \
                 (where that cannot run: `tugboat leases free {}`)",
                self.user, self.lease
            ),
        };
        write!(
            f,
            "{} on {} is held by another tugboat's job ({}) of {who}; {state}",
            self.thing, self.host, self.job
        )
    }
}

/// A stable name for the lease on `thing` (FNV-1a: the same in every
/// tugboat version and process).
pub fn lease_name(thing: &str) -> String {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for b in thing.bytes() {
        hash ^= u64::from(b);
        hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
    }
    format!("{LEASE_PREFIX}{hash:016x}")
}

/// The engine (config host name) that keeps the lease on `claim`: the one
/// that holds the thing; a plan's target, its own host; a local file,
/// none (this machine's claims cover it).
pub(crate) fn lease_host<'a>(claim: &'a Claim, plan_host: &'a str) -> Option<&'a str> {
    match claim {
        Claim::Container { host, .. }
        | Claim::Volume { host, .. }
        | Claim::Network { host, .. }
        | Claim::Server { host, .. }
        | Claim::BalancerConfig { host, .. }
        | Claim::Node { host, .. }
        | Claim::Service { host, .. } => Some(host),
        Claim::Target(_) => Some(plan_host),
        Claim::File(_) => None,
    }
}

fn labels_of(thing: &str, token: &str, job: &str, holder: &Holder) -> LeaseLabels {
    LeaseLabels::from([
        (LEASE_LABEL.into(), thing.into()),
        (TOKEN.into(), token.into()),
        (USER.into(), super::audit::local_user()),
        (MACHINE_HOST.into(), holder.machine.host.clone()),
        (MACHINE_ID.into(), holder.machine.machine_id.clone()),
        (BOOT_ID.into(), holder.machine.boot_id.clone()),
        (PID.into(), holder.pid.to_string()),
        (START.into(), holder.start_ticks.to_string()),
        (SINCE.into(), super::audit::now_string()),
        (JOB.into(), job.into()),
    ])
}

/// Whoever holds a lease, from its labels, seen from this machine.
fn held(thing: &str, host: &str, lease: &str, labels: &LeaseLabels) -> Held {
    let get = |k: &str| crate::model::sanitize(labels.get(k).map_or("?", String::as_str));
    let holder = Holder {
        machine: Machine {
            host: labels.get(MACHINE_HOST).cloned().unwrap_or_default(),
            machine_id: labels.get(MACHINE_ID).cloned().unwrap_or_default(),
            boot_id: labels.get(BOOT_ID).cloned().unwrap_or_default(),
        },
        pid: labels.get(PID).and_then(|p| p.parse().ok()).unwrap_or(0),
        start_ticks: labels.get(START).and_then(|p| p.parse().ok()).unwrap_or(0),
    };
    Held {
        thing: thing.into(),
        host: host.into(),
        lease: lease.into(),
        job: get(JOB),
        user: get(USER),
        machine: get(MACHINE_HOST),
        pid: get(PID),
        since: get(SINCE),
        liveness: holder.liveness_here(),
        ours: holder == Holder::this_process(),
        holder,
    }
}

/// Who holds a lease as the host task listed it, seen from here.
pub fn held_of(host: &str, lease: &crate::model::lease::LeaseRecord) -> Held {
    let thing = lease.labels.get(LEASE_LABEL).map_or("?", String::as_str);
    held(
        &crate::model::sanitize(thing),
        host,
        &lease.name,
        &lease.labels,
    )
}

/// Every lease on every engine of `hosts`, by engine: an engine that did
/// not answer says why.
pub async fn list(hosts: &[HostHandle]) -> Vec<(String, Result<Vec<Held>, HostError>)> {
    let asks = hosts.iter().map(|h| async move {
        let found = h.leases(&[LEASE_LABEL.to_string()]).await.map(|found| {
            found
                .iter()
                .map(|(name, labels)| {
                    let lease = crate::model::lease::LeaseRecord {
                        name: name.clone(),
                        labels: labels.clone(),
                    };
                    held_of(&h.name, &lease)
                })
                .collect()
        });
        (h.name.clone(), found)
    });
    futures_util::future::join_all(asks).await
}

/// The leases a job took: (engine, lease name).
#[derive(Debug, Default)]
pub struct Taken {
    leases: Vec<(String, String)>,
}

/// Leases are this process's, not one job's: inside a process the claims
/// (claims.rs) keep jobs apart, and a lease two of its jobs share (or one
/// an earlier job could not give back) is not a reason to refuse. The
/// token every lease of this process carries, and how many of its running
/// jobs use each lease; a lease is given back when the last one ends.
struct ProcessLeases {
    token: String,
    in_use: HashMap<(String, String), usize>,
}

/// Locked across each take and release (a few requests): a job's release
/// cannot remove a lease another job of this process has just counted on.
static PROCESS: tokio::sync::Mutex<Option<ProcessLeases>> = tokio::sync::Mutex::const_new(None);

fn new_process_leases() -> ProcessLeases {
    let token = super::journal_holder::random_token()
        .map(|t| t.to_string())
        .unwrap_or_else(|_| format!("{}-{}", std::process::id(), super::audit::now_string()));
    ProcessLeases {
        token,
        in_use: HashMap::new(),
    }
}

/// Whether the lease `labels` describe is held by `holder`.
fn held_by(labels: &LeaseLabels, holder: &Holder) -> bool {
    let is = |k: &str, v: String| labels.get(k) == Some(&v);
    is(PID, holder.pid.to_string())
        && is(START, holder.start_ticks.to_string())
        && is(BOOT_ID, holder.machine.boot_id.clone())
        && is(MACHINE_ID, holder.machine.machine_id.clone())
}

/// Take a lease on every thing in `claims` that an engine of `hosts`
/// holds, for the job `job` of a plan on `plan_host`; refused, with those taken given back, when another
/// process holds one. `succeeds`: the cut-off job a recovery makes safe —
/// its leases (its process gone) pass to this job.
pub async fn take(
    hosts: &[HostHandle],
    (job, plan_host): (&str, &str),
    claims: impl IntoIterator<Item = &Claim>,
    succeeds: Option<&Holder>,
) -> Result<Taken, LeaseError> {
    let mut process = PROCESS.lock().await;
    let process = process.get_or_insert_with(new_process_leases);
    let holder = Holder::this_process();
    let mut taken = Taken::default();
    for claim in claims {
        let Some(host) = lease_host(claim, plan_host) else {
            continue;
        };
        // Hosts the runner cannot reach by name were refused before.
        let Some(handle) = hosts.iter().find(|h| h.name == host) else {
            continue;
        };
        let thing = claim.to_string();
        let name = lease_name(&thing);
        let wanted = labels_of(&thing, &process.token, job, &holder);
        let mut got = handle.take_lease(&name, &wanted).await;
        if let (Ok(found), Some(dead)) = (&got, succeeds) {
            let passes = held_by(found, dead) && dead.liveness_here() == Liveness::Gone;
            if passes && handle.remove_volume(&name).await.is_ok() {
                // Taken again: whoever creates it first now holds it.
                got = handle.take_lease(&name, &wanted).await;
            }
        }
        let refused = match got {
            Ok(got) if got.get(TOKEN) == Some(&process.token) => {
                *process
                    .in_use
                    .entry((host.into(), name.clone()))
                    .or_default() += 1;
                taken.leases.push((host.to_string(), name));
                continue;
            }
            Ok(got) => LeaseError::Held(Box::new(held(&thing, host, &name, &got))),
            Err(error) => LeaseError::Engine {
                thing,
                host: host.into(),
                error,
            },
        };
        give_back(process, hosts, &taken).await;
        return Err(refused);
    }
    Ok(taken)
}

/// Give the job's leases back: each one no other running job of this
/// process uses, and only while it still carries this process's token; an
/// engine that does not answer keeps it, said in the log (a later job of
/// this process takes it over, `tugboat recover` frees it).
pub async fn release(hosts: &[HostHandle], taken: &Taken) {
    let mut process = PROCESS.lock().await;
    let process = process.get_or_insert_with(new_process_leases);
    give_back(process, hosts, taken).await;
}

async fn give_back(process: &mut ProcessLeases, hosts: &[HostHandle], taken: &Taken) {
    // The ones no other job of this process uses, by engine.
    let mut unused: Vec<(&str, &str)> = Vec::new();
    for (host, name) in &taken.leases {
        let key = (host.clone(), name.clone());
        match process.in_use.get(&key).copied().unwrap_or(1) {
            users if users > 1 => {
                process.in_use.insert(key, users - 1);
            }
            _ => {
                process.in_use.remove(&key);
                unused.push((host, name));
            }
        }
    }
    let mine = format!("{TOKEN}={}", process.token);
    for handle in hosts {
        let names: Vec<&str> = unused
            .iter()
            .filter(|(h, _)| *h == handle.name)
            .map(|(_, n)| *n)
            .collect();
        if names.is_empty() {
            continue;
        }
        // Only a lease that still carries this process's token is removed.
        let ours = match handle.leases(std::slice::from_ref(&mine)).await {
            Ok(found) => found,
            Err(e) => {
                tracing::warn!("leases on {}: {e}", handle.name);
                continue;
            }
        };
        for name in names
            .into_iter()
            .filter(|n| ours.iter().any(|(o, _)| o == n))
        {
            if let Err(e) = handle.remove_volume(name).await {
                tracing::warn!("lease {name} on {} not given back: {e}", handle.name);
            }
        }
    }
}

/// Free every lease `holder` (a cut-off job's process) left on `hosts`;
/// how many were freed.
pub async fn free_of(hosts: &[HostHandle], holder: &Holder) -> usize {
    let wanted = [
        format!("{PID}={}", holder.pid),
        format!("{BOOT_ID}={}", holder.machine.boot_id),
        format!("{START}={}", holder.start_ticks),
    ];
    let mut freed = 0;
    for handle in hosts {
        let Ok(found) = handle.leases(&wanted).await else {
            continue;
        };
        for (name, _) in found {
            freed += usize::from(handle.remove_volume(&name).await.is_ok());
        }
    }
    freed
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_lease_name_is_stable_and_fits_a_volume_name() {
        let a = lease_name("target cluster/shop");
        assert_eq!(a, lease_name("target cluster/shop"));
        assert_ne!(a, lease_name("target cluster/shoq"));
        assert_eq!(a.len(), "tugboat-lease-".len() + 16);
        // FNV-1a of "" is its offset basis: the hash is the documented one.
        assert_eq!(lease_name(""), "tugboat-lease-cbf29ce484222325");
    }

    #[test]
    fn a_held_lease_names_its_holder_and_what_to_do() {
        let other = Holder {
            machine: Machine {
                host: "bastion2".into(),
                machine_id: "not-this-machine".into(),
                boot_id: "b".into(),
            },
            pid: 4242,
            start_ticks: 7,
        };
        let labels = labels_of("cluster/shop", "tok", "switchover cluster/shop", &other);
        let h = held("cluster/shop", "db1", "tugboat-lease-x", &labels);
        assert_eq!(h.liveness, Liveness::OtherMachine);
        let said = h.to_string();
        assert!(
            said.starts_with("cluster/shop on db1 is held by another tugboat's job (switchover cluster/shop) of "),
            "{said}"
        );
        assert!(said.contains("@bastion2 (pid 4242) since "), "{said}");
        assert!(said.contains("only bastion2 can tell"), "{said}");
        assert!(
            said.contains("`tugboat leases free tugboat-lease-x --force`"),
            "{said}"
        );
        // This machine, a process that is not running any more.
        let mut gone = Holder::this_process();
        gone.start_ticks += 1;
        let labels = labels_of("cluster/shop", "tok", "switchover cluster/shop", &gone);
        let h = held("cluster/shop", "db1", "tugboat-lease-x", &labels);
        assert_eq!(h.liveness, Liveness::Gone);
        assert!(h.to_string().contains("`tugboat recover`"), "{h}");
        assert!(
            h.to_string()
                .ends_with("(where that cannot run: `tugboat leases free tugboat-lease-x`)"),
            "{h}"
        );
    }

    #[test]
    fn a_recovery_knows_the_leases_of_the_job_it_recovers() {
        let dead = Holder {
            machine: Machine::this().clone(),
            pid: 7,
            start_ticks: 9,
        };
        let labels = labels_of("x", "tok", "switchover cluster/x", &dead);
        assert!(held_by(&labels, &dead));
        let reused_pid = Holder {
            start_ticks: 10,
            ..dead.clone()
        };
        assert!(!held_by(&labels, &reused_pid));
    }

    #[test]
    fn only_local_files_have_no_lease() {
        let file = Claim::File("/tmp/x".into());
        assert_eq!(lease_host(&file, "h"), None);
        assert_eq!(
            lease_host(&Claim::Target("cluster/x".into()), "h"),
            Some("h")
        );
    }
}
