//! Replication set up by tugboat itself, so it works the same with the
//! official MariaDB and MySQL images: a replication user on the primary,
//! then each replica pointed at it with GTID positioning.
//!
//! Secrets never reach a command line: the scripts read the replication
//! password from the container's own environment (the plan put it there)
//! and root's from the exec's `MYSQL_PWD`; the SQL goes to the client on
//! its standard input, built by the shell's builtin printf.
//!
//! A server that takes the TCP connection and never answers must not hang
//! the creation: the client gives up connecting after `CONNECT_SECS`, and
//! every client run is ended inside the container when the exec's time is
//! up (`tb_bounded`); only exit code 0 counts as done.

use crate::ops::error::{StepError, StepResult};
use std::time::{Duration, Instant};

use super::plan::{CreatePlan, Object, Setup};
use super::spec::DbFlavor;
use crate::docker::{ExecPurpose, HostHandle};
use crate::model::sanitize;
use crate::ops::db_sql::LITERAL_MODE;

/// Common head: the client, and a quoting function for SQL strings: quotes
/// doubled, for a session in `LITERAL_MODE` (every statement list below
/// starts with it), where a backslash is an ordinary character whatever
/// mode the server runs in. `--binary-mode`: the client runs no `\!`
/// command found in its input. The client's connect timeout (seconds) is
/// `CONNECT_SECS`.
const PRELUDE: &str = r#"
c=$(command -v mariadb || command -v mysql) || { echo "no mariadb or mysql client in this container" >&2; exit 1; }
esc() { printf '%s' "$1" | sed -e "s/'/''/g"; }
sql() { tb_bounded "$c" --binary-mode --protocol=tcp --connect-timeout="$tb_connect" -h127.0.0.1 -P"${MYSQL_TCP_PORT:-3306}" -uroot "$@"; }
"#;

/// How long the client waits for the server to take its connection.
pub const CONNECT_SECS: u64 = 5;

/// How long one setup script may take as a whole (the client ended inside
/// the container a little before).
const SCRIPT_LIMIT: Duration = Duration::from_secs(20);

/// `body` after the time-limit prelude and `PRELUDE`.
fn script(body: &str) -> String {
    crate::probes::limit::bounded(&format!("tb_connect={CONNECT_SECS}{PRELUDE}{body}"))
}

/// Exits 0 once the server takes a root connection over TCP (the official
/// entrypoints run a socket-only server while initialising).
pub fn ping_script() -> String {
    script("sql -e 'SELECT 1' >/dev/null\n")
}

pub fn replication_user_script(flavor: DbFlavor) -> String {
    let grant = match flavor {
        DbFlavor::Mariadb => "REPLICATION SLAVE",
        DbFlavor::Mysql => "REPLICATION SLAVE, REPLICATION CLIENT",
    };
    script(&format!(
        "u=$(esc \"$TUGBOAT_REPLICATION_USER\"); p=$(esc \"$TUGBOAT_REPLICATION_PASSWORD\"); a=$(esc \"$TUGBOAT_APP_PASSWORD\")\n\
         printf \"{LITERAL_MODE};\\nCREATE USER '%s'@'%%' IDENTIFIED BY '%s';\\nGRANT {grant} ON *.* TO '%s'@'%%';\\n\" \"$u\" \"$p\" \"$u\" | sql\n\
         printf \"{LITERAL_MODE};\\nCREATE DATABASE IF NOT EXISTS app;\\nCREATE USER 'app'@'%%' IDENTIFIED BY '%s';\\nGRANT ALL PRIVILEGES ON app.* TO 'app'@'%%';\\n\" \"$a\" | sql\n"
    ))
}

