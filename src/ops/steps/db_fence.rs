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
//!
//! The lock session is known by a mark with a token only this process
//! knows, carried in a comment of the FLUSH itself: while the FLUSH waits
//! for a running write its process-list `INFO` is that statement, and a
//! kill pass that looked only for the SLEEP after it killed tugboat's own
//! lock. A raise that does not hold in time undoes itself — the lock
//! session ended, `read_only` put back to what it found and read again —
//! and says what the lock waited for.

use std::collections::BTreeMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};

use super::run_db::{change, query};
use crate::config::Settings;
use crate::docker::HostHandle;
use crate::ops::base::db_sql::DbFlavor;
use crate::ops::base::error::{StepError, StepResult};
use crate::probes::mysql::with_password_file;
use crate::probes::run::db_client_env;

/// What a fence step does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FenceAction {
    /// The lock taken (MariaDB), other sessions killed until it holds
    /// (waiting up to `wait_secs` for running statements to end or roll
    /// back), read-only, checked.
    Raise {
        hold_secs: u64,
        #[serde(default = "default_wait")]
        wait_secs: u64,
    },
    /// The fence still holds.
    Check,
    /// The lock released; `writable`: read-only lifted too (a switchover
    /// that stopped before its promotion), else the server stays read-only
    /// (it becomes a replica next).
    Release { writable: bool },
}

/// Marks the lock session in the process list (followed by `:TOKEN`).
pub const MARK: &str = "tugboat-fence";
/// How long the fence may take to hold unless the operator says otherwise
/// (the lock waits for running writes, whose sessions are killed, to end
/// or roll back).
pub const DEFAULT_FENCE_WAIT_SECS: u64 = 10;

fn default_wait() -> u64 {
    DEFAULT_FENCE_WAIT_SECS
}
/// How often a raise that waits says what it waits for.
const SAY_EVERY: Duration = Duration::from_secs(2);
/// How long a release keeps asking a server that does not answer.
const RELEASE_TRIES_FOR: Duration = Duration::from_secs(30);
const RELEASE_AGAIN_AFTER: Duration = Duration::from_secs(1);

/// The tokens of the lock sessions this process started, by container id.
static TOKENS: Mutex<BTreeMap<String, String>> = Mutex::new(BTreeMap::new());

