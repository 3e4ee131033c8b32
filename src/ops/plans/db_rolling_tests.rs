//! A database cluster's rolling restart plan (db_rolling.rs), on the
//! clusters the failover tests build.

use super::*;

/// A database's rolling restart: replicas first (the candidate last of
/// them), each guarded, up and caught up before the next; then the
/// switchover to it, then the old primary. The writer backend's MAINT
/// servers are left alone (a drain and "ready" would make a replica a
/// writer), and the plan says what it leaves out.
#[test]
fn a_database_rolling_restart_is_replicas_then_one_switchover_then_the_old_primary() {
    use crate::ops::plans::db_rolling::db_rolling_restart_plan;
    let planned = db_rolling_restart_plan(&cluster(MARIA), &[], 10).unwrap();
    let ops = ops(&planned.plan);
    let at = |what: &str| {
        ops.iter()
            .position(|o| o.contains(what))
            .unwrap_or_else(|| panic!("{what} not in {ops:#?}"))
    };
    let restart = |id: &str| at(&format!("Container(Restart {{ id: \"{id}\" }})"));
    assert!(restart("id-db2") < restart("id-db3"), "{ops:#?}");
    assert!(restart("id-db3") < at("ask now: db2 db3 from db1"));
    assert!(at("exec id-db3 Promote") < restart("id-db1"));
    assert!(at("replicating id-db1 from db3") < restart("id-db1"));
    // Each restart guarded by another replica that replicates.
    let guards = ops
        .iter()
        .filter(|o| o.starts_with("Db(GuardReplicas"))
        .count();
    assert_eq!(guards, 3, "{ops:#?}");
    assert!(!ops.iter().any(|o| o.contains("state drain")), "{ops:#?}");
    assert_eq!(ops.iter().filter(|o| o.contains("Promote")).count(), 1);
    // A paused job waits before db3's restart, the switchover and db1's
    // restart: each part's first step, never inside one.
    let pauses = planned.plan.pause_points();
    let guard_of = |id: &str| {
        ops.iter()
            .position(|o| {
                o.starts_with("Db(GuardReplicas") && o.contains(&format!("restarting: \"{id}\""))
            })
            .unwrap_or_else(|| panic!("no guard of {id} in {ops:#?}"))
    };
    assert_eq!(
        pauses,
        [
            guard_of("id-db3"),
            at("account of shop"),
            guard_of("id-db1")
        ],
        "{ops:#?}"
    );
    assert!(
        planned.notes[0].contains("db3 stays the primary afterwards"),
        "{:?}",
        planned.notes
    );
    // A replica not replicating: the other's restart would leave none.
    let mut c = cluster(MARIA);
    if let Some(Ok(p)) = &mut c.nodes[1].probe {
        p.replica.as_mut().unwrap().sql_running = ThreadState::No;
    }
    let e = db_rolling_restart_plan(&c, &[], 10)
        .unwrap_err()
        .to_string();
    assert!(e.contains("db2 not replicating"), "{e}");
    // A primary that is down: fail over first.
    let mut c = cluster(MARIA);
    c.nodes[0].down = Some("not running (exited)".into());
    c.nodes[0].surely_down = true;
    c.nodes[0].probe = None;
    let e = db_rolling_restart_plan(&c, &[], 10)
        .unwrap_err()
        .to_string();
    assert!(e.contains("fail it over first"), "{e}");
}
