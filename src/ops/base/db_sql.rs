//! The SQL a database switchover or failover sends, for MariaDB and for
//! MySQL 8.4 (whose replication statements use other names), and GTID
//! positions compared by how much they hold. Pure: the runner execs it.
//!
//! Replication credentials are filled in only when a statement is run
//! (`statement_sql` with `ReplCredentials`); plans and audit records hold
//! the statement kind, never the password.

use serde::{Deserialize, Serialize};

#[path = "db_gtid.rs"]
pub mod gtid;
pub use gtid::{GtidSyntax, MariadbGtidList, MysqlGtidSet, UnfitGtid};

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
    /// kept for this cluster (src/ops/base/db_account.rs); None: it keeps the
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

/// Statements with string literals run in this mode first: in it a
/// backslash is an ordinary character, so doubling quotes is all the
/// quoting there is (`sql_string`), whatever mode the server was set to.
/// Without it, a value ending in `\\` would end its string early in the
/// default mode, and backslash-quoting would end it in this one. The
/// session's other modes are kept.
pub const LITERAL_MODE: &str =
    "SET SESSION sql_mode=CONCAT_WS(',', NULLIF(@@SESSION.sql_mode, ''), 'NO_BACKSLASH_ESCAPES')";

/// Longest value put into a statement (an account name, a password, a host).
const MAX_VALUE: usize = 1024;

/// Why a value cannot go into a statement. The value is not repeated: it
/// may be the password.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SqlValueError {
    #[error(
        "the {what} holds a control character (a NUL, tab or line break): no server takes such a one, \
         and it is not put into SQL"
    )]
    Control { what: &'static str },
    #[error("the {what} is longer than {MAX_VALUE} bytes: not put into SQL")]
    TooLong { what: &'static str },
}

/// `value` as a single-quoted SQL string for a session in `LITERAL_MODE`:
/// quotes doubled, nothing else touched. Control characters are refused:
/// a host, a user or a password never holds one, and a line break would
/// let the client read what follows as a new line of input.
pub fn sql_string(what: &'static str, value: &str) -> Result<String, SqlValueError> {
    if value.chars().any(char::is_control) {
        return Err(SqlValueError::Control { what });
    }
    if value.len() > MAX_VALUE {
        return Err(SqlValueError::TooLong { what });
    }
    Ok(format!("'{}'", value.replace('\'', "''")))
}

/// The statements for `stmt`, `;`-separated. Without credentials a
/// repointed replica keeps the account it has. A host, user or password
/// that cannot be a string literal is refused, never cut or escaped.
pub fn statement_sql(
    flavor: DbFlavor,
    stmt: &DbStatement,
    creds: Option<&ReplCredentials>,
) -> Result<String, SqlValueError> {
    use DbFlavor::*;
    Ok(match (flavor, stmt) {
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
            let host = sql_string("source host", source_host)?;
            let prefix = match flavor {
                Mariadb => "MASTER",
                Mysql => "SOURCE",
            };
            let account = match creds {
                Some(c) => format!(
                    ", {prefix}_USER={}, {prefix}_PASSWORD={}",
                    sql_string("replication user", c.user)?,
                    sql_string("replication password", c.password)?
                ),
                None => String::new(),
            };
            match flavor {
                Mariadb => {
                    let start_from = if *from_own_binlog {
                        "SET GLOBAL gtid_slave_pos=@@gtid_binlog_pos; "
                    } else {
                        ""
                    };
                    format!(
                        "{LITERAL_MODE}; STOP SLAVE; {start_from}CHANGE MASTER TO {prefix}_HOST={host}, \
                         {prefix}_PORT={source_port}{account}, MASTER_USE_GTID=slave_pos; \
                         SET GLOBAL read_only=1; START SLAVE"
                    )
                }
                Mysql => format!(
                    "{LITERAL_MODE}; STOP REPLICA; CHANGE REPLICATION SOURCE TO {prefix}_HOST={host}, \
                     {prefix}_PORT={source_port}{account}, SOURCE_AUTO_POSITION=1, \
                     GET_SOURCE_PUBLIC_KEY=1; SET GLOBAL super_read_only=ON; START REPLICA"
                ),
            }
        }
    })
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

/// A GTID position of either flavor, parsed from a server's answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum GtidPosition {
    Mariadb(MariadbGtidList),
    Mysql(MysqlGtidSet),
}

impl GtidPosition {
    /// `text` as `flavor`'s servers state a position; anything else is
    /// refused (`UnfitGtid::new` names the server that said it).
    pub fn parse(flavor: DbFlavor, text: &str) -> Result<Self, GtidSyntax> {
        Ok(match flavor {
            DbFlavor::Mariadb => Self::Mariadb(MariadbGtidList::parse(text)?),
            DbFlavor::Mysql => Self::Mysql(MysqlGtidSet::parse(text)?),
        })
    }
}

impl std::fmt::Display for GtidPosition {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Mariadb(list) => list.fmt(f),
            Self::Mysql(set) => set.fmt(f),
        }
    }
}

/// A server's unfit answer stops the step as a refusal: nothing was changed.
impl From<UnfitGtid> for super::error::StepError {
    fn from(e: UnfitGtid) -> Self {
        Self::Refused(e.to_string())
    }
}

/// Block until the server has applied `position` or `timeout_secs` pass;
/// the answer is 0 when it has (both functions), -1 (MariaDB) or 1 (MySQL)
/// on timeout. A parsed position's text is digits, hex, `-`, `:`, `,` and
/// tag letters only: nothing in it can end the literal.
pub fn wait_sql(position: &GtidPosition, timeout_secs: u64) -> String {
    match position {
        GtidPosition::Mariadb(list) => format!("SELECT MASTER_GTID_WAIT('{list}', {timeout_secs})"),
        GtidPosition::Mysql(set) => {
            format!("SELECT WAIT_FOR_EXECUTED_GTID_SET('{set}', {timeout_secs})")
        }
    }
}

/// What of `server`'s set (parsed: see `wait_sql`) the server this runs on
/// has not executed.
pub fn gtid_subtract_sql(server: &MysqlGtidSet) -> String {
    format!("SELECT GTID_SUBTRACT('{server}', @@global.gtid_executed)")
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
#[path = "db_sql_tests.rs"]
mod tests;
