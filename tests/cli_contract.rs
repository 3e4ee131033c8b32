//! One contract for scripts, held for every headless command the binary
//! lists in `tugboat --help`: the exit code of a missing object, a bad flag
//! and a refusal (read-only, unsafe, or not confirmed) is the one the
//! README's table gives its kind, and with `--json` stdout carries
//! `{"error": {"kind", "message", "exit"}}` with that kind and code. The
//! table is read from the README, so the two cannot drift apart.

mod common;

use std::collections::BTreeMap;

use common::*;
use serde_json::Value;

/// kind → exit code, from the table in the README's `## Headless`.
fn readme_exits() -> BTreeMap<String, i32> {
    let readme = std::fs::read_to_string(repo_root().join("README.md")).unwrap();
    let start = readme.find("\n## Headless").expect("a Headless section");
    let section = &readme[start + 1..];
    let section = &section[..section[3..].find("\n## ").map_or(section.len(), |e| e + 3)];
    let mut exits = BTreeMap::new();
    for line in section.lines().filter(|l| l.starts_with("| ")) {
        let cells: Vec<&str> = line.split('|').map(str::trim).collect();
        let (Ok(exit), Some(kind)) = (cells[1].parse::<i32>(), cells.get(2)) else {
            continue;
        };
        if let Some(kind) = kind.strip_prefix('`').and_then(|k| k.strip_suffix('`')) {
            exits.insert(kind.to_string(), exit);
        }
    }
    for kind in ["failed", "usage", "not_found", "refused", "not_confirmed"] {
        assert!(
            exits.contains_key(kind),
            "README table lacks {kind}: {exits:?}"
        );
    }
    exits
}

/// The commands `tugboat --help` lists (help aside).
fn listed_commands() -> Vec<String> {
    let dir = tempfile::tempdir().unwrap();
    let (code, out, err) = run_tugboat(dir.path(), &[], &["--help"]);
    assert_eq!(code, 0, "{err}");
    let commands = out.split("Commands:").nth(1).expect("a command list");
    let commands = commands.split("\n\n").next().unwrap();
    commands
        .lines()
        .filter_map(|l| l.split_whitespace().next())
        .filter(|c| *c != "help")
        .map(String::from)
        .collect()
}

/// A run of the binary: what it printed and how it exited.
struct Ran {
    args: Vec<String>,
    code: i32,
    out: String,
    err: String,
}

fn tugboat(config: &std::path::Path, args: &[&str]) -> Ran {
    let (code, out, err) = run_tugboat(config, &[], args);
    Ran {
        args: args.iter().map(|a| a.to_string()).collect(),
        code,
        out,
        err,
    }
}

impl Ran {
    /// Exits with `kind`'s code from the README and, with `--json`, says
    /// it in the one error shape on stdout (its last line: a plan's
    /// report carries the error beside the plan).
    fn is(&self, kind: &str, exits: &BTreeMap<String, i32>) -> &Self {
        let want = exits[kind];
        let said = format!(
            "{:?}\nstdout: {}\nstderr: {}",
            self.args, self.out, self.err
        );
        assert_eq!(self.code, want, "{kind}: {said}");
        assert!(!self.err.trim().is_empty(), "the reason on stderr: {said}");
        if self.args.iter().any(|a| a == "--json") {
            let last = self.out.lines().last().unwrap_or_default();
            let v: Value = serde_json::from_str(last).unwrap_or_else(|e| panic!("{e}: {said}"));
            let error = &v["error"];
            assert_eq!(error["kind"], kind, "{said}");
            assert_eq!(error["exit"], want, "{said}");
            assert!(
                error["message"].as_str().is_some_and(|m| !m.is_empty()),
                "{said}"
            );
        }
        self
    }

    fn says(&self, words: &str) -> &Self {
        assert!(
            self.err.contains(words) || self.out.contains(words),
            "{words:?} in {:?}:\n{}\n{}",
            self.args,
            self.out,
            self.err
        );
        self
    }
}

