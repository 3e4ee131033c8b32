//! `tugboat logs CLUSTER [--follow] [--since 10m] [--grep RE]`: every
//! member's log across hosts in one true time order, each engine's clock
//! offset corrected, each line prefixed with its time and member (in a
//! colour of its own on a terminal, unless NO_COLOR). While following,
//! lines wait `REORDER` before they are printed so that one from a slower
//! host still lands in its place.

use std::io::{IsTerminal, Write};
use std::process::ExitCode;
use std::time::Duration;

use clap::Args;
use tokio::sync::mpsc;

use super::interrupt::warn;
use super::{Loaded, EXIT_OK, EXIT_SOME_HOSTS_DOWN, EXIT_USAGE};
use crate::docker::{local_nanos, unix_now, LogWindow};
use crate::model::cluster::{cluster_of, members_where, ClusterKind};
use crate::model::log_time::parse_age;
use crate::model::log_time::{clock_of, MergedLine, MergedLog};
use crate::tui::cluster_logs::{measure_offsets, offsets_note, stream_members, LogMember};

/// How long a followed line waits for earlier ones from slower hosts.
const REORDER: Duration = Duration::from_secs(1);
/// Lines held at most before printing (without --follow, the whole log).
const HOLD: usize = 1_000_000;

#[derive(Debug, Args)]
pub struct LogsArgs {
    /// The cluster's name (as the Nodes pane and `tugboat status` show it).
    pub cluster: String,
    /// Go on with new lines as they are written (Ctrl-C ends).
    #[arg(long)]
    pub follow: bool,
    /// Only lines written in the last 30s, 10m, 2h or 1d.
    #[arg(long, value_name = "AGE")]
    pub since: Option<String>,
    /// Only lines matching this regular expression.
    #[arg(long, value_name = "RE")]
    pub grep: Option<String>,
}

/// ANSI colours members cycle through.
const COLOURS: [u8; 6] = [36, 33, 35, 32, 34, 31];

/// How a line is printed: time, member (padded, coloured) and text.
struct Printer {
    names: Vec<String>,
    width: usize,
    colour: bool,
    grep: Option<regex_lite::Regex>,
}

impl Printer {
    fn line(&self, l: &MergedLine) -> Option<String> {
        if self.grep.as_ref().is_some_and(|re| !re.is_match(&l.text)) {
            return None;
        }
        let name = format!("{:<w$}", self.names[l.member], w = self.width);
        let name = if self.colour {
            format!("\x1b[{}m{name}\x1b[0m", COLOURS[l.member % COLOURS.len()])
        } else {
            name
        };
        Some(format!("{} {name} | {}", clock_of(l.at), l.text))
    }

    fn print(&self, out: &mut impl Write, l: &MergedLine) -> bool {
        match self.line(l) {
            Some(text) => writeln!(out, "{text}").is_ok(),
            None => true,
        }
    }
}

pub async fn run(loaded: &Loaded, args: LogsArgs) -> ExitCode {
    let grep = match args.grep.as_deref().map(regex_lite::Regex::new).transpose() {
        Ok(re) => re,
        Err(e) => {
            warn(format!("tugboat: --grep: {e}"));
            return ExitCode::from(EXIT_USAGE);
        }
    };
    let since = match args.since.as_deref().map(|s| (s, parse_age(s))) {
        None => None,
        Some((_, Some(age))) => Some(unix_now() - age.as_secs() as i64),
        Some((s, None)) => {
            warn(format!(
                "tugboat: --since {s}: give an age such as 30s, 10m, 2h or 1d"
            ));
            return ExitCode::from(EXIT_USAGE);
        }
    };
    let (inv, handles, all_up) = super::status::list(&loaded.hosts, &loaded.settings).await;
    let members: Vec<LogMember> = members_where(inv.containers.values(), |k| {
        k.kind != ClusterKind::Ungrouped && k.name == args.cluster
    })
    .into_iter()
    .map(|c| LogMember {
        host: c.host.clone(),
        id: c.id.clone(),
        name: c.name.to_string(),
    })
    .collect();
    if members.is_empty() {
        let mut names: Vec<String> = inv
            .containers
            .values()
            .map(cluster_of)
            .filter(|k| k.kind != ClusterKind::Ungrouped)
            .map(|k| k.name)
            .collect();
        names.sort();
        names.dedup();
        let listed = if names.is_empty() {
            "none".to_string()
        } else {
            names.join(", ")
        };
        // It may be on a host that did not answer: say which, exit 1.
        let silent = super::hosts_given::not_answering(&inv, None);
        let (also, code) = if silent.is_empty() {
            (String::new(), EXIT_USAGE)
        } else {
            let hosts = silent.join(", ");
            (format!("; not answering: {hosts}"), EXIT_SOME_HOSTS_DOWN)
        };
        warn(format!(
            "tugboat: no cluster {} on the hosts that answered (clusters: {listed}){also}",
            args.cluster,
        ));
        return ExitCode::from(code);
    }
    let offsets = measure_offsets(&handles, &members).await;
    warn(format!(
        "tugboat: {} members of {}; {}",
        members.len(),
        args.cluster,
        offsets_note(&offsets)
    ));
    let printer = Printer {
        width: members
            .iter()
            .map(|m| m.name.chars().count())
            .max()
            .unwrap_or(0),
        names: members.iter().map(|m| m.name.clone()).collect(),
        colour: std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none(),
        grep,
    };
    let (tx, rx) = mpsc::channel(1024);
    let window = LogWindow {
        since,
        tail: None,
        follow: args.follow,
    };
    let _readers = stream_members(&handles, &members, &offsets, window, tx);
    print_merged(rx, &printer, args.follow).await;
    ExitCode::from(if all_up {
        EXIT_OK
    } else {
        EXIT_SOME_HOSTS_DOWN
    })
}

/// Print lines in time order: all at the end, or (following) each once
/// it is `REORDER` old.
async fn print_merged(mut rx: mpsc::Receiver<MergedLine>, printer: &Printer, follow: bool) {
    let mut held = MergedLog::new(HOLD);
    let mut tick = tokio::time::interval(Duration::from_millis(200));
    let stdout = std::io::stdout();
    loop {
        tokio::select! {
            line = rx.recv() => match line {
                Some(l) => {
                    held.insert(l);
                }
                None => break,
            },
            _ = tick.tick(), if follow => {
                let due = local_nanos() - REORDER.as_nanos() as i128;
                let mut out = stdout.lock();
                while held.lines.front().is_some_and(|l| l.at <= due) {
                    let Some(l) = held.lines.pop_front() else { break };
                    if !printer.print(&mut out, &l) {
                        return;
                    }
                }
                let _ = out.flush();
            }
        }
    }
    let mut out = stdout.lock();
    for l in &held.lines {
        if !printer.print(&mut out, l) {
            return;
        }
    }
    let _ = out.flush();
}