/// A token no other session can guess: the process list's mark of this
/// fence is `MARK:TOKEN`.
fn new_token() -> String {
    use std::io::Read;
    let mut bytes = [0u8; 12];
    let read = std::fs::File::open("/dev/urandom").and_then(|mut f| f.read_exact(&mut bytes));
    if read.is_err() {
        // No urandom: time and pid still differ between fences.
        let t = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap_or_default();
        bytes[..8].copy_from_slice(&(t.as_nanos() as u64).to_le_bytes());
        bytes[8..].copy_from_slice(&std::process::id().to_le_bytes());
    }
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn token_of(id: &str) -> Option<String> {
    TOKENS.lock().ok()?.get(id).cloned()
}

/// This process's mark on `id`'s lock session, if it raised one.
fn mark_of(id: &str) -> Option<String> {
    token_of(id).map(|t| format!("{MARK}:{t}"))
}

/// `%MARK%` as a LIKE pattern that does not hold the mark itself: a
/// query of the process list must not match (nor be killed as) the lock.
fn like(mark: &str) -> String {
    let (head, tail) = mark.split_at(mark.len().min(8));
    format!("CONCAT('%', '{head}', '{tail}', '%')")
}

/// Client sessions other than this one, replication and the lock's
/// (`mark`: this fence's own).
fn sessions_sql(mark: &str) -> String {
    format!(
        "SELECT ID FROM information_schema.PROCESSLIST WHERE ID <> CONNECTION_ID() \
         AND COMMAND NOT IN ('Binlog Dump', 'Binlog Dump GTID', 'Daemon', 'Killed', \
         'Slave_IO', 'Slave_SQL', 'Slave_worker') \
         AND USER NOT IN ('system user', 'event_scheduler', 'unauthenticated user') \
         AND COALESCE(INFO, '') NOT LIKE {}",
        like(mark)
    )
}

/// What the lock waits for: every client session but this one and the
/// lock's, killed ones (rolling back) included, longest running first:
/// `ID TIME HEX(USER) HEX(first words)` a line.
fn blockers_sql(mark: &str) -> String {
    format!(
        "SELECT CONCAT_WS(' ', ID, TIME, HEX(USER), HEX(LEFT(COALESCE(INFO, ''), 60)), \
         IF(COMMAND = 'Killed', 'k', '-')) FROM information_schema.PROCESSLIST \
         WHERE ID <> CONNECTION_ID() \
         AND COMMAND NOT IN ('Binlog Dump', 'Binlog Dump GTID', 'Daemon', \
         'Slave_IO', 'Slave_SQL', 'Slave_worker', 'Sleep') \
         AND USER NOT IN ('system user', 'event_scheduler', 'unauthenticated user') \
         AND COALESCE(INFO, '') NOT LIKE {} ORDER BY TIME DESC LIMIT 5",
        like(mark)
    )
}

/// The lock session, once its lock is taken (it sleeps holding it).
fn lock_held_sql(mark: &str) -> String {
    format!(
        "SELECT COUNT(*) FROM information_schema.PROCESSLIST WHERE ID <> CONNECTION_ID() \
         AND INFO LIKE {} AND STATE = 'User sleep'",
        like(mark)
    )
}

/// Lock sessions: this process's (`mark`), or with no mark of its own any
/// fence's (a release after a restart of tugboat frees the server).
fn lock_sessions_sql(mark: Option<&str>) -> String {
    format!(
        "SELECT ID FROM information_schema.PROCESSLIST WHERE ID <> CONNECTION_ID() \
         AND INFO LIKE {}",
        like(mark.unwrap_or(MARK))
    )
}

/// Runs in the container, detached: takes the lock, makes the server
/// read-only (at once, with the lock held: no running write to wait for;
/// in the same session, so the fence costs no further exec), and sleeps
/// holding the lock. `--comments` sends the comments, so the mark is in
/// the process list while each statement runs, the FLUSH's wait included.
const LOCK_SCRIPT: &str = r#"
c=$(command -v mariadb || command -v mysql) || exit 127
exec "$c" --comments --protocol=tcp -h127.0.0.1 -P"${MYSQL_TCP_PORT:-3306}" -u"${TUGBOAT_DB_USER:-root}" \
  -e "FLUSH /* $TUGBOAT_MARK */ TABLES WITH READ LOCK; SET /* $TUGBOAT_MARK */ GLOBAL read_only=1; SELECT '$TUGBOAT_MARK', SLEEP($TUGBOAT_HOLD)"
"#;

/// A database container and how to reach it.
struct Primary<'a> {
    handle: &'a HostHandle,
    settings: &'a Settings,
    id: &'a str,
    flavor: DbFlavor,
}

pub(crate) async fn run(
    handle: &HostHandle,
    settings: &Settings,
    id: &str,
    flavor: DbFlavor,
    action: FenceAction,
) -> StepResult {
    run_saying(handle, settings, id, flavor, action, &|_| {}).await
}

/// `run`, saying what a raise waits for while it waits.
pub(crate) async fn run_saying(
    handle: &HostHandle,
    settings: &Settings,
    id: &str,
    flavor: DbFlavor,
    action: FenceAction,
    say: &(dyn Fn(String) + Send + Sync),
) -> StepResult {
    handle.wait_connected(settings.request_timeout).await;
    let server = Primary {
        handle,
        settings,
        id,
        flavor,
    };
    match action {
        FenceAction::Raise {
            hold_secs,
            wait_secs,
        } => raise(&server, hold_secs, Duration::from_secs(wait_secs), say).await,
        FenceAction::Check => check(&server).await,
        FenceAction::Release { writable } => release(&server, writable, say).await,
    }
}

/// `SELECT @@global.read_only` as this flavor's fence reads it: "0" when
/// the server takes writes.
fn read_only_sql(flavor: DbFlavor) -> &'static str {
    match flavor {
        DbFlavor::Mariadb => "SELECT @@global.read_only",
        DbFlavor::Mysql => "SELECT @@global.super_read_only",
    }
}

