//! One journey per template, through the binary, on images with the
//! official images' interfaces (HAProxy as user haproxy without socat — and
//! a busybox-only one —, ZooKeeper run via setpriv as user zookeeper,
//! MariaDB's entrypoint, nginx workers as user nginx): create → verify →
//! each operation the template supports → destroy, checked by asking the
//! services themselves (ZooKeeper modes, replication status, rows, requests
//! through HAProxy), not only tugboat's report. One cluster per template,
//! operations in sequence on it.

mod common;
mod create_common;

use std::collections::BTreeSet;
use std::path::Path;
use std::process::Command;
use std::time::Duration;

use common::*;
use create_common::*;

const NGINX: &str = "tugboat-test/nginx:1.22";
const CFG: &str = "/usr/local/etc/haproxy/haproxy.cfg";

/// A volume labelled for `run`'s cleanup, to restore into.
fn test_volume(run: &str, name: &str) -> String {
    docker(&[
        "volume",
        "create",
        "--label",
        &format!("{TEST_LABEL}={run}"),
        name,
    ])
}

/// Back up `volume` into `dir` and restore it, verified, into `into` (an
/// empty test volume); returns what the restore printed. The copy booted
/// for the check is gone after.
fn backup_and_restore(config: &Path, volume: &str, dir: &Path, into: &str) -> String {
    let dir = dir.to_str().unwrap();
    let (code, out, err) = tugboat(config, &["backup", volume, "--dir", dir, "--yes", "--json"]);
    assert_eq!(code, 0, "backup of {volume}: {out}\n{err}");
    let report: serde_json::Value = serde_json::from_str(&out).unwrap();
    let archive = report["archive"]
        .as_str()
        .expect("archive path")
        .to_string();
    let args = ["restore", &archive, "--into", into, "--verify", "--yes"];
    let (code, out, err) = tugboat(config, &args);
    assert_eq!(code, 0, "restore into {into}: {out}\n{err}");
    assert!(out.contains("answered: "), "{out}");
    let left = docker(&["ps", "-aq", "--filter", "label=io.tugboat.helper"]);
    assert_eq!(left, "", "helpers or copies left");
    out
}

/// The files of a volume, relative paths, as busybox sees them.
fn files_of(volume: &str) -> BTreeSet<String> {
    let mount = format!("{volume}:/v:ro");
    docker(&[
        "run", "--rm", "-v", &mount, BUSYBOX, "find", "/v", "-type", "f",
    ])
    .lines()
    .map(|l| l.trim_start_matches("/v/").to_string())
    .collect()
}

// ------------------------------------------------------------------ app

/// `show stat` rows of a backend's servers: (name, status, total sessions).
fn servers_of(lb: &str, backend: &str) -> Vec<(String, String, u64)> {
    runtime_api(lb, "show stat")
        .lines()
        .filter_map(|l| {
            let f: Vec<&str> = l.split(',').collect();
            (f.len() > 17 && f[0] == backend && f[1] != "BACKEND" && f[1] != "FRONTEND").then(
                || {
                    (
                        f[1].to_string(),
                        f[17].to_string(),
                        f[7].parse().unwrap_or(0),
                    )
                },
            )
        })
        .collect()
}

/// `count` requests through the balancer's port 8080, from inside it.
fn requests(lb: &str, count: usize) -> usize {
    let script = format!(
        "{SAY_SH} i=0; while [ $i -lt {count} ]; do i=$((i+1)); \
         say 8080 'GET / HTTP/1.0\\r\\nHost: app\\r\\n\\r\\n' | head -n 1; done"
    );
    docker(&["exec", lb, "sh", "-c", &script])
        .lines()
        .filter(|l| l.contains(" 200 "))
        .count()
}

fn all_up(lb: &str, backend: &str, names: &[String]) -> Result<(), String> {
    let servers = servers_of(lb, backend);
    let up: BTreeSet<&str> = servers
        .iter()
        .filter(|(_, status, _)| status == "UP")
        .map(|(n, ..)| n.as_str())
        .collect();
    let want: BTreeSet<&str> = names.iter().map(String::as_str).collect();
    (up == want).then_some(()).ok_or(format!("{servers:?}"))
}

