//! Command-line parsing and the headless commands.

pub mod backup;
mod create;
mod destroy;
pub mod drain;
mod export;
pub mod failover;
pub mod headless;
pub mod interrupt;
mod leases;
pub mod logging;
mod recover;
pub mod rejoin;
mod restart;
mod runtime;
mod scale;
pub mod status;
mod status_services;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

use crate::config::{self, ConfigError, HostEnv, HostSpec, Paths, Settings, Theme};
use crate::ops::server_ops::ServerState;
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
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Print hosts, clusters, containers and volumes, then exit
    /// (0: every host answered, 1: some did not, 2: bad usage or config).
    Status {
        /// JSON with stable field names instead of tables.
        #[arg(long)]
        json: bool,
    },
    /// Print the audit log: every mutating action asked of tugboat, with its
    /// plan and outcome (never a secret).
    Audit {
        /// JSON lines as stored instead of a table.
        #[arg(long)]
        json: bool,
    },
    /// Drain a swarm node (its tasks move elsewhere) or make it active again,
    /// through a manager (exit codes as for drain).
    Node {
        /// drain, activate or pause.
        #[arg(value_parser = ["drain", "activate", "pause"])]
        change: String,
        /// The node's hostname or id.
        node: String,
        /// The configured host that is a swarm manager [default: the only host].
        #[arg(long = "on", value_name = "HOST")]
        manager: Option<String>,
        /// Do not ask for confirmation.
        #[arg(long)]
        yes: bool,
        /// The plan and outcome as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Drain, ready or maintain an HAProxy server, or set its weight
    /// (exit 0 done, 1 failed, 2 bad usage, 3 refused or not confirmed).
    Drain {
        /// The HAProxy container, as NAME or HOST/NAME.
        balancer: String,
        /// BACKEND/SERVER as HAProxy names them.
        server: String,
        /// drain (default), ready or maint.
        #[arg(long, value_parser = ["drain", "ready", "maint"])]
        state: Option<String>,
        /// Set the weight (0-256) instead of the state.
        #[arg(long, conflicts_with = "state")]
        weight: Option<u32>,
        /// Take the last UP server of its backend out all the same (refused
        /// without: every request to that backend would fail).
        #[arg(long)]
        force: bool,
        /// Do not ask for confirmation.
        #[arg(long)]
        yes: bool,
        /// The plan and outcome as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Restart a container, or with --rolling every member of a cluster one at
    /// a time (leaders last, balancer servers drained around each); exit codes
    /// as for drain.
    Restart {
        /// A container's name (or id prefix); with --rolling, a cluster's name.
        name: String,
        /// Restart the whole cluster, one member at a time.
        #[arg(long)]
        rolling: bool,
        /// Only this host's containers.
        #[arg(long = "on", value_name = "HOST")]
        host: Option<String>,
        /// Do not ask for confirmation.
        #[arg(long)]
        yes: bool,
        /// The plan and outcome as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Scale a compose service (copies of a replica, highest numbers removed
    /// first) or a swarm service (its replica count); replicas behind a
    /// reachable HAProxy join and leave its backend (exit codes as for drain).
    Scale {
        /// SERVICE, PROJECT/SERVICE, or a swarm service's name.
        service: String,
        /// The number of replicas wanted.
        #[arg(allow_negative_numbers = true)]
        count: i64,
        /// The host the service runs on, when several have one by that name.
        #[arg(long = "on", value_name = "HOST")]
        host: Option<String>,
        /// Do not ask for confirmation.
        #[arg(long)]
        yes: bool,
        /// The plan and outcome as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Back up a volume into a compressed archive with a manifest
    /// (exit 0 done, 1 failed, 2 bad usage, 3 refused or not confirmed).
    Backup {
        volume: String,
        /// The host that has the volume [default: the only host].
        #[arg(long = "on", value_name = "HOST")]
        on: Option<String>,
        /// Where the archive goes [default: the data directory's backups/].
        #[arg(long, value_name = "DIR")]
        dir: Option<PathBuf>,
        /// Pause the volume's running users for the copy (default for
        /// MySQL/MariaDB volumes).
        #[arg(long, conflicts_with = "no_pause")]
        pause: bool,
        /// Do not pause the users, even of a database volume.
        #[arg(long)]
        no_pause: bool,
        /// Image for the helper container (never started) [default: a user's image].
        #[arg(long, value_name = "IMAGE")]
        image: Option<String>,
        /// A logical dump (--single-transaction) of the running MySQL/MariaDB
        /// that uses the volume, instead of a copy of its files.
        #[arg(long, conflicts_with_all = ["pause", "no_pause", "image"])]
        dump: bool,
        #[arg(long)]
        yes: bool,
        #[arg(long)]
        json: bool,
    },
    /// Restore a backup into a new volume, or into an existing empty one
    /// (--force: a non-empty one); exit codes as for backup.
    Restore(backup::RestoreArgs),
    /// Make safe what jobs cut off by `kill -9` or a reboot may have left
    /// (paused containers, helper containers, partial archives, drained
    /// servers), from the journal of unfinished jobs; asks first.
    Recover {
        #[arg(long)]
        yes: bool,
        #[arg(long)]
        json: bool,
    },
    /// List the leases every tugboat's jobs hold on the engines (who, since
    /// when, whether its process runs), or free a cut-off job's with
    /// `leases free LEASE` (exit 0, 1 an engine did not answer, 2 no such
    /// lease, 3 refused or not confirmed).
    Leases(leases::LeasesArgs),
    /// List the backups in the backup directory (and incomplete leftovers).
    Backups {
        #[arg(long, value_name = "DIR")]
        dir: Option<PathBuf>,
        #[arg(long)]
        json: bool,
    },
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
    Create {
        /// The cluster spec.
        #[arg(long, value_name = "SPEC")]
        from: PathBuf,
        /// Print the plan and exit.
        #[arg(long)]
        dry_run: bool,
        /// Seconds allowed from the last object created to verified (at
        /// most a day: refused here rather than overflowing once the
        /// objects exist).
        #[arg(
            long,
            value_name = "SECS",
            default_value_t = 180,
            value_parser = clap::value_parser!(u64)
                .range(1..=crate::create::apply::MAX_VERIFY_TIMEOUT_SECS)
        )]
        verify_timeout: u64,
        /// Do not ask for confirmation.
        #[arg(long)]
        yes: bool,
        /// The plan, progress and outcome as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Remove a cluster that `tugboat create` made: its containers and
    /// networks, and its volumes only with --volumes (exit codes as for drain).
    Destroy {
        /// The cluster's name.
        cluster: String,
        /// Remove its volumes too (their data is lost).
        #[arg(long)]
        volumes: bool,
        /// Do not ask for confirmation.
        #[arg(long)]
        yes: bool,
        /// The plan and outcome as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Print an equivalent docker-compose.yml for a single-host cluster that
    /// `tugboat create` made (secrets as ${VARIABLES}, not their values).
    Export {
        /// The cluster's name.
        cluster: String,
        /// Compose format (the only one so far).
        #[arg(long, required = true)]
        compose: bool,
    },
}

/// Exit codes of every command.
pub const EXIT_OK: u8 = 0;
pub const EXIT_SOME_HOSTS_DOWN: u8 = 1;
pub const EXIT_USAGE: u8 = 2;

pub struct Loaded {
    pub paths: Paths,
    pub hosts: Vec<HostSpec>,
    pub settings: Settings,
}

pub fn load(cli: &Cli) -> Result<Loaded, ConfigError> {
    let paths = Paths::discover_checked()?;
    let file_path = cli.config.clone().unwrap_or_else(|| paths.config_file());
    let file = config::load_config_file(&file_path)?;
    let hosts = config::resolve_hosts(&file, &cli.hosts, &HostEnv::from_process())?;
    Ok(Loaded {
        paths,
        hosts,
        settings: file.settings,
    })
}

pub fn run(cli: Cli) -> ExitCode {
    let loaded = match load(&cli) {
        Ok(l) => l,
        Err(e) => {
            eprintln!("tugboat: {e}");
            return ExitCode::from(EXIT_USAGE);
        }
    };
    let _log_guard = logging::init(&loaded.paths);
    // Only the TUI has a drawing thread to favour; a headless operation
    // runs its steps at the usual priority.
    let runtime = match runtime::build(cli.command.is_none()) {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("tugboat: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match cli.command {
        Some(Command::Audit { json }) => audit_command(&loaded, json),
        Some(Command::Node {
            change,
            node,
            manager,
            yes,
            json,
        }) => {
            let manager = match manager {
                Some(m) => m,
                None if loaded.hosts.len() == 1 => loaded.hosts[0].name.clone(),
                None => {
                    eprintln!(
                        "tugboat: several hosts are configured: say which manager with --on HOST"
                    );
                    return ExitCode::from(EXIT_USAGE);
                }
            };
            let availability = if change == "activate" {
                "active"
            } else {
                change.as_str()
            };
            match crate::ops::plan::node_availability_plan(&manager, &node, availability) {
                Ok(plan) => {
                    runtime.block_on(headless::run_plan(&loaded, plan, yes, json, cli.read_only))
                }
                Err(e) => {
                    eprintln!("tugboat: {e}");
                    ExitCode::from(EXIT_USAGE)
                }
            }
        }
        Some(Command::Drain {
            balancer,
            server,
            state,
            weight,
            force,
            yes,
            json,
        }) => {
            let state = match (state.as_deref(), weight) {
                (_, Some(_)) => None,
                (Some("ready"), None) => Some(ServerState::Ready),
                (Some("maint"), None) => Some(ServerState::Maint),
                _ => Some(ServerState::Drain),
            };
            let args = drain::DrainArgs {
                balancer,
                server,
                state,
                weight,
                force,
                yes,
                json,
                read_only: cli.read_only,
            };
            runtime.block_on(drain::run(&loaded, args))
        }
        Some(Command::Scale {
            service,
            count,
            host,
            yes,
            json,
        }) => {
            let args = scale::ScaleArgs {
                service,
                count,
                host,
                yes,
                json,
                read_only: cli.read_only,
            };
            runtime.block_on(scale::run(&loaded, args))
        }
        Some(Command::Restart {
            name,
            rolling,
            host,
            yes,
            json,
        }) => {
            let args = restart::RestartArgs {
                name,
                rolling,
                host,
                yes,
                json,
                read_only: cli.read_only,
            };
            runtime.block_on(restart::run(&loaded, args))
        }
        Some(Command::Status { json }) => runtime.block_on(status_command(&loaded, json)),
        Some(Command::Backup {
            volume,
            on,
            dir,
            pause,
            no_pause,
            image,
            dump,
            yes,
            json,
        }) => {
            let pause = (pause || no_pause).then_some(pause);
            let args = backup::BackupArgs {
                volume,
                on,
                dir,
                pause,
                image,
                dump,
                yes,
                json,
            };
            runtime.block_on(backup::backup(&loaded, args, cli.read_only))
        }
        Some(Command::Restore(args)) => {
            runtime.block_on(backup::restore(&loaded, args, cli.read_only))
        }
        Some(Command::Backups { dir, json }) => backup::backups(&loaded, dir, json),
        Some(Command::Leases(args)) => runtime.block_on(leases::run(&loaded, args, cli.read_only)),
        Some(Command::Recover { yes, json }) => {
            runtime.block_on(recover::run(&loaded, yes, json, cli.read_only))
        }
        Some(Command::Rejoin(args)) => runtime.block_on(rejoin::run(&loaded, args, cli.read_only)),
        Some(Command::Failover(args)) => {
            runtime.block_on(failover::run(&loaded, args, cli.read_only))
        }
        Some(Command::Create {
            from,
            dry_run,
            verify_timeout,
            yes,
            json,
        }) => {
            let args = create::CreateArgs {
                from,
                yes,
                json,
                dry_run,
                read_only: cli.read_only,
                verify_timeout,
            };
            runtime.block_on(create::run(&loaded, args))
        }
        Some(Command::Destroy {
            cluster,
            volumes,
            yes,
            json,
        }) => {
            let args = destroy::DestroyArgs {
                cluster,
                volumes,
                yes,
                json,
                read_only: cli.read_only,
            };
            runtime.block_on(destroy::run(&loaded, args))
        }
        Some(Command::Export { cluster, .. }) => {
            runtime.block_on(export::run(&loaded, &cluster, cli.read_only))
        }
        None => runtime.block_on(tui_command(&loaded, cli.read_only)),
    }
}

async fn status_command(loaded: &Loaded, json: bool) -> ExitCode {
    let (inventory, probes, all_up) = status::collect(&loaded.hosts, &loaded.settings).await;
    let report = status::report(&inventory, &probes);
    // What the services said is in the report: escaped, or sanitized.
    if json {
        match interrupt::json_text(&report, true) {
            Ok(text) => println!("{text}"),
            Err(e) => {
                eprintln!("tugboat: {e}");
                return ExitCode::FAILURE;
            }
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

fn audit_command(loaded: &Loaded, json: bool) -> ExitCode {
    let log = AuditLog::new(loaded.paths.audit_log());
    let records = match log.read_all() {
        Ok(r) => r,
        Err(e) => {
            eprintln!("tugboat: {}: {e}", log.path().display());
            return ExitCode::FAILURE;
        }
    };
    // Records are sanitized as they are read; the output is made safe
    // again in case a field slipped through.
    for r in &records {
        if json {
            interrupt::say_json(r);
        } else {
            interrupt::say(format!(
                "{}  {:<8} {:<10} {:<8} {:<40} {} ({} ms)",
                r.time, r.user, r.host, r.action, r.target, r.outcome, r.duration_ms
            ));
            for step in &r.plan {
                interrupt::say(format!("    {step}"));
            }
        }
    }
    if records.is_empty() && !json {
        println!("no actions recorded yet in {}", log.path().display());
    }
    ExitCode::SUCCESS
}

async fn tui_command(loaded: &Loaded, read_only: bool) -> ExitCode {
    let theme = match Theme::load(&loaded.settings.theme, &loaded.paths.config_dir) {
        Ok(t) => t.apply_no_color_env(),
        Err(e) => {
            eprintln!("tugboat: {e}");
            return ExitCode::from(EXIT_USAGE);
        }
    };
    let options = crate::tui::TuiOptions {
        hosts: loaded.hosts.clone(),
        settings: loaded.settings.clone(),
        theme,
        read_only,
        audit: AuditLog::new(loaded.paths.audit_log()),
        notice: recover::notice(loaded, true),
        recoveries: recover::pending(loaded),
    };
    match crate::tui::run(options).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("tugboat: terminal error: {e}");
            ExitCode::FAILURE
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
            Some(Command::Create { verify_timeout, .. }) => assert_eq!(verify_timeout, 86400),
            other => panic!("{other:?}"),
        }
    }
}