async fn raise(
    s: &Primary<'_>,
    hold_secs: u64,
    wait: Duration,
    say: &(dyn Fn(String) + Send + Sync),
) -> StepResult {
    // Asked now: the plan's probe may be old, and a server that is
    // read-only already is not the primary the plan saw (nothing to undo
    // then, and nothing to make writable).
    let found = query(s.handle, s.settings, s.id, read_only_sql(s.flavor)).await?;
    if found.trim() != "0" {
        return Err(StepError::Refused(format!(
            "refused: the primary is read-only already ({} answers {}): not the writable server \
             the plan saw; nothing was changed — plan again",
            read_only_sql(s.flavor),
            crate::model::sanitize(found.trim())
        )));
    }
    let token = new_token();
    if let Ok(mut tokens) = TOKENS.lock() {
        tokens.insert(s.id.to_string(), token.clone());
    }
    let mark = format!("{MARK}:{token}");
    match hold(s, &mark, hold_secs, wait, say).await {
        Ok(()) => Ok(()),
        Err(e) => {
            // Half raised: what this step did is undone here, since the
            // runner undoes only steps that succeeded.
            let undone = match lift(s, Some(&mark)).await {
                Ok(()) => "the fence was lifted again (lock ended, writable, read_only=0 checked)"
                    .to_string(),
                Err(u) => format!("LIFTING THE FENCE FAILED: {u} — the primary may be read-only"),
            };
            Err(StepError::Failed(format!("{e}; {undone}")))
        }
    }
}

/// The fence raised: MariaDB's lock taken first (a `SET GLOBAL read_only`
/// waits behind a running write as the lock does, but in tugboat's own
/// exec, which would run out of time), other sessions killed until it
/// holds, then read-only in the lock's own session; MySQL's
/// super_read_only, other sessions killed.
async fn hold(
    s: &Primary<'_>,
    mark: &str,
    hold_secs: u64,
    wait: Duration,
    say: &(dyn Fn(String) + Send + Sync),
) -> StepResult {
    match s.flavor {
        DbFlavor::Mariadb => {
            let context = s.handle.probe_context(s.id).await?;
            let mut env = db_client_env(&context, s.settings);
            env.push(format!("TUGBOAT_MARK={mark}"));
            env.push(format!("TUGBOAT_HOLD={hold_secs}"));
            let script = with_password_file(LOCK_SCRIPT);
            s.handle
                .exec_detached(s.id, &["sh", "-c", &script], &env)
                .await?;
        }
        DbFlavor::Mysql => {
            change(s.handle, s.settings, s.id, "SET GLOBAL super_read_only=ON").await?;
        }
    }
    // Sessions holding or waiting for locks are killed until the fence
    // holds: their writes were never acknowledged.
    let start = Instant::now();
    let mut said = start;
    loop {
        tokio::time::sleep(Duration::from_millis(200)).await;
        kill(s, &sessions_sql(mark)).await?;
        if held(s, mark).await? {
            break;
        }
        if start.elapsed() >= wait {
            // The operator's choices: let the statement finish (a longer
            // wait), end it by hand, or leave the switchover for later.
            return Err(StepError::Failed(format!(
                "the fence did not hold within {}s: the lock waited for {} — to let it finish, \
                 run the switchover again with a longer --fence-wait SECS, or end that \
                 statement first",
                wait.as_secs(),
                waiting_for(s, mark).await
            )));
        }
        if said.elapsed() >= SAY_EVERY {
            said = Instant::now();
            say(format!(
                "the lock waits for {} ({}s of {}s)",
                waiting_for(s, mark).await,
                start.elapsed().as_secs(),
                wait.as_secs()
            ));
        }
    }
    // MariaDB: the lock session made the server read-only before it
    // slept (users without READ ONLY ADMIN get an error at once instead
    // of waiting behind the lock); the lock binds the others.
    Ok(())
}

/// The sessions the lock waits for, in words (or why that is unknown).
async fn waiting_for(s: &Primary<'_>, mark: &str) -> String {
    match query(s.handle, s.settings, s.id, &blockers_sql(mark)).await {
        Ok(rows) => {
            let sessions: Vec<String> = rows.lines().filter_map(describe_session).collect();
            if sessions.is_empty() {
                "no other session (the server itself: a flush of open tables)".into()
            } else {
                sessions.join("; ")
            }
        }
        Err(e) => format!("(the process list could not be read: {e})"),
    }
}

