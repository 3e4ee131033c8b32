//! `tugboat audit`: every mutating action asked of tugboat, with its plan
//! and outcome, as a table whose columns fit their content (or the JSON
//! lines as stored). A job's plan is printed under its first record only
//! (its `started` and `done` records carry the same plan).

use std::process::ExitCode;

use super::contract::{CliError, CliResult};
use super::interrupt::{say, say_json};
use super::Loaded;
use crate::docker::unix_now;
use crate::model::log_time::{parse_age, parse_rfc3339};
use crate::ops::{AuditLog, AuditRecord};

#[derive(Debug, clap::Args)]
pub struct AuditArgs {
    /// Only records of the last 30s, 10m, 2h or 1d.
    #[arg(long, value_name = "AGE")]
    pub since: Option<String>,
    /// Only the last N records (after --since).
    #[arg(long, value_name = "N")]
    pub last: Option<usize>,
    /// JSON lines as stored instead of a table; an error as
    /// `{"error": {kind, message, exit}}`.
    #[arg(long)]
    pub json: bool,
}

pub fn run(loaded: &Loaded, args: &AuditArgs) -> CliResult {
    let from = match args.since.as_deref() {
        None => None,
        Some(s) => match parse_age(s) {
            Some(age) => Some(i128::from(unix_now() - age.as_secs() as i64) * 1_000_000_000),
            None => {
                return Err(CliError::usage(format!(
                    "--since {s}: give an age such as 30s, 10m, 2h or 1d"
                )))
            }
        },
    };
    let log = AuditLog::new(loaded.paths.audit_log());
    let mut records = log
        .read_all()
        .map_err(|e| CliError::failed(format!("{}: {e}", log.path().display())))?;
    if let Some(from) = from {
        records.retain(|r| parse_rfc3339(&r.time).is_some_and(|t| t >= from));
    }
    if let Some(n) = args.last {
        let skip = records.len().saturating_sub(n);
        records.drain(..skip);
    }
    if args.json {
        records.iter().for_each(say_json);
    } else if records.is_empty() {
        say(format!("no actions recorded in {}", log.path().display()));
    } else {
        say(table(&records).trim_end());
    }
    Ok(ExitCode::SUCCESS)
}

/// Records are sanitized as they are read; `say` makes the output safe
/// again in case a field slipped through.
fn table(records: &[AuditRecord]) -> String {
    let header = ["TIME", "USER", "HOST", "ACTION", "TARGET", "OUTCOME", "MS"];
    let rows: Vec<Vec<String>> = records
        .iter()
        .map(|r| {
            vec![
                r.time.clone(),
                r.user.clone(),
                r.host.clone(),
                r.action.clone(),
                r.target.clone(),
                r.outcome.clone(),
                r.duration_ms.to_string(),
            ]
        })
        .collect();
    let table = super::status::columns(&header, rows);
    let mut lines = table.lines();
    let mut out = format!("{}\n", lines.next().unwrap_or_default());
    let mut shown: Vec<(&str, &str, &[String])> = Vec::new();
    for (line, r) in lines.zip(records) {
        out.push_str(line);
        out.push('\n');
        let job = (r.action.as_str(), r.target.as_str(), r.plan.as_slice());
        if shown.contains(&job) {
            continue;
        }
        shown.push(job);
        for step in &r.plan {
            out.push_str(&format!("    {step}\n"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(user: &str, outcome: &str) -> AuditRecord {
        AuditRecord {
            time: "2024-05-01T10:00:00.000Z".into(),
            user: user.into(),
            host: "local".into(),
            action: "restart".into(),
            target: "local/web".into(),
            plan: vec!["1. restart web".into()],
            outcome: outcome.into(),
            duration_ms: 12,
        }
    }

    #[test]
    fn columns_fit_their_content_and_a_plan_is_shown_once() {
        let text = table(&[
            record("a-very-long-user-name", "started"),
            record("b", "done"),
        ]);
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 4, "{text}");
        assert!(lines[0].starts_with("TIME"), "{text}");
        assert_eq!(lines[2], "    1. restart web", "{text}");
        // The HOST column starts at the same place on every row.
        let at = |l: &str| l.find("local").unwrap();
        assert_eq!(at(lines[1]), at(lines[3]), "{text}");
        assert_eq!(lines[0].find("HOST").unwrap(), at(lines[1]), "{text}");
    }
}
