//! A switchover's or failover's first step: where every server of the
//! cluster replicates from, asked now. The plan was made from probes that
//! were old the moment they arrived; a server it took for the primary's
//! replica that replicates from elsewhere now, or one it left out that
//! replicates from the primary now, would be left behind (chained on the
//! old primary). Either way nothing has changed yet, and the job stops
//! here saying what differs.

use serde::Serialize;

use super::error::{StepError, StepResult};
use crate::config::Settings;
use crate::docker::HostHandle;
use crate::model::answers::mysql::DbProbe;
use crate::model::probed::ProbeResult;
use crate::probes::run::{probe, ProbeKind};

/// A database server as the guard asks it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DbMember {
    pub host: String,
    pub id: String,
    pub name: String,
}

/// What the plan assumed of the cluster's servers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TopologyGuard {
    pub primary: DbMember,
    /// The names a replica of the primary may give as its source (the
    /// container name and its addresses).
    pub primary_names: Vec<String>,
    /// Whether the primary answers (a switchover): then it must still take
    /// writes and replicate from no one.
    pub primary_alive: bool,
    /// Servers the plan repoints: each must replicate from the primary.
    pub followers: Vec<DbMember>,
    /// Running servers the plan leaves out (their reason is in its notes):
    /// none may replicate from the primary.
    pub left_out: Vec<DbMember>,
}

/// One difference between the plan and what a server says now.
fn differs(
    guard: &TopologyGuard,
    m: &DbMember,
    follower: bool,
    now: &ProbeResult,
) -> Option<String> {
    let p: &DbProbe = match now {
        ProbeResult::Mysql(Ok(p)) => p,
        ProbeResult::Mysql(Err(e)) if follower => {
            return Some(format!("{} does not answer ({e})", m.name))
        }
        // A left-out server that does not answer is left out still.
        ProbeResult::Mysql(Err(_)) => return None,
        other => return Some(format!("{} answered no database probe ({other:?})", m.name)),
    };
    let source = p.replica.as_ref().map(|r| r.source_host.to_string());
    let of_primary = source
        .as_deref()
        .is_some_and(|s| guard.primary_names.iter().any(|n| n == s));
    match (follower, of_primary) {
        (true, true) | (false, false) => None,
        (true, false) => Some(format!(
            "{} {} now, not from {}",
            m.name,
            source.map_or("replicates from no one".to_string(), |s| format!(
                "replicates from {}",
                crate::model::sanitize(&s)
            )),
            guard.primary.name
        )),
        (false, true) => Some(format!(
            "{} replicates from {} now, and the plan left it out",
            m.name, guard.primary.name
        )),
    }
}

/// The primary, asked now: still writable and replicating from no one.
fn primary_differs(guard: &TopologyGuard, now: &ProbeResult) -> Option<String> {
    let name = &guard.primary.name;
    match now {
        ProbeResult::Mysql(Ok(p)) if p.read_only => Some(format!("{name} is read-only now")),
        ProbeResult::Mysql(Ok(p)) => p.replica.as_ref().map(|r| {
            format!(
                "{name} replicates from {} now",
                crate::model::sanitize(&r.source_host)
            )
        }),
        ProbeResult::Mysql(Err(e)) => Some(format!("{name} does not answer ({e})")),
        other => Some(format!("{name} answered no database probe ({other:?})")),
    }
}

/// `m`'s database probe, now.
async fn ask(hosts: &[HostHandle], settings: &Settings, m: &DbMember) -> StepResult<ProbeResult> {
    let handle = hosts
        .iter()
        .find(|h| h.name == m.host)
        .ok_or_else(|| StepError::UnknownHost(m.host.clone()))?;
    handle.wait_connected(settings.request_timeout).await;
    Ok(probe(handle, &m.id, ProbeKind::Mysql, settings).await)
}

