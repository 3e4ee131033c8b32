//! `tugboat demo`: the first run on a fresh machine shows the tool at
//! work. It makes sure the local engine answers (starting one with
//! `scripts/testbed.sh` when tugboat's source tree is at hand, asked
//! first), that the images are there (built offline by the same script),
//! then makes through `tugboat create`'s own code a ZooKeeper ensemble
//! (`demo-zk`), a MariaDB primary and replica behind HAProxy (`demo-db`)
//! with a client writing a row a second (`demo-db-client`), and two app
//! replicas behind HAProxy (`demo-app`), each object labelled
//! `io.tugboat.demo=true`; then opens the TUI. A cluster already made by
//! an earlier run is reused. `tugboat demo --down` removes every object
//! carrying the label, through `tugboat destroy`'s code, and nothing else.
//!
//! Exit codes: 0 done (or, for --down, nothing to remove), 1 failed (no
//! engine, missing images, a create that failed and was rolled back), 2
//! bad usage, 3 refused (--read-only) or not confirmed; 128 + N stopped
//! by signal N.

mod clusters;
mod setup;

use std::io::IsTerminal;
use std::process::ExitCode;

use super::destroy::{destroy_job, destroy_plan, Kind};
use super::headless::{run_plan_with, Report, EXIT_NOT_CONFIRMED};
use super::interrupt::{say, warn};
use super::{Loaded, EXIT_USAGE};
use crate::config::HostSpec;
use crate::docker::{spawn_hosts, HostHandle, Labelled};
use crate::ops::plan::PlanTarget;

/// Marks everything the demo made, so `--down` removes only that.
pub const LABEL_DEMO: &str = "io.tugboat.demo";
pub const DEMO_VALUE: &str = "true";

#[derive(Debug, clap::Args)]
pub struct DemoArgs {
    /// Remove every container, volume and network the demo made.
    #[arg(long)]
    pub down: bool,
    /// Make the clusters, but do not open the TUI.
    #[arg(long, conflicts_with = "down")]
    pub no_tui: bool,
    /// Do not ask: start an engine and build the test images with
    /// scripts/testbed.sh when needed; with --down, remove without asking.
    #[arg(long)]
    pub yes: bool,
}

/// Why the demo stopped; each says what to do about it.
#[derive(Debug, thiserror::Error)]
pub enum DemoError {
    #[error("the demo creates clusters: refused in read-only mode (--read-only)")]
    ReadOnly,
    #[error("no Docker host configured")]
    NoHost,
    #[error("nothing was made; {hint}")]
    EngineDown { hint: String },
    #[error("`{command}` failed: {why}")]
    Testbed { command: String, why: String },
    #[error("the engine: {0}")]
    Engine(String),
    #[error("images missing; get them, then run `tugboat demo` again:\n    {}", .0.join("\n    "))]
    ImagesMissing(Vec<String>),
    #[error(
        "{0}: volumes or networks of an earlier demo are left without their containers; \
         `tugboat demo --down` removes them, then run `tugboat demo` again"
    )]
    Leftovers(String),
    #[error("{cluster}: no plan: {why}")]
    Plan { cluster: String, why: String },
    #[error("{cluster}: {why} (what this run made of it was removed)")]
    CreateFailed { cluster: String, why: String },
    #[error("stopped by a signal; what the step in flight made was removed")]
    Interrupted(ExitCode),
}

impl DemoError {
    fn exit_code(&self) -> ExitCode {
        match self {
            Self::ReadOnly => ExitCode::from(EXIT_NOT_CONFIRMED),
            Self::NoHost => ExitCode::from(EXIT_USAGE),
            Self::Interrupted(code) => *code,
            _ => ExitCode::from(1),
        }
    }
}

