//! Foreign text on its way into SQL run as root on another server, against
//! the real engine and a real MariaDB (tugboat-test/mariadb:10.11): a
//! "fake replica" whose `mariadb` client is a script answering GTID
//! positions and a stored replication password full of quotes,
//! backslashes and `\!` (the client's shell command). Positions are
//! refused naming the server that said them, with nothing sent on; the
//! password lands on the real server exactly as it was, in either SQL
//! mode; no shell command runs anywhere; and the client tugboat runs reads
//! its input in binary mode (its own commands off), shown by replaying the
//! exact arguments the fake recorded on the real client.

mod common;
#[path = "common/failover_bed.rs"]
#[allow(unused_imports)]
mod failover_bed;

use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;
use tugboat::ops::plan::DbStep;

use common::*;
use failover_bed::{poll, sql, start_db_with, ROOT_PW};
use tugboat::ops::db_rejoin::RejoinPair;
use tugboat::ops::db_sql::{DbFlavor, DbStatement};
use tugboat::ops::job::JobOutcome;
use tugboat::ops::plan::{Plan, PlanAction, PlanTarget, Step, StepOp};
use tugboat::ops::runner::JobRunner;
use tugboat::ops::AuditLog;

/// A position answer that ends the literal it would be put in and runs a
/// shell through the client, in either SQL mode.
const HOSTILE_GTID: &str = r"0-1-5\', 0); \! touch /tmp/pwned; SELECT ('x";
/// The replication password the fake's master.info holds: a quote, a
/// double quote, backslashes (one at the very end) and `\!`.
const HOSTILE_PASSWORD: &str = r#"p'w\"; \! touch /tmp/pwned #\"#;

/// The fake client: records its arguments and the SQL it was given, and
/// answers as the files beside it say.
const FAKE_CLIENT: &str = r#"#!/bin/sh
printf '%s\n' "$@" > /tmp/fake-args
sql=$(cat)
printf '%s\n' "$sql" >> /tmp/fake-sql
case "$sql" in
  *@@datadir*) echo /fake ;;
  *gtid*) cat /fake/answer ;;
  *) echo "ERROR 1064 (42000) at line 1: the fake answers positions only" ;;
esac
"#;

fn write(dir: &Path, name: &str, text: &str, mode: u32) {
    let path = dir.join(name);
    std::fs::write(&path, text).expect("write");
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(mode)).expect("chmod");
}

/// Whether `file` exists in container `name`.
fn exists_in(name: &str, file: &str) -> bool {
    std::process::Command::new("docker")
        .args(["exec", name, "test", "-e", file])
        .status()
        .is_ok_and(|s| s.success())
}

/// Statements the real server was sent whose text holds `what`.
fn logged(real: &str, what: &str) -> usize {
    sql(
        real,
        &format!(
            "SELECT COUNT(*) FROM mysql.general_log WHERE command_type = 'Query' \
             AND argument LIKE '%{what}%' AND argument NOT LIKE '%general_log%'"
        ),
    )
    .expect("general log")
    .parse()
    .expect("a count")
}

