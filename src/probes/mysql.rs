//! MySQL / MariaDB replication answers, parsed from the client's vertical
//! (`\G`, `-E`) output into `model::answers::mysql`. MariaDB's names
//! (`Slave_IO_Running`, `Seconds_Behind_Master`) and MySQL 8.4's
//! (`Replica_IO_Running`, `Seconds_Behind_Source`) both parse.

use std::collections::BTreeMap;

use crate::model::answers::mysql::{DbProbe, ReplicaStatus, ThreadState};
use crate::model::answers::ProbeError;
use crate::model::{sanitize_multiline, SafeText};

/// Rows of a `\G` answer, each a column → value map; the server's text
/// sanitized first (values keep the line breaks of wrapped GTID sets).
pub fn parse_vertical(text: &str) -> Vec<BTreeMap<String, SafeText>> {
    let text = sanitize_multiline(text);
    let mut rows: Vec<BTreeMap<String, String>> = Vec::new();
    let mut current: Option<BTreeMap<String, String>> = None;
    let mut last_key: Option<String> = None;
    for line in text.lines() {
        if line.starts_with("***") && line.contains(". row") {
            rows.extend(current.take());
            current = Some(BTreeMap::new());
            last_key = None;
            continue;
        }
        let Some(row) = current.as_mut() else {
            continue;
        };
        match line
            .split_once(": ")
            .or_else(|| line.strip_suffix(':').map(|k| (k, "")))
        {
            Some((key, value)) if !key.trim().is_empty() && !key.trim().contains(' ') => {
                let key = key.trim().to_string();
                row.insert(key.clone(), value.to_string());
                last_key = Some(key);
            }
            // GTID sets wrap onto continuation lines.
            _ => {
                if let Some(value) = last_key.as_ref().and_then(|k| row.get_mut(k)) {
                    value.push('\n');
                    value.push_str(line.trim());
                }
            }
        }
    }
    rows.extend(current);
    // Already clean: these only carry the type.
    rows.into_iter()
        .map(|row| {
            row.into_iter()
                .map(|(k, v)| (k, SafeText::from_foreign_multiline(&v)))
                .collect()
        })
        .collect()
}

/// A `Slave_IO_Running`-style cell.
fn thread_state(s: &str) -> ThreadState {
    match s.trim() {
        "Yes" => ThreadState::Yes,
        "No" => ThreadState::No,
        "Connecting" => ThreadState::Connecting,
        _ => ThreadState::Unknown,
    }
}

/// The first channel of `SHOW SLAVE STATUS` / `SHOW REPLICA STATUS`; None
/// when the server replicates from nobody.
pub fn replica_status(text: &str) -> Option<ReplicaStatus> {
    let rows = parse_vertical(text);
    let row = rows.first()?;
    let raw = |names: &[&str]| {
        names
            .iter()
            .find_map(|n| row.get(*n))
            .map(|v| v.trim().to_string())
            .unwrap_or_default()
    };
    // One line each: an error's line breaks become `?`.
    let get = |names: &[&str]| SafeText::from_foreign(&raw(names));
    let seconds = raw(&["Seconds_Behind_Master", "Seconds_Behind_Source"]);
    Some(ReplicaStatus {
        source_host: get(&["Master_Host", "Source_Host"]),
        source_port: raw(&["Master_Port", "Source_Port"]).parse().ok(),
        io_running: thread_state(&raw(&["Slave_IO_Running", "Replica_IO_Running"])),
        sql_running: thread_state(&raw(&["Slave_SQL_Running", "Replica_SQL_Running"])),
        seconds_behind: seconds.parse().ok(),
        gtid_position: SafeText::from_foreign(
            &raw(&["Gtid_IO_Pos", "Executed_Gtid_Set"]).replace('\n', ""),
        ),
        last_io_error: get(&["Last_IO_Error"]),
        last_sql_error: get(&["Last_SQL_Error"]),
    })
}

/// Run inside a MySQL or MariaDB container with the root password in the
/// exec's `MYSQL_PWD` (never on the command line). Each section is one
/// statement; where MariaDB and MySQL 8.4 differ, the other form is tried.
/// Each is bounded (`probes::limit`, after whose prelude this goes, see
/// `probe_script`): a mysqld that accepts and never answers leaves no
/// client behind, and after one time-out nothing more is asked. MariaDB's
/// server also ends a statement of the probe that runs too long
/// (`max_statement_time`), which a killed client would not.
pub const PROBE_SCRIPT: &str = r#"
c=$(command -v mariadb || command -v mysql) || { echo "tugboat: no mariadb or mysql client in this container"; exit 0; }
init=
case $("$c" --version 2>/dev/null) in *MariaDB*) init="--init-command=SET SESSION max_statement_time=$tb_secs";; esac
q() { tb_bounded "$c" --binary-mode --protocol=tcp -h127.0.0.1 -P"${MYSQL_TCP_PORT:-3306}" -u"${TUGBOAT_DB_USER:-root}" --connect-timeout="$tb_secs" ${init:+"$init"} -E -e "$1" 2>&1; }
either() { out=$(q "$1"); rc=$?; case "$out" in ERROR*) out=$(q "$2"); rc=$?;; esac; printf '%s\n' "$out"; [ $rc -ne 124 ] || exit 0; }
echo "--- state"
q "SELECT @@server_id AS server_id, @@read_only AS read_only, @@version AS version"
if [ $? -eq 124 ]; then exit 0; fi
echo "--- gtid"
either "SELECT @@gtid_current_pos AS gtid" "SELECT @@gtid_executed AS gtid"
echo "--- replica"
either "SHOW REPLICA STATUS" "SHOW SLAVE STATUS"
echo "--- replicas"
either "SHOW SLAVE HOSTS" "SHOW REPLICAS"
"#;