#[test]
fn app_journey_nginx_behind_a_busybox_haproxy() {
    require_engine();
    let name = unique("japp");
    let _gone = ClusterCleanup(name.clone());
    let dir = tempfile::tempdir().unwrap();
    let spec = format!(
        "name = \"{name}\"\ntemplate = \"app\"\n[app]\nimage = \"{NGINX}\"\nport = 80\nreplicas = 2\n\
         health_path = \"/\"\nhaproxy_image = \"{HAPROXY_BUSYBOX}\"\n"
    );
    let (code, out, err) = create(dir.path(), &spec, &[]);
    assert_eq!(code, 0, "{out}\n{err}");
    assert!(out.contains("verified: all 2 servers"), "{out}");
    let lb = format!("{name}-lb");
    let backend = format!("be_{}", name.replace('-', "_"));
    let apps = |n: usize| {
        (1..=n)
            .map(|i| format!("{name}-app{i}"))
            .collect::<Vec<_>>()
    };

    // Asked of HAProxy itself: both replicas UP and taking requests.
    all_up(&lb, &backend, &apps(2)).unwrap();
    assert_eq!(requests(&lb, 8), 8);
    let served: Vec<u64> = servers_of(&lb, &backend).iter().map(|s| s.2).collect();
    assert!(served.iter().all(|n| *n > 0), "round robin: {served:?}");

    // One balancer for the cluster: the nginx replicas are app replicas.
    let status = status_json(dir.path());
    let balancers: Vec<&str> = status["balancers"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|b| b["container"].as_str())
        .filter(|c| c.starts_with(&name))
        .collect();
    assert_eq!(balancers, [lb.as_str()], "{status}");

    // Scale up: a third replica behind the template's HAProxy, written into
    // its root-owned config (the server may not write it).
    let (code, out, err) = tugboat(dir.path(), &["scale", &name, "3", "--yes"]);
    assert_eq!(code, 0, "{out}\n{err}");
    eventually(30, "the third replica UP", || {
        all_up(&lb, &backend, &apps(3))
    });
    let cfg = docker(&["exec", &lb, "cat", CFG]);
    assert!(cfg.contains(&format!("server {name}-app3 ")), "{cfg}");
    assert_eq!(docker(&["exec", &lb, "stat", "-c", "%u %a", CFG]), "0 644");
    let dir_listing = docker(&["exec", &lb, "ls", "-a", "/usr/local/etc/haproxy"]);
    assert!(!dir_listing.contains("tugboat-new"), "{dir_listing}");

    // Kept across a reload (SIGHUP to the master) and a restart.
    docker(&["kill", "-s", "HUP", &lb]);
    std::thread::sleep(Duration::from_secs(1));
    eventually(30, "three UP after a reload", || {
        all_up(&lb, &backend, &apps(3))
    });
    docker(&["restart", &lb]);
    eventually(30, "three UP after a restart", || {
        all_up(&lb, &backend, &apps(3))
    });
    assert_eq!(requests(&lb, 9), 9);
    let served = servers_of(&lb, &backend);
    assert!(
        served.iter().all(|s| s.2 > 0),
        "all three serve: {served:?}"
    );

    // Scale down: drained, deleted, out of the file, container gone.
    let (code, out, err) = tugboat(dir.path(), &["scale", &name, "2", "--yes"]);
    assert_eq!(code, 0, "{out}\n{err}");
    all_up(&lb, &backend, &apps(2)).unwrap();
    let cfg = docker(&["exec", &lb, "cat", CFG]);
    assert!(!cfg.contains(&format!("{name}-app3")), "{cfg}");
    assert!(objects_of(&name).containers.iter().all(|c| docker(&[
        "inspect",
        "-f",
        "{{.Name}}",
        c
    ]) != format!("/{name}-app3")));

    let (code, out, err) = tugboat(dir.path(), &["destroy", &name, "--yes"]);
    assert_eq!(code, 0, "{out}\n{err}");
    assert!(objects_of(&name).is_empty(), "{:?}", objects_of(&name));
}

// ------------------------------------------------------------ zookeeper

/// What each member says of itself (`srvr`'s Mode), asked inside it.
fn zk_modes(name: &str) -> Vec<String> {
    (1..=3)
        .map(|i| {
            let member = format!("{name}-zk{i}");
            let out = Command::new("docker")
                .args([
                    "exec",
                    &member,
                    "bash",
                    "-c",
                    "exec 3<>/dev/tcp/127.0.0.1/2181; echo srvr >&3; cat <&3",
                ])
                .output()
                .unwrap();
            let text = String::from_utf8_lossy(&out.stdout).to_string();
            text.lines()
                .find_map(|l| l.strip_prefix("Mode: "))
                .unwrap_or("none")
                .to_string()
        })
        .collect()
}

