//! With `TUGBOAT_LOG=trace`, a database cluster made by the template,
//! switched over, backed up (volume copy and logical dump) and destroyed:
//! no generated or configured password is in any file tugboat wrote (the
//! log, the audit log, the journal, archives' manifests, the saved spec),
//! nor in its output; every file it wrote is 0600, every directory 0700.

mod common;
mod create_common;

use common::files::{dirs, files, mode};
use common::*;
use create_common::*;

const MARIADB: &str = "tugboat-test/mariadb:10.11";

#[test]
fn a_trace_log_through_create_switchover_and_backup_holds_no_password() {
    require_engine();
    let name = unique("trace");
    let _gone = ClusterCleanup(name.clone());
    let dir = tempfile::tempdir().unwrap();
    let trace = [("TUGBOAT_LOG", "trace")];
    let host = format!("local={LOCAL_URL}");
    let spec = format!(
        "name = \"{name}\"\ntemplate = \"database\"\n[database]\nimage = \"{MARIADB}\"\nhaproxy_image = \"{HAPROXY}\"\nreplicas = 1\n"
    );
    let spec_path = dir.path().join("spec.toml");
    std::fs::write(&spec_path, spec).unwrap();
    let spec_arg = spec_path.display().to_string();
    // What tugboat printed after the create (which shows the passwords
    // once, by design).
    let mut said = String::new();
    let run = |args: &[&str]| {
        let mut all = vec!["--host", host.as_str()];
        all.extend_from_slice(args);
        run_tugboat(dir.path(), &trace, &all)
    };
    let (code, out, err) = run(&["create", "--from", &spec_arg, "--yes", "--json"]);
    assert_eq!(code, 0, "{out}\n{err}");
    let report: serde_json::Value = serde_json::from_str(&out).unwrap();
    let mut secrets = vec![
        report["root_password"].as_str().unwrap().to_string(),
        report["app_password"].as_str().unwrap().to_string(),
    ];
    // The replication account's password, as the template set it.
    let env = docker(&[
        "inspect",
        "-f",
        "{{json .Config.Env}}",
        &format!("{name}-db1"),
    ]);
    let env: Vec<String> = serde_json::from_str(&env).unwrap();
    secrets.extend(
        env.iter()
            .filter_map(|e| e.strip_prefix("TUGBOAT_REPLICATION_PASSWORD="))
            .map(str::to_string),
    );
    assert_eq!(secrets.len(), 3, "{env:?}");

    let (code, out, err) = run(&["failover", &name, "--yes"]);
    assert_eq!(code, 0, "{out}\n{err}");
    said.push_str(&format!("{out}{err}"));
    let archives = dir.path().join("data/backups");
    let archives_arg = archives.display().to_string();
    let volume = format!("{name}-db1-data");
    let (code, out, err) = run(&["backup", &volume, "--dir", &archives_arg, "--yes"]);
    assert_eq!(code, 0, "{out}\n{err}");
    said.push_str(&format!("{out}{err}"));
    let (code, out, err) = run(&["backup", &volume, "--dir", &archives_arg, "--dump", "--yes"]);
    assert_eq!(code, 0, "{out}\n{err}");
    said.push_str(&format!("{out}{err}"));
    let (code, out, err) = run(&["destroy", &name, "--volumes", "--yes"]);
    assert_eq!(code, 0, "{out}\n{err}");
    said.push_str(&format!("{out}{err}"));

    let written = files(&dir.path().join("data"));
    let log = written
        .iter()
        .find(|(p, _)| p.ends_with("tugboat.log"))
        .expect("the log file");
    assert!(
        String::from_utf8_lossy(&log.1).contains("TRACE"),
        "a trace-level log was written"
    );
    for secret in &secrets {
        assert!(!said.contains(secret.as_str()), "a password in the output");
        for (path, bytes) in &written {
            // Archives are compressed copies of the data itself (which
            // holds the password hashes, not the passwords).
            let text = String::from_utf8_lossy(bytes);
            assert!(
                !text.contains(secret.as_str()),
                "a password in {}",
                path.display()
            );
        }
    }
    for (path, _) in &written {
        assert_eq!(mode(path), 0o600, "{}", path.display());
    }
    for d in dirs(&dir.path().join("data")) {
        assert_eq!(mode(&d), 0o700, "{}", d.display());
    }
}
