//! Backup and restore safety against the real engine: unwritable and
//! failing directories, read-only mode and the audit log, database volumes
//! (pause, logical dump) and no password anywhere.

#[path = "common/backup_fixture.rs"]
mod backup_fixture;
mod common;

use std::path::PathBuf;
use std::process::Command;
use std::time::{Duration, Instant};

use backup_fixture::*;
use common::*;
use serde_json::Value;

#[test]
fn an_unwritable_backup_dir_is_a_clear_error_and_leaves_nothing() {
    require_engine();
    let run = unique("bk-dir");
    let _cleanup = Cleanup::new(&run);
    let config = tempfile::tempdir().unwrap();
    let source = format!("{run}-src");
    volume(&run, &source);
    in_volume(&run, &source, "echo x > /v/f");
    // Under a regular file: no directory can be made there, even by root.
    let blocker = config.path().join("a-file");
    std::fs::write(&blocker, b"not a directory").unwrap();
    let dir = blocker.join("backups");
    let (code, out, err) = tugboat(
        config.path(),
        &[
            "backup",
            &source,
            "--dir",
            dir.to_str().unwrap(),
            "--image",
            BUSYBOX,
            "--yes",
        ],
    );
    assert_eq!(code, 1, "{out} {err}");
    assert!(
        out.contains("failed at step 1") && out.contains("cannot create backup directory"),
        "{out}"
    );
    let helpers = docker(&[
        "ps",
        "-aq",
        "--filter",
        &format!("label=io.tugboat.volume={source}"),
    ]);
    assert_eq!(helpers, "", "no helper container may remain");
}

#[test]
fn read_only_refuses_backup_and_restore_in_the_core_and_audits_them() {
    require_engine();
    let run = unique("bk-ro");
    let _cleanup = Cleanup::new(&run);
    let config = tempfile::tempdir().unwrap();
    let dir = config.path().join("out");
    let source = format!("{run}-src");
    volume(&run, &source);
    in_volume(&run, &source, "echo x > /v/f");
    let archive = backup(config.path(), &source, &dir);

    let (code, out, _) = tugboat(
        config.path(),
        &[
            "--read-only",
            "backup",
            &source,
            "--dir",
            dir.to_str().unwrap(),
            "--yes",
        ],
    );
    assert_eq!(code, 3, "{out}");
    assert!(out.contains("refused: read-only"), "{out}");
    assert_eq!(files_in(&dir).len(), 2, "only the first backup's two files");

    let fresh = format!("{run}-fresh");
    let _fresh = CreatedVolume(fresh.clone());
    let (code, out, _) = tugboat(
        config.path(),
        &[
            "--read-only",
            "restore",
            archive.to_str().unwrap(),
            "--into",
            &fresh,
            "--yes",
        ],
    );
    assert_eq!(code, 3, "{out}");
    assert!(!volume_exists(&fresh));

    let audit = std::fs::read_to_string(config.path().join("data/audit.jsonl")).unwrap();
    let records: Vec<Value> = audit
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let outcomes: Vec<(&str, &str)> = records
        .iter()
        .map(|r| {
            (
                r["action"].as_str().unwrap(),
                r["outcome"].as_str().unwrap(),
            )
        })
        .collect();
    // The backup that ran: its intent, then its outcome; the refused ones
    // never started.
    assert_eq!(outcomes.len(), 4, "{outcomes:?}");
    assert_eq!(outcomes[0], ("backup", "started"));
    assert_eq!(outcomes[1], ("backup", "done"));
    assert!(outcomes[2].0 == "backup" && outcomes[2].1.starts_with("refused"));
    assert!(outcomes[3].0 == "restore" && outcomes[3].1.starts_with("refused"));
}

