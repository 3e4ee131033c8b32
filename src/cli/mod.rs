//! Command-line parsing and the headless commands.

mod audit;
pub mod backup;
mod backups;
mod config_cmd;
pub mod contract;
mod create;
mod cut_off;
mod demo;
mod destroy;
pub mod drain;
mod export;
pub mod failover;
pub mod headless;
mod hosts_given;
pub mod interrupt;
mod leases;
pub mod logging;
mod logs;
mod node;
mod recover;
pub mod rejoin;
mod restart;
mod runtime;
mod scale;
pub mod status;
mod status_services;
mod timeline;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

use crate::config::{self, ConfigError, HostEnv, HostSpec, Paths, Settings, Theme};
use crate::ops::AuditLog;

#[derive(Debug, Parser)]
#[command(
    name = "tugboat",
    version,
    about = "Operate data clusters that run in Docker, across hosts"
)]
pub struct Cli {
    /// A Docker host as NAME=URL (unix://, tcp://, https://, ssh://); repeatable.
    #[arg(long = "host", value_name = "NAME=URL", global = true)]
    pub hosts: Vec<String>,
    /// Config file [default: ~/.config/tugboat/config.toml].
    #[arg(long, value_name = "FILE", global = true)]
    pub config: Option<PathBuf>,
    /// Refuse every action that changes anything.
    #[arg(long, global = true)]
    pub read_only: bool,
    /// Theme for the TUI: default, light, solarized, high-contrast,
    /// colorblind, mono, or NAME.toml in ~/.config/tugboat/themes/
    /// [default: `theme` in config.toml; NO_COLOR picks mono unless this
    /// is given].
    #[arg(long, value_name = "NAME", global = true)]
    pub theme: Option<String>,
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Print hosts, clusters, containers, volumes, ZooKeeper, replication
    /// and balancers, then exit (0: every host answered, 1: some did not,
    /// 2: bad usage or config).
    Status {
        /// JSON with stable field names instead of tables.
        #[arg(long)]
        json: bool,
    },
    /// Print the audit log: every mutating action asked of tugboat, with its
    /// plan and outcome (never a secret).
    Audit(audit::AuditArgs),
    /// Drain a swarm node (its tasks move elsewhere) or make it active again,
    /// through a manager (exit codes as for drain).
    Node(node::NodeArgs),
    /// Drain, ready or maintain an HAProxy server, or set its weight
    /// (exit 0 done, 1 failed, 2 bad usage, 3 refused or not confirmed).
    Drain(drain::DrainArgs),
    /// Restart a container, or with --rolling every member of a cluster one at
    /// a time (leaders last, balancer servers drained around each); exit codes
    /// as for drain.
    Restart(restart::RestartArgs),
    /// Scale a compose service (copies of a replica, highest numbers removed
    /// first) or a swarm service (its replica count); replicas behind a
    /// reachable HAProxy join and leave its backend (exit codes as for drain).
    Scale(scale::ScaleArgs),
    /// Back up a volume into a compressed archive with a manifest
    /// (exit 0 done, 1 failed, 2 bad usage, 3 refused or not confirmed).
    Backup(backup::BackupArgs),
    /// Restore a backup into a new volume, or into an existing empty one
    /// (--force: a non-empty one); exit codes as for backup.
    Restore(backup::RestoreArgs),
    /// Make safe what jobs cut off by `kill -9` or a reboot may have left
    /// (paused containers, helper containers, partial archives, drained
    /// servers), from the journal of unfinished jobs; asks first (exit 0
    /// nothing to recover or all recovered, 1 a recovery failed, 3 refused,
    /// not confirmed, or entries left to check by hand).
    Recover {
        /// Do not ask for confirmation.
        #[arg(long)]
        yes: bool,
        /// Each recovery's plan and outcome as JSON.
        #[arg(long)]
        json: bool,
    },
    /// List the leases every tugboat's jobs hold on the engines (who, since
    /// when, whether its process runs), or free a cut-off job's with
    /// `leases free LEASE` (exit 0, 1 an engine did not answer, 2 no such
    /// lease, 3 refused or not confirmed).
    Leases(leases::LeasesArgs),
    /// List the backups in the backup directory (and incomplete leftovers)
    /// (exit 0, 1 the directory cannot be read, 2 no such directory).
    Backups(backups::BackupsArgs),
    /// Switch a database cluster's primary to a replica (switchover when the
    /// primary answers, failover when it is down) and move the HAProxy
    /// writer backend (exit 0 done, 1 failed, 2 bad usage, 3 refused or
    /// not confirmed).
    Failover(failover::FailoverArgs),
    /// Make a server that left a database cluster (a former primary) a
    /// replica of its primary again, after comparing their transactions:
    /// refused, listing them, when it holds writes the primary lacks (exit
    /// codes as for failover)
    Rejoin(rejoin::RejoinArgs),
    /// Create a cluster from a spec file (TOML, as the wizard saves it):
    /// plan, confirm, create, set up, verify; on failure or Ctrl-C roll back
    /// what this run created (exit 0 done, 1 failed and rolled back, 2 bad
    /// usage or spec, 3 refused or not confirmed).
    Create(create::CreateArgs),
    /// Remove a cluster that `tugboat create` made: its containers and
    /// networks, and its volumes only with --volumes (exit codes as for drain).
    Destroy(destroy::DestroyArgs),
    /// Print every member's log of a cluster, across hosts, in one time
    /// order (each engine's clock offset corrected), each line with its
    /// time and member (exit 0, 1 some host did not answer, 2 bad usage or
    /// no such cluster).
    Logs(logs::LogsArgs),
    /// Print the incident timeline: every host's engine events (deaths, OOM
    /// kills, failing healthchecks, restarts, volumes, networks, nodes) and
    /// the operators' jobs from the audit log, in one time order (exit 0,
    /// 1 some host did not answer, 2 bad usage).
    Timeline(timeline::TimelineArgs),
    /// Print an equivalent docker-compose.yml for a single-host cluster that
    /// `tugboat create` made (secrets as ${VARIABLES}, not their values)
    /// (exit 0, 1 a host did not answer, 2 no such cluster).
    Export {
        /// The cluster's name.
        cluster: String,
        /// Compose format (the only one so far).
        #[arg(long, required = true)]
        compose: bool,
    },
    /// Print a commented config.toml with every default (settings and
    /// keys), or check a config file: settings, hosts, credentials, the
    /// theme and [keys] with its conflicts (exit 0 ok, 2 errors, each with
    /// its line).
    Config(config_cmd::ConfigArgs),
    /// Make a small demo on the local engine (starting one with
    /// scripts/testbed.sh if none runs and the source tree is here): a
    /// ZooKeeper ensemble, a MariaDB primary and replica behind HAProxy
    /// with a client writing, two app replicas behind HAProxy; then open
    /// the TUI on them. `--down` removes everything it made (exit 0 done,
    /// 1 failed, 3 refused or not confirmed).
    Demo(demo::DemoArgs),
}

