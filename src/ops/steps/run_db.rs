//! Running switchover statements inside database containers: the client
//! is exec'd in the container, the SQL and every password travel in the
//! exec's environment (never on a command line, never in a plan or the
//! audit log), and answers are scrubbed of the replication password.

use crate::config::Settings;
use crate::docker::{ExecPurpose, HostError, HostHandle};
use crate::model::answers::mysql::ThreadState;
use crate::model::probed::ProbeResult;
use crate::ops::base::db_account::{self, ReplAccount};
use crate::ops::base::error::{StepError, StepResult};
use crate::probes::mysql::parse_vertical;
use crate::probes::run::{db_client_env, probe, ProbeKind};

use crate::ops::base::db_sql::{
    position_sql, received_field, replica_status_sql, statement_sql, wait_sql, DbFlavor,
    DbStatement, GtidPosition, ReplCredentials, UnfitGtid,
};

/// Feeds `$TUGBOAT_SQL` to the container's client on stdin; extra client
/// options come as arguments. Exits with the client's status, 124 when the
/// server did not answer within the exec's limit: the client is ended then
/// (`probes::limit`), not left waiting in the container. `--binary-mode`:
/// the client reads its input as SQL only, never as its own commands (`\!`
/// runs a shell, `\.` reads a file), whatever a statement quotes.
const SQL_SCRIPT: &str = r#"
c=$(command -v mariadb || command -v mysql) || { echo "tugboat: no mariadb or mysql client in this container"; exit 127; }
printf '%s\n' "$TUGBOAT_SQL" | tb_bounded "$c" --binary-mode --protocol=tcp -h127.0.0.1 -P"${MYSQL_TCP_PORT:-3306}" -u"${TUGBOAT_DB_USER:-root}" --connect-timeout="$tb_secs" "$@" 2>&1
"#;

/// Why a statement did not run: the engine, or the server's own answer.
#[derive(Debug, thiserror::Error)]
pub(crate) enum SqlError {
    #[error(transparent)]
    Host(#[from] HostError),
    /// `answer` is sanitized, with the secret blanked out.
    #[error("{container} said: {answer}")]
    ServerSaid { container: String, answer: String },
}

impl From<SqlError> for StepError {
    fn from(e: SqlError) -> Self {
        match e {
            SqlError::Host(e) => Self::Host(e),
            // What a service answered is a step's failure in words.
            said @ SqlError::ServerSaid { .. } => Self::Failed(said.to_string()),
        }
    }
}

/// Why a server does not (yet) replicate as wanted: what it shows.
#[derive(Debug, thiserror::Error)]
pub(crate) enum NotReplicating {
    /// The probe's own (sanitized) words.
    #[error("{0}")]
    ProbeFailed(String),
    #[error("no answer")]
    NoAnswer,
    #[error("not replicating")]
    NoReplica,
    #[error("replicating from {0}")]
    OtherSource(String),
    /// `last_error` is the server's (sanitized) IO or SQL error, if any.
    #[error(
        "IO thread {io}, SQL thread {sql}{}",
        last_error.as_ref().map(|e| format!(": {e}")).unwrap_or_default()
    )]
    ThreadsDown {
        io: &'static str,
        sql: &'static str,
        last_error: Option<String>,
    },
}

/// A database container and how to reach it.
#[derive(Clone, Copy)]
struct Server<'a> {
    handle: &'a HostHandle,
    settings: &'a Settings,
    id: &'a str,
}

