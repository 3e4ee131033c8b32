//! `tugboat create --from SPEC` end to end on the local engine, with the
//! test images: each template created, verified by tugboat, checked from
//! outside (leader, a row replicated, requests through HAProxy), recognised
//! by `status`, exported and destroyed.

mod common;
mod create_common;

use std::collections::BTreeSet;
use std::process::Command;
use std::time::{Duration, Instant};

use common::*;
use create_common::*;

#[test]
fn a_zookeeper_ensemble_is_created_verified_recognised_and_destroyed() {
    require_engine();
    let name = unique("zk");
    let _gone = ClusterCleanup(name.clone());
    let dir = tempfile::tempdir().unwrap();
    let spec =
        format!("name = \"{name}\"\ntemplate = \"zookeeper\"\n[zookeeper]\nimage = \"{ZK}\"\n");
    let (code, out, err) = create(dir.path(), &spec, &[]);
    assert_eq!(code, 0, "{out}\n{err}");
    assert!(out.contains("verified: 3 members serve;"), "{out}");

    // tugboat itself sees the ensemble with one leader.
    let status = status_json(dir.path());
    let ensemble = status["ensembles"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["name"] == name.as_str())
        .unwrap_or_else(|| panic!("no ensemble {name}: {status}"));
    assert_eq!(ensemble["members_total"], 3, "{ensemble}");
    assert!(ensemble["leader"].is_string(), "{ensemble}");
    // And from outside: exactly one member says it leads.
    let modes: Vec<String> = (1..=3)
        .map(|i| {
            docker(&[
                "exec",
                &format!("{name}-zk{i}"),
                "bash",
                "-c",
                "exec 3<>/dev/tcp/127.0.0.1/2181; echo srvr >&3; grep Mode <&3",
            ])
        })
        .collect();
    assert_eq!(
        modes.iter().filter(|m| m.contains("leader")).count(),
        1,
        "{modes:?}"
    );

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
    assert!(
        audit.contains(&format!("\"target\":\"cluster/{name}\"")),
        "{audit}"
    );
    assert!(audit.contains("\"action\":\"create\""), "{audit}");
    assert!(audit.contains("\"action\":\"destroy\""), "{audit}");
}

/// Run SQL as root in a database container; the password reaches the
/// client through the environment (`docker exec -e MYSQL_PWD`, by name).
fn sql(container: &str, password: &str, query: &str) -> String {
    let out = Command::new("docker")
        .env("MYSQL_PWD", password)
        .args([
            "exec",
            "-e",
            "MYSQL_PWD",
            container,
            "mariadb",
            "-uroot",
            "-N",
            "-B",
            "-e",
            query,
        ])
        .output()
        .expect("docker runs");
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

#[test]
fn a_database_replicates_a_row_to_every_replica_behind_haproxy() {
    require_engine();
    let name = unique("db");
    let _gone = ClusterCleanup(name.clone());
    let dir = tempfile::tempdir().unwrap();
    let spec = format!(
        "name = \"{name}\"\ntemplate = \"database\"\n[database]\nimage = \"{MARIADB}\"\nhaproxy_image = \"{HAPROXY}\"\nreplicas = 2\n"
    );
    let (code, out, err) = create(dir.path(), &spec, &["--json"]);
    assert_eq!(code, 0, "{out}\n{err}");
    let report: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(report["outcome"]["outcome"], "done", "{report}");
    let password = report["root_password"].as_str().unwrap().to_string();
    assert!(password.len() >= 20);

    // The password is in no log and no audit record.
    for file in ["data/audit.jsonl", "data/tugboat.log"] {
        let text = std::fs::read_to_string(dir.path().join(file)).unwrap_or_default();
        assert!(!text.contains(&password), "{file} holds the password");
    }

    let primary = format!("{name}-db1");
    sql(
        &primary,
        &password,
        "CREATE DATABASE t; CREATE TABLE t.rows (v VARCHAR(20)); INSERT INTO t.rows VALUES ('written-on-primary')",
    );
    for replica in [format!("{name}-db2"), format!("{name}-db3")] {
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            let got = sql(&replica, &password, "SELECT v FROM t.rows");
            if got == "written-on-primary" {
                break;
            }
            assert!(
                Instant::now() < deadline,
                "{replica} never saw the row (last: {got:?})"
            );
            std::thread::sleep(Duration::from_millis(300));
        }
    }

    let status = status_json(dir.path());
    let replicas: Vec<&serde_json::Value> = status["replication"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["cluster"] == name.as_str() && r["io_running"] == "yes")
        .collect();
    assert_eq!(replicas.len(), 2, "{status}");
    let lb = status["balancers"]
        .as_array()
        .unwrap()
        .iter()
        .find(|b| b["container"] == format!("{name}-lb").as_str())
        .unwrap_or_else(|| panic!("no balancer: {status}"));
    let servers: Vec<&serde_json::Value> = lb["backends"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|b| b["servers"].as_array().unwrap().iter())
        .collect();
    assert_eq!(servers.len(), 5, "{lb}");
    assert!(servers.iter().all(|s| s["status"] == "UP"), "{lb}");

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
}

