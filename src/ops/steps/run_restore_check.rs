//! Running a verified restore's check (see src/ops/base/restore_check.rs): the
//! copy is created, started, asked until it answers or stops, and removed
//! whatever happened — also when the job is stopped.

use std::time::{Duration, Instant};

use crate::config::Settings;
use crate::docker::{CloneOf, HostHandle};
use crate::model::answers::zookeeper::ZkReply;
use crate::model::answers::{ProbeError, ProbeOutcome};
use crate::model::probed::ProbeResult;
use crate::ops::base::docker_steps::StepCx;
use crate::ops::base::error::{StepError, StepResult};
use crate::ops::base::restore_check::{CheckKind, RestoreCheck};
use crate::probes::run::{probe, ProbeKind};

/// A database copy replays its logs before it answers; a big one longer.
const BOOT_LIMIT: Duration = Duration::from_secs(180);
const POLL: Duration = Duration::from_millis(500);
/// Tables listed in the answer; the rest are counted.
const TABLES_SHOWN: usize = 20;

/// Environment the copy must not get: the ensemble's member list (alone it
/// runs standalone instead of waiting for a quorum it cannot reach), and a
/// replica's first-start source.
const DROPPED_ENV: &[&str] = &[
    "ZOO_SERVERS",
    "MARIADB_MASTER_HOST",
    "MARIADB_MASTER_PORT",
    "MYSQL_MASTER_HOST",
];

pub(crate) async fn check_restored(
    handle: &HostHandle,
    settings: &Settings,
    volume: &str,
    check: &RestoreCheck,
    cx: StepCx<'_>,
) -> StepResult {
    let id = handle
        .create_clone(&CloneOf {
            model: &check.model_id,
            volume,
            destination: &check.destination,
            drop_env: DROPPED_ENV,
        })
        .await?;
    let mut cancel = cx.cancel.clone();
    let stopped = async move {
        if cancel.wait_for(|c| *c).await.is_err() {
            std::future::pending::<()>().await;
        }
    };
    let result = tokio::select! {
        r = boot_and_ask(handle, settings, &id, check) => r,
        _ = stopped => Err(StepError::Stopped("stopped while the restored copy booted".into())),
    };
    // The copy goes whatever happened; a failure to remove it is said.
    let removed = handle.remove_helper(&id).await;
    let answer = result?;
    (cx.say)(format!(
        "the restored copy of {} answered: {answer}; {}",
        check.model, check.manifest
    ));
    removed.map_err(|e| StepError::Failed(format!("verified, but the copy {id} stays: {e}")))
}

async fn boot_and_ask(
    handle: &HostHandle,
    settings: &Settings,
    id: &str,
    check: &RestoreCheck,
) -> StepResult<String> {
    handle.start(id).await?;
    let deadline = Instant::now() + BOOT_LIMIT;
    loop {
        let last = match ask(handle, settings, id, check.kind).await {
            Ok(answer) => return Ok(answer),
            Err(why) => why,
        };
        let state = handle.run_state(id).await?;
        if !state.running {
            let logs = handle.last_log_lines(id, 6).await.unwrap_or_default();
            return Err(StepError::Failed(format!(
                "the restored copy of {} stopped ({}): the backup does not boot as {} runs; \
                 its last log lines: {}",
                check.model,
                state.status,
                check.model,
                logs.join(" | ")
            )));
        }
        if Instant::now() >= deadline {
            return Err(StepError::Failed(format!(
                "the restored copy of {} did not answer within {}s ({last})",
                check.model,
                BOOT_LIMIT.as_secs()
            )));
        }
        tokio::time::sleep(POLL).await;
    }
}

