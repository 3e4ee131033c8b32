//! The switchover's fence on the old primary: after it, the primary
//! acknowledges no write, whoever the client is, until the candidate has
//! everything and takes over. `read_only` alone does not do it on MariaDB:
//! users with READ ONLY ADMIN (root's ALL PRIVILEGES) write on. So the
//! fence is read-only, then a global read lock (FLUSH TABLES WITH READ
//! LOCK) held by a session tugboat leaves running inside the container —
//! it binds every user — and every other client session killed, so no
//! write waits behind the lock to be acknowledged later. MySQL 8.4's
//! `super_read_only` binds admin users by itself. The lock session ends by
//! itself after `hold_secs` (a tugboat killed mid-switchover leaves no
//! locked server for long); `Check` right before the promotion makes sure
//! it still holds.

use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};

use super::db_sql::DbFlavor;
use super::error::{StepError, StepResult};
use super::run_db::{change, query};
use crate::config::Settings;
use crate::docker::HostHandle;
use crate::probes::mysql::with_password_file;
use crate::probes::run::db_client_env;

/// What a fence step does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FenceAction {
    /// Read-only, the lock taken (MariaDB), other sessions killed, checked.
    Raise { hold_secs: u64 },
    /// The fence still holds.
    Check,
    /// The lock released; `writable`: read-only lifted too (a switchover
    /// that stopped before its promotion), else the server stays read-only
    /// (it becomes a replica next).
    Release { writable: bool },
}

/// Marks the lock session in the process list.
const MARK: &str = "tugboat-fence";
/// How long the fence may take to hold (the lock waits for running writes,
/// whose sessions are killed).
const RAISE_LIMIT: Duration = Duration::from_secs(10);

/// Client sessions other than this one, replication and the lock's.
fn sessions_sql() -> String {
    format!(
        "SELECT ID FROM information_schema.PROCESSLIST WHERE ID <> CONNECTION_ID() \
         AND COMMAND NOT IN ('Binlog Dump', 'Binlog Dump GTID', 'Daemon', 'Killed', \
         'Slave_IO', 'Slave_SQL', 'Slave_worker') \
         AND USER NOT IN ('system user', 'event_scheduler', 'unauthenticated user') \
         AND COALESCE(INFO, '') NOT LIKE '%{MARK}%'"
    )
}

/// The lock session, once its lock is taken (it sleeps holding it).
fn lock_held_sql() -> String {
    format!(
        "SELECT COUNT(*) FROM information_schema.PROCESSLIST WHERE ID <> CONNECTION_ID() \
         AND INFO LIKE '%{MARK}%' AND STATE = 'User sleep'"
    )
}

fn lock_sessions_sql() -> String {
    format!(
        "SELECT ID FROM information_schema.PROCESSLIST WHERE ID <> CONNECTION_ID() \
         AND INFO LIKE '%{MARK}%'"
    )
}

/// Runs in the container, detached: takes the lock and sleeps holding it.
const LOCK_SCRIPT: &str = r#"
c=$(command -v mariadb || command -v mysql) || exit 127
exec "$c" --protocol=tcp -h127.0.0.1 -P"${MYSQL_TCP_PORT:-3306}" -u"${TUGBOAT_DB_USER:-root}" \
  -e "FLUSH TABLES WITH READ LOCK; SELECT '$TUGBOAT_MARK', SLEEP($TUGBOAT_HOLD)"
"#;

pub(super) async fn run(
    handle: &HostHandle,
    settings: &Settings,
    id: &str,
    flavor: DbFlavor,
    action: FenceAction,
) -> StepResult {
    handle.wait_connected(settings.request_timeout).await;
    match action {
        FenceAction::Raise { hold_secs } => raise(handle, settings, id, flavor, hold_secs).await,
        FenceAction::Check => check(handle, settings, id, flavor).await,
        FenceAction::Release { writable } => release(handle, settings, id, flavor, writable).await,
    }
}

async fn raise(
    handle: &HostHandle,
    settings: &Settings,
    id: &str,
    flavor: DbFlavor,
    hold_secs: u64,
) -> StepResult {
    let read_only = match flavor {
        DbFlavor::Mariadb => "SET GLOBAL read_only=1",
        DbFlavor::Mysql => "SET GLOBAL super_read_only=ON",
    };
    change(handle, settings, id, read_only).await?;
    if flavor == DbFlavor::Mariadb {
        let context = handle.probe_context(id).await?;
        let mut env = db_client_env(&context, settings);
        env.push(format!("TUGBOAT_MARK={MARK}"));
        env.push(format!("TUGBOAT_HOLD={hold_secs}"));
        let script = with_password_file(LOCK_SCRIPT);
        handle
            .exec_detached(id, &["sh", "-c", &script], &env)
            .await?;
    }
    // Sessions holding or waiting for locks are killed until the fence
    // holds: their writes were never acknowledged.
    let deadline = Instant::now() + RAISE_LIMIT;
    loop {
        tokio::time::sleep(Duration::from_millis(200)).await;
        kill(handle, settings, id, &sessions_sql()).await?;
        if check(handle, settings, id, flavor).await.is_ok() {
            return Ok(());
        }
        if Instant::now() >= deadline {
            return Err(StepError::Failed(format!(
                "the fence did not hold within {}s: the primary's lock was not taken",
                RAISE_LIMIT.as_secs()
            )));
        }
    }
}

/// The fence holds: MariaDB's lock session sleeps with the lock, MySQL's
/// super_read_only is on.
async fn check(handle: &HostHandle, settings: &Settings, id: &str, flavor: DbFlavor) -> StepResult {
    let (sql, want) = match flavor {
        DbFlavor::Mariadb => (lock_held_sql(), "1"),
        DbFlavor::Mysql => ("SELECT @@global.super_read_only".to_string(), "1"),
    };
    let got = query(handle, settings, id, &sql).await?;
    if got.trim() == want {
        Ok(())
    } else {
        Err(StepError::Failed(
            "the fence no longer holds on the primary (its lock session ended): refusing to promote"
                .into(),
        ))
    }
}

async fn release(
    handle: &HostHandle,
    settings: &Settings,
    id: &str,
    flavor: DbFlavor,
    writable: bool,
) -> StepResult {
    if !writable {
        // Writes that queued behind the lock since it was taken would
        // commit the moment it goes, on a server that is no longer the
        // primary: their sessions go first.
        kill(handle, settings, id, &sessions_sql()).await?;
    }
    kill(handle, settings, id, &lock_sessions_sql()).await?;
    if writable {
        let sql = match flavor {
            DbFlavor::Mariadb => "SET GLOBAL read_only=0",
            DbFlavor::Mysql => "SET GLOBAL super_read_only=OFF; SET GLOBAL read_only=OFF",
        };
        change(handle, settings, id, sql).await?;
    }
    Ok(())
}

/// Kill the sessions `select` lists; one already gone is no error.
async fn kill(handle: &HostHandle, settings: &Settings, id: &str, select: &str) -> StepResult {
    let ids = query(handle, settings, id, select).await?;
    for session in ids.lines().filter_map(|l| l.trim().parse::<u64>().ok()) {
        let _ = change(handle, settings, id, &format!("KILL CONNECTION {session}")).await;
    }
    Ok(())
}