pub async fn run(
    loaded: &Loaded,
    args: DemoArgs,
    read_only: bool,
    theme: Option<&str>,
) -> ExitCode {
    if args.down {
        return down(loaded, args.yes, read_only).await;
    }
    if let Err(e) = up(loaded, args.yes, read_only).await {
        warn(format!("tugboat: {e}"));
        return e.exit_code();
    }
    if args.no_tui {
        return ExitCode::SUCCESS;
    }
    if !std::io::stdin().is_terminal() || !std::io::stdout().is_terminal() {
        say("no terminal here: not opening the TUI (run `tugboat` in one)");
        return ExitCode::SUCCESS;
    }
    super::tui_command(loaded, read_only, theme).await
}

/// The demo's host: the first configured (the local engine when nothing is).
fn demo_host(loaded: &Loaded) -> Result<&HostSpec, DemoError> {
    loaded.hosts.first().ok_or(DemoError::NoHost)
}

async fn up(loaded: &Loaded, yes: bool, read_only: bool) -> Result<(), DemoError> {
    if read_only {
        return Err(DemoError::ReadOnly);
    }
    let host = demo_host(loaded)?;
    let (handle, testbed_ran) = setup::ensure_engine(host, &loaded.settings, yes).await?;
    let images = setup::ensure_images(host, &handle, yes, testbed_ran).await?;
    drop(handle);
    let hosts = spawn_hosts(&loaded.hosts, &loaded.settings, read_only, |_| {});
    let h = connected(loaded, &hosts, &host.name).await?;
    let started = std::time::Instant::now();
    let mut made = Vec::new();
    for spec in clusters::specs(&host.name, &images) {
        let how = clusters::make(loaded, &hosts, h, &spec, &images).await?;
        made.push((spec.name, how));
    }
    say(format!(
        "demo ready in {:.0}s ({})",
        started.elapsed().as_secs_f64(),
        made.iter()
            .map(|(n, how)| match how {
                clusters::Made::Created => format!("{n} made"),
                clusters::Made::Reused => format!("{n} reused"),
            })
            .collect::<Vec<_>>()
            .join(", ")
    ));
    say_what_runs(&host.name, &images);
    Ok(())
}

/// The handle of host `name`, once connected.
async fn connected<'a>(
    loaded: &Loaded,
    hosts: &'a [HostHandle],
    name: &str,
) -> Result<&'a HostHandle, DemoError> {
    let h = hosts
        .iter()
        .find(|h| h.name == name)
        .ok_or(DemoError::NoHost)?;
    if h.wait_connected(loaded.settings.request_timeout * 2).await {
        Ok(h)
    } else {
        Err(DemoError::Engine(format!("host {name} stopped answering")))
    }
}

fn say_what_runs(host: &str, images: &setup::DemoImages) {
    use clusters::{APP, CLIENT, DB, TABLE, ZK};
    let lines = [
        format!("On host {host}:"),
        format!(
            "  {ZK}   ZooKeeper ensemble {ZK}-zk1..3 ({})",
            images.zookeeper
        ),
        format!(
            "  {DB}   MariaDB primary {DB}-db1 and replica {DB}-db2 ({}) behind HAProxy {DB}-lb \
             (writes :3306, reads :3307)",
            images.mariadb
        ),
        format!("           {CLIENT} writes a row a second into {TABLE} through {DB}-lb:3306"),
        format!(
            "  {APP}  app replicas {APP}-app1, {APP}-app2 ({}) behind HAProxy {APP}-lb (:8080)",
            images.app
        ),
        "Look around: `tugboat` (the TUI), `tugboat status`, `tugboat logs demo-db`.".into(),
        "Remove it all: `tugboat demo --down`.".into(),
    ];
    for l in lines {
        say(l);
    }
}