/// Run `sql` with client options `args`; the output, or an error that
/// says what the server answered (with `secret` blanked out).
async fn run_sql(
    server: Server<'_>,
    sql: &str,
    args: &[&str],
    purpose: ExecPurpose,
    limit: std::time::Duration,
    secret: Option<&str>,
) -> Result<String, SqlError> {
    let Server {
        handle,
        settings,
        id,
    } = server;
    // A host task reconnecting after a missed ping gets a moment; a host
    // that stays away fails the step ("not connected").
    handle.wait_connected(settings.request_timeout).await;
    let context = handle.probe_context(id).await?;
    let mut env = db_client_env(&context, settings);
    env.push(format!("TUGBOAT_SQL={sql}"));
    let script =
        crate::probes::limit::bounded(&crate::probes::mysql::with_password_file(SQL_SCRIPT));
    let mut cmd = vec!["sh", "-c", &script, "sh"];
    cmd.extend_from_slice(args);
    let out = handle.exec(id, &cmd, &env, purpose, limit).await?;
    let mut text = format!("{}{}", out.stdout, out.stderr);
    if let Some(s) = secret.filter(|s| !s.is_empty()) {
        text = crate::model::secrets::scrub_secret(&text, s);
    }
    // Answers keep their lines (rows, `-E` fields are parsed by line);
    // an error becomes one line of an outcome.
    let text = crate::model::sanitize_multiline(text.trim());
    match out.exit_code {
        Some(0) | None if !text.starts_with("ERROR") && !text.starts_with("tugboat: ") => Ok(text),
        _ => Err(SqlError::ServerSaid {
            answer: crate::model::sanitize(text.trim_start_matches("tugboat: ")),
            container: context.name,
        }),
    }
}

/// Run one switchover statement in container `id`.
pub(crate) async fn exec_statement(
    handle: &HostHandle,
    settings: &Settings,
    id: &str,
    flavor: DbFlavor,
    statement: &DbStatement,
) -> StepResult {
    handle.wait_connected(settings.request_timeout).await;
    let context = handle.probe_context(id).await?;
    let account = match statement {
        DbStatement::ReplicateFrom { account_of, .. } => ReplAccount::from_env(&context)
            .or_else(|| account_of.as_deref().and_then(db_account::kept)),
        _ => None,
    };
    if let (
        None,
        DbStatement::ReplicateFrom {
            account_of: Some(cluster),
            ..
        },
    ) = (&account, statement)
    {
        // A former primary has no account of its own: connecting with an
        // empty user would only fail a minute later.
        return Err(StepError::Failed(format!(
            "no replication account for {} (cluster {cluster}): none in its environment, none kept by this job",
            context.name
        )));
    }
    let password = account.as_ref().map(|a| a.password.clone());
    let creds = account.as_ref().map(|a| ReplCredentials {
        user: &a.user,
        password: &a.password,
    });
    let sql = statement_sql(flavor, statement, creds.as_ref())
        .map_err(|e| StepError::Refused(format!("refused on {}: {e}", context.name)))?;
    let server = Server {
        handle,
        settings,
        id,
    };
    let limit = settings.request_timeout * 5;
    let sent = run_sql(
        server,
        &sql,
        &["-N", "-B"],
        ExecPurpose::Change,
        limit,
        password.as_deref(),
    )
    .await;
    match sent {
        Ok(_) => Ok(()),
        // A promotion is the point of no return: when its answer was lost
        // (a time-out, a dropped exec) but the server took it, it is done,
        // and undoing the fence around it would make two writable servers.
        Err(e) if *statement == DbStatement::Promote => {
            let promoted = run_sql(
                server,
                "SELECT @@global.read_only",
                &["-N", "-B"],
                ExecPurpose::Probe,
                limit,
                None,
            )
            .await
            .is_ok_and(|answer| answer.trim() == "0");
            if promoted {
                Ok(())
            } else {
                Err(e.into())
            }
        }
        Err(e) => Err(e.into()),
    }
}

