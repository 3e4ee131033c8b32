//! A rolling restart of a database cluster `tugboat create` made (MariaDB
//! primary, two replicas, HAProxy whose writer backend keeps the replicas
//! in MAINT), under the application's client writing through the writer
//! port: every server restarted, one switchover, one writable primary
//! behind the writer port afterwards with the others replicating from it,
//! and no acknowledged write missing. Before, `restart --rolling` on such a
//! cluster was always refused ("… is the last UP server of its backend").

mod common;
mod create_common;
#[path = "create_common/template_db.rs"]
mod template_db;

use common::db_client::acked;
use common::*;
use create_common::tugboat;
use template_db::*;

/// When each server's container last started.
fn started(db: &Db) -> Vec<String> {
    db.servers.iter().map(|s| started_at(s)).collect()
}

#[test]
fn a_rolling_restart_of_a_template_database_restarts_every_server_with_one_switchover() {
    require_engine();
    let bed = create_cluster("dbroll");
    let (db, dir, run) = (&bed.db, &bed.dir, &bed.run);
    let app = db.writer(
        run,
        "app",
        &["-h", &db.lb, "-P", "3306", "-uapp"],
        &db.app_pw.clone(),
        "w",
        0,
    );
    wait_acks(&app, 20);
    let before = started(db);
    let lb_before = started_at(&db.lb);
    let (code, out, err) = tugboat(dir.path(), &["restart", "--rolling", &db.name, "--yes"]);
    assert_eq!(code, 0, "{out}\n{err}");
    // What it leaves out is said: the balancer is not restarted.
    assert!(err.contains(&format!("{}-lb", db.name)), "{err}");
    let after = started(db);
    for (i, s) in db.servers.iter().enumerate() {
        assert_ne!(before[i], after[i], "{s} was restarted");
    }
    assert_eq!(
        started_at(&db.lb),
        lb_before,
        "the balancer was left running"
    );
    let primary = db.writable().pop().expect("a writable server");
    assert_ne!(primary, db.servers[0], "one switchover moved the primary");
    wait_acks(&app, acked(&app).len() + 10);
    assert_eq!(
        db.holds(&primary, &[(&app, "w")]),
        0,
        "acknowledged writes lost"
    );
}
