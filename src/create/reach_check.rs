//! The preflight of a cluster spread over hosts: before anything is
//! created, a container on every placed host listens on a port published
//! there and prints what it receives, while sending a token to every other
//! host's chosen address and port. A wrong address then fails in seconds, with
//! the address, where it came from and the sender's error — not after the
//! whole verification timeout and a rollback. Only throwaway check
//! containers are made, and they are always removed.

use crate::ops::error::{StepError, StepResult};
use std::time::{Duration, Instant};

use super::plan::ReachTarget;
use crate::docker::{HostHandle, ReachSend, NO_LISTEN};

/// How long, after every check has started, until a missing token fails
/// the check (senders try for about 10 s).
const REACH_DEADLINE: Duration = Duration::from_secs(15);
const POLL: Duration = Duration::from_millis(250);

/// Every address was reached, or the check could not run (an image lacks
/// netcat: said in the detail, and the verification still guards).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reached {
    All(String),
    Unchecked(String),
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

/// Run the check for `targets` (one per placed host): one container per
/// host, listening on its port and sending to every other. `host` finds a
/// target's handle.
pub async fn check_reach<'a>(
    targets: &[ReachTarget],
    host: impl Fn(&str) -> StepResult<&'a HostHandle>,
) -> StepResult<Reached> {
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
    let mut made: Vec<(&HostHandle, String)> = Vec::new();
    let result = run_checks(targets, &host, &run, &mut made).await;
    for (h, id) in made {
        // Best effort: one left behind is labelled a helper.
        let _ = h.remove_created_container(&id).await;
    }
    result
}

async fn run_checks<'a>(
    targets: &[ReachTarget],
    host: &impl Fn(&str) -> StepResult<&'a HostHandle>,
    run: &str,
    made: &mut Vec<(&'a HostHandle, String)>,
) -> StepResult<Reached> {
    for (f, from) in targets.iter().enumerate() {
        let h = host(&from.host)?;
        let sends: Vec<ReachSend> = targets
            .iter()
            .enumerate()
            .filter(|(t, _)| *t != f)
            .map(|(t, to)| ReachSend {
                token: token(run, f, t),
                address: to.address.address.clone(),
                port: to.port,
            })
            .collect();
        let name = check_name(run, &format!("{f}-{}", from.host));
        let id = h
            .create_reach_check(&name, &from.image, from.port, targets.len() - 1, &sends)
            .await
            .map_err(|e| {
                StepError::Failed(format!(
                    "cannot create the address check on {}: {e}",
                    from.host
                ))
            })?;
        made.push((h, id));
    }
    for ((h, id), t) in made.iter().zip(targets) {
        h.start(id).await.map_err(|e| {
            StepError::Failed(format!("cannot start the address check on {}: {e}", t.host))
        })?;
    }
    let deadline = Instant::now() + REACH_DEADLINE;
    let mut heard = vec![String::new(); targets.len()];
    loop {
        for (t, (h, id)) in made.iter().enumerate() {
            if let Ok(out) = h.output_of(id).await {
                heard[t] = out;
            }
        }
        if let Some(t) = heard.iter().position(|h| h.contains(NO_LISTEN)) {
            return Ok(Reached::Unchecked(format!(
                "addresses not checked: image {} on {} could not listen with nc",
                targets[t].image, targets[t].host
            )));
        }
        let missing: Vec<(usize, usize)> = (0..targets.len())
            .flat_map(|f| (0..targets.len()).map(move |t| (f, t)))
            .filter(|(f, t)| f != t && !heard[*t].contains(&token(run, *f, *t)))
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
            return Err(StepError::Refused(
                missing
                    .into_iter()
                    .map(|(f, t)| unreached(&targets[f], &targets[t], &heard[f]))
                    .collect::<Vec<_>>()
                    .join("; "),
            ));
        }
        tokio::time::sleep(POLL).await;
    }
}

/// Why `from`'s containers did not reach `to`, from what `from`'s check said.
fn unreached(from: &ReachTarget, to: &ReachTarget, said: &str) -> String {
    let prefix = format!("tugboat-reach: to {}:{}: ", to.address.address, to.port);
    let error = said
        .lines()
        .find_map(|l| l.strip_prefix(&prefix))
        .map(str::trim)
        .filter(|e| !e.is_empty())
        .map(|e| e.lines().last().unwrap_or(e).to_string())
        .unwrap_or_else(|| format!("no answer within {} s", REACH_DEADLINE.as_secs()));
    format!(
        "containers on {} cannot reach {} at {}:{} ({}): {error}; \
         set placement.addresses.{} to an address of {} that {} can reach",
        from.host,
        to.host,
        to.address.address,
        to.port,
        to.address.source,
        to.host,
        to.host,
        from.host
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn check_names_are_valid_container_names() {
        let n = check_name("12-34", "0-db host/1");
        assert_eq!(n, "tugboat-reach-12-34-0-db-host-1");
        assert_ne!(token("r", 0, 1), token("r", 1, 0));
    }

    fn target(host: &str, address: &str, port: u16) -> ReachTarget {
        ReachTarget {
            host: host.into(),
            address: crate::model::HostAddress::new(address, crate::model::AddressSource::Spec),
            port,
            image: "zk".into(),
        }
    }

    #[test]
    fn an_unreached_host_is_named_with_the_senders_error() {
        let (a, b) = (
            target("local", "172.17.0.1", 32181),
            target("b", "172.17.0.1", 32182),
        );
        // What a sender on `local` prints (bash's error is two lines).
        let said = "tugboat-reach: to 172.17.0.1:32182: bash: connect: Connection refused\n\
                    bash: line 1: /dev/tcp/172.17.0.1/32182: Connection refused\n";
        let why = unreached(&a, &b, said);
        assert!(
            why.starts_with("containers on local cannot reach b at 172.17.0.1:32182 (set in the spec): bash: connect: Connection refused;"),
            "{why}"
        );
        assert!(
            why.ends_with("set placement.addresses.b to an address of b that local can reach"),
            "{why}"
        );
        let why = unreached(&a, &b, "");
        assert!(why.contains("): no answer within 15 s;"), "{why}");
    }
}
