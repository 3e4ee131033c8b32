//! A MariaDB primary with two replicas behind an HAProxy writer backend,
//! a client writing numbered rows through it, and the questions the
//! failover tests ask the servers themselves.
#![allow(dead_code)]

use std::time::{Duration, Instant};

pub use crate::common::db_client::{acked, MARIADB as DB_IMAGE};
use crate::common::db_client::{start_writer, Root};
use crate::common::*;

pub const ROOT_PW: &str = "r00t-Pa55-failover";
pub const REPL_PW: &str = "r3pl-Pa55-failover";

/// A primary `db1`, replicas `db2` and `db3`, and `lb` whose writer
/// backend sends to db1 only (the others `disabled`, i.e. MAINT).
pub struct Bed {
    pub run: String,
    pub net: String,
    pub label: String,
    pub dbs: [String; 3],
    pub lb: String,
    _config: tempfile::TempDir,
}

pub fn start_db(bed_label: &str, net: &str, run: &str, name: &str, id: u32, primary: Option<&str>) {
    start_db_with(bed_label, net, run, name, id, primary, true)
}

/// `account_env`: false makes a hand-made server that names no
/// replication account in its environment (replication set up by SQL).
pub fn start_db_with(
    bed_label: &str,
    net: &str,
    run: &str,
    name: &str,
    id: u32,
    primary: Option<&str>,
    account_env: bool,
) {
    let mut args: Vec<String> = vec![
        "run".into(),
        "-d".into(),
        "--name".into(),
        name.into(),
        "--network".into(),
        net.into(),
        "--label".into(),
        bed_label.into(),
        "--label".into(),
        format!("io.tugboat.cluster={run}"),
        "-e".into(),
        format!("MARIADB_ROOT_PASSWORD={ROOT_PW}"),
    ];
    if account_env {
        args.extend([
            "-e".into(),
            "MARIADB_REPLICATION_USER=repl".into(),
            "-e".into(),
            format!("MARIADB_REPLICATION_PASSWORD={REPL_PW}"),
        ]);
    }
    match primary {
        Some(p) if account_env => args.extend(["-e".into(), format!("MARIADB_MASTER_HOST={p}")]),
        Some(_) => {}
        None if !account_env => {}
        None => {
            for e in [
                "MARIADB_USER=app",
                "MARIADB_PASSWORD=app-pw",
                "MARIADB_DATABASE=t",
            ] {
                args.extend(["-e".into(), e.into()]);
            }
        }
    }
    args.extend([
        DB_IMAGE.to_string(),
        format!("--server-id={id}"),
        "--log-bin".into(),
        format!("--log-basename={name}"),
        "--binlog-format=ROW".into(),
        "--log-slave-updates".into(),
    ]);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    docker(&args);
}

/// Replication as an operator sets it up by hand: the account made on the
/// primary, each replica told where and as whom, then the database.
fn by_hand(dbs: &[String; 3]) {
    for d in dbs {
        poll(&format!("{d} answers"), || {
            sql(d, "SELECT 1").is_ok_and(|o| o == "1")
        });
    }
    sql(
        &dbs[0],
        &format!("CREATE USER 'repl'@'%' IDENTIFIED BY '{REPL_PW}'; GRANT REPLICATION SLAVE ON *.* TO 'repl'@'%'"),
    )
    .expect("the replication account");
    for r in &dbs[1..] {
        sql(
            r,
            &format!(
                "CHANGE MASTER TO MASTER_HOST='{}', MASTER_USER='repl', MASTER_PASSWORD='{REPL_PW}', \
                 MASTER_USE_GTID=slave_pos; SET GLOBAL read_only=1; START SLAVE",
                dbs[0]
            ),
        )
        .expect("replication set up");
    }
    sql(
        &dbs[0],
        "CREATE DATABASE t; CREATE USER 'app'@'%' IDENTIFIED BY 'app-pw'; GRANT ALL ON t.* TO 'app'@'%'",
    )
    .expect("the database");
}

impl Bed {
    pub fn start(prefix: &str) -> Bed {
        Self::start_with(prefix, true)
    }

    /// `account_env`: as [`start_db_with`]; without it the replicas are
    /// pointed at db1 by SQL once it answers, as a hand-made cluster is.
    pub fn start_with(prefix: &str, account_env: bool) -> Bed {
        let run = unique(prefix);
        let label = format!("{TEST_LABEL}={run}");
        let net = format!("{run}-net");
        docker(&["network", "create", "--label", &label, &net]);
        let dbs = [1, 2, 3].map(|i| format!("{run}-db{i}"));
        start_db_with(&label, &net, &run, &dbs[0], 1, None, account_env);
        for (i, r) in dbs.iter().enumerate().skip(1) {
            start_db_with(
                &label,
                &net,
                &run,
                r,
                i as u32 + 1,
                Some(&dbs[0]),
                account_env,
            );
        }
        if !account_env {
            by_hand(&dbs);
        }
        let servers: String = dbs
            .iter()
            .enumerate()
            .map(|(i, d)| {
                let off = if i == 0 { "" } else { " disabled" };
                format!("    server db{} {d}:3306{off}\n", i + 1)
            })
            .collect();
        let config = format!(
            "global\n{STATS_SOCKETS}\
             defaults\n    mode tcp\n    timeout connect 1s\n    timeout client 30s\n    timeout server 30s\n\
             frontend fe_db\n    bind :3306\n    default_backend db_writer\n\
             backend db_writer\n    default-server init-addr last,libc,none\n{servers}"
        );
        let dir = tempfile::tempdir().expect("temp dir");
        let lb = format!("{run}-lb");
        // Writable: a switchover writes the new writer into it.
        run_haproxy(&run, &lb, &net, dir.path(), &config, true);
        Bed {
            run,
            net,
            label,
            dbs,
            lb,
            _config: dir,
        }
    }

