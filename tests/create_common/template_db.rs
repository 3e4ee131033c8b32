//! A database cluster made by `tugboat create` (MariaDB primary, two
//! replicas, HAProxy) under clients that record every acknowledged write,
//! and the checks asked of the servers after each change of primary.
#![allow(dead_code)]

use std::collections::HashSet;
use std::process::Command;

use crate::common::db_client::{acked, start_writer, Root};
use crate::common::*;
use crate::create_common::*;

/// The cluster under test: its servers, balancer, network and passwords.
pub struct Db {
    pub name: String,
    pub servers: Vec<String>,
    pub lb: String,
    pub root: Root,
    pub app_pw: String,
}

impl Db {
    /// SQL as root inside `server` (its own server, over TCP): what it
    /// printed, nothing when it failed.
    pub fn sql(&self, server: &str, query: &str) -> String {
        self.root.sql(server, query).unwrap_or_default()
    }

    pub fn rows(&self, server: &str, table: &str) -> HashSet<u64> {
        self.root
            .rows(server, &format!("app.{table}"))
            .unwrap_or_default()
    }

    pub fn writable(&self) -> Vec<String> {
        self.servers
            .iter()
            .filter(|s| self.sql(s, "SELECT @@global.read_only") == "0")
            .cloned()
            .collect()
    }

    /// The server the writer port reaches, asked through HAProxy.
    pub fn behind_writer_port(&self) -> String {
        let out = Command::new("docker")
            .env("MYSQL_PWD", &self.app_pw)
            .args(["exec", "-e", "MYSQL_PWD", &self.servers[0], "mariadb"])
            .args(["-h", &self.lb, "-P", "3306", "-uapp", "-N", "-B"])
            .args(["-e", "SELECT @@server_id"])
            .output()
            .expect("docker runs");
        // The template gives server dbN the id N.
        let id = String::from_utf8_lossy(&out.stdout).trim().to_string();
        format!("{}-db{id}", self.name)
    }

    /// A client container on the cluster's network that inserts one row a
    /// connection every 50 ms into `app.TABLE`, numbered from `first` + 1,
    /// and prints `ack N` for each the server acknowledged.
    pub fn writer(
        &self,
        run: &str,
        tag: &str,
        target: &[&str],
        pw: &str,
        table: &str,
        first: u64,
    ) -> String {
        start_writer(
            &format!("{run}-{tag}"),
            &self.name,
            &format!("{TEST_LABEL}={run}"),
            target,
            pw,
            &format!("app.{table}"),
            first,
        )
    }

    /// Every check after a change of primary: one writable server, the
    /// writer port reaches it, the others replicate from it with both
    /// threads running, and every acknowledged write of `clients` (client,
    /// table) is on it. Returns the acknowledged writes missing.
    pub fn holds(&self, primary: &str, clients: &[(&str, &str)]) -> usize {
        eventually(30, "one writable server", || {
            let w = self.writable();
            (w == [primary.to_string()])
                .then_some(())
                .ok_or(format!("{w:?}"))
        });
        eventually(30, "the writer port reaches the primary", || {
            let got = self.behind_writer_port();
            (got == primary).then_some(()).ok_or(got)
        });
        for s in self.servers.iter().filter(|s| *s != primary) {
            eventually(60, &format!("{s} replicates from {primary}"), || {
                let r = self.root.replica_of(s);
                (r == Some((primary.to_string(), "Yes".into(), "Yes".into())))
                    .then_some(())
                    .ok_or(format!("{r:?}"))
            });
        }
        let mut missing = 0;
        for (client, table) in clients {
            // Acknowledgements first, then the rows: an ack read is a
            // commit that happened before the rows are read.
            let acks = acked(client);
            let on_primary = self.rows(primary, table);
            let lost: Vec<&u64> = acks.iter().filter(|n| !on_primary.contains(n)).collect();
            eprintln!(
                "{client}: {} acknowledged, {} missing on {primary}",
                acks.len(),
                lost.len()
            );
            missing += lost.len();
        }
        missing
    }
}

pub fn wait_acks(client: &str, more_than: usize) {
    eventually(30, &format!("{client} acknowledged writes"), || {
        let n = acked(client).len();
        (n > more_than).then_some(()).ok_or(n.to_string())
    });
}

/// The cluster `tugboat create` makes of the database template (a
/// primary `NAME-db1`, replicas `-db2` and `-db3`, HAProxy `NAME-lb`),
/// with the tables `app.w` (the application's client) and `app.r`
/// (root's); the config directory tugboat ran with; the run id that labels
/// the test's clients; and what removes them all when dropped.
pub struct Loaded {
    pub db: Db,
    pub dir: tempfile::TempDir,
    pub run: String,
    // Fields drop in order: the run's clients first, off the cluster's
    // network, then the cluster with its network.
    pub _clients: Cleanup,
    pub _cluster: ClusterCleanup,
}

pub fn create_cluster(prefix: &str) -> Loaded {
    let name = unique(prefix);
    let run = unique(&format!("{prefix}-run"));
    let cluster = ClusterCleanup(name.clone());
    let clients = Cleanup::new(&run);
    let dir = tempfile::tempdir().unwrap();
    let spec = format!(
        "name = \"{name}\"\ntemplate = \"database\"\n[database]\nimage = \"{MARIADB}\"\nhaproxy_image = \"{}\"\nreplicas = 2\n",
        HAPROXY
    );
    let (code, out, err) = create(dir.path(), &spec, &["--json"]);
    assert_eq!(code, 0, "{out}\n{err}");
    let report: serde_json::Value = serde_json::from_str(&out).unwrap();
    let db = Db {
        servers: (1..=3).map(|i| format!("{name}-db{i}")).collect(),
        lb: format!("{name}-lb"),
        root: Root::new(report["root_password"].as_str().unwrap()),
        app_pw: report["app_password"].as_str().unwrap().into(),
        name,
    };
    db.sql(
        &db.servers[0],
        "CREATE TABLE app.w (n BIGINT PRIMARY KEY); CREATE TABLE app.r (n BIGINT PRIMARY KEY)",
    );
    // Made by create: only the primary takes writes, from the start and
    // after a restart of a replica (its role file says so).
    assert_eq!(db.writable(), [db.servers[0].clone()], "right after create");
    docker(&["restart", &db.servers[2]]);
    eventually(60, "the restarted replica read-only", || {
        match db
            .root
            .sql(&db.servers[2], "SELECT @@global.read_only")?
            .as_str()
        {
            "1" => Ok(()),
            other => Err(format!("read_only = {other}")),
        }
    });
    Loaded {
        db,
        dir,
        run,
        _clients: clients,
        _cluster: cluster,
    }
}