#[test]
fn a_database_volume_is_paused_for_the_copy_dumped_on_request_and_no_password_leaks() {
    require_engine();
    let run = unique("bk-db");
    let _cleanup = Cleanup::new(&run);
    let config = tempfile::tempdir().unwrap();
    let dir = config.path().join("out");
    let data = format!("{run}-data");
    let db = format!("{run}-db");
    let password = format!("Pw-{run}-never-shown");
    volume(&run, &data);
    docker(&[
        "run",
        "-d",
        "--name",
        &db,
        "--label",
        &label(&run),
        "-e",
        &format!("MARIADB_ROOT_PASSWORD={password}"),
        "-v",
        &format!("{data}:/var/lib/mysql"),
        DB_IMAGE,
    ]);
    // Wait until the server has initialised its data directory.
    let deadline = Instant::now() + Duration::from_secs(90);
    while in_volume(&run, &data, "ls /v/mysql 2>/dev/null | head -1").is_empty() {
        assert!(Instant::now() < deadline, "MariaDB did not initialise");
        std::thread::sleep(Duration::from_millis(300));
    }

    // No --pause: a database volume pauses its running users by default.
    let (code, out, err) = tugboat(
        config.path(),
        &[
            "backup",
            &data,
            "--dir",
            dir.to_str().unwrap(),
            "--yes",
            "--json",
        ],
    );
    assert_eq!(code, 0, "{out} {err}");
    let report = json(&out);
    assert_eq!(report["manifest"]["paused"], serde_json::json!([db]));
    assert_eq!(report["manifest"]["users"], serde_json::json!([db]));
    assert_eq!(report["manifest"]["helper_image"], DB_IMAGE);
    assert!(report["manifest"]["files"].as_u64().unwrap() > 10);
    assert_eq!(
        docker(&["inspect", "-f", "{{.State.Status}}", &db]),
        "running",
        "unpaused after the copy"
    );

    let (paused_out, paused_err) = (out, err);

    // The logical dump: SQL from the server itself, through exec.
    let sql = |q: &str| {
        Command::new("docker")
            .args(["exec", "-e", &format!("MYSQL_PWD={password}"), &db])
            .args([
                "mariadb",
                "--protocol=tcp",
                "-h127.0.0.1",
                "-uroot",
                "-e",
                q,
            ])
            .output()
            .is_ok_and(|o| o.status.success())
    };
    let deadline = Instant::now() + Duration::from_secs(90);
    while !sql("SELECT 1") {
        assert!(
            Instant::now() < deadline,
            "MariaDB did not accept connections"
        );
        std::thread::sleep(Duration::from_millis(500));
    }
    assert!(sql(
        "CREATE DATABASE shop; CREATE TABLE shop.orders (id INT PRIMARY KEY, item VARCHAR(20)); \
         INSERT INTO shop.orders VALUES (42, 'tugboat-widget')"
    ));
    let (code, out, err) = tugboat(
        config.path(),
        &[
            "backup",
            &data,
            "--dump",
            "--dir",
            dir.to_str().unwrap(),
            "--yes",
            "--json",
        ],
    );
    assert_eq!(code, 0, "{out} {err}");
    let report = json(&out);
    assert_eq!(report["manifest"]["kind"], "mysql-dump");
    assert_eq!(report["manifest"]["container"], db.as_str());
    let dump_path = PathBuf::from(report["archive"].as_str().unwrap());
    assert!(dump_path.to_string_lossy().ends_with(".sql.gz"));
    let mut dump = String::new();
    std::io::Read::read_to_string(
        &mut flate2::read::GzDecoder::new(std::fs::File::open(&dump_path).unwrap()),
        &mut dump,
    )
    .unwrap();
    assert!(dump.contains("CREATE TABLE `orders`") && dump.contains("tugboat-widget"));
    assert!(dump.contains("-- Dump completed"));
    // A dump is not a volume archive: restore says so and does nothing.
    let (code, _, restore_err) = tugboat(
        config.path(),
        &["restore", dump_path.to_str().unwrap(), "--yes"],
    );
    assert_eq!(code, 2, "{restore_err}");
    assert!(
        restore_err.contains("not a volume archive"),
        "{restore_err}"
    );

    // A dump stopped by Ctrl-C while it streams leaves no file: enough
    // rows that the dump takes a while.
    assert!(sql(
        "CREATE TABLE shop.big (id INT AUTO_INCREMENT PRIMARY KEY, pad CHAR(128)); \
         SET SESSION max_recursive_iterations = 1000000; INSERT INTO shop.big (pad) WITH RECURSIVE s(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM s WHERE n < 400000) \
         SELECT CONCAT(MD5(RAND()), MD5(RAND()), MD5(RAND()), MD5(RAND())) FROM s"
    ));
    let files_before = files_in(&dir);
    let dump_dir = dir.to_str().unwrap();
    let args = [
        "--host", HOST, "backup", &data, "--dump", "--dir", dump_dir, "--yes",
    ];
    for (signal, code) in [("INT", 130), ("TERM", 143), ("HUP", 129)] {
        let job = RunningJob::until(config.path(), &args, "step 2:");
        assert!(job.seen.last().unwrap().contains("dump every database"));
        job.signal(signal);
        let (exit, rest, _) = job.finish(signal == "HUP");
        assert_eq!(exit, Some(code), "SIG{signal}: {rest:?}");
        if signal != "HUP" {
            let last = rest.last().cloned().unwrap_or_default();
            assert!(
                last.starts_with(&format!("interrupted by SIG{signal} after 1 of 2 steps")),
                "{rest:?}"
            );
        }
        assert_eq!(
            files_in(&dir),
            files_before,
            "SIG{signal}: no partial dump left"
        );
        assert_eq!(
            docker(&["inspect", "-f", "{{.State.Status}}", &db]),
            "running"
        );
    }

    let audit = std::fs::read_to_string(config.path().join("data/audit.jsonl")).unwrap();
    for signal in ["SIGINT", "SIGTERM", "SIGHUP"] {
        assert!(
            audit.contains(&format!("interrupted by {signal}")),
            "{signal}"
        );
    }
    assert!(audit.contains("\"action\":\"backup\"") && audit.contains(&format!("pause {db}")));
    assert!(audit.contains("--single-transaction"));
    for text in [&audit, &paused_out, &paused_err, &out, &err, &dump] {
        assert!(!text.contains(&password), "the password leaked: {text}");
    }
    for name in files_in(&dir).iter().filter(|n| n.ends_with(".json")) {
        let manifest = std::fs::read_to_string(dir.join(name)).unwrap();
        assert!(!manifest.contains(&password));
    }
}