    /// Wait until both replicas replicate and the table exists everywhere.
    pub fn wait_ready(&self) {
        poll("db1 answers", || {
            sql(&self.dbs[0], "SELECT 1").is_ok_and(|o| o == "1")
        });
        sql(&self.dbs[0], "CREATE TABLE t.w (n INT PRIMARY KEY)").expect("table");
        for r in &self.dbs[1..] {
            poll(&format!("{r} has the table"), || {
                sql(r, "SELECT COUNT(*) FROM t.w").is_ok()
            });
        }
    }

    /// A client writing 1, 2, 3… through the balancer, one connection per
    /// row, printing `ack N` once the server acknowledged the commit.
    pub fn start_writer(&self) -> String {
        self.start_writer_on(&self.lb, "app", "app-pw", "writer", 0)
    }

    /// The same client writing to `host` as `user`, its rows numbered from
    /// `first` + 1 (two writers never write the same row).
    pub fn start_writer_on(
        &self,
        host: &str,
        user: &str,
        password: &str,
        name: &str,
        first: u64,
    ) -> String {
        start_writer(
            &format!("{}-{name}", self.run),
            &self.net,
            &self.label,
            &[&format!("-h{host}"), &format!("-u{user}")],
            password,
            "t.w",
            first,
        )
    }
}

/// Root on the bed's servers (its fixed password).
fn root() -> Root {
    Root::new(ROOT_PW)
}

/// Run SQL as root in `name`; tab-separated rows.
pub fn sql(name: &str, statement: &str) -> Result<String, String> {
    root().sql(name, statement)
}

/// The client as root in `name`, with output `format` (`-E`, `-NB`).
pub fn client(name: &str, format: &str, statement: &str) -> Result<String, String> {
    root().client(name, format, statement)
}

pub fn poll(what: &str, mut ok: impl FnMut() -> bool) {
    let start = Instant::now();
    while !ok() {
        assert!(start.elapsed() < Duration::from_secs(120), "never: {what}");
        std::thread::sleep(Duration::from_millis(300));
    }
}

/// (Master_Host, Slave_IO_Running, Slave_SQL_Running) of a replica.
pub fn replica_of(name: &str) -> Option<(String, String, String)> {
    root().replica_of(name)
}

pub fn replicating_from(name: &str, source: &str) -> bool {
    root().replicating_from(name, source)
}

/// The fence's lock sessions in `name` (0: released).
pub fn lock_sessions(name: &str) -> usize {
    root().lock_sessions(name)
}

/// Each writer-backend server's status as `show stat` prints it.
pub fn writer_states(lb: &str) -> Vec<(String, String)> {
    let out = runtime_api(lb, "show stat");
    out.lines()
        .filter_map(|l| {
            let f: Vec<&str> = l.split(',').collect();
            (f.len() > 17 && f[0] == "db_writer" && f[1] != "BACKEND")
                .then(|| (f[1].to_string(), f[17].to_string()))
        })
        .collect()
}

/// The rows of the bed's table `t.w` on `name`.
pub fn rows(name: &str) -> std::collections::HashSet<u64> {
    root().rows(name, "t.w").expect("rows")
}

pub fn tugboat(cfg: &std::path::Path, args: &[&str]) -> (i32, String, String) {
    let host = format!("local={LOCAL_URL}");
    let mut all = vec!["--host", host.as_str()];
    all.extend_from_slice(args);
    run_tugboat(cfg, &[], &all)
}

/// The writer-backend server of database container `db` (`…-db2` → `db2`).
pub fn server_of(db: &str) -> String {
    format!("db{}", &db[db.len() - 1..])
}

/// Waits until the bed has settled on one primary and returns it: one
/// writable server, the writer backend sending to it alone, the others
/// replicating from it. A replica whose connection to its source dropped
/// tries again only after MariaDB's connect retry (60 s by default), so
/// settling may take longer than that.
pub fn one_primary(bed: &Bed) -> String {
    let start = Instant::now();
    loop {
        let writable: Vec<&String> = bed
            .dbs
            .iter()
            .filter(|d| sql(d, "SELECT @@global.read_only").is_ok_and(|o| o == "0"))
            .collect();
        let states = writer_states(&bed.lb);
        if let [primary] = writable.as_slice() {
            let own = server_of(primary);
            let balanced = states.iter().all(|(server, status)| {
                (*server == own) == (status != "MAINT" && status != "DRAIN")
            });
            let replicating = bed
                .dbs
                .iter()
                .filter(|d| d != primary)
                .all(|d| replicating_from(d, primary));
            if balanced && replicating {
                return primary.to_string();
            }
        }
        assert!(
            start.elapsed() < Duration::from_secs(150),
            "never one primary: writable {writable:?}, writer backend {states:?}, replicas {:?}",
            bed.dbs
                .iter()
                .map(|d| (d, replica_of(d), client(d, "-E", "SHOW SLAVE STATUS").ok()))
                .collect::<Vec<_>>()
        );
        std::thread::sleep(Duration::from_millis(300));
    }
}

/// Every acknowledged write is on `primary` (waiting for replication to
/// bring over what the previous primary acknowledged).
pub fn holds_every_ack(primary: &str, writer: &str) {
    let acks = acked(writer);
    let start = Instant::now();
    loop {
        let have = rows(primary);
        let missing: Vec<&u64> = acks.iter().filter(|n| !have.contains(n)).collect();
        if missing.is_empty() {
            return;
        }
        assert!(
            start.elapsed() < Duration::from_secs(30),
            "{} acknowledged writes missing on {primary}: {missing:?}",
            missing.len()
        );
        std::thread::sleep(Duration::from_millis(300));
    }
}
