//! `tugboat demo` and `tugboat demo --down` through the binary on the
//! local engine, checked by asking the services: the ZooKeeper ensemble
//! has a leader, the client's rows grow on the primary, the app answers
//! through its HAProxy; a second run reuses everything; `--down` leaves
//! nothing behind (not even the containers' anonymous volumes), and a
//! second `--down` has nothing to remove.
//!
//! The demo's names are fixed (`demo-zk`, `demo-db`, `demo-app`): this
//! test removes whatever carries the demo's label on the local engine,
//! before and after.

mod common;

use std::process::Command;
use std::time::Instant;

use common::db_client::Root;
use common::*;

const DEMO_LABEL: &str = "label=io.tugboat.demo=true";
const CLUSTERS: [&str; 3] = ["demo-zk", "demo-db", "demo-app"];

/// Containers, volumes and networks carrying the demo's label.
fn labelled() -> Vec<String> {
    let mut all = docker_lines(&["ps", "-aq", "--filter", DEMO_LABEL]);
    all.extend(docker_lines(&[
        "volume", "ls", "-q", "--filter", DEMO_LABEL,
    ]));
    all.extend(docker_lines(&[
        "network", "ls", "-q", "--filter", DEMO_LABEL,
    ]));
    all
}

/// Containers, volumes and networks named like the demo's.
fn named() -> Vec<String> {
    let ours = |n: &String| {
        CLUSTERS
            .iter()
            .any(|c| n == c || n.starts_with(&format!("{c}-")))
    };
    let mut all = docker_lines(&["ps", "-a", "--format", "{{.Names}}"]);
    all.extend(docker_lines(&["volume", "ls", "--format", "{{.Name}}"]));
    all.extend(docker_lines(&["network", "ls", "--format", "{{.Name}}"]));
    all.into_iter().filter(ours).collect()
}

/// Removes everything carrying the demo's label, also on panic.
struct DemoGone;

impl Drop for DemoGone {
    fn drop(&mut self) {
        for id in docker_lines(&["ps", "-aq", "--filter", DEMO_LABEL]) {
            docker_lines(&["rm", "-f", "-v", &id]);
        }
        for v in docker_lines(&["volume", "ls", "-q", "--filter", DEMO_LABEL]) {
            docker_lines(&["volume", "rm", "-f", &v]);
        }
        for n in docker_lines(&["network", "ls", "-q", "--filter", DEMO_LABEL]) {
            docker_lines(&["network", "rm", &n]);
        }
    }
}

/// Each member's `srvr` Mode, asked inside it.
fn zk_modes() -> Vec<String> {
    (1..=3)
        .map(|i| {
            let out = Command::new("docker")
                .args(["exec", &format!("demo-zk-zk{i}"), "bash", "-c"])
                .arg("exec 3<>/dev/tcp/127.0.0.1/2181; echo srvr >&3; cat <&3")
                .output()
                .unwrap();
            String::from_utf8_lossy(&out.stdout)
                .lines()
                .find_map(|l| l.strip_prefix("Mode: "))
                .unwrap_or("none")
                .to_string()
        })
        .collect()
}

/// The root password from a server's environment, where create keeps it.
fn root_password() -> String {
    let env = docker(&[
        "inspect",
        "-f",
        "{{range .Config.Env}}{{println .}}{{end}}",
        "demo-db-db1",
    ]);
    env.lines()
        .find_map(|l| l.strip_prefix("MARIADB_ROOT_PASSWORD="))
        .expect("the root password in demo-db-db1's environment")
        .to_string()
}

fn rows(root: &Root) -> Result<u64, String> {
    root.sql("demo-db-db1", "SELECT COUNT(*) FROM app.demo_writes")?
        .trim()
        .parse()
        .map_err(|e| format!("{e}"))
}

/// The names of the anonymous volumes the demo's containers mount.
fn anonymous_volumes() -> Vec<String> {
    let ids = docker_lines(&["ps", "-aq", "--filter", DEMO_LABEL]);
    let mut args = vec!["inspect", "-f", "{{range .Mounts}}{{.Name}} {{end}}"];
    args.extend(ids.iter().map(String::as_str));
    let named = docker_lines(&["volume", "ls", "-q", "--filter", DEMO_LABEL]);
    docker_lines(&args)
        .into_iter()
        .filter(|v| !named.contains(v))
        .collect()
}

