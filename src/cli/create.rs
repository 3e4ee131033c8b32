//! `tugboat create --from SPEC`: the wizard's plan, progress and rollback,
//! headless. Secrets are generated here; the root password is printed once
//! on success and is kept only in the containers' environment (never
//! logged, never audited).
//!
//! Exit codes: 0 created and verified (or a dry run), 1 failed and rolled
//! back, or refused, 2 bad usage or a bad spec (`FILE:FIELD: message`),
//! 3 not confirmed.

use std::io::Read;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use tokio::sync::watch;

use super::drain::EXIT_NOT_CONFIRMED;
use super::{status, Loaded, EXIT_USAGE};
use crate::create::apply::{apply_audited, ApplyEvent, ApplyOptions, ApplyOutcome};
use crate::create::plan::{create_plan, PlacedHost, Secrets};
use crate::create::spec::{ClusterSpec, Template};
use crate::docker::{spawn_hosts, HostHandle};
use crate::ops::AuditLog;

pub struct CreateArgs {
    pub from: PathBuf,
    pub yes: bool,
    pub json: bool,
    pub dry_run: bool,
    pub read_only: bool,
    /// Seconds from the last object created to every check passing.
    pub verify_timeout: u64,
}

fn usage(message: String) -> ExitCode {
    eprintln!("tugboat: {message}");
    ExitCode::from(EXIT_USAGE)
}

/// A password of letters and digits from the kernel's random source, with
/// no bias (bytes past the last whole multiple of 62 are skipped).
pub fn random_password(len: usize) -> Result<String, String> {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    let mut file = std::fs::File::open("/dev/urandom").map_err(|e| format!("/dev/urandom: {e}"))?;
    let mut out = String::with_capacity(len);
    let mut buf = [0u8; 64];
    while out.len() < len {
        file.read_exact(&mut buf)
            .map_err(|e| format!("/dev/urandom: {e}"))?;
        for b in buf {
            if b < 248 && out.len() < len {
                out.push(ALPHABET[(b % 62) as usize] as char);
            }
        }
    }
    Ok(out)
}

/// The address other hosts' containers reach `url`'s published ports at:
/// the spec's override, the host part of a tcp:// URL, else the engine's
/// bridge gateway.
async fn address_of(spec: &ClusterSpec, name: &str, url: &str, h: &HostHandle) -> String {
    if let Some(a) = spec.placement.addresses.get(name) {
        return a.clone();
    }
    if let Some(rest) = url
        .strip_prefix("tcp://")
        .or_else(|| url.strip_prefix("https://"))
    {
        let hostport = rest.split('/').next().unwrap_or(rest);
        return hostport
            .rsplit_once(':')
            .map(|(h, _)| h)
            .unwrap_or(hostport)
            .to_string();
    }
    h.bridge_gateway()
        .await
        .ok()
        .flatten()
        .unwrap_or_else(|| "172.17.0.1".into())
}