/// Wait (in the server, with the GTID wait function) until replica `id`
/// has applied `source`'s position, or with no source all it received.
pub(crate) async fn catch_up(
    handle: &HostHandle,
    settings: &Settings,
    id: &str,
    flavor: DbFlavor,
    source: Option<(&HostHandle, &str)>,
    timeout_secs: u64,
) -> StepResult {
    let limit = settings.request_timeout * 5;
    let position = match source {
        Some((source_handle, source_id)) => {
            run_sql(
                Server {
                    handle: source_handle,
                    settings,
                    id: source_id,
                },
                position_sql(flavor),
                &["-N", "-B"],
                ExecPurpose::Probe,
                limit,
                None,
            )
            .await?
        }
        None => received_position(handle, settings, id, flavor).await?,
    };
    // Only a position that parses goes into the wait (it runs as root).
    let position = match GtidPosition::parse(flavor, &position) {
        Ok(p) => p,
        Err(why) => {
            let (h, asked) = source.unwrap_or((handle, id));
            let name = h
                .probe_context(asked)
                .await
                .map_or(asked.to_string(), |c| c.name);
            return Err(UnfitGtid::new(&name, "GTID position", &position, why).into());
        }
    };
    let answer = run_sql(
        Server {
            handle,
            settings,
            id,
        },
        &wait_sql(&position, timeout_secs),
        &["-N", "-B"],
        ExecPurpose::Change,
        limit + std::time::Duration::from_secs(timeout_secs),
        None,
    )
    .await?;
    if answer.trim() == "0" {
        Ok(())
    } else {
        Err(StepError::TimedOut {
            seen: format!("short of GTID position {position} (answer {answer})"),
            secs: timeout_secs,
        })
    }
}

/// What replica `id` has received: its replica status' received-position
/// field (empty when it shows none).
pub(crate) async fn received_position(
    handle: &HostHandle,
    settings: &Settings,
    id: &str,
    flavor: DbFlavor,
) -> Result<String, SqlError> {
    let server = Server {
        handle,
        settings,
        id,
    };
    let limit = settings.request_timeout * 5;
    let sql = replica_status_sql(flavor);
    let status = run_sql(server, sql, &["-E"], ExecPurpose::Probe, limit, None).await?;
    Ok(parse_vertical(&status)
        .first()
        .and_then(|row| row.get(received_field(flavor)))
        .map(|v| v.to_string())
        .unwrap_or_default())
}

/// Ok when the server replicates from `source_host` with both threads
/// running; else what it shows.
pub(crate) async fn replicating_from(
    handle: &HostHandle,
    settings: &Settings,
    id: &str,
    source_host: &str,
) -> Result<(), NotReplicating> {
    let p = match probe(handle, id, ProbeKind::Mysql, settings).await {
        ProbeResult::Mysql(Ok(p)) => p,
        ProbeResult::Mysql(Err(e)) => return Err(NotReplicating::ProbeFailed(e.to_string())),
        _ => return Err(NotReplicating::NoAnswer),
    };
    let Some(r) = p.replica else {
        return Err(NotReplicating::NoReplica);
    };
    if r.source_host != source_host {
        let seen = r.source_host.to_string();
        return Err(NotReplicating::OtherSource(seen));
    }
    if r.is_healthy() {
        return Ok(());
    }
    let last_error = [&r.last_io_error, &r.last_sql_error]
        .into_iter()
        .find(|e| !e.is_empty())
        .map(|e| e.to_string());
    Err(NotReplicating::ThreadsDown {
        io: r.io_running.as_str(),
        sql: if r.sql_running == ThreadState::Yes {
            "yes"
        } else {
            r.sql_running.as_str()
        },
        last_error,
    })
}

/// Answer rows of a read-only `sql` in container `id`, without column
/// names (the server's text, sanitized: tabs are spaces).
pub(crate) async fn query(
    handle: &HostHandle,
    settings: &Settings,
    id: &str,
    sql: &str,
) -> Result<String, SqlError> {
    batch(handle, settings, id, sql, ExecPurpose::Probe).await
}

/// Run a changing `sql` in container `id` (refused read-only); its answer.
pub(crate) async fn change(
    handle: &HostHandle,
    settings: &Settings,
    id: &str,
    sql: &str,
) -> Result<String, SqlError> {
    batch(handle, settings, id, sql, ExecPurpose::Change).await
}

async fn batch(
    handle: &HostHandle,
    settings: &Settings,
    id: &str,
    sql: &str,
    purpose: ExecPurpose,
) -> Result<String, SqlError> {
    let server = Server {
        handle,
        settings,
        id,
    };
    let limit = settings.request_timeout * 2;
    run_sql(server, sql, &["-N", "-B"], purpose, limit, None).await
}