/// One `blockers_sql` row in words: `session 12 of admin, 'UPDATE t SET…'
/// running 31s, killed (rolling back)`.
pub(crate) fn describe_session(row: &str) -> Option<String> {
    let mut f = row.trim().split(' ');
    let (id, secs, user, info, killed) = (f.next()?, f.next()?, f.next()?, f.next(), f.next());
    // INFO empty: CONCAT_WS left its field out, so the flag came fourth.
    let (info, killed) = match (info, killed) {
        (Some(flag @ ("k" | "-")), None) => ("", flag),
        (info, killed) => (info.unwrap_or(""), killed.unwrap_or("-")),
    };
    let id: u64 = id.parse().ok()?;
    let secs: u64 = secs.parse().ok()?;
    let text = |hex: &str| crate::model::sanitize(&String::from_utf8_lossy(&unhex(hex)?)).into();
    let user: Option<String> = text(user);
    let info: Option<String> = text(info);
    let statement = match info.as_deref() {
        None => "an unreadable statement".to_string(),
        Some("") => "no statement".to_string(),
        Some(info) => format!("'{info}…'"),
    };
    let killed = if killed == "k" {
        ", killed (rolling back)"
    } else {
        ""
    };
    Some(format!(
        "session {id} of {}, {statement} running {secs}s{killed}",
        user.unwrap_or_else(|| "?".into())
    ))
}

fn unhex(hex: &str) -> Option<Vec<u8>> {
    if !hex.len().is_multiple_of(2) {
        return None;
    }
    (0..hex.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(hex.get(i..i + 2)?, 16).ok())
        .collect()
}

/// Whether this fence holds now: MariaDB's lock session (this mark) sleeps
/// with the lock, MySQL's super_read_only is on.
async fn held(s: &Primary<'_>, mark: &str) -> Result<bool, StepError> {
    let (sql, want) = match s.flavor {
        DbFlavor::Mariadb => (lock_held_sql(mark), "1"),
        DbFlavor::Mysql => ("SELECT @@global.super_read_only".to_string(), "1"),
    };
    Ok(query(s.handle, s.settings, s.id, &sql).await?.trim() == want)
}

async fn check(s: &Primary<'_>) -> StepResult {
    let mark = match (s.flavor, mark_of(s.id)) {
        (DbFlavor::Mariadb, None) => {
            return Err(StepError::Failed(
                "no fence of this job on the primary: refusing to promote".into(),
            ))
        }
        (_, mark) => mark.unwrap_or_default(),
    };
    if held(s, &mark).await? {
        Ok(())
    } else {
        Err(StepError::Failed(
            "the fence no longer holds on the primary (its lock session ended): refusing to promote"
                .into(),
        ))
    }
}

async fn release(
    s: &Primary<'_>,
    writable: bool,
    say: &(dyn Fn(String) + Send + Sync),
) -> StepResult {
    let mark = mark_of(s.id);
    if writable {
        return lift(s, mark.as_deref()).await;
    }
    // Past the promotion nothing is undone, and a lock that ends on its own
    // lets the writes queued behind it commit on a server that is no
    // longer the primary: a server that does not answer for a moment
    // (paused, its host busy) is asked again.
    let start = Instant::now();
    loop {
        match release_once(s, mark.as_deref()).await {
            Ok(()) => break,
            Err(e) if start.elapsed() < RELEASE_TRIES_FOR => {
                say(format!("the lock is not released yet ({e}); asking again"));
                tokio::time::sleep(RELEASE_AGAIN_AFTER).await;
            }
            Err(e) => {
                return Err(StepError::Failed(format!(
                    "the lock on the old primary was not released within {}s: {e} — it ends on \
                     its own when its hold runs out, and writes queued behind it then commit \
                     there: keep it out of service and compare its transactions with the new \
                     primary's before it replicates",
                    RELEASE_TRIES_FOR.as_secs()
                )))
            }
        }
    }
    forget(s.id);
    Ok(())
}