/// The leader, once the ensemble has one leader and two followers.
fn zk_leader(name: &str) -> Result<String, String> {
    let modes = zk_modes(name);
    let leaders: Vec<usize> = (0..3).filter(|i| modes[*i] == "leader").collect();
    let followers = modes.iter().filter(|m| *m == "follower").count();
    match (leaders.as_slice(), followers) {
        ([l], 2) => Ok(format!("{name}-zk{}", l + 1)),
        _ => Err(format!("{modes:?}")),
    }
}

#[test]
fn zookeeper_journey_rolling_restart_leader_move_backup_restore() {
    require_engine();
    let name = unique("jzk");
    let run = unique("jzk-run");
    let _cleanup = Cleanup::new(&run);
    let _gone = ClusterCleanup(name.clone());
    let dir = tempfile::tempdir().unwrap();
    let spec =
        format!("name = \"{name}\"\ntemplate = \"zookeeper\"\n[zookeeper]\nimage = \"{ZK}\"\n");
    let (code, out, err) = create(dir.path(), &spec, &[]);
    assert_eq!(code, 0, "{out}\n{err}");
    assert!(out.contains("verified: 3 members serve;"), "{out}");
    let mut leader = String::new();
    eventually(30, "one leader, two followers", || {
        zk_leader(&name).map(|l| leader = l)
    });
    // The server runs as the image's user, not root.
    let user = docker(&[
        "exec",
        &format!("{name}-zk1"),
        "sh",
        "-c",
        "ps -o user= -C java || stat -c %U /proc/1",
    ]);
    assert!(user.contains("zookeeper"), "{user}");

    // Rolling restart: every member restarted, the ensemble serving after.
    let before: Vec<String> = (1..=3)
        .map(|i| started_at(&format!("{name}-zk{i}")))
        .collect();
    let (code, out, err) = tugboat(dir.path(), &["restart", "--rolling", &name, "--yes"]);
    assert_eq!(code, 0, "{out}\n{err}");
    for (i, was) in before.iter().enumerate() {
        assert_ne!(
            &started_at(&format!("{name}-zk{}", i + 1)),
            was,
            "zk{} restarted",
            i + 1
        );
    }
    eventually(30, "one leader after the rolling restart", || {
        zk_leader(&name).map(|l| leader = l)
    });

    // Leader move: another member leads.
    let (code, out, err) = tugboat(dir.path(), &["failover", &name, "--yes"]);
    assert_eq!(code, 0, "{out}\n{err}");
    eventually(30, "a new leader", || {
        let now = zk_leader(&name)?;
        (now != leader).then_some(()).ok_or(format!("still {now}"))
    });

    // Backup and restore of a member's data volume: the restored copy has
    // the member's identity and its transaction log.
    let archives = tempfile::tempdir().unwrap();
    let into = test_volume(&run, &format!("{run}-restored"));
    let data = format!("{name}-zk1-data");
    let out = backup_and_restore(dir.path(), &data, archives.path(), &into);
    // The copy ran standalone (it has no network) on the restored data.
    assert!(
        out.contains("znodes, zxid 0x") && out.contains("(standalone)"),
        "{out}"
    );
    let files = files_of(&into);
    assert!(files.contains("myid"), "{files:?}");
    assert!(
        files.iter().any(|f| f.starts_with("version-2/")),
        "{files:?}"
    );
    assert!(files.is_subset(&files_of(&data)), "{files:?}");

    // Export describes the same containers, volumes and network.
    let (code, yaml, err) = tugboat(dir.path(), &["export", &name, "--compose"]);
    assert_eq!(code, 0, "{err}");
    assert!(
        yaml.contains(&format!("  {name}-zk2:\n    image: \"{ZK}\"")),
        "{yaml}"
    );
    assert!(
        yaml.contains(&format!("      - \"{name}-zk3-datalog:/datalog\"")),
        "{yaml}"
    );

    // Destroy keeps the volumes unless asked; then nothing is left.
    let (code, out, err) = tugboat(dir.path(), &["destroy", &name, "--yes"]);
    assert_eq!(code, 0, "{out}\n{err}");
    let left = objects_of(&name);
    assert!(
        left.containers.is_empty() && left.networks.is_empty(),
        "{left:?}"
    );
    assert_eq!(left.volumes.len(), 6, "{left:?}");
    let (code, out, err) = tugboat(dir.path(), &["destroy", &name, "--yes", "--volumes"]);
    assert_eq!(code, 0, "{out}\n{err}");
    assert!(objects_of(&name).is_empty(), "{:?}", objects_of(&name));

    let audit = std::fs::read_to_string(dir.path().join("data/audit.jsonl")).unwrap();
    for action in ["create", "rolling restart", "backup", "destroy"] {
        assert!(
            audit.contains(&format!("\"action\":\"{action}")),
            "{action}: {audit}"
        );
    }
}