/// Exit codes of every command (src/cli/contract.rs).
pub use contract::{EXIT_OK, EXIT_USAGE};
pub const EXIT_SOME_HOSTS_DOWN: u8 = contract::EXIT_FAILED;

pub struct Loaded {
    pub paths: Paths,
    pub hosts: Vec<HostSpec>,
    pub settings: Settings,
    /// `[keys]` as written; the TUI builds its keymap from it.
    pub keys: config::KeysTable,
    /// `[[actions]]`: the user's own commands.
    pub actions: std::sync::Arc<[config::UserActionSpec]>,
}

impl Command {
    /// Whether `--json` was given: errors are then said as JSON on stdout
    /// too (src/cli/contract.rs).
    pub fn json(&self) -> bool {
        match self {
            Command::Status { json } | Command::Recover { json, .. } => *json,
            Command::Audit(a) => a.json,
            Command::Node(a) => a.json,
            Command::Drain(a) => a.json,
            Command::Restart(a) => a.json,
            Command::Scale(a) => a.json,
            Command::Backup(a) => a.json,
            Command::Restore(a) => a.json,
            Command::Leases(a) => a.json(),
            Command::Backups(a) => a.json,
            Command::Failover(a) => a.json,
            Command::Rejoin(a) => a.json,
            Command::Create(a) => a.json,
            Command::Destroy(a) => a.json,
            Command::Timeline(a) => a.json,
            Command::Logs(_) | Command::Export { .. } | Command::Config(_) | Command::Demo(_) => {
                false
            }
        }
    }
}

pub fn load(cli: &Cli) -> Result<Loaded, ConfigError> {
    let paths = Paths::discover_checked()?;
    let file = match &cli.config {
        Some(named) => config::load_named_config_file(named)?,
        None => config::load_config_file(&paths.config_file())?,
    };
    let hosts = config::resolve_hosts(&file, &cli.hosts, &HostEnv::from_process())?;
    Ok(Loaded {
        paths,
        hosts,
        settings: file.settings,
        keys: file.keys,
        actions: file.actions.into(),
    })
}