fn demo(dir: &std::path::Path, args: &[&str]) -> (i32, String, String) {
    let mut all = vec!["demo"];
    all.extend_from_slice(args);
    let started = Instant::now();
    let got = run_tugboat(dir, &[], &all);
    eprintln!("tugboat {} took {:.1?}", all.join(" "), started.elapsed());
    got
}

#[test]
fn demo_makes_three_working_clusters_and_down_removes_them_all() {
    require_engine();
    drop(DemoGone);
    let _gone = DemoGone;
    let dir = tempfile::tempdir().unwrap();

    let (code, out, err) = demo(dir.path(), &["--no-tui", "--yes"]);
    assert_eq!(code, 0, "{out}\n{err}");
    assert!(
        out.contains("demo-db-client writes a row a second"),
        "{out}"
    );
    assert!(out.contains("tugboat demo --down"), "{out}");

    // ZooKeeper: one leader, two followers, as the members say.
    eventually(30, "one ZooKeeper leader", || {
        let mut modes = zk_modes();
        modes.sort();
        (modes == ["follower", "follower", "leader"])
            .then_some(())
            .ok_or(format!("{modes:?}"))
    });

    // The client's rows grow on the primary; its password is never printed.
    let password = root_password();
    assert!(!out.contains(&password) && !err.contains(&password));
    let client_args = docker(&["inspect", "-f", "{{.Args}}", "demo-db-client"]);
    let client_env = docker(&["inspect", "-f", "{{.Config.Env}}", "demo-db-client"]);
    assert!(client_env.contains("MYSQL_PWD="), "{client_env}");
    assert!(!client_args.contains("MYSQL_PWD"), "{client_args}");
    let root = Root::new(&password);
    let mut first = 0;
    eventually(30, "rows from the client", || {
        first = rows(&root)?;
        (first > 0).then_some(()).ok_or(first.to_string())
    });
    eventually(15, "more rows from the client", || {
        let now = rows(&root)?;
        (now >= first + 3)
            .then_some(())
            .ok_or(format!("{first} -> {now}"))
    });

    // The app answers through its HAProxy.
    let status = docker(&[
        "exec",
        "demo-app-app1",
        "curl",
        "-s",
        "-o",
        "/dev/null",
        "-w",
        "%{http_code}",
        "http://demo-app-lb:8080/",
    ]);
    assert_eq!(status, "200");

    // Again: everything is reused, nothing fails.
    let (code, out, err) = demo(dir.path(), &["--no-tui", "--yes"]);
    assert_eq!(code, 0, "{out}\n{err}");
    for c in CLUSTERS {
        assert!(out.contains(&format!("{c}: made by an earlier")), "{out}");
    }

    // Down: nothing labelled or named like the demo is left, nor the
    // anonymous volumes its containers had.
    let anonymous = anonymous_volumes();
    let (code, out, err) = demo(dir.path(), &["--down", "--yes"]);
    assert_eq!(code, 0, "{out}\n{err}");
    assert!(
        out.contains(
            "removed everything `tugboat demo` made: 10 containers, 8 volumes, 3 networks"
        ),
        "{out}"
    );
    assert_eq!(labelled(), Vec::<String>::new());
    assert_eq!(named(), Vec::<String>::new());
    let volumes = docker_lines(&["volume", "ls", "-q"]);
    let left: Vec<&String> = anonymous.iter().filter(|v| volumes.contains(v)).collect();
    assert!(left.is_empty(), "anonymous volumes left: {left:?}");

    let (code, out, err) = demo(dir.path(), &["--down", "--yes"]);
    assert_eq!(code, 0, "{out}\n{err}");
    assert!(out.contains("nothing to remove"), "{out}");
}

#[test]
fn an_engine_that_does_not_answer_is_named_with_how_to_start_one() {
    let dir = tempfile::tempdir().unwrap();
    let sock = dir.path().join("no-engine.sock");
    let host = format!("x=unix://{}", sock.display());
    let (code, out, err) = run_tugboat(dir.path(), &[], &["--host", &host, "demo", "--no-tui"]);
    assert_eq!(code, 1, "{out}\n{err}");
    assert!(err.contains("no Docker engine answers at unix://"), "{err}");
    assert!(err.contains("start the engine of host x"), "{err}");
}