/// Every server the plan names, asked now; refused with what differs.
pub(crate) async fn guard(
    hosts: &[HostHandle],
    settings: &Settings,
    guard: &TopologyGuard,
) -> StepResult {
    let mut found = Vec::new();
    if guard.primary_alive {
        let now = ask(hosts, settings, &guard.primary).await?;
        found.extend(primary_differs(guard, &now));
    }
    let asked = guard
        .followers
        .iter()
        .map(|m| (m, true))
        .chain(guard.left_out.iter().map(|m| (m, false)));
    for (m, follower) in asked {
        let now = ask(hosts, settings, m).await?;
        found.extend(differs(guard, m, follower, &now));
    }
    if found.is_empty() {
        return Ok(());
    }
    Err(StepError::Refused(format!(
        "refused: the cluster is not what the plan saw — {}; nothing was changed: plan again",
        found.join("; ")
    )))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::answers::mysql::{ReplicaStatus, ThreadState};
    use crate::model::answers::ProbeError;
    use crate::model::text::SafeText;

    fn member(name: &str) -> DbMember {
        DbMember {
            host: "local".into(),
            id: format!("id-{name}"),
            name: name.into(),
        }
    }

    fn guard_of() -> TopologyGuard {
        TopologyGuard {
            primary: member("db1"),
            primary_names: vec!["db1".into(), "172.18.0.2".into()],
            primary_alive: true,
            followers: vec![member("db2")],
            left_out: vec![member("db3")],
        }
    }

    fn answer(read_only: bool, source: Option<&str>) -> ProbeResult {
        ProbeResult::Mysql(Ok(DbProbe {
            server_id: Some(1),
            read_only,
            version: SafeText::from("10.11.6-MariaDB-log"),
            gtid: SafeText::from("0-1-10"),
            replica: source.map(|s| ReplicaStatus {
                source_host: SafeText::from(s),
                source_port: Some(3306),
                io_running: ThreadState::Yes,
                sql_running: ThreadState::Yes,
                seconds_behind: Some(0),
                gtid_position: SafeText::from("0-1-10"),
                last_io_error: SafeText::from(""),
                last_sql_error: SafeText::from(""),
            }),
            replicas: Vec::new(),
        }))
    }

    #[test]
    fn a_follower_must_replicate_from_the_primary_by_name_or_address() {
        let g = guard_of();
        let db2 = &g.followers[0];
        assert_eq!(differs(&g, db2, true, &answer(true, Some("db1"))), None);
        assert_eq!(
            differs(&g, db2, true, &answer(true, Some("172.18.0.2"))),
            None
        );
        assert_eq!(
            differs(&g, db2, true, &answer(true, Some("db3"))).unwrap(),
            "db2 replicates from db3 now, not from db1"
        );
        assert_eq!(
            differs(&g, db2, true, &answer(false, None)).unwrap(),
            "db2 replicates from no one now, not from db1"
        );
        let gone = ProbeResult::Mysql(Err(ProbeError::from("refused")));
        assert!(differs(&g, db2, true, &gone)
            .unwrap()
            .contains("does not answer"));
    }

    #[test]
    fn a_left_out_server_that_replicates_from_the_primary_now_is_a_difference() {
        let g = guard_of();
        let db3 = &g.left_out[0];
        assert_eq!(differs(&g, db3, false, &answer(true, Some("db2"))), None);
        assert_eq!(
            differs(&g, db3, false, &answer(true, Some("db1"))).unwrap(),
            "db3 replicates from db1 now, and the plan left it out"
        );
    }

    #[test]
    fn the_primary_must_still_take_writes_and_replicate_from_no_one() {
        let g = guard_of();
        assert_eq!(primary_differs(&g, &answer(false, None)), None);
        assert_eq!(
            primary_differs(&g, &answer(true, None)).unwrap(),
            "db1 is read-only now"
        );
        assert_eq!(
            primary_differs(&g, &answer(false, Some("db3"))).unwrap(),
            "db1 replicates from db3 now"
        );
    }
}