pub async fn run(loaded: &Loaded, args: CreateArgs) -> ExitCode {
    let file = args.from.display().to_string();
    let text = match std::fs::read_to_string(&args.from) {
        Ok(t) => t,
        Err(e) => return usage(format!("{file}: {e}")),
    };
    let spec = match ClusterSpec::from_toml(&text) {
        Ok(s) => s,
        Err(e) => return usage(format!("{file}: {}", e.trim())),
    };
    if let Some(p) = spec.errors().first() {
        return usage(format!("{file}:{}: {}", p.field, p.message));
    }
    if loaded.hosts.is_empty() {
        return usage("no Docker host configured".into());
    }
    let hosts = spawn_hosts(&loaded.hosts, &loaded.settings, args.read_only, |_| {});
    let (inventory, _, _) = status::collect(&loaded.hosts, &loaded.settings).await;
    let spread = spec.placement.hosts.len() > 1;
    let mut placed = Vec::new();
    for (h, s) in hosts.iter().zip(&loaded.hosts) {
        let address = if spread && spec.placement.hosts.contains(&s.name) {
            h.wait_connected(loaded.settings.request_timeout).await;
            address_of(&spec, &s.name, &s.url, h).await
        } else {
            String::new()
        };
        placed.push(PlacedHost {
            name: s.name.clone(),
            address,
        });
    }
    let secrets = match (random_password(24), random_password(24)) {
        (Ok(root_password), Ok(replication_password)) => Secrets {
            root_password,
            replication_password,
        },
        (Err(e), _) | (_, Err(e)) => {
            eprintln!("tugboat: cannot generate passwords: {e}");
            return ExitCode::from(1);
        }
    };
    let plan = match create_plan(&spec, &placed, &inventory, &secrets) {
        Ok(p) => p,
        Err(e) => return usage(format!("{file}:{e}")),
    };
    let lines = plan.lines();
    if args.json && args.dry_run {
        let report = serde_json::json!({
            "cluster": plan.cluster, "template": plan.template,
            "plan": lines, "warnings": plan.warnings,
        });
        println!("{report}");
        return ExitCode::SUCCESS;
    }
    if !args.json {
        println!("Plan (create cluster/{}):", plan.cluster);
        for line in &lines {
            println!("  {line}");
        }
        for w in &plan.warnings {
            println!("  warning: {w}");
        }
    }
    if args.dry_run {
        return ExitCode::SUCCESS;
    }
    if !args.yes && !super::drain::confirmed() {
        eprintln!("tugboat: not confirmed; nothing was changed (use --yes to skip the question)");
        return ExitCode::from(EXIT_NOT_CONFIRMED);
    }
    // Ctrl-C stops the run at the next step and rolls back.
    let (cancel_tx, cancel_rx) = watch::channel(false);
    // The handler is installed here, before anything is created, so an
    // early Ctrl-C is not lost.
    let mut sigint = match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::interrupt())
    {
        Ok(s) => s,
        Err(e) => {
            eprintln!("tugboat: cannot watch for Ctrl-C: {e}; nothing was changed");
            return ExitCode::from(1);
        }
    };
    let interrupt = tokio::spawn(async move {
        if sigint.recv().await.is_some() {
            eprintln!("tugboat: interrupted: rolling back what this run created");
            cancel_tx.send_replace(true);
        }
    });
    let options = ApplyOptions {
        settings: loaded.settings.clone(),
        verify_timeout: Duration::from_secs(args.verify_timeout),
    };
    let json = args.json;
    let events = std::sync::Mutex::new(Vec::new());
    let sink = |e: ApplyEvent| {
        if json {
            events.lock().unwrap_or_else(|p| p.into_inner()).push(e);
        } else if !matches!(e, ApplyEvent::Failed { .. }) {
            // The outcome line says what failed.
            println!("{}", e.text());
        }
    };
    let audit = AuditLog::new(loaded.paths.audit_log());
    let (outcome, millis) = apply_audited(&plan, &hosts, &options, cancel_rx, &sink, &audit).await;
    interrupt.abort();
    let password = (outcome == ApplyOutcome::Done && spec.template == Template::Database)
        .then_some(secrets.root_password.as_str());
    if json {
        let events = events.into_inner().unwrap_or_else(|p| p.into_inner());
        let report = serde_json::json!({
            "cluster": plan.cluster, "template": plan.template, "plan": lines,
            "warnings": plan.warnings, "events": events, "outcome": outcome,
            "millis": millis, "root_password": password,
        });
        println!("{report}");
    } else {
        println!("{} ({:.1}s)", outcome.text(), millis as f64 / 1000.0);
        if let Some(p) = password {
            println!("root password (shown once; kept only in the containers' environment): {p}");
        }
    }
    match outcome {
        ApplyOutcome::Done => ExitCode::SUCCESS,
        ApplyOutcome::Refused { .. } => ExitCode::from(EXIT_NOT_CONFIRMED),
        _ => ExitCode::from(1),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_are_letters_and_digits_and_differ() {
        let a = random_password(24).unwrap();
        let b = random_password(24).unwrap();
        assert_eq!(a.len(), 24);
        assert!(a.chars().all(|c| c.is_ascii_alphanumeric()), "{a}");
        assert_ne!(a, b);
    }
}
