//! Root's questions to a database cluster's MariaDB servers, and clients
//! that write numbered rows and record which the server acknowledged: one
//! set for the hand-made failover bed (its fixed password) and for a
//! cluster `tugboat create` made (the password it generated).

use std::collections::HashSet;
use std::process::Command;

use super::{docker, docker_run_on};

/// The MariaDB image of the test clusters, and of their clients.
pub const MARIADB: &str = "tugboat-test/mariadb:10.11";

/// Root on a cluster's servers: SQL run by the client inside a server's
/// own container, over TCP (so the entrypoint's temporary, socket-only
/// server never answers), the password handed to the exec in the
/// environment (never on a command line).
#[derive(Debug, Clone)]
pub struct Root {
    pub password: String,
}

impl Root {
    pub fn new(password: &str) -> Root {
        Root {
            password: password.into(),
        }
    }

    /// `statement` run in `server` with the client's output `format`
    /// (`-NB`: tab-separated rows; `-E`: one `field: value` a line): what
    /// it printed, or its error.
    pub fn client(&self, server: &str, format: &str, statement: &str) -> Result<String, String> {
        let out = Command::new("docker")
            .env("MYSQL_PWD", &self.password)
            .args(["exec", "-e", "MYSQL_PWD", server])
            .args(["mariadb", "--protocol=tcp", "-h127.0.0.1", "-uroot", format])
            .args(["-e", statement])
            .output()
            .map_err(|e| e.to_string())?;
        if out.status.success() {
            Ok(String::from_utf8_lossy(&out.stdout).trim().to_string())
        } else {
            Err(String::from_utf8_lossy(&out.stderr).to_string())
        }
    }

    /// `statement` in `server`: tab-separated rows.
    pub fn sql(&self, server: &str, statement: &str) -> Result<String, String> {
        self.client(server, "-NB", statement)
    }

    /// The numbers in `table`'s column `n` on `server` (`t.w`, `app.w`).
    pub fn rows(&self, server: &str, table: &str) -> Result<HashSet<u64>, String> {
        Ok(self
            .sql(server, &format!("SELECT n FROM {table}"))?
            .lines()
            .filter_map(|l| l.trim().parse().ok())
            .collect())
    }

    /// (Master_Host, Slave_IO_Running, Slave_SQL_Running) of a replica;
    /// none for a server that replicates from no one.
    pub fn replica_of(&self, server: &str) -> Option<(String, String, String)> {
        let text = self.client(server, "-E", "SHOW SLAVE STATUS").ok()?;
        let field = |f: &str| {
            text.lines()
                .find_map(|l| l.trim().strip_prefix(&format!("{f}: ")))
                .unwrap_or("")
                .to_string()
        };
        let host = field("Master_Host");
        (!host.is_empty()).then(|| (host, field("Slave_IO_Running"), field("Slave_SQL_Running")))
    }

    /// The sessions of a switchover's fence lock in `server`'s process
    /// list (0: released; `usize::MAX` when it cannot be asked).
    pub fn lock_sessions(&self, server: &str) -> usize {
        self.sql(
            server,
            "SELECT COUNT(*) FROM information_schema.PROCESSLIST WHERE INFO LIKE '%tugboat-fence%' AND ID <> CONNECTION_ID()",
        )
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(usize::MAX)
    }

    /// `server` replicates from `source`, both threads running.
    pub fn replicating_from(&self, server: &str, source: &str) -> bool {
        self.replica_of(server)
            .is_some_and(|(h, io, sqlt)| h == source && io == "Yes" && sqlt == "Yes")
    }
}

/// Starts client container `name` on network `net`, labelled `label`
/// (`KEY=VALUE`, for the test's cleanup), which inserts `first` + 1,
/// `first` + 2, … into `table` (column `n`), one connection a row every
/// 50 ms, as `mariadb ARGS` (`-hHOST`, `-uUSER`, …) with `password`, and
/// prints `ack N` for each row the server acknowledged. Returns `name`.
pub fn start_writer(
    name: &str,
    net: &str,
    label: &str,
    args: &[&str],
    password: &str,
    table: &str,
    first: u64,
) -> String {
    let script = format!(
        "i={first}; while :; do i=$((i+1)); if mariadb --connect-timeout=2 {} \
         -e \"INSERT INTO {table} VALUES ($i)\" 2>/dev/null; then echo ack $i; fi; sleep 0.05; done",
        args.join(" ")
    );
    let password = format!("MYSQL_PWD={password}");
    docker_run_on(
        name,
        net,
        label,
        &["-e", &password, MARIADB, "bash", "-c", &script],
    );
    name.to_string()
}

/// The rows writer container `writer` saw acknowledged, in order.
pub fn acked(writer: &str) -> Vec<u64> {
    docker(&["logs", writer])
        .lines()
        .filter_map(|l| l.strip_prefix("ack ")?.trim().parse().ok())
        .collect()
}