#[test]
fn a_write_failure_midway_removes_the_partial_and_unpauses_the_users() {
    require_engine();
    let run = unique("bk-full");
    let _cleanup = Cleanup::new(&run);
    let config = tempfile::tempdir().unwrap();
    let dir = config.path().join("out");
    let source = format!("{run}-src");
    volume(&run, &source);
    in_volume(
        &run,
        &source,
        "dd if=/dev/urandom of=/v/data bs=1M count=6 2>/dev/null",
    );
    let user = format!("{run}-user");
    run_busybox(
        &run,
        &user,
        &["-v", &format!("{source}:/data")],
        &["sleep", "600"],
    );
    // A file size limit of 1 MB stands in for a full disk: the archive's
    // writes fail partway (EFBIG instead of ENOSPC, the same path).
    let script = format!(
        "trap '' XFSZ; ulimit -f 2048; exec \"$0\" --host {HOST} backup {source} --dir {} --image {BUSYBOX} --pause --yes",
        dir.display()
    );
    let out = Command::new("sh")
        .args(["-c", &script, env!("CARGO_BIN_EXE_tugboat")])
        .env("TUGBOAT_CONFIG_DIR", config.path())
        .env("TUGBOAT_DATA_DIR", config.path().join("data"))
        .env_remove("DOCKER_HOST")
        .output()
        .expect("tugboat runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    assert!(
        stdout.contains("failed at step 2") && stdout.contains("writing the archive"),
        "{stdout}"
    );
    assert!(stdout.contains("partial file removed"), "{stdout}");
    assert_eq!(files_in(&dir), Vec::<String>::new(), "nothing may remain");
    assert_eq!(
        docker(&["inspect", "-f", "{{.State.Status}}", &user]),
        "running",
        "the paused user is unpaused after the failure"
    );
    let helpers = docker(&[
        "ps",
        "-aq",
        "--filter",
        &format!("label=io.tugboat.volume={source}"),
    ]);
    assert_eq!(helpers, "", "no helper container may remain");
}