#[test]
fn an_app_behind_haproxy_answers_from_every_replica() {
    require_engine();
    let name = unique("app");
    let _gone = ClusterCleanup(name.clone());
    let dir = tempfile::tempdir().unwrap();
    let spec = app_spec(&name, BUSYBOX, "/", None);
    let (code, out, err) = create(dir.path(), &spec, &[]);
    assert_eq!(code, 0, "{out}\n{err}");
    assert!(out.contains("verified: all 2 servers"), "{out}");
    let hostnames: BTreeSet<String> = (1..=2)
        .map(|i| {
            docker(&[
                "inspect",
                "-f",
                "{{.Config.Hostname}}",
                &format!("{name}-app{i}"),
            ])
        })
        .collect();
    assert_eq!(answering(&format!("{name}-lb"), 12), hostnames);

    let status = status_json(dir.path());
    let cluster = status["clusters"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == name.as_str())
        .unwrap_or_else(|| panic!("no cluster {name}: {status}"));
    assert_eq!(cluster["members"].as_array().unwrap().len(), 3, "{cluster}");

    let (code, out, err) = tugboat(dir.path(), &["destroy", &name, "--yes"]);
    assert_eq!(code, 0, "{out}\n{err}");
    assert!(objects_of(&name).is_empty(), "{:?}", objects_of(&name));
}

#[test]
fn dry_run_prints_the_plan_and_read_only_refuses_before_anything() {
    require_engine();
    let name = unique("ro");
    let _gone = ClusterCleanup(name.clone());
    let dir = tempfile::tempdir().unwrap();
    let spec = app_spec(&name, BUSYBOX, "/", None);
    let (code, out, _) = create(dir.path(), &spec, &["--dry-run"]);
    assert_eq!(code, 0);
    assert!(
        out.contains(&format!("create container {name}-lb on local")),
        "{out}"
    );
    assert!(objects_of(&name).is_empty());

    std::fs::write(dir.path().join("spec.toml"), &spec).unwrap();
    let spec_path = dir.path().join("spec.toml").display().to_string();
    let (code, out, err) = tugboat(
        dir.path(),
        &["--read-only", "create", "--from", &spec_path, "--yes"],
    );
    assert_eq!(code, 3, "refused: nothing ran: {out}\n{err}");
    assert!(
        out.contains("refused: read-only mode (--read-only) changes nothing"),
        "{out}"
    );
    assert!(objects_of(&name).is_empty(), "{:?}", objects_of(&name));
    let audit = std::fs::read_to_string(dir.path().join("data/audit.jsonl")).unwrap();
    assert!(audit.contains("refused"), "{audit}");

    // A bad spec names its file and field.
    std::fs::write(
        dir.path().join("spec.toml"),
        format!("name = \"{name}\"\ntemplate = \"zookeeper\"\n[zookeeper]\nmembers = 0\n"),
    )
    .unwrap();
    let (code, _, err) = tugboat(dir.path(), &["create", "--from", &spec_path, "--yes"]);
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("spec.toml:zookeeper.members: at least 1 member"),
        "{err}"
    );
}