pub fn start_replica_script(flavor: DbFlavor) -> String {
    let sql = match flavor {
        DbFlavor::Mariadb => {
            "CHANGE MASTER TO MASTER_HOST='%s', MASTER_PORT=3306, MASTER_USER='%s', \
             MASTER_PASSWORD='%s', MASTER_USE_GTID=slave_pos, MASTER_CONNECT_RETRY=2;\\nSTART SLAVE;\\n\
             SET GLOBAL read_only=ON;\\n"
        }
        DbFlavor::Mysql => {
            "CHANGE REPLICATION SOURCE TO SOURCE_HOST='%s', SOURCE_PORT=3306, SOURCE_USER='%s', \
             SOURCE_PASSWORD='%s', SOURCE_AUTO_POSITION=1, GET_SOURCE_PUBLIC_KEY=1, \
             SOURCE_CONNECT_RETRY=2;\\nSTART REPLICA;\\n\
             SET PERSIST read_only=ON;\\nSET PERSIST super_read_only=ON;\\n"
        }
    };
    script(&format!(
        "h=$(esc \"$TUGBOAT_PRIMARY\"); u=$(esc \"$TUGBOAT_REPLICATION_USER\"); p=$(esc \"$TUGBOAT_REPLICATION_PASSWORD\")\n\
         printf \"{LITERAL_MODE};\\n{sql}\" \"$h\" \"$u\" \"$p\" | sql\n"
    ))
}

/// The flavor and root password of a planned database container (the
/// password from the plan's own environment entries, kept in memory).
fn db_of(plan: &CreatePlan, name: &str) -> Option<(DbFlavor, String)> {
    plan.objects.iter().find_map(|o| match o {
        Object::Container(c) if c.name == name => {
            let flavor = match c.labels.get(crate::model::LABEL_TUGBOAT_ROLE)?.as_str() {
                "mysql" => DbFlavor::Mysql,
                _ => DbFlavor::Mariadb,
            };
            let password = c.env.iter().find_map(|e| {
                let (k, v) = e.split_once('=')?;
                crate::probes::mysql::PASSWORD_VARS
                    .contains(&k)
                    .then(|| v.to_string())
            })?;
            Some((flavor, password))
        }
        _ => None,
    })
}

async fn run_sql_script(
    h: &HostHandle,
    container: &str,
    script: &str,
    env: Vec<String>,
) -> StepResult {
    let out = h
        .exec(
            container,
            &["sh", "-c", script],
            &env,
            ExecPurpose::Change,
            SCRIPT_LIMIT,
        )
        .await?;
    if out.exit_code != Some(0) {
        let why = out
            .stderr
            .lines()
            .chain(out.stdout.lines())
            .next()
            .unwrap_or("the engine gave no exit code");
        return Err(StepError::Failed(format!("{container}: {}", sanitize(why))));
    }
    Ok(())
}