/// Every listed command, with the words that name nothing (or nothing
/// valid) for it; None: a command that names nothing.
fn missing_object_cases() -> BTreeMap<&'static str, Option<Vec<&'static str>>> {
    let nothing = "contract-no-such-thing";
    BTreeMap::from([
        ("status", None),
        ("audit", Some(vec!["audit", "--since", "soon", "--json"])),
        (
            "node",
            Some(vec![
                "node",
                "drain",
                "n1",
                "--on",
                "contract-no-host",
                "--json",
            ]),
        ),
        (
            "drain",
            Some(vec!["drain", nothing, "be/s1", "--yes", "--json"]),
        ),
        ("restart", Some(vec!["restart", nothing, "--yes", "--json"])),
        (
            "scale",
            Some(vec!["scale", nothing, "2", "--yes", "--json"]),
        ),
        ("backup", Some(vec!["backup", nothing, "--yes", "--json"])),
        (
            "restore",
            Some(vec!["restore", "/nonexistent/x.tar.gz", "--yes", "--json"]),
        ),
        ("recover", None),
        (
            "leases",
            Some(vec!["leases", "free", nothing, "--yes", "--json"]),
        ),
        (
            "backups",
            Some(vec!["backups", "--dir", "/nonexistent", "--json"]),
        ),
        (
            "failover",
            Some(vec!["failover", nothing, "--yes", "--json"]),
        ),
        (
            "rejoin",
            Some(vec!["rejoin", nothing, "db1", "--yes", "--json"]),
        ),
        (
            "create",
            Some(vec![
                "create",
                "--from",
                "/nonexistent.toml",
                "--yes",
                "--json",
            ]),
        ),
        ("destroy", Some(vec!["destroy", nothing, "--yes", "--json"])),
        ("logs", Some(vec!["logs", nothing])),
        (
            "timeline",
            Some(vec!["timeline", "--since", "soon", "--json"]),
        ),
        ("export", Some(vec!["export", nothing, "--compose"])),
        ("config", None),
        ("demo", None),
    ])
}

#[test]
fn every_command_exits_2_with_the_json_error_for_a_bad_flag() {
    let exits = readme_exits();
    let dir = tempfile::tempdir().unwrap();
    let commands = listed_commands();
    assert!(commands.len() >= 18, "{commands:?}");
    for command in &commands {
        let ran = tugboat(dir.path(), &[command, "--no-such-flag", "--json"]);
        ran.is("usage", &exits).says("--no-such-flag");
    }
    // A bad value, a bad URL and a missing config file alike.
    tugboat(dir.path(), &["scale", "web", "many", "--json"]).is("usage", &exits);
    tugboat(dir.path(), &["--host", "a=ftp://x", "status", "--json"]).is("usage", &exits);
    tugboat(
        dir.path(),
        &["--host", "a=tcp://999.1.1.1:2375", "status", "--json"],
    )
    .is("usage", &exits)
    .says("not an IPv4 address");
    tugboat(
        dir.path(),
        &["--config", "/nonexistent.toml", "status", "--json"],
    )
    .is("usage", &exits)
    .says("/nonexistent.toml");
    // No terminal for the TUI (a session of its own has no controlling
    // terminal): said, pointing at the headless commands.
    let mut cmd = tugboat_command(dir.path(), &[]);
    // SAFETY: setsid is async-signal-safe and touches no memory.
    unsafe {
        std::os::unix::process::CommandExt::pre_exec(&mut cmd, || {
            rustix::process::setsid().map(drop).map_err(Into::into)
        });
    }
    let out = cmd.stdin(std::process::Stdio::null()).output().unwrap();
    let ran = Ran {
        args: Vec::new(),
        code: out.status.code().unwrap_or(-1),
        out: String::from_utf8_lossy(&out.stdout).into(),
        err: String::from_utf8_lossy(&out.stderr).into(),
    };
    ran.is("usage", &exits)
        .says("no terminal")
        .says("tugboat status");
}