fn plan(run: &str, steps: Vec<Step>) -> Plan {
    Plan {
        action: PlanAction::Rejoin,
        host: "local".into(),
        target: PlanTarget::Cluster(run.into()),
        steps,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn foreign_gtids_and_passwords_never_become_sql_or_shell() {
    require_engine();
    let run = unique("hsql");
    let _cleanup = Cleanup::new(&run);
    let label = format!("{TEST_LABEL}={run}");
    let net = format!("{run}-net");
    docker(&["network", "create", "--label", &label, &net]);
    let real = format!("{run}-real");
    start_db_with(&label, &net, &run, &real, 1, None, false);

    let dir = tempfile::tempdir().expect("temp dir");
    write(dir.path(), "mariadb", FAKE_CLIENT, 0o755);
    write(dir.path(), "answer", &format!("{HOSTILE_GTID}\n"), 0o644);
    let master_info = format!("33\n\n4\n{real}\nrepl\n{HOSTILE_PASSWORD}\n3306\n60\n0\n");
    write(dir.path(), "master.info", &master_info, 0o644);
    let fake = format!("{run}-fake");
    let mount = format!("{}:/fake", dir.path().display());
    run_busybox(
        &run,
        &fake,
        &["--network", &net, "-v", &mount, "-e", "PATH=/fake:/bin"],
        &["sleep", "3600"],
    );
    poll("the real server answers", || {
        sql(&real, "SELECT 1").is_ok_and(|o| o == "1")
    });
    sql(
        &real,
        "SET GLOBAL log_output='TABLE'; SET GLOBAL general_log=1; \
         CREATE DATABASE t; CREATE TABLE t.w (n INT PRIMARY KEY); INSERT INTO t.w VALUES (1)",
    )
    .expect("general log and data");

    let hosts = [spec("local", LOCAL_URL)];
    let fleet = Fleet::start(&hosts, &probe_settings(), false);
    assert!(
        fleet.handles[0]
            .wait_connected(Duration::from_secs(10))
            .await
    );
    let audit = dir.path().join("audit.jsonl");
    let runner = JobRunner::new(
        fleet.handles.clone(),
        probe_settings(),
        AuditLog::new(audit.clone()),
    );
    let local = || "local".to_string();

    // (a) The fake's position would go into MASTER_GTID_WAIT on the real
    // server: refused, naming the fake, nothing sent.
    let catch_up = |source: &str| {
        Step::new(
            "catch up",
            StepOp::Db(DbStep::CatchUp {
                container_id: real.clone(),
                flavor: DbFlavor::Mariadb,
                source: Some((local(), source.to_string())),
                timeout_secs: 3,
            }),
        )
    };
    let outcome = runner
        .run(plan(&run, vec![catch_up(&fake)]), Arc::new(|_| {}))
        .await;
    let JobOutcome::Failed { step: 1, error } = &outcome else {
        panic!("{outcome:?}")
    };
    assert!(
        error.contains(&format!("refused: {fake} answered \"0-1-5\\\\', 0);")),
        "{error}"
    );
    assert!(error.contains("nothing built from it was sent"), "{error}");
    assert_eq!(logged(&real, "MASTER_GTID_WAIT"), 0);

    // The rejoin check: the fake's set would go into GTID_SUBTRACT on the
    // real server (MySQL), its state would be compared (MariaDB); and the
    // real server's answer is parsed too, so a fake primary is named.
    let check = |server: &str, primary: &str, flavor| {
        Step::new(
            "rejoin check",
            StepOp::Db(DbStep::RejoinCheck {
                pair: RejoinPair {
                    server_id: server.to_string(),
                    primary_host: local(),
                    primary_id: primary.to_string(),
                },
                flavor,
            }),
        )
    };
    for (server, primary, flavor) in [
        (&fake, &real, DbFlavor::Mysql),
        (&fake, &real, DbFlavor::Mariadb),
        (&real, &fake, DbFlavor::Mariadb),
    ] {
        let outcome = runner
            .run(
                plan(&run, vec![check(server, primary, flavor)]),
                Arc::new(|_| {}),
            )
            .await;
        let JobOutcome::Failed { step: 1, error } = &outcome else {
            panic!("{flavor:?}: {outcome:?}")
        };
        assert!(
            error.contains(&format!("refused: {fake} answered")),
            "{flavor:?}: {error}"
        );
    }
    assert_eq!(logged(&real, "GTID_SUBTRACT"), 0);

    // (b) The arguments tugboat gave the client, replayed on the real
    // client with a shell command on its input: refused, nothing ran.
    let args = docker(&["exec", &fake, "cat", "/tmp/fake-args"]);
    let args: Vec<&str> = args.lines().collect();
    assert!(args.contains(&"--binary-mode"), "{args:?}");
    let mut replay = vec!["exec", "-i", "-e", "MYSQL_PWD", real.as_str(), "mariadb"];
    replay.extend(&args);
    let out = std::process::Command::new("docker")
        .env("MYSQL_PWD", ROOT_PW)
        .args(&replay)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .and_then(|mut child| {
            use std::io::Write;
            let mut stdin = child.stdin.take().expect("stdin");
            stdin.write_all(b"SELECT 1;\n\\! touch /tmp/pwned-by-client\nSELECT 2;\n")?;
            drop(stdin);
            child.wait_with_output()
        })
        .expect("the client runs");
    let said = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(said.contains("Unknown command '\\!'"), "{said}");
    assert!(!exists_in(&real, "/tmp/pwned-by-client"), "{said}");

    // The stored password goes into CHANGE MASTER on the real server: it
    // lands whole, in the default SQL mode and in NO_BACKSLASH_ESCAPES.
    let cluster = format!("{run}-cluster");
    let repoint = || {
        vec![
            Step::new(
                "keep the account",
                StepOp::Db(DbStep::KeepAccount {
                    cluster: cluster.clone(),
                    flavor: DbFlavor::Mariadb,
                    donors: vec![(local(), fake.clone())],
                }),
            ),
            Step::new(
                "replicate",
                StepOp::Db(DbStep::Exec {
                    container_id: real.clone(),
                    flavor: DbFlavor::Mariadb,
                    statement: DbStatement::ReplicateFrom {
                        source_host: fake.clone(),
                        source_port: 3306,
                        from_own_binlog: true,
                        account_of: Some(cluster.clone()),
                    },
                }),
            ),
        ]
    };
    for mode in ["DEFAULT", "'NO_BACKSLASH_ESCAPES'"] {
        sql(&real, &format!("SET GLOBAL sql_mode={mode}")).expect("sql_mode");
        sql(&real, "STOP SLAVE; RESET SLAVE ALL").expect("reset");
        let outcome = runner.run(plan(&run, repoint()), Arc::new(|_| {})).await;
        assert_eq!(outcome, JobOutcome::Done, "{mode}");
        let stored = docker(&["exec", &real, "cat", "/var/lib/mysql/master.info"]);
        let lines: Vec<&str> = stored.lines().collect();
        assert_eq!(
            lines.get(3).copied(),
            Some(fake.as_str()),
            "{mode}: {stored}"
        );
        assert_eq!(
            lines.get(5).copied(),
            Some(HOSTILE_PASSWORD),
            "{mode}: {stored}"
        );
    }
    let record = std::fs::read_to_string(&audit).expect("audit");
    assert!(!record.contains(HOSTILE_PASSWORD), "{record}");

    // A position that parses does go through (so the refusals above are
    // the parser's): the wait runs, and times out on this server.
    write(dir.path(), "answer", "0-1-99\n", 0o644);
    let outcome = runner
        .run(plan(&run, vec![catch_up(&fake)]), Arc::new(|_| {}))
        .await;
    assert!(
        matches!(&outcome, JobOutcome::Failed { error, .. } if error.contains("short of GTID position 0-1-99")),
        "{outcome:?}"
    );
    assert_eq!(logged(&real, "MASTER_GTID_WAIT(_0-1-99_, 3)"), 1);

    for name in [&fake, &real] {
        for file in ["/tmp/pwned", "/tmp/pwned-by-client"] {
            assert!(!exists_in(name, file), "{file} in {name}");
        }
    }
    assert_eq!(
        sql(&real, "SELECT n FROM t.w").unwrap(),
        "1",
        "data unchanged"
    );
}
