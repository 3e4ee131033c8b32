//! The preflight of a cluster spread over hosts: before anything is
//! created, a container on every placed host sends a token to every other
//! host's chosen address, on a port published there by a listener that
//! prints what it receives. A wrong address then fails in seconds, with
//! the address, where it came from and the sender's error — not after the
//! whole verification timeout and a rollback. Only throwaway check
//! containers are made, and they are always removed.

use std::time::{Duration, Instant};

use super::plan::ReachTarget;
use crate::docker::HostHandle;

/// How long every sender together may take.
const REACH_DEADLINE: Duration = Duration::from_secs(12);
const POLL: Duration = Duration::from_millis(250);
/// What the listener prints when the image cannot run the check.
const NO_NC: &str = "tugboat-reach: nc could not listen";

/// Every address was reached, or the check could not run (the images lack
/// netcat: said in the detail, and the verification still guards).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reached {
    All(String),
    Unchecked(String),
}

struct Check<'a> {
    host: &'a HostHandle,
    id: String,
}

/// A container name made of the check's run and its parts (host names may
/// hold characters a container name may not).
fn check_name(run: &str, part: &str) -> String {
    let part: String = part
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .collect();
    format!("tugboat-reach-{run}-{part}")
}

fn token(run: &str, from: usize, to: usize) -> String {
    format!("tugboat-reach-{run}-{from}-to-{to}")
}

/// Run the check for `targets` (one per placed host). `host` finds a
/// target's handle.
pub async fn check_reach<'a>(
    targets: &[ReachTarget],
    host: impl Fn(&str) -> Result<&'a HostHandle, String>,
) -> Result<Reached, String> {
    if targets.len() < 2 {
        return Ok(Reached::All("one host: nothing to reach".into()));
    }
    let run = format!(
        "{}-{}",
        std::process::id(),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.subsec_nanos())
    );
    let mut made: Vec<Check> = Vec::new();
    let result = run_checks(targets, &host, &run, &mut made).await;
    for c in made {
        // Best effort: a check container left behind is labelled a helper.
        let _ = c.host.remove_created_container(&c.id).await;
    }
    result
}

async fn run_checks<'a>(
    targets: &[ReachTarget],
    host: &impl Fn(&str) -> Result<&'a HostHandle, String>,
    run: &str,
    made: &mut Vec<Check<'a>>,
) -> Result<Reached, String> {
    let others = targets.len() - 1;
    let mut listeners = Vec::new();
    for (i, t) in targets.iter().enumerate() {
        let h = host(&t.host)?;
        let name = check_name(run, &format!("listen-{i}-{}", t.host));
        let id = h
            .start_reach_listener(&name, &t.image, t.port, others)
            .await
            .map_err(|e| format!("cannot start the address check on {}: {e}", t.host))?;
        made.push(Check {
            host: h,
            id: id.clone(),
        });
        listeners.push(id);
    }
    // (from, to, sender id)
    let mut senders = Vec::new();
    for (f, from) in targets.iter().enumerate() {
        let h = host(&from.host)?;
        for (t, to) in targets.iter().enumerate().filter(|(t, _)| *t != f) {
            let name = check_name(run, &format!("send-{f}-{t}-{}", from.host));
            let id = h
                .start_reach_sender(
                    &name,
                    &from.image,
                    &to.address.address,
                    to.port,
                    &token(run, f, t),
                )
                .await
                .map_err(|e| format!("cannot start the address check on {}: {e}", from.host))?;
            made.push(Check {
                host: h,
                id: id.clone(),
            });
            senders.push((f, t, id));
        }
    }
    let deadline = Instant::now() + REACH_DEADLINE;
    let mut heard = vec![String::new(); targets.len()];
    loop {
        for (t, id) in listeners.iter().enumerate() {
            if let Ok(out) = host(&targets[t].host)?.output_of(id).await {
                heard[t] = out;
            }
        }
        if let Some(t) = heard.iter().position(|h| h.contains(NO_NC)) {
            return Ok(Reached::Unchecked(format!(
                "addresses not checked: image {} on {} could not listen with nc",
                targets[t].image, targets[t].host
            )));
        }
        let missing: Vec<&(usize, usize, String)> = senders
            .iter()
            .filter(|(f, t, _)| !heard[*t].contains(&token(run, *f, *t)))
            .collect();
        if missing.is_empty() {
            let list: Vec<String> = targets
                .iter()
                .map(|t| format!("{} at {}", t.host, t.address.address))
                .collect();
            return Ok(Reached::All(format!(
                "every host's containers reach {}",
                list.join(", ")
            )));
        }
        if Instant::now() >= deadline {
            let mut why = Vec::new();
            for (f, t, id) in missing {
                let (from, to) = (&targets[*f], &targets[*t]);
                let said = host(&from.host)?.output_of(id).await.unwrap_or_default();
                let said = said.trim();
                why.push(format!(
                    "containers on {} cannot reach {} at {}:{} ({}): {}; set placement.addresses.{} to an address of {} that {} can reach",
                    from.host,
                    to.host,
                    to.address.address,
                    to.port,
                    to.address.source,
                    if said.is_empty() {
                        format!("no answer within {} s", REACH_DEADLINE.as_secs())
                    } else {
                        said.lines().last().unwrap_or(said).to_string()
                    },
                    to.host,
                    to.host,
                    from.host
                ));
            }
            return Err(why.join("; "));
        }
        tokio::time::sleep(POLL).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn check_names_are_valid_container_names() {
        let n = check_name("12-34", "listen-0-db host/1");
        assert_eq!(n, "tugboat-reach-12-34-listen-0-db-host-1");
        assert_ne!(token("r", 0, 1), token("r", 1, 0));
    }
}
