//! The SQL a database switchover or failover sends, for MariaDB and for
//! MySQL 8.4 (whose replication statements use other names), and GTID
//! positions compared by how much they hold. Pure: the runner execs it.
//!
//! Replication credentials are filled in only when a statement is run
//! (`statement_sql` with `ReplCredentials`); plans and audit records hold
//! the statement kind, never the password.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum DbFlavor {
    Mariadb,
    Mysql,
}

impl DbFlavor {
    /// From `@@version`: MariaDB says so in it, MySQL does not.
    pub fn from_version(version: &str) -> Self {
        if version.to_ascii_lowercase().contains("mariadb") {
            Self::Mariadb
        } else {
            Self::Mysql
        }
    }
}

/// What one switchover step asks of a server.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum DbStatement {
    /// Refuse writes (true) or take them again (false).
    ReadOnly { on: bool },
    /// Stop replicating, forget the source, take writes.
    Promote,
    /// Replicate from `source_host:source_port` by GTID, read-only.
    /// `from_own_binlog`: a former primary starts from what it wrote itself
    /// (MariaDB: its slave position is set from its binlog position first).
    /// `account_of`: without an account in its own environment, the one
    /// kept for this cluster (src/ops/db_account.rs); None: it keeps the
    /// account it replicates with.
    ReplicateFrom {
        source_host: String,
        source_port: u16,
        from_own_binlog: bool,
        account_of: Option<String>,
    },
}

/// The replication account, from the server's environment at run time.
pub struct ReplCredentials<'a> {
    pub user: &'a str,
    pub password: &'a str,
}

/// A value as the body of a single-quoted SQL string.
pub fn sql_quote(s: &str) -> String {
    s.replace('\\', "\\\\").replace('\'', "\\'")
}

/// The statements for `stmt`, `;`-separated. Without credentials a
/// repointed replica keeps the account it has.
pub fn statement_sql(
    flavor: DbFlavor,
    stmt: &DbStatement,
    creds: Option<&ReplCredentials>,
) -> String {
    use DbFlavor::*;
    match (flavor, stmt) {
        (Mariadb, DbStatement::ReadOnly { on }) => {
            format!("SET GLOBAL read_only={}", u8::from(*on))
        }
        (Mysql, DbStatement::ReadOnly { on: true }) => "SET GLOBAL super_read_only=ON".into(),
        (Mysql, DbStatement::ReadOnly { on: false }) => {
            "SET GLOBAL super_read_only=OFF; SET GLOBAL read_only=OFF".into()
        }
        (Mariadb, DbStatement::Promote) => {
            "STOP SLAVE; RESET SLAVE ALL; SET GLOBAL read_only=0".into()
        }
        (Mysql, DbStatement::Promote) => {
            "STOP REPLICA; RESET REPLICA ALL; SET GLOBAL super_read_only=OFF; SET GLOBAL read_only=OFF"
                .into()
        }
        (
            flavor,
            DbStatement::ReplicateFrom {
                source_host,
                source_port,
                from_own_binlog,
                ..
            },
        ) => {
            let host = sql_quote(source_host);
            let (prefix, account) = match flavor {
                Mariadb => ("MASTER", "MASTER"),
                Mysql => ("SOURCE", "SOURCE"),
            };
            let account = creds
                .map(|c| {
                    format!(
                        ", {account}_USER='{}', {account}_PASSWORD='{}'",
                        sql_quote(c.user),
                        sql_quote(c.password)
                    )
                })
                .unwrap_or_default();
            match flavor {
                Mariadb => {
                    let start_from = if *from_own_binlog {
                        "SET GLOBAL gtid_slave_pos=@@gtid_binlog_pos; "
                    } else {
                        ""
                    };
                    format!(
                        "STOP SLAVE; {start_from}CHANGE MASTER TO {prefix}_HOST='{host}', \
                         {prefix}_PORT={source_port}{account}, MASTER_USE_GTID=slave_pos; \
                         SET GLOBAL read_only=1; START SLAVE"
                    )
                }
                Mysql => format!(
                    "STOP REPLICA; CHANGE REPLICATION SOURCE TO {prefix}_HOST='{host}', \
                     {prefix}_PORT={source_port}{account}, SOURCE_AUTO_POSITION=1, \
                     GET_SOURCE_PUBLIC_KEY=1; SET GLOBAL super_read_only=ON; START REPLICA"
                ),
            }
        }
    }
}

/// The GTID position a server has written (a primary) or applied.
pub fn position_sql(flavor: DbFlavor) -> &'static str {
    match flavor {
        DbFlavor::Mariadb => "SELECT @@gtid_binlog_pos",
        DbFlavor::Mysql => "SELECT @@gtid_executed",
    }
}

/// The replica status statement (vertical output is parsed from it).
pub fn replica_status_sql(flavor: DbFlavor) -> &'static str {
    match flavor {
        DbFlavor::Mariadb => "SHOW SLAVE STATUS",
        DbFlavor::Mysql => "SHOW REPLICA STATUS",
    }
}

/// The replica-status field holding what a replica has received.
pub fn received_field(flavor: DbFlavor) -> &'static str {
    match flavor {
        DbFlavor::Mariadb => "Gtid_IO_Pos",
        DbFlavor::Mysql => "Retrieved_Gtid_Set",
    }
}

/// Block until the server has applied `gtid` or `timeout_secs` pass; the
/// answer is 0 when it has (both functions), -1 (MariaDB) or 1 (MySQL)
/// on timeout.
pub fn wait_sql(flavor: DbFlavor, gtid: &str, timeout_secs: u64) -> String {
    let gtid = sql_quote(gtid);
    match flavor {
        DbFlavor::Mariadb => format!("SELECT MASTER_GTID_WAIT('{gtid}', {timeout_secs})"),
        DbFlavor::Mysql => {
            format!("SELECT WAIT_FOR_EXECUTED_GTID_SET('{gtid}', {timeout_secs})")
        }
    }
}

