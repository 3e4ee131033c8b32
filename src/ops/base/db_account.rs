//! The replication account a repointed server connects with. A replica
//! being repointed keeps the account it has; a former primary has none, so
//! one is found: in its own environment (the official image's
//! `MARIADB_/MYSQL_REPLICATION_*`, the template's `TUGBOAT_REPLICATION_*`),
//! else kept in memory by an earlier step of the same job, read from a
//! server that replicates with it (its environment, else its stored
//! replication settings: MariaDB's master.info, MySQL's
//! `mysql.slave_master_info`), else given by the operator
//! (`--replication-user` and `TUGBOAT_REPLICATION_PASSWORD`). The account
//! is never in a plan, the journal or the audit log: plans name where it
//! comes from, and the password lives only in this process's memory.

use std::collections::BTreeMap;
use std::sync::Mutex;

use crate::docker::ProbeContext;

/// The official images' variables, then the template's.
pub const REPL_USER_VARS: [&str; 3] = [
    "MARIADB_REPLICATION_USER",
    "MYSQL_REPLICATION_USER",
    "TUGBOAT_REPLICATION_USER",
];
pub const REPL_PASSWORD_VARS: [&str; 3] = [
    "MARIADB_REPLICATION_PASSWORD",
    "MYSQL_REPLICATION_PASSWORD",
    "TUGBOAT_REPLICATION_PASSWORD",
];

/// The environment variable the operator puts the password in (never an
/// argument: arguments are visible to every user of the machine).
pub const PASSWORD_ENV: &str = "TUGBOAT_REPLICATION_PASSWORD";

#[derive(Clone, PartialEq, Eq)]
pub struct ReplAccount {
    pub user: String,
    pub password: String,
}

impl std::fmt::Debug for ReplAccount {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "ReplAccount {{ user: {:?}, password: *** }}", self.user)
    }
}

impl ReplAccount {
    /// From a container's environment, when it names both parts.
    pub fn from_env(context: &ProbeContext) -> Option<Self> {
        let user = context.env_value(&REPL_USER_VARS)?;
        let password = context.env_value(&REPL_PASSWORD_VARS)?;
        (!user.is_empty()).then(|| Self {
            user: user.into(),
            password: password.into(),
        })
    }
}

/// Accounts kept for a cluster's jobs, by cluster name; `true`: the
/// operator's, which a job's own search does not replace.
static KEPT: Mutex<BTreeMap<String, (ReplAccount, bool)>> = Mutex::new(BTreeMap::new());

/// Keep the operator's `account` for `cluster`'s repoints in this process.
pub fn give(cluster: &str, account: ReplAccount) {
    if let Ok(mut kept) = KEPT.lock() {
        kept.insert(cluster.to_string(), (account, true));
    }
}

/// Keep an account a job found for `cluster`.
pub fn keep(cluster: &str, account: ReplAccount) {
    if let Ok(mut kept) = KEPT.lock() {
        kept.insert(cluster.to_string(), (account, false));
    }
}

/// The account kept for `cluster`, if any.
pub fn kept(cluster: &str) -> Option<ReplAccount> {
    KEPT.lock().ok()?.get(cluster).map(|(a, _)| a.clone())
}

/// Whether the operator gave the account for `cluster`.
pub fn given(cluster: &str) -> bool {
    KEPT.lock()
        .ok()
        .is_some_and(|k| k.get(cluster).is_some_and(|(_, given)| *given))
}

/// User and password from MariaDB's master.info: line 1 counts the lines,
/// then binlog file, position, host, user, password, port, …
pub fn parse_master_info(text: &str) -> Option<ReplAccount> {
    let lines: Vec<&str> = text.lines().collect();
    let user = lines.get(4)?.trim_end_matches('\r');
    let password = lines.get(5)?.trim_end_matches('\r');
    (!user.is_empty() && lines.first()?.trim().parse::<u32>().is_ok()).then(|| ReplAccount {
        user: user.into(),
        password: password.into(),
    })
}

/// User and password from `SELECT HEX(User_name), HEX(User_password) FROM
/// mysql.slave_master_info`: hex, because the client's batch output
/// escapes backslashes, tabs and line breaks (and the answer is sanitized
/// after), which would change the password. Two hex columns (the second
/// empty for an empty password), anything else is not taken.
pub fn parse_master_info_row(text: &str) -> Option<ReplAccount> {
    let mut columns = text.split_whitespace();
    let user = unhex(columns.next()?)?;
    let password = match columns.next() {
        Some(hex) => unhex(hex)?,
        None => String::new(),
    };
    (columns.next().is_none() && !user.is_empty()).then_some(ReplAccount { user, password })
}

/// Upper- or lower-case hex digits as UTF-8 text.
fn unhex(hex: &str) -> Option<String> {
    if !hex.len().is_multiple_of(2) || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    let bytes = (0..hex.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(hex.get(i..i + 2)?, 16).ok())
        .collect::<Option<Vec<u8>>>()?;
    String::from_utf8(bytes).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn master_info_as_mariadb_writes_it() {
        // Captured from a MariaDB 10.11 replica (password replaced).
        let text = "33\n\n4\naccdb-db1\nrepl\nS3cret pw\n3306\n60\n0\n";
        let got = parse_master_info(text).unwrap();
        assert_eq!(
            (got.user.as_str(), got.password.as_str()),
            ("repl", "S3cret pw")
        );
        assert_eq!(parse_master_info(""), None);
        assert_eq!(
            parse_master_info("33\n\n4\nhost\n\n\n3306\n"),
            None,
            "no user"
        );
        assert_eq!(
            parse_master_info("x\n\n4\nh\nu\np\n"),
            None,
            "not master.info"
        );
    }

    #[test]
    fn mysql_row() {
        // `repl` and `pw with space` and a line break, as the client prints two HEX() columns
        // (a tab, which the answer's sanitizing makes a space).
        let got = parse_master_info_row("7265706C 707720776974682073706163650A").unwrap();
        assert_eq!(
            (got.user.as_str(), got.password.as_str()),
            ("repl", "pw with space\n")
        );
        // Quotes, backslashes and `\!` come through as they are.
        let hostile = "p'w\\\"; \\! x";
        let hex: String = hostile.bytes().map(|b| format!("{b:02x}")).collect();
        let got = parse_master_info_row(&format!("7265706c\t{hex}")).unwrap();
        assert_eq!(got.password, hostile);
        assert_eq!(parse_master_info_row("7265706C").unwrap().password, "");
        for bad in [
            "",
            "\tAB",
            "72656",
            "7265706Z 41",
            "7265706C 41 41",
            "repl pw",
            "FF 41",
            "+7 41",
        ] {
            assert_eq!(parse_master_info_row(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn kept_per_cluster_and_never_printed() {
        let a = ReplAccount {
            user: "r".into(),
            password: "hunter2".into(),
        };
        keep("kept-test-a", a.clone());
        assert_eq!(kept("kept-test-a"), Some(a.clone()));
        assert!(!given("kept-test-a"));
        give("kept-test-a", a.clone());
        assert!(given("kept-test-a"));
        assert_eq!(kept("kept-test-b"), None);
        assert!(!format!("{a:?}").contains("hunter2"));
    }
}