/// What the demo made on every host that answers, found by its label.
/// Also the names of the hosts that did not answer.
async fn find_made(
    loaded: &Loaded,
    hosts: &[HostHandle],
) -> (Vec<(String, Labelled)>, Vec<String>) {
    let filters = clusters::demo_filters(None);
    let limit = loaded.settings.request_timeout * 2;
    let asked = futures_util::future::join_all(hosts.iter().map(|h| async {
        if !h.wait_connected(limit).await {
            return Err(format!("host {} does not answer", h.name));
        }
        h.labelled(&filters)
            .await
            .map(|l| (h.name.clone(), l))
            .map_err(|e| format!("{}: {e}", h.name))
    }))
    .await;
    let mut found = Vec::new();
    let mut silent = Vec::new();
    for (h, a) in hosts.iter().zip(asked) {
        match a {
            Ok(l) => found.push(l),
            Err(why) => {
                warn(format!("tugboat: {why}: not searched"));
                silent.push(h.name.clone());
            }
        }
    }
    (found, silent)
}

/// `tugboat demo --down`: plan, ask (unless `yes`), remove, through the
/// destroy job.
async fn down(loaded: &Loaded, yes: bool, read_only: bool) -> ExitCode {
    if loaded.hosts.is_empty() {
        warn(format!("tugboat: {}", DemoError::NoHost));
        return ExitCode::from(EXIT_USAGE);
    }
    let hosts = spawn_hosts(&loaded.hosts, &loaded.settings, read_only, |_| {});
    let (found, silent) = find_made(loaded, &hosts).await;
    drop(hosts);
    let (removals, _) = destroy_plan(&found, true);
    if removals.is_empty() {
        let searched: Vec<&str> = found.iter().map(|(h, _)| h.as_str()).collect();
        say(format!(
            "nothing to remove: no object made by `tugboat demo` on {}",
            if searched.is_empty() {
                "any host (none answered)".to_string()
            } else {
                format!("host {}", searched.join(", "))
            }
        ));
        return ExitCode::from(if silent.is_empty() { 0 } else { 1 });
    }
    let mut plan = destroy_job("demo", &removals);
    plan.target = PlanTarget::Demo;
    let count = |k: Kind| removals.iter().filter(|r| r.kind == k).count();
    let summary = format!(
        "removed everything `tugboat demo` made: {} containers, {} volumes, {} networks",
        count(Kind::Container),
        count(Kind::Volume),
        count(Kind::Network)
    );
    let report = Report {
        heading: Some("Plan (remove everything `tugboat demo` made, data included):".into()),
        notes: silent
            .iter()
            .map(|h| format!("host {h} did not answer: what the demo made there stays"))
            .collect(),
        fields: serde_json::Map::new(),
    };
    let code = run_plan_with(loaded, plan, report, yes, false, read_only).await;
    if code == ExitCode::SUCCESS {
        say(summary);
    }
    code
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    fn demo(args: &[&str]) -> Result<DemoArgs, clap::Error> {
        let all = std::iter::once("tugboat").chain(std::iter::once("demo"));
        match super::super::Cli::try_parse_from(all.chain(args.iter().copied()))?.command {
            Some(super::super::Command::Demo(a)) => Ok(a),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn flags_parse_and_down_takes_no_tui_flag() {
        let a = demo(&["--no-tui", "--yes"]).unwrap();
        assert!(a.no_tui && a.yes && !a.down);
        let a = demo(&["--down", "--yes"]).unwrap();
        assert!(a.down && a.yes);
        assert!(demo(&["--down", "--no-tui"]).is_err());
    }

    #[test]
    fn errors_say_what_to_do_and_exit_as_documented() {
        let e = DemoError::ImagesMissing(vec!["ZooKeeper: `docker pull zookeeper:3.9`".into()]);
        assert!(
            e.to_string().contains("\n    ZooKeeper: `docker pull"),
            "{e}"
        );
        assert_eq!(e.exit_code(), ExitCode::from(1));
        assert_eq!(DemoError::ReadOnly.exit_code(), ExitCode::from(3));
        assert!(DemoError::Leftovers("demo-zk".into())
            .to_string()
            .contains("tugboat demo --down"));
    }
}