/// What the copy holds, or why it does not say yet (in the copy's words,
/// so sanitized).
async fn ask(
    handle: &HostHandle,
    settings: &Settings,
    id: &str,
    kind: CheckKind,
) -> ProbeOutcome<String> {
    match kind {
        CheckKind::Zookeeper => match probe(handle, id, ProbeKind::Zookeeper, settings).await {
            ProbeResult::Zookeeper(Ok(p)) => match p.srvr {
                ZkReply::Ok(s) => Ok(format!(
                    "{} znodes, zxid {:#x} ({})",
                    s.node_count,
                    s.zxid,
                    s.mode.as_str()
                )),
                ZkReply::NotServing => Err("not serving yet".into()),
                ZkReply::NotWhitelisted(c) | ZkReply::Failed(c) => Err(c.into()),
            },
            ProbeResult::Zookeeper(Err(e)) => Err(e),
            _ => Err("no answer".into()),
        },
        CheckKind::Database => table_counts(handle, settings, id).await,
    }
}

/// `schema.table rows` for each user table.
async fn table_counts(handle: &HostHandle, settings: &Settings, id: &str) -> ProbeOutcome<String> {
    let tables = super::run_db::query(
        handle,
        settings,
        id,
        // Hex: names may hold any character, and the answer is sanitized
        // (tabs included) before it gets here.
        "SELECT HEX(table_schema), HEX(table_name) FROM information_schema.tables \
         WHERE table_type = 'BASE TABLE' AND table_schema NOT IN \
         ('mysql', 'information_schema', 'performance_schema', 'sys') \
         ORDER BY table_schema, table_name",
    )
    .await
    .map_err(|e| ProbeError::foreign(&e.to_string()))?;
    let names: Vec<(String, String)> = pairs(&tables)
        .into_iter()
        .filter_map(|(s, t)| Some((unhex(s)?, unhex(t)?)))
        .collect();
    if names.is_empty() {
        return Ok("no user tables".into());
    }
    let quote = |n: &str| format!("`{}`", n.replace('`', "``"));
    // Each count tagged with its table's index: a UNION's rows come in no
    // promised order.
    let counts: Vec<String> = names
        .iter()
        .take(TABLES_SHOWN)
        .enumerate()
        .map(|(i, (s, t))| format!("SELECT {i}, COUNT(*) FROM {}.{}", quote(s), quote(t)))
        .collect();
    let answer = super::run_db::query(handle, settings, id, &counts.join(" UNION ALL "))
        .await
        .map_err(|e| ProbeError::foreign(&e.to_string()))?;
    let mut rows: Vec<(usize, &str)> = pairs(&answer)
        .into_iter()
        .filter_map(|(i, n)| Some((i.parse().ok()?, n)))
        .collect();
    rows.sort();
    let mut shown: Vec<String> = rows
        .iter()
        .filter_map(|(i, n)| names.get(*i).map(|(s, t)| format!("{s}.{t} {n} rows")))
        .map(|line| crate::model::sanitize(&line))
        .collect();
    if names.len() > TABLES_SHOWN {
        shown.push(format!("and {} more tables", names.len() - TABLES_SHOWN));
    }
    Ok(shown.join(", "))
}

/// The two-column rows of an answer (the sanitizer made its tabs spaces):
/// hex and digits hold no whitespace.
fn pairs(answer: &str) -> Vec<(&str, &str)> {
    let words: Vec<&str> = answer
        .split(char::is_whitespace)
        .filter(|w| !w.is_empty())
        .collect();
    words.chunks_exact(2).map(|p| (p[0], p[1])).collect()
}

/// `6A2E` → `j.`; None for anything that is not hex of UTF-8.
fn unhex(text: &str) -> Option<String> {
    let bytes: Option<Vec<u8>> = (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(text.get(i..i + 2)?, 16).ok())
        .collect();
    String::from_utf8(bytes?).ok()
}

#[cfg(test)]
mod tests {
    use super::{pairs, unhex};

    #[test]
    fn rows_survive_the_sanitized_answer() {
        assert_eq!(
            pairs("617070 74\n6A 726F7773"),
            [("617070", "74"), ("6A", "726F7773")]
        );
        assert_eq!(pairs("0 20\n1 1"), [("0", "20"), ("1", "1")]);
    }

    #[test]
    fn names_come_back_from_hex() {
        assert_eq!(unhex("6A").as_deref(), Some("j"));
        assert_eq!(unhex("726F7773").as_deref(), Some("rows"));
        assert_eq!(unhex("6").as_deref(), None);
        assert_eq!(unhex("ZZ").as_deref(), None);
    }
}