#[test]
fn every_command_that_names_something_says_not_found_alike() {
    require_engine();
    let exits = readme_exits();
    let dir = tempfile::tempdir().unwrap();
    let cases = missing_object_cases();
    for command in listed_commands() {
        let case = cases
            .get(command.as_str())
            .unwrap_or_else(|| panic!("`{command}` has no case here: add one"));
        let Some(args) = case else { continue };
        let kind = match command.as_str() {
            "audit" | "timeline" => "usage",
            _ => "not_found",
        };
        tugboat(dir.path(), args).is(kind, &exits);
    }
    // An unknown host is named as such, with the configured ones.
    for verb in [
        &["restart", "x", "--on", "nosuchhost", "--json"][..],
        &["backup", "x", "--on", "nosuchhost", "--json"],
        &["scale", "x", "2", "--on", "nosuchhost", "--json"],
    ] {
        tugboat(dir.path(), verb)
            .is("not_found", &exits)
            .says("no host `nosuchhost` (configured: local)");
    }
    // Nothing to recover, nothing refused: 0 and JSON.
    let ran = tugboat(dir.path(), &["recover", "--json"]);
    assert_eq!(ran.code, 0, "{}", ran.err);
    serde_json::from_str::<Value>(ran.out.trim()).unwrap();
}

/// Objects to act on: a container, a compose replica, a volume and its
/// backup, a database-looking cluster, a tugboat-made cluster, an HAProxy
/// whose only server is down.
struct Bed {
    name: String,
    volume: String,
    archive: String,
    lb: String,
}

fn bed(config: &std::path::Path, run: &str) -> Bed {
    let run = run.to_string();
    let label = format!("{TEST_LABEL}={run}");
    let name = format!("{run}-c");
    let volume = format!("{run}-v");
    docker(&["volume", "create", "--label", &label, &volume]);
    run_busybox(
        &run,
        &name,
        &["-v", &format!("{volume}:/data")],
        &["sleep", "600"],
    );
    let project = format!("com.docker.compose.project={run}");
    for (n, labels) in [
        (
            "web-1",
            vec![
                project.as_str(),
                "com.docker.compose.service=web",
                "com.docker.compose.container-number=1",
            ],
        ),
        ("db1", vec!["io.tugboat.role=mariadb"]),
        ("made", vec!["io.tugboat.created-by=tugboat"]),
    ] {
        let mut opts = vec![];
        let own_cluster = format!("io.tugboat.cluster={run}-{n}");
        let tags: Vec<&str> = labels
            .into_iter()
            .chain((n != "web-1").then_some(own_cluster.as_str()))
            .collect();
        for t in tags {
            opts.extend(["--label", t]);
        }
        run_busybox(&run, &format!("{run}-{n}"), &opts, &["sleep", "600"]);
    }
    let lb = format!("{run}-lb");
    let cfg = format!(
        "global\n{STATS_SOCKETS}defaults\n    mode http\n    timeout connect 1s\n    timeout client 10s\n    \
         timeout server 10s\nfrontend fe\n    bind :8080\n    default_backend be\nbackend be\n    \
         server s1 127.0.0.1:9 check inter 500ms\n"
    );
    run_haproxy(&run, &lb, "bridge", config, &cfg, false);
    // A backup of the volume, for restore.
    let out = config.join("out");
    let (code, text, err) = run_tugboat(
        config,
        &[],
        &[
            "backup",
            &volume,
            "--dir",
            out.to_str().unwrap(),
            "--yes",
            "--json",
        ],
    );
    assert_eq!(code, 0, "{text}{err}");
    let report: Value = serde_json::from_str(text.lines().last().unwrap()).unwrap();
    let archive = report["archive"].as_str().unwrap().to_string();
    Bed {
        name,
        volume,
        archive,
        lb,
    }
}