/// Parse the probe script's output. An error (no client, access denied,
/// server down) is returned as (sanitized) text for the panes to show.
pub fn parse_probe(output: &str) -> Result<DbProbe, ProbeError> {
    let section = |name: &str| {
        let marker = format!("--- {name}\n");
        output
            .split_once(&marker)
            .map(|(_, rest)| rest.split("\n--- ").next().unwrap_or(rest))
            .unwrap_or("")
    };
    let state = section("state");
    if let Some(error) = output.lines().find(|l| l.starts_with("tugboat: ")) {
        return Err(ProbeError::foreign(error.trim_start_matches("tugboat: ")));
    }
    if let Some(error) = state.lines().find(|l| l.starts_with("ERROR")) {
        return Err(ProbeError::foreign(error));
    }
    let rows = parse_vertical(state);
    let Some(row) = rows.first() else {
        return Err(ProbeError::foreign(&format!(
            "no answer from the server: {}",
            output.lines().next().unwrap_or("")
        )));
    };
    let gtid = parse_vertical(section("gtid"))
        .first()
        .and_then(|r| r.get("gtid"))
        .map(|g| SafeText::from_foreign(&g.replace('\n', "")))
        .unwrap_or_default();
    let replica_text = section("replica");
    let replicas = parse_vertical(section("replicas"))
        .iter()
        .filter_map(|r| r.get("Host"))
        .map(|h| SafeText::from_foreign(h))
        .collect();
    Ok(DbProbe {
        server_id: row.get("server_id").and_then(|v| v.trim().parse().ok()),
        read_only: row.get("read_only").is_some_and(|v| v.trim() == "1"),
        version: row
            .get("version")
            .map(|v| SafeText::from_foreign(v.trim()))
            .unwrap_or_default(),
        gtid,
        replica: if replica_text.starts_with("ERROR") {
            None
        } else {
            replica_status(replica_text)
        },
        replicas,
    })
}

/// The names under which a container's root password may be set.
pub const PASSWORD_VARS: [&str; 2] = ["MARIADB_ROOT_PASSWORD", "MYSQL_ROOT_PASSWORD"];
/// The official images' Docker-secret form: the password is in a file in
/// the container, read there (by `with_password_file`), never by tugboat.
pub const PASSWORD_FILE_VARS: [&str; 2] =
    ["MARIADB_ROOT_PASSWORD_FILE", "MYSQL_ROOT_PASSWORD_FILE"];

/// The probe, run with `sh -c`: `PROBE_SCRIPT` after the time-limit
/// prelude and the password file.
pub fn probe_script() -> String {
    super::limit::bounded(&with_password_file(PROBE_SCRIPT))
}

/// `script` preceded by reading the root password from the file named in
/// `TUGBOAT_DB_PASSWORD_FILE` into `MYSQL_PWD`, when no password came.
pub fn with_password_file(script: &str) -> String {
    format!(
        "[ -n \"${{MYSQL_PWD:-}}\" ] || [ -z \"${{TUGBOAT_DB_PASSWORD_FILE:-}}\" ] || \
         {{ MYSQL_PWD=$(cat \"$TUGBOAT_DB_PASSWORD_FILE\") && export MYSQL_PWD; }}\n{script}"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vertical_rows_and_continuations() {
        let text = "*************************** 1. row ***************************\n\
                    \x20        Master_Host: db1\n\
                    \x20   Executed_Gtid_Set: 3e11fa47-71ca-11e1-9e33-c80aa9429562:1-5,\n\
                    4d22fb58-71ca-11e1-9e33-c80aa9429562:1-3\n\
                    \x20      Last_IO_Error: \n";
        let rows = parse_vertical(text);
        assert_eq!(rows.len(), 1);
        assert_eq!(rows[0]["Master_Host"], "db1");
        assert!(
            rows[0]["Executed_Gtid_Set"].ends_with("\n4d22fb58-71ca-11e1-9e33-c80aa9429562:1-3")
        );
        assert_eq!(rows[0]["Last_IO_Error"], "");
    }

    #[test]
    fn no_row_means_not_a_replica() {
        assert_eq!(replica_status(""), None);
    }
}