/// One try of a release: the queued sessions killed, then the lock's,
/// and read back (MariaDB) that the lock is gone.
async fn release_once(s: &Primary<'_>, mark: Option<&str>) -> StepResult {
    // Writes that queued behind the lock since it was taken would commit
    // the moment it goes: their sessions go first.
    kill(s, &sessions_sql(mark.unwrap_or(MARK))).await?;
    kill(s, &lock_sessions_sql(mark)).await?;
    if s.flavor == DbFlavor::Mysql {
        return Ok(());
    }
    // A killed session may show in the process list for a moment.
    for _ in 0..5 {
        if !held(s, mark.unwrap_or(MARK)).await? {
            return Ok(());
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    Err(StepError::Failed("its lock session still holds it".into()))
}

/// The fence undone: the lock session ended, the server writable again,
/// and read back to be sure.
async fn lift(s: &Primary<'_>, mark: Option<&str>) -> StepResult {
    kill(s, &lock_sessions_sql(mark)).await?;
    let sql = match s.flavor {
        DbFlavor::Mariadb => "SET GLOBAL read_only=0",
        DbFlavor::Mysql => "SET GLOBAL super_read_only=OFF; SET GLOBAL read_only=OFF",
    };
    change(s.handle, s.settings, s.id, sql).await?;
    let now = query(s.handle, s.settings, s.id, read_only_sql(s.flavor)).await?;
    if now.trim() != "0" {
        return Err(StepError::Failed(format!(
            "still read-only after the fence was lifted ({})",
            crate::model::sanitize(now.trim())
        )));
    }
    forget(s.id);
    Ok(())
}

fn forget(id: &str) {
    if let Ok(mut tokens) = TOKENS.lock() {
        tokens.remove(id);
    }
}

/// Kill the sessions `select` lists; one already gone is no error.
async fn kill(s: &Primary<'_>, select: &str) -> StepResult {
    let ids = query(s.handle, s.settings, s.id, select).await?;
    for session in ids.lines().filter_map(|l| l.trim().parse::<u64>().ok()) {
        let _ = change(
            s.handle,
            s.settings,
            s.id,
            &format!("KILL CONNECTION {session}"),
        )
        .await;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_blocking_session_in_words() {
        // `UPDATE t SET v=v+1` by admin, 31 s, killed; hex as the server sends it.
        assert_eq!(
            describe_session("12 31 61646D696E ABC k").unwrap(),
            "session 12 of admin, an unreadable statement running 31s, killed (rolling back)"
        );
        assert_eq!(describe_session("x 31 61646D696E 41 k"), None);
        let row = "12 31 61646D696E 5550444154452074205345542076 k";
        assert_eq!(
            describe_session(row).unwrap(),
            "session 12 of admin, 'UPDATE t SET v…' running 31s, killed (rolling back)"
        );
        // No statement: CONCAT_WS leaves the empty hex out.
        assert_eq!(
            describe_session("7 2 726F6F74  -").unwrap(),
            "session 7 of root, no statement running 2s"
        );
        assert_eq!(
            describe_session("7 2 726F6F74 -").unwrap(),
            "session 7 of root, no statement running 2s"
        );
    }

    #[test]
    fn foreign_text_in_a_session_is_made_inert() {
        // ESC [ 2 J in the statement.
        let row = "3 1 726F6F74 1B5B324A41 -";
        let said = describe_session(row).unwrap();
        assert!(!said.contains('\u{1b}'), "{said:?}");
    }

    #[test]
    fn the_kill_pass_spares_only_this_fence() {
        let sql = sessions_sql("tugboat-fence:abc");
        assert!(
            sql.contains("NOT LIKE CONCAT('%', 'tugboat-', 'fence:abc', '%')"),
            "{sql}"
        );
        // No process-list query of the fence holds the mark itself.
        for sql in [
            sql,
            blockers_sql("tugboat-fence:abc"),
            lock_held_sql("tugboat-fence:abc"),
            lock_sessions_sql(Some("tugboat-fence:abc")),
            lock_sessions_sql(None),
        ] {
            assert!(!sql.contains(MARK), "{sql}");
        }
        let a = new_token();
        let b = new_token();
        assert_eq!(a.len(), 24);
        assert_ne!(a, b);
    }
}