/// Parse the process's arguments and run; a command line clap refuses is
/// a usage error (as JSON too with `--json`).
pub fn main() -> ExitCode {
    let args: Vec<std::ffi::OsString> = std::env::args_os().collect();
    match Cli::try_parse_from(&args) {
        Ok(cli) => run(cli),
        Err(e) => contract::parse_failed(e, &args),
    }
}

pub fn run(cli: Cli) -> ExitCode {
    // Needs no config of its own (and checks one that may be broken).
    if let Some(Command::Config(args)) = &cli.command {
        return config_cmd::run(args);
    }
    let json = cli.command.as_ref().is_some_and(Command::json);
    let loaded = match load(&cli) {
        Ok(l) => l,
        Err(e) => return contract::CliError::usage(e.to_string()).report(json),
    };
    if let Err(e) = hosts_given::check_urls(&loaded.hosts) {
        return e.report(json);
    }
    if cli.command.is_none() {
        if let Err(e) = terminal_to_draw_on() {
            return e.report(false);
        }
    }
    let _log_guard = logging::init(&loaded.paths);
    // Only the TUI has a drawing thread to favour; a headless operation
    // runs its steps at the usual priority.
    let runtime = match runtime::build(cli.command.is_none()) {
        Ok(rt) => rt,
        Err(e) => {
            return contract::CliError::failed(format!("cannot start the async runtime: {e}"))
                .report(json)
        }
    };
    dispatch(
        &loaded,
        &runtime,
        cli.command,
        cli.read_only,
        cli.theme.as_deref(),
    )
}

/// The TUI draws on the controlling terminal; without one (a script, a
/// pipe, cron) it says what to run instead.
fn terminal_to_draw_on() -> Result<(), contract::CliError> {
    let tty = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .open("/dev/tty");
    tty.map(drop).map_err(|e| {
        contract::CliError::usage(format!(
            "no terminal to draw the TUI on (/dev/tty: {e}); for scripts use `tugboat status` \
             (--json) or another headless command (`tugboat --help` lists them)"
        ))
    })
}

/// Run the command asked for; without one, the TUI (with `theme`, from
/// `--theme`).
fn dispatch(
    loaded: &Loaded,
    runtime: &tokio::runtime::Runtime,
    command: Option<Command>,
    read_only: bool,
    theme: Option<&str>,
) -> ExitCode {
    let json = command.as_ref().is_some_and(Command::json);
    let done = |result: contract::CliResult| contract::finish(result, json);
    match command {
        Some(Command::Status { json }) => runtime.block_on(status_command(loaded, json)),
        Some(Command::Audit(args)) => done(audit::run(loaded, &args)),
        Some(Command::Node(args)) => runtime.block_on(node::run(loaded, args, read_only)),
        Some(Command::Drain(args)) => runtime.block_on(drain::run(loaded, args, read_only)),
        Some(Command::Restart(args)) => runtime.block_on(restart::run(loaded, args, read_only)),
        Some(Command::Scale(args)) => runtime.block_on(scale::run(loaded, args, read_only)),
        Some(Command::Backup(args)) => runtime.block_on(backup::backup(loaded, args, read_only)),
        Some(Command::Restore(args)) => runtime.block_on(backup::restore(loaded, args, read_only)),
        Some(Command::Recover { yes, json }) => {
            runtime.block_on(recover::run(loaded, yes, json, read_only))
        }
        Some(Command::Leases(args)) => runtime.block_on(leases::run(loaded, args, read_only)),
        Some(Command::Backups(args)) => done(backups::run(loaded, &args)),
        Some(Command::Failover(args)) => runtime.block_on(failover::run(loaded, args, read_only)),
        Some(Command::Rejoin(args)) => runtime.block_on(rejoin::run(loaded, args, read_only)),
        Some(Command::Create(args)) => runtime.block_on(create::run(loaded, args, read_only)),
        Some(Command::Destroy(args)) => runtime.block_on(destroy::run(loaded, args, read_only)),
        Some(Command::Logs(args)) => runtime.block_on(logs::run(loaded, args)),
        Some(Command::Timeline(args)) => runtime.block_on(timeline::run(loaded, args)),
        Some(Command::Export { cluster, .. }) => {
            runtime.block_on(export::run(loaded, &cluster, read_only))
        }
        Some(Command::Config(args)) => config_cmd::run(&args),
        Some(Command::Demo(args)) => runtime.block_on(demo::run(loaded, args, read_only, theme)),
        None => runtime.block_on(tui_command(loaded, read_only, theme)),
    }
}