// ------------------------------------------------------------- database

/// SQL as root in `container`, the password in the environment.
fn sql(container: &str, password: &str, query: &str) -> String {
    sql_at(container, password, &[], query)
}

/// SQL from `container` with extra client options (`-h`, `-P`).
fn sql_at(container: &str, password: &str, options: &[&str], query: &str) -> String {
    let mut args = vec![
        "exec",
        "-e",
        "MYSQL_PWD",
        container,
        "mariadb",
        "-uroot",
        "-N",
        "-B",
    ];
    args.extend_from_slice(options);
    args.extend_from_slice(&["-e", query]);
    let out = Command::new("docker")
        .env("MYSQL_PWD", password)
        .args(&args)
        .output()
        .expect("docker runs");
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

/// (Slave_IO_Running, Slave_SQL_Running) as the server says.
fn replication_threads(container: &str, password: &str) -> (String, String) {
    let out = sql_at(
        container,
        password,
        &["-E", "--column-names"],
        "SHOW SLAVE STATUS",
    );
    let field = |k: &str| {
        out.lines()
            .find_map(|l| l.trim().strip_prefix(&format!("{k}: ")))
            .unwrap_or("")
            .to_string()
    };
    (field("Slave_IO_Running"), field("Slave_SQL_Running"))
}

#[test]
fn database_journey_replication_haproxy_backup_restore() {
    require_engine();
    let name = unique("jdb");
    let run = unique("jdb-run");
    let _cleanup = Cleanup::new(&run);
    let _gone = ClusterCleanup(name.clone());
    let dir = tempfile::tempdir().unwrap();
    let spec = format!(
        "name = \"{name}\"\ntemplate = \"database\"\n[database]\nimage = \"{MARIADB}\"\nhaproxy_image = \"{HAPROXY}\"\nreplicas = 2\n"
    );
    let (code, out, err) = create(dir.path(), &spec, &["--json"]);
    assert_eq!(code, 0, "{out}\n{err}");
    let report: serde_json::Value = serde_json::from_str(&out).unwrap();
    let password = report["root_password"].as_str().unwrap().to_string();
    assert!(password.len() >= 20);
    let (primary, replicas) = (
        format!("{name}-db1"),
        [format!("{name}-db2"), format!("{name}-db3")],
    );
    let lb = format!("{name}-lb");

    // Replication, asked of the replicas.
    for r in &replicas {
        assert_eq!(
            replication_threads(r, &password),
            ("Yes".into(), "Yes".into()),
            "{r}"
        );
    }
    // The application account: printed once, writes its own database
    // through HAProxy, is no admin, and is on every server (binlogged).
    let app_password = report["app_password"].as_str().unwrap().to_string();
    let as_app = ["-h", lb.as_str(), "-P", "3306", "-uapp"];
    sql_at(
        &replicas[0],
        &app_password,
        &as_app,
        "CREATE TABLE app.t (n INT); INSERT INTO app.t VALUES (1)",
    );
    assert_eq!(sql(&primary, &password, "SELECT COUNT(*) FROM app.t"), "1");
    let grants = sql(&primary, &password, "SHOW GRANTS FOR 'app'@'%'");
    assert!(grants.contains("ON `app`.*"), "{grants}");
    assert!(
        !grants.contains("ALL PRIVILEGES ON *.*") && !grants.contains("SUPER"),
        "{grants}"
    );
    for r in &replicas {
        eventually(30, "the application account replicated", || {
            let got = sql(
                r,
                &password,
                "SELECT COUNT(*) FROM mysql.user WHERE user = 'app'",
            );
            (got == "1").then_some(()).ok_or(got)
        });
    }
    // Writes through HAProxy's writer port land on the primary; every
    // replica has them; the reader port is answered by the replicas.
    let via_writer = ["-h", lb.as_str(), "-P", "3306"];
    sql_at(
        &replicas[0],
        &password,
        &via_writer,
        "CREATE DATABASE j; CREATE TABLE j.rows (n INT PRIMARY KEY)",
    );
    for n in 1..=20 {
        sql_at(
            &replicas[0],
            &password,
            &via_writer,
            &format!("INSERT INTO j.rows VALUES ({n})"),
        );
    }
    assert_eq!(
        sql(&primary, &password, "SELECT COUNT(*) FROM j.rows"),
        "20"
    );
    for r in &replicas {
        eventually(30, "the rows replicated", || {
            let got = sql(r, &password, "SELECT COUNT(*) FROM j.rows");
            (got == "20").then_some(()).ok_or(got)
        });
    }
    let readers: BTreeSet<String> = (0..6)
        .map(|_| {
            sql_at(
                &primary,
                &password,
                &["-h", &lb, "-P", "3307"],
                "SELECT @@server_id",
            )
        })
        .collect();
    assert_eq!(readers, BTreeSet::from(["2".to_string(), "3".to_string()]));

    // Backup of the primary's data (paused for the copy, running after),
    // restored into a new volume and verified: a copy of the primary (its
    // binlog options included) booted on it counts every row.
    let archives = tempfile::tempdir().unwrap();
    let into = test_volume(&run, &format!("{run}-restored"));
    let data = format!("{name}-db1-data");
    let out = backup_and_restore(dir.path(), &data, archives.path(), &into);
    assert!(out.contains("j.rows 20 rows"), "{out}");
    assert!(out.contains("manifest: "), "{out}");
    let state = docker(&["inspect", "-f", "{{.State.Status}}", &primary]);
    assert_eq!(state, "running", "the primary was unpaused");

    // Switchover on the cluster the template made: the writer moves (found
    // by the balancer's label), the old primary replicates from the new
    // one (with the template's replication account), no row is lost, and
    // a reload of the balancer keeps the new writer (written into its
    // root-owned haproxy.cfg).
    let (code, out, err) = tugboat(dir.path(), &["failover", &name, "--yes"]);
    assert_eq!(code, 0, "{out}\n{err}");
    // Asked from the old primary: alive through every step below.
    let server_id = |via: &[&str]| sql_at(&primary, &password, via, "SELECT @@server_id");
    let new_id = server_id(&via_writer);
    assert!(
        new_id == "2" || new_id == "3",
        "writes go to a former replica: {new_id}"
    );
    let new_primary = format!("{name}-db{new_id}");
    assert_eq!(
        sql(&new_primary, &password, "SELECT @@global.read_only"),
        "0"
    );
    assert_eq!(
        sql(&new_primary, &password, "SELECT COUNT(*) FROM j.rows"),
        "20"
    );
    assert_eq!(sql(&primary, &password, "SELECT @@global.read_only"), "1");
    eventually(30, "the old primary replicates from the new one", || {
        let threads = replication_threads(&primary, &password);
        (threads == ("Yes".into(), "Yes".into()))
            .then_some(())
            .ok_or(format!("{threads:?}"))
    });
    sql_at(
        &replicas[0],
        &password,
        &via_writer,
        "INSERT INTO j.rows VALUES (21)",
    );
    eventually(
        30,
        "the write after the switchover reaches the old primary",
        || {
            let got = sql(&primary, &password, "SELECT COUNT(*) FROM j.rows");
            (got == "21").then_some(()).ok_or(got)
        },
    );
    let cfg = docker(&["exec", &lb, "cat", CFG]);
    assert!(
        cfg.contains(&format!("server {primary} {primary}:3306 disabled")),
        "{cfg}"
    );
    assert!(
        cfg.contains(&format!("server {new_primary} {new_primary}:3306\n")),
        "{cfg}"
    );
    docker(&["kill", "-s", "HUP", &lb]);
    std::thread::sleep(Duration::from_secs(1));
    eventually(
        30,
        "writes still go to the new primary after a reload",
        || {
            let id = server_id(&via_writer);
            (id == new_id).then_some(()).ok_or(id)
        },
    );

    // tugboat sees the same: two replicas replicating, five servers, the
    // writer's two standbys in maintenance.
    let status = status_json(dir.path());
    let replicating = status["replication"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["cluster"] == name.as_str() && r["io_running"] == "yes")
        .count();
    assert_eq!(replicating, 2, "{status}");
    let lb_json = status["balancers"]
        .as_array()
        .unwrap()
        .iter()
        .find(|b| b["container"] == lb.as_str())
        .unwrap_or_else(|| panic!("no balancer: {status}"));
    let servers: Vec<&serde_json::Value> = lb_json["backends"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|b| b["servers"].as_array().unwrap().iter())
        .collect();
    assert_eq!(servers.len(), 5, "{lb_json}");
    // The writer backend's standby servers (the replicas) stay in maintenance.
    let status_of = |st: &str| servers.iter().filter(|s| s["status"] == st).count();
    assert_eq!((status_of("UP"), status_of("MAINT")), (3, 2), "{lb_json}");

    // Roles survive restarts: the old primary comes back read-only and
    // replicating, the new one writable.
    docker(&["restart", &primary]);
    eventually(60, "the old primary back, read-only, replicating", || {
        let ro = sql(&primary, &password, "SELECT @@global.read_only");
        let threads = replication_threads(&primary, &password);
        (ro == "1" && threads == ("Yes".into(), "Yes".into()))
            .then_some(())
            .ok_or(format!("read_only {ro:?}, threads {threads:?}"))
    });
    docker(&["restart", &new_primary]);
    eventually(60, "the new primary back, writable", || {
        let ro = sql(&new_primary, &password, "SELECT @@global.read_only");
        (ro == "0").then_some(()).ok_or(ro)
    });

    // Failover: the primary dies; the most advanced replica takes over with
    // every row, the writer moves to it; the dead one, started again,
    // rejoins as a replica (nothing of its own to lose).
    docker(&["kill", &new_primary]);
    let (code, out, err) = tugboat(dir.path(), &["failover", &name, "--yes"]);
    assert_eq!(code, 0, "{out}\n{err}");
    let third_id = server_id(&via_writer);
    assert!(
        third_id != new_id && ["1", "2", "3"].contains(&third_id.as_str()),
        "{third_id}"
    );
    let third = format!("{name}-db{third_id}");
    assert_eq!(sql(&third, &password, "SELECT COUNT(*) FROM j.rows"), "21");
    docker(&["start", &new_primary]);
    eventually(60, "the dead primary answers again", || {
        let got = sql(&new_primary, &password, "SELECT 1");
        (got == "1").then_some(()).ok_or(got)
    });
    let (code, out, err) = tugboat(dir.path(), &["rejoin", &name, &new_primary, "--yes"]);
    assert_eq!(code, 0, "{out}\n{err}");
    eventually(60, "the former primary replicates from the new one", || {
        let threads = replication_threads(&new_primary, &password);
        (threads == ("Yes".into(), "Yes".into()))
            .then_some(())
            .ok_or(format!("{threads:?}"))
    });
    assert_eq!(
        sql(&new_primary, &password, "SELECT @@global.read_only"),
        "1"
    );

    let (code, yaml, _) = tugboat(dir.path(), &["export", &name, "--compose"]);
    assert_eq!(code, 0);
    assert!(!yaml.contains(&password), "the export holds the password");
    assert!(
        yaml.contains("MARIADB_ROOT_PASSWORD: \"${MARIADB_ROOT_PASSWORD}\""),
        "{yaml}"
    );
    assert!(
        yaml.contains("frontend fe_reader"),
        "the HAProxy config travels: {yaml}"
    );

    let (code, out, err) = tugboat(dir.path(), &["destroy", &name, "--yes", "--volumes"]);
    assert_eq!(code, 0, "{out}\n{err}");
    assert!(objects_of(&name).is_empty(), "{:?}", objects_of(&name));
    // The password is in no log and no audit record.
    for file in ["data/audit.jsonl", "data/tugboat.log"] {
        let text = std::fs::read_to_string(dir.path().join(file)).unwrap_or_default();
        assert!(!text.contains(&password), "{file} holds the password");
        assert!(
            !text.contains(&app_password),
            "{file} holds the app password"
        );
    }
}
