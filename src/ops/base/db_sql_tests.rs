use super::*;

fn creds() -> ReplCredentials<'static> {
    ReplCredentials {
        user: "repl",
        password: "pw'x",
    }
}

fn repoint(port: u16, from_own_binlog: bool) -> DbStatement {
    DbStatement::ReplicateFrom {
        source_host: "db2".into(),
        source_port: port,
        from_own_binlog,
        account_of: None,
    }
}

fn position(flavor: DbFlavor, text: &str) -> GtidPosition {
    GtidPosition::parse(flavor, text).unwrap()
}

#[test]
fn mariadb_statements() {
    let f = DbFlavor::Mariadb;
    let sql = |s: &DbStatement, c: Option<&ReplCredentials>| statement_sql(f, s, c).unwrap();
    assert_eq!(
        sql(&DbStatement::ReadOnly { on: true }, None),
        "SET GLOBAL read_only=1"
    );
    assert_eq!(
        sql(&DbStatement::Promote, None),
        "STOP SLAVE; RESET SLAVE ALL; SET GLOBAL read_only=0"
    );
    assert_eq!(
        sql(&repoint(3306, true), Some(&creds())),
        format!(
            "{LITERAL_MODE}; STOP SLAVE; SET GLOBAL gtid_slave_pos=@@gtid_binlog_pos; CHANGE MASTER TO \
             MASTER_HOST='db2', MASTER_PORT=3306, MASTER_USER='repl', MASTER_PASSWORD='pw''x', \
             MASTER_USE_GTID=slave_pos; SET GLOBAL read_only=1; START SLAVE"
        )
    );
    let kept = sql(&repoint(3307, false), None);
    assert!(kept.contains("MASTER_HOST='db2', MASTER_PORT=3307, MASTER_USE_GTID=slave_pos"));
    assert!(!kept.contains("gtid_slave_pos=") && !kept.contains("MASTER_USER"));
    assert_eq!(
        wait_sql(&position(f, "0-1-42"), 30),
        "SELECT MASTER_GTID_WAIT('0-1-42', 30)"
    );
    assert_eq!(position_sql(f), "SELECT @@gtid_binlog_pos");
}

#[test]
fn mysql_84_statements() {
    let f = DbFlavor::from_version("8.4.3");
    assert_eq!(f, DbFlavor::Mysql);
    let sql = |s: &DbStatement, c: Option<&ReplCredentials>| statement_sql(f, s, c).unwrap();
    assert_eq!(
        sql(&DbStatement::ReadOnly { on: true }, None),
        "SET GLOBAL super_read_only=ON"
    );
    assert!(sql(&DbStatement::Promote, None)
        .starts_with("STOP REPLICA; RESET REPLICA ALL; SET GLOBAL super_read_only=OFF"));
    assert_eq!(
        sql(&repoint(3306, true), Some(&creds())),
        format!(
            "{LITERAL_MODE}; STOP REPLICA; CHANGE REPLICATION SOURCE TO SOURCE_HOST='db2', SOURCE_PORT=3306, \
             SOURCE_USER='repl', SOURCE_PASSWORD='pw''x', SOURCE_AUTO_POSITION=1, \
             GET_SOURCE_PUBLIC_KEY=1; SET GLOBAL super_read_only=ON; START REPLICA"
        )
    );
    let set = "3e11fa47-71ca-11e1-9e33-c80aa9429562:1-5";
    assert_eq!(
        wait_sql(&position(f, set), 10),
        format!("SELECT WAIT_FOR_EXECUTED_GTID_SET('{set}', 10)")
    );
    let GtidPosition::Mysql(parsed) = position(f, set) else {
        panic!("a MySQL set")
    };
    assert_eq!(
        gtid_subtract_sql(&parsed),
        format!("SELECT GTID_SUBTRACT('{set}', @@global.gtid_executed)")
    );
    assert_eq!(position_sql(f), "SELECT @@gtid_executed");
    assert_eq!(received_field(f), "Retrieved_Gtid_Set");
}

/// Reads a single-quoted literal the way a server in NO_BACKSLASH_ESCAPES
/// mode does (`LITERAL_MODE`): the value, and what follows the literal.
fn read_literal(sql: &str) -> Option<(String, &str)> {
    let mut rest = sql.strip_prefix('\'')?;
    let mut value = String::new();
    loop {
        let end = rest.find('\'')?;
        value.push_str(&rest[..end]);
        rest = &rest[end + 1..];
        match rest.strip_prefix('\'') {
            Some(after) => {
                value.push('\'');
                rest = after;
            }
            None => return Some((value, rest)),
        }
    }
}

#[test]
fn a_quoted_value_reads_back_whole_and_never_ends_early() {
    for value in [
        "",
        "pw'x",
        "'",
        "''",
        "\\",
        "a\\",
        "\\'",
        "a\\'; \\! touch /tmp/pwned; SELECT '",
        "'); DROP TABLE t; --",
        "\\! touch /tmp/pwned",
        "ünï ☃ 密码",
        "\"double\" `back`",
    ] {
        let quoted = sql_string("password", value).unwrap();
        assert_eq!(
            read_literal(&quoted),
            Some((value.to_string(), "")),
            "{value:?} as {quoted}"
        );
        // No backslash is added: none is read as an escape in this mode.
        assert_eq!(quoted.matches('\\').count(), value.matches('\\').count());
    }
    let long = "x'".repeat(MAX_VALUE / 2);
    assert_eq!(
        read_literal(&sql_string("p", &long).unwrap()),
        Some((long, ""))
    );
}

#[test]
fn control_characters_and_huge_values_are_refused_without_repeating_them() {
    for value in ["a\0b", "a\nb", "a\rb", "a\tb", "x\u{1b}[2J", "\u{85}"] {
        let e = sql_string("replication password", value).unwrap_err();
        assert_eq!(
            e,
            SqlValueError::Control {
                what: "replication password"
            }
        );
        assert!(!e.to_string().contains(value), "{e}");
    }
    let e = sql_string("source host", &"h".repeat(MAX_VALUE + 1)).unwrap_err();
    assert_eq!(
        e,
        SqlValueError::TooLong {
            what: "source host"
        }
    );
    // statement_sql refuses rather than building a statement.
    let bad = ReplCredentials {
        user: "repl",
        password: "pw\nSTART SLAVE",
    };
    let e = statement_sql(DbFlavor::Mariadb, &repoint(3306, true), Some(&bad)).unwrap_err();
    assert!(e.to_string().contains("replication password"), "{e}");
}

#[test]
fn statements_with_literals_set_the_literal_mode_first() {
    for flavor in [DbFlavor::Mariadb, DbFlavor::Mysql] {
        let hostile = ReplCredentials {
            user: "r\\",
            password: "p\\'; \\! touch /tmp/pwned; --",
        };
        let sql = statement_sql(flavor, &repoint(3306, false), Some(&hostile)).unwrap();
        assert!(sql.starts_with(LITERAL_MODE), "{sql}");
        let (_, after_user) = sql.split_once("_USER=").unwrap();
        let (user, rest) = read_literal(after_user).unwrap();
        assert_eq!(user, "r\\");
        let (_, after_pw) = rest.split_once("_PASSWORD=").unwrap();
        let (password, rest) = read_literal(after_pw).unwrap();
        assert_eq!(password, hostile.password);
        assert!(rest.starts_with(", "), "{rest}");
    }
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