/// A MariaDB server paused on its datadir (as another operator's backup
/// leaves it) is still a user: `restore --force` into that volume is
/// refused naming it, its host and its state, and writes nothing; once
/// the server is stopped the same restore goes through.
#[test]
fn a_paused_database_refuses_a_forced_restore_into_its_volume_until_stopped() {
    require_engine();
    let run = unique("bk-paused");
    let _cleanup = Cleanup::new(&run);
    let config = tempfile::tempdir().unwrap();
    let dir = config.path().join("out");
    let source = format!("{run}-src");
    volume(&run, &source);
    in_volume(&run, &source, "echo from-backup > /v/marker");
    let archive = backup(config.path(), &source, &dir);
    let archive = archive.to_str().unwrap();

    let data = format!("{run}-data");
    let db = format!("{run}-db");
    volume(&run, &data);
    docker(&[
        "run",
        "-d",
        "--name",
        &db,
        "--label",
        &label(&run),
        "-e",
        &format!("MARIADB_ROOT_PASSWORD=Pw-{run}"),
        "-v",
        &format!("{data}:/var/lib/mysql"),
        DB_IMAGE,
    ]);
    let deadline = Instant::now() + Duration::from_secs(90);
    while in_volume(&run, &data, "ls /v/mysql 2>/dev/null | head -1").is_empty() {
        assert!(Instant::now() < deadline, "MariaDB did not initialise");
        std::thread::sleep(Duration::from_millis(300));
    }
    in_volume(&run, &data, "echo the-servers > /v/marker");
    docker(&["pause", &db]);
    let before = describe(&run, &data);

    let restore = || {
        tugboat(
            config.path(),
            &["restore", archive, "--into", &data, "--force", "--yes"],
        )
    };
    let (code, out, err) = restore();
    assert_eq!(code, 1, "{out} {err}");
    assert!(
        out.contains(&format!(
            "volume {data} on local is in use by {db} (paused)"
        )),
        "{out}"
    );
    assert!(out.contains("nothing was written"), "{out}");
    assert_eq!(describe(&run, &data), before, "the paused server's files");
    assert_eq!(state(&db), "paused", "left as it was");
    assert_eq!(helpers_of(&data), "", "no helper left");

    // Thawed and stopped: the archive's file replaces the server's, the
    // rest of the datadir stays.
    docker(&["unpause", &db]);
    docker(&["stop", &db]);
    let (code, out, err) = restore();
    assert_eq!(code, 0, "{out} {err}");
    assert_eq!(in_volume(&run, &data, "cat /v/marker"), "from-backup");
    assert!(!in_volume(&run, &data, "ls /v/mysql | head -1").is_empty());
}

/// The unpack asks the engine again right before it writes: a user that
/// was stopped when the target was checked (step 2) and started while the
/// archive was verified once more (step 3) refuses the unpack.
#[test]
fn a_user_started_after_the_target_check_refuses_the_unpack() {
    use std::io::{BufRead, BufReader, Read};
    require_engine();
    let run = unique("bk-late");
    let _cleanup = Cleanup::new(&run);
    let config = tempfile::tempdir().unwrap();
    let dir = config.path().join("out");
    let source = format!("{run}-src");
    volume(&run, &source);
    in_volume(&run, &source, "echo from-backup > /v/marker");
    let archive = backup(config.path(), &source, &dir);
    // A GiB of (sparse) zeros after the gzip stream: still the same
    // tar, but hashing it takes seconds, so the user's start lands while
    // the unpack step verifies the archive, before it asks the engine.
    let file = std::fs::OpenOptions::new()
        .write(true)
        .open(&archive)
        .unwrap();
    let size = file.metadata().unwrap().len() + (1 << 30);
    file.set_len(size).unwrap();
    let sum = Command::new("sha256sum").arg(&archive).output().unwrap();
    let sum = String::from_utf8_lossy(&sum.stdout)[..64].to_string();
    let manifest_path = dir.join(
        archive
            .file_name()
            .unwrap()
            .to_string_lossy()
            .replace(".tar.gz", ".manifest.json"),
    );
    let mut manifest: Value =
        serde_json::from_str(&std::fs::read_to_string(&manifest_path).unwrap()).unwrap();
    manifest["archive_bytes"] = size.into();
    manifest["sha256"] = sum.into();
    std::fs::write(&manifest_path, manifest.to_string()).unwrap();

    let target = format!("{run}-dst");
    volume(&run, &target);
    in_volume(&run, &target, "echo mine > /v/marker");
    let user = format!("{run}-user");
    docker(&[
        "create",
        "--name",
        &user,
        "--label",
        &label(&run),
        "-v",
        &format!("{target}:/data"),
        BUSYBOX,
        "sleep",
        "600",
    ]);
    let mut child = tugboat_command(config.path(), &[])
        .args(["--host", HOST, "restore"])
        .arg(&archive)
        .args(["--into", &target, "--force", "--yes"])
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("tugboat starts");
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let mut seen = String::new();
    loop {
        let mut line = String::new();
        assert_ne!(stdout.read_line(&mut line).unwrap(), 0, "{seen}");
        seen.push_str(&line);
        if line.starts_with("step 3:") {
            break;
        }
    }
    docker(&["start", &user]);
    stdout.read_to_string(&mut seen).unwrap();
    let status = child.wait().unwrap();
    assert_eq!(status.code(), Some(1), "{seen}");
    assert!(
        seen.contains(&format!(
            "volume {target} on local is now in use by {user} (running)"
        )),
        "{seen}"
    );
    assert_eq!(in_volume(&run, &target, "cat /v/marker"), "mine");
    assert_eq!(helpers_of(&target), "", "the unpack's helper is removed");
}