/// Wait (until `deadline`) for the server in `container` to take
/// connections; fails at once if its container stopped.
async fn wait_accepting(
    h: &HostHandle,
    container: &str,
    password: &str,
    deadline: Instant,
) -> StepResult {
    let script = ping_script();
    loop {
        let env = vec![format!("MYSQL_PWD={password}")];
        let last = match run_sql_script(h, container, &script, env).await {
            Ok(()) => return Ok(()),
            Err(e) => e,
        };
        // A server that exited will never answer: say so at once.
        if let Ok(state) = h.run_state(container).await {
            if !state.running {
                return Err(super::failure::stopped(h, container, &state).await);
            }
        }
        if Instant::now() >= deadline {
            return Err(StepError::Failed(format!(
                "{container} did not accept connections in time ({last})"
            )));
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
}

/// One setup step. Returns what was done, for the progress line.
pub async fn run_setup(
    plan: &CreatePlan,
    step: &Setup,
    h: &HostHandle,
    deadline: Instant,
) -> StepResult<String> {
    match step {
        Setup::ReplicationUser {
            primary,
            app_password,
            ..
        } => {
            let (flavor, password) = db_of(plan, primary).ok_or_else(|| {
                StepError::Failed(format!("{primary}: no root password in its plan"))
            })?;
            wait_accepting(h, primary, &password, deadline).await?;
            // The application password travels in the exec's environment
            // only: it is in no container's configuration.
            let env = vec![
                format!("MYSQL_PWD={password}"),
                format!("TUGBOAT_APP_PASSWORD={}", app_password.expose()),
            ];
            run_sql_script(h, primary, &replication_user_script(flavor), env).await?;
            Ok(format!(
                "replication user and application account created on {primary}"
            ))
        }
        Setup::StartReplica {
            replica, primary, ..
        } => {
            let (flavor, password) = db_of(plan, replica).ok_or_else(|| {
                StepError::Failed(format!("{replica}: no root password in its plan"))
            })?;
            wait_accepting(h, replica, &password, deadline).await?;
            let env = vec![
                format!("MYSQL_PWD={password}"),
                format!("TUGBOAT_PRIMARY={primary}"),
            ];
            run_sql_script(h, replica, &start_replica_script(flavor), env).await?;
            Ok(format!("{replica} replicating from {primary}"))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mariadb_scripts_use_gtid_and_keep_secrets_off_the_command_line() {
        let user = replication_user_script(DbFlavor::Mariadb);
        assert!(
            user.contains("CREATE USER '%s'@'%%' IDENTIFIED BY '%s'"),
            "{user}"
        );
        assert!(user.contains("GRANT REPLICATION SLAVE ON *.*"), "{user}");
        assert!(user.contains("| sql"), "the SQL goes in on stdin: {user}");
        let replica = start_replica_script(DbFlavor::Mariadb);
        assert!(replica.contains("MASTER_USE_GTID=slave_pos"), "{replica}");
        assert!(replica.contains("START SLAVE;"), "{replica}");
        assert!(replica.contains("SET GLOBAL read_only=ON;"), "{replica}");
        assert!(replica.contains("\"$TUGBOAT_REPLICATION_PASSWORD\""));
        // Nothing but the client's options on its command line.
        assert!(!PRELUDE.contains(" -p") && !PRELUDE.contains("--password"));
    }

    #[test]
    fn mysql_uses_its_own_replication_syntax() {
        let replica = start_replica_script(DbFlavor::Mysql);
        assert!(replica.contains("CHANGE REPLICATION SOURCE TO SOURCE_HOST='%s'"));
        assert!(replica.contains("SOURCE_AUTO_POSITION=1"));
        assert!(replica.contains("START REPLICA;"));
        assert!(
            replica.contains("SET PERSIST super_read_only=ON;"),
            "{replica}"
        );
        assert!(!replica.contains("MASTER_"), "{replica}");
        let user = replication_user_script(DbFlavor::Mysql);
        assert!(user.contains("REPLICATION SLAVE, REPLICATION CLIENT"));
    }

    #[test]
    fn the_quoting_function_doubles_quotes_and_leaves_backslashes() {
        let esc = PRELUDE.lines().find(|l| l.starts_with("esc()")).unwrap();
        let out = std::process::Command::new("sh")
            .arg("-c")
            .arg(format!("{esc}\nesc \"$X\""))
            .env("X", r"it's a \ test")
            .output()
            .unwrap();
        assert_eq!(String::from_utf8_lossy(&out.stdout), r"it''s a \ test");
        // Every statement list runs in the mode where that is all the
        // quoting there is.
        for s in [
            replication_user_script(DbFlavor::Mariadb),
            start_replica_script(DbFlavor::Mysql),
        ] {
            assert!(s.contains("NO_BACKSLASH_ESCAPES"), "{s}");
            assert!(s.contains("--binary-mode"), "{s}");
        }
    }

    #[test]
    fn a_server_that_never_answers_ends_the_client_in_its_time() {
        // A client that hangs as on a server that took the connection and
        // says nothing; it notes the options it was given.
        let dir = tempfile::tempdir().unwrap();
        let client = dir.path().join("mariadb");
        let args = dir.path().join("args");
        std::fs::write(
            &client,
            format!(
                "#!/bin/sh\necho \"$@\" > {}\nexec sleep 30\n",
                args.display()
            ),
        )
        .unwrap();
        std::fs::set_permissions(&client, std::os::unix::fs::PermissionsExt::from_mode(0o755))
            .unwrap();
        let path = format!(
            "{}:{}",
            dir.path().display(),
            std::env::var("PATH").unwrap()
        );
        let started = Instant::now();
        let out = std::process::Command::new("sh")
            .arg("-c")
            .arg(ping_script())
            .env("PATH", path)
            .env("TUGBOAT_LIMIT", "1.0")
            .output()
            .unwrap();
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "{:?}",
            started.elapsed()
        );
        assert_eq!(out.status.code(), Some(124), "{out:?}");
        let given = std::fs::read_to_string(&args).unwrap();
        assert!(given.contains("--connect-timeout=5 "), "{given}");
        assert!(ping_script().starts_with(crate::probes::limit::BOUNDED_FN));
    }
}