/// How many transactions a GTID position stands for, to rank servers:
/// MariaDB `domain-server-seq` lists add up their sequence numbers, MySQL
/// `uuid:1-5:7` sets count their members. Unparsable parts count 0; the
/// sums saturate, since the server's text may name any number.
pub fn gtid_progress(position: &str) -> u64 {
    let mut total = 0u64;
    for part in position.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        if let Some((_, intervals)) = part.split_once(':') {
            for interval in intervals.split(':') {
                let (lo, hi) = interval.split_once('-').unwrap_or((interval, interval));
                if let (Ok(lo), Ok(hi)) = (lo.trim().parse::<u64>(), hi.trim().parse::<u64>()) {
                    total = total.saturating_add(hi.saturating_sub(lo).saturating_add(1));
                }
            }
        } else if let Some(seq) = part.rsplit('-').next() {
            total = total.saturating_add(seq.parse::<u64>().unwrap_or(0));
        }
    }
    total
}

#[cfg(test)]
mod tests {
    use super::*;

    fn creds() -> ReplCredentials<'static> {
        ReplCredentials {
            user: "repl",
            password: "pw'x",
        }
    }

    #[test]
    fn mariadb_statements() {
        let f = DbFlavor::Mariadb;
        assert_eq!(
            statement_sql(f, &DbStatement::ReadOnly { on: true }, None),
            "SET GLOBAL read_only=1"
        );
        assert_eq!(
            statement_sql(f, &DbStatement::Promote, None),
            "STOP SLAVE; RESET SLAVE ALL; SET GLOBAL read_only=0"
        );
        let repoint = DbStatement::ReplicateFrom {
            source_host: "db2".into(),
            source_port: 3306,
            from_own_binlog: true,
            account_of: None,
        };
        assert_eq!(
            statement_sql(f, &repoint, Some(&creds())),
            "STOP SLAVE; SET GLOBAL gtid_slave_pos=@@gtid_binlog_pos; CHANGE MASTER TO \
             MASTER_HOST='db2', MASTER_PORT=3306, MASTER_USER='repl', MASTER_PASSWORD='pw\\'x', \
             MASTER_USE_GTID=slave_pos; SET GLOBAL read_only=1; START SLAVE"
        );
        let keep = DbStatement::ReplicateFrom {
            source_host: "db2".into(),
            source_port: 3307,
            from_own_binlog: false,
            account_of: None,
        };
        let sql = statement_sql(f, &keep, None);
        assert!(sql.contains("MASTER_HOST='db2', MASTER_PORT=3307, MASTER_USE_GTID=slave_pos"));
        assert!(!sql.contains("gtid_slave_pos=") && !sql.contains("MASTER_USER"));
        assert_eq!(
            wait_sql(f, "0-1-42", 30),
            "SELECT MASTER_GTID_WAIT('0-1-42', 30)"
        );
        assert_eq!(position_sql(f), "SELECT @@gtid_binlog_pos");
    }

    #[test]
    fn mysql_84_statements() {
        let f = DbFlavor::from_version("8.4.3");
        assert_eq!(f, DbFlavor::Mysql);
        assert_eq!(
            statement_sql(f, &DbStatement::ReadOnly { on: true }, None),
            "SET GLOBAL super_read_only=ON"
        );
        assert!(statement_sql(f, &DbStatement::Promote, None)
            .starts_with("STOP REPLICA; RESET REPLICA ALL; SET GLOBAL super_read_only=OFF"));
        let repoint = DbStatement::ReplicateFrom {
            source_host: "db2".into(),
            source_port: 3306,
            from_own_binlog: true,
            account_of: None,
        };
        assert_eq!(
            statement_sql(f, &repoint, Some(&creds())),
            "STOP REPLICA; CHANGE REPLICATION SOURCE TO SOURCE_HOST='db2', SOURCE_PORT=3306, \
             SOURCE_USER='repl', SOURCE_PASSWORD='pw\\'x', SOURCE_AUTO_POSITION=1, \
             GET_SOURCE_PUBLIC_KEY=1; SET GLOBAL super_read_only=ON; START REPLICA"
        );
        assert_eq!(
            wait_sql(f, "3e11:1-5", 10),
            "SELECT WAIT_FOR_EXECUTED_GTID_SET('3e11:1-5', 10)"
        );
        assert_eq!(position_sql(f), "SELECT @@gtid_executed");
        assert_eq!(received_field(f), "Retrieved_Gtid_Set");
    }

    #[test]
    fn progress_ranks_positions() {
        assert_eq!(gtid_progress(""), 0);
        assert_eq!(gtid_progress("0-1-42"), 42);
        assert_eq!(gtid_progress("0-1-42,1-2-8"), 50);
        assert_eq!(
            gtid_progress("3e11fa47-71ca-11e1-9e33-c80aa9429562:1-5:7,4d22fb58-71ca:1-3"),
            9
        );
        assert!(gtid_progress("0-2-43") > gtid_progress("0-1-42"));
        // Huge numbers (found by fuzzing) saturate instead of overflowing.
        assert_eq!(gtid_progress("u:0-18446744073709551615"), u64::MAX);
        assert_eq!(gtid_progress("0-1-18446744073709551615,0-2-1"), u64::MAX);
        assert_eq!(
            DbFlavor::from_version("10.11.6-MariaDB-0+deb12u1-log"),
            DbFlavor::Mariadb
        );
    }
}