async fn status_command(loaded: &Loaded, json: bool) -> ExitCode {
    let (inventory, probes, all_up) = status::collect(&loaded.hosts, &loaded.settings).await;
    let report = status::report(&inventory, &probes);
    // What the services said is in the report: escaped, or sanitized.
    if json {
        match interrupt::json_text(&report, true) {
            Ok(text) => println!("{text}"),
            Err(e) => return contract::CliError::failed(e.to_string()).report(json),
        }
    } else {
        print!(
            "{}",
            crate::model::sanitize_multiline(&status::render_table(&report))
        );
    }
    ExitCode::from(if all_up {
        EXIT_OK
    } else {
        EXIT_SOME_HOSTS_DOWN
    })
}

/// The TUI. A theme that cannot be loaded does not stop it: the default
/// is used and the reason shown on the status line at start (stderr would
/// be hidden by the alternate screen); two actions on one key neither (the
/// first wins, the status line says so). A mistake in `[keys]` does.
async fn tui_command(loaded: &Loaded, read_only: bool, theme: Option<&str>) -> ExitCode {
    let (keymap, key_conflicts) = match config_cmd::keymap_for_tui(&loaded.keys, &loaded.actions) {
        Ok(built) => built,
        Err(code) => return code,
    };
    let (theme, warning) = Theme::resolve(
        theme,
        &loaded.settings.theme,
        &loaded.paths.config_dir,
        std::env::var_os("NO_COLOR").as_deref(),
        loaded.settings.colors.depth(),
    );
    let options = crate::tui::TuiOptions {
        hosts: loaded.hosts.clone(),
        settings: loaded.settings.clone(),
        theme,
        theme_dir: loaded.paths.config_dir.clone(),
        read_only,
        audit: AuditLog::new(loaded.paths.audit_log()),
        // The warning quotes the theme file, which may hold anything.
        notice: join_notices(
            join_notices(warning.map(|w| crate::model::sanitize(&w)), key_conflicts),
            cut_off::notice(loaded, true),
        ),
        recoveries: cut_off::pending(loaded),
        keymap,
        user_actions: loaded.actions.clone(),
    };
    match crate::tui::run(options).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("tugboat: terminal error: {e}");
            ExitCode::FAILURE
        }
    }
}

/// Both notices on one status line, the first first.
fn join_notices(first: Option<String>, second: Option<String>) -> Option<String> {
    match (first, second) {
        (Some(a), Some(b)) => Some(format!("{a} · {b}")),
        (a, b) => a.or(b),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn theme_flag_is_global_and_notices_join() {
        let cli = Cli::try_parse_from(["tugboat", "--theme", "light"]).unwrap();
        assert_eq!(cli.theme.as_deref(), Some("light"));
        let cli = Cli::try_parse_from(["tugboat", "status", "--theme", "mono"]).unwrap();
        assert_eq!(cli.theme.as_deref(), Some("mono"));
        assert_eq!(Cli::try_parse_from(["tugboat"]).unwrap().theme, None);
        let s = |t: &str| Some(t.to_string());
        assert_eq!(join_notices(s("a"), s("b")), s("a · b"));
        assert_eq!(join_notices(None, s("b")), s("b"));
        assert_eq!(join_notices(s("a"), None), s("a"));
        assert_eq!(join_notices(None, None), None);
    }

    fn create(timeout: &str) -> Result<Cli, clap::Error> {
        Cli::try_parse_from([
            "tugboat",
            "create",
            "--from",
            "spec.toml",
            "--verify-timeout",
            timeout,
        ])
    }

    /// A verify timeout that would overflow the deadline is a usage error
    /// before anything is created, not a panic after.
    #[test]
    fn verify_timeout_is_bounded_at_parse_time() {
        for bad in ["18446744073709551615", "86401", "0"] {
            let e = create(bad).unwrap_err();
            assert_eq!(
                e.kind(),
                clap::error::ErrorKind::ValueValidation,
                "{bad}: {e}"
            );
            assert!(e.to_string().contains("--verify-timeout"), "{e}");
        }
        match create("86400").unwrap().command {
            Some(Command::Create(args)) => assert_eq!(args.verify_timeout, 86400),
            other => panic!("{other:?}"),
        }
    }
}