#[test]
fn refusals_and_unconfirmed_plans_exit_3_with_the_json_error() {
    require_engine();
    let exits = readme_exits();
    let dir = tempfile::tempdir().unwrap();
    let run = unique("contract");
    let _cleanup = Cleanup::new(&run);
    let b = bed(dir.path(), &run);
    let (c, vol) = (b.name.as_str(), b.volume.as_str());
    let web = format!("{run}/web");
    let db = format!("{run}-db1");
    let made = format!("{run}-made");
    let t = |args: &[&str]| tugboat(dir.path(), args);

    // Not confirmed (no --yes, no terminal): the plan and the error.
    for args in [
        &["restart", c, "--json"][..],
        &["scale", &web, "2", "--json"],
        &["backup", vol, "--json"],
        &["destroy", &made, "--json"],
        &["restore", &b.archive, "--json"],
    ] {
        let ran = t(args);
        ran.is("not_confirmed", &exits);
        let v: Value = serde_json::from_str(ran.out.lines().last().unwrap()).unwrap();
        assert!(v["plan"]["steps"].is_array(), "{}", ran.out);
    }
    // Read-only: refused by the core, nothing ran.
    for args in [
        &["--read-only", "restart", c, "--yes", "--json"][..],
        &["--read-only", "scale", &web, "2", "--yes", "--json"],
        &["--read-only", "backup", vol, "--yes", "--json"],
    ] {
        t(args).is("refused", &exits).says("read-only");
    }
    // Unsafe or impossible plans: refused before planning.
    t(&["restore", &b.archive, "--into", vol, "--yes", "--json"])
        .is("refused", &exits)
        .says(&format!("used by running container {c}"));
    t(&["node", "drain", "n1", "--yes", "--json"])
        .is("refused", &exits)
        .says("is not a swarm manager");
    t(&["scale", &db, "3", "--yes", "--json"])
        .is("refused", &exits)
        .says("a database is not scaled by copying");
    t(&["drain", &b.lb, "be/s1", "--yes", "--json"]).is("refused", &exits);
    t(&["failover", &db, "--yes", "--json"]).is("refused", &exits);
    t(&["failover", &db, "--to", "nosuch", "--yes", "--json"])
        .is("not_found", &exits)
        .says("no server `nosuch`");
    t(&["rejoin", &db, "nosuch", "--yes", "--json"]).is("not_found", &exits);
    // A missing image is never swapped for another one.
    t(&[
        "backup",
        vol,
        "--image",
        "contract/missing:img",
        "--yes",
        "--json",
    ])
    .is("not_found", &exits)
    .says("no such image");
    // Already so: nothing to do, exit 0.
    let ran = t(&["scale", &web, "1", "--json"]);
    assert_eq!(ran.code, 0, "{}{}", ran.out, ran.err);
    assert!(ran.out.contains("nothing to do"), "{}", ran.out);
}

#[test]
fn status_tables_show_replication_and_balancers_and_backups_reads_well() {
    require_engine();
    let dir = tempfile::tempdir().unwrap();
    let (code, out, err) = run_tugboat(dir.path(), &[], &["status"]);
    assert_eq!(code, 0, "{err}");
    for section in [
        "HOSTS",
        "CONTAINERS",
        "ZOOKEEPER",
        "REPLICATION",
        "BALANCERS",
    ] {
        assert!(out.lines().any(|l| l == section), "{section} in {out}");
    }
    let (_, json, _) = run_tugboat(dir.path(), &[], &["status", "--json"]);
    let v: Value = serde_json::from_str(&json).unwrap();
    let keys: Vec<(String, String)> = v["containers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| (c["host"].to_string(), c["name"].to_string()))
        .collect();
    let mut sorted = keys.clone();
    sorted.sort();
    assert_eq!(keys, sorted, "containers by host and name");
    for c in v["containers"].as_array().unwrap() {
        let ports: Vec<&Value> = c["ports"].as_array().unwrap().iter().collect();
        let mut distinct = ports.clone();
        distinct.dedup();
        assert_eq!(ports, distinct, "each port once: {c}");
    }
}
