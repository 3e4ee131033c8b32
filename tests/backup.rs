//! Volume backup and restore against the real engine, through the headless
//! commands: round trip, corrupted archives, interrupted backups, refused
//! targets, read-only mode, the audit log and unwritable directories.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::*;
use serde_json::Value;

const DB_IMAGE: &str = "tugboat-test/mariadb:10.11";
const HOST: &str = "local=unix:///var/run/docker.sock";

/// `tugboat --host local=… ARGS`, with a private config and data dir.
fn tugboat(config: &Path, args: &[&str]) -> (i32, String, String) {
    let mut all = vec!["--host", HOST];
    all.extend_from_slice(args);
    run_tugboat(config, &[], &all)
}

fn label(run: &str) -> String {
    format!("{TEST_LABEL}={run}")
}

fn volume(run: &str, name: &str) {
    docker(&["volume", "create", "--label", &label(run), name]);
}

/// Run a shell script in a throwaway busybox container with `vol` at /v.
fn in_volume(run: &str, vol: &str, script: &str) -> String {
    docker(&[
        "run",
        "--rm",
        "--label",
        &label(run),
        "-v",
        &format!("{vol}:/v"),
        BUSYBOX,
        "sh",
        "-c",
        script,
    ])
}

/// Every entry under /v: path, type, mode, owner, size, link target and
/// content hash, sorted, for comparing two volumes.
fn describe(run: &str, vol: &str) -> String {
    in_volume(
        run,
        vol,
        "cd /v && find . | sort | while read -r f; do \
           printf '%s %s\\n' \"$(stat -c '%n %F %a %u:%g %s' \"$f\")\" \
             \"$( [ -L \"$f\" ] && readlink \"$f\" || { [ -f \"$f\" ] && sha256sum < \"$f\" | cut -c1-64; } )\"; \
         done",
    )
}

/// Removes helpers a killed tugboat left on a volume, so the volume can go.
struct Helpers(String);

impl Drop for Helpers {
    fn drop(&mut self) {
        let filter = format!("label=io.tugboat.volume={}", self.0);
        let ids = Command::new("docker")
            .args(["ps", "-aq", "--filter", &filter])
            .output()
            .map(|o| String::from_utf8_lossy(&o.stdout).to_string())
            .unwrap_or_default();
        for id in ids.split_whitespace() {
            let _ = Command::new("docker").args(["rm", "-f", id]).output();
        }
    }
}

/// A volume tugboat created (no test label), removed at the end.
struct CreatedVolume(String);

impl Drop for CreatedVolume {
    fn drop(&mut self) {
        let _ = Command::new("docker")
            .args(["volume", "rm", "-f", &self.0])
            .output();
    }
}

fn json(text: &str) -> Value {
    let line = text.lines().last().unwrap_or_default();
    serde_json::from_str(line).unwrap_or_else(|e| panic!("not JSON ({e}): {text}"))
}

/// Back up `vol` into `dir` (--yes --json, busybox helper); returns the
/// archive path after checking the command said done.
fn backup(config: &Path, vol: &str, dir: &Path) -> PathBuf {
    let (code, out, err) = tugboat(
        config,
        &[
            "backup",
            vol,
            "--dir",
            dir.to_str().unwrap(),
            "--image",
            BUSYBOX,
            "--yes",
            "--json",
        ],
    );
    assert_eq!(code, 0, "backup failed: {out} {err}");
    let report = json(&out);
    assert_eq!(report["outcome"]["outcome"], "done", "{report}");
    PathBuf::from(report["archive"].as_str().expect("archive path"))
}

fn files_in(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .map(|d| {
            d.filter_map(|e| e.ok())
                .map(|e| e.file_name().to_string_lossy().to_string())
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    names
}

fn volume_exists(name: &str) -> bool {
    Command::new("docker")
        .args(["volume", "inspect", name])
        .output()
        .is_ok_and(|o| o.status.success())
}

#[test]
fn round_trip_keeps_every_files_content_mode_and_owner() {
    require_engine();
    let run = unique("bk-trip");
    let _cleanup = Cleanup::new(&run);
    let config = tempfile::tempdir().unwrap();
    let dir = config.path().join("out");
    let source = format!("{run}-src");
    volume(&run, &source);
    in_volume(
        &run,
        &source,
        "mkdir -p /v/sub/deeper /v/empty-dir && \
         echo secret-ish > /v/sub/private && chmod 600 /v/sub/private && \
         printf '#!/bin/sh\\necho hi\\n' > /v/run.sh && chmod 755 /v/run.sh && \
         echo ro > /v/readonly && chmod 444 /v/readonly && \
         touch /v/empty && chown 1000:1000 /v/empty && chmod 2750 /v/sub/deeper && \
         ln -s sub/private /v/link && ln -s /nowhere /v/dangling && \
         dd if=/dev/urandom of=/v/sub/deeper/random bs=1M count=4 2>/dev/null && \
         seq 1 200000 > /v/sub/numbers",
    );
    let before = describe(&run, &source);
    let archive = backup(config.path(), &source, &dir);

    // The manifest describes what was copied.
    let manifest_path = archive.with_file_name(
        archive
            .file_name()
            .unwrap()
            .to_string_lossy()
            .replace(".tar.gz", ".manifest.json"),
    );
    let manifest: Value =
        serde_json::from_str(&std::fs::read_to_string(&manifest_path).unwrap()).unwrap();
    assert_eq!(manifest["volume"], source.as_str());
    assert_eq!(manifest["host"], "local");
    assert_eq!(manifest["files"], 6, "{manifest}");
    assert_eq!(manifest["helper_image"], BUSYBOX);
    assert_eq!(
        manifest["archive_bytes"],
        std::fs::metadata(&archive).unwrap().len()
    );

    // Into an empty existing volume, and into a new one tugboat creates.
    let target = format!("{run}-dst");
    volume(&run, &target);
    let (code, out, err) = tugboat(
        config.path(),
        &[
            "restore",
            archive.to_str().unwrap(),
            "--into",
            &target,
            "--yes",
        ],
    );
    assert_eq!(code, 0, "{out} {err}");
    assert_eq!(describe(&run, &target), before);

    let (code, out, err) = tugboat(
        config.path(),
        &["restore", archive.to_str().unwrap(), "--yes", "--json"],
    );
    assert_eq!(code, 0, "{out} {err}");
    let created = json(&out)["volume"].as_str().unwrap().to_string();
    let _created = CreatedVolume(created.clone());
    assert!(created.starts_with(&format!("{source}-restored-")));
    assert_eq!(describe(&run, &created), before);

    // A restore never deletes the archive; the listing shows it complete.
    assert!(archive.exists());
    let (code, out, _) = tugboat(
        config.path(),
        &["backups", "--dir", dir.to_str().unwrap(), "--json"],
    );
    assert_eq!(code, 0);
    let listing = json(&out);
    assert_eq!(listing["backups"]["complete"].as_array().unwrap().len(), 1);
    assert_eq!(listing["backups"]["incomplete"], Value::Array(vec![]));
}

#[test]
fn a_corrupted_archive_is_refused_before_anything_is_written() {
    require_engine();
    let run = unique("bk-corrupt");
    let _cleanup = Cleanup::new(&run);
    let config = tempfile::tempdir().unwrap();
    let dir = config.path().join("out");
    let source = format!("{run}-src");
    volume(&run, &source);
    in_volume(
        &run,
        &source,
        "dd if=/dev/urandom of=/v/data bs=64k count=8 2>/dev/null",
    );
    let archive = backup(config.path(), &source, &dir);

    // Same size, one byte flipped in the middle: only the checksum can tell.
    let mut bytes = std::fs::read(&archive).unwrap();
    let middle = bytes.len() / 2;
    bytes[middle] ^= 0xff;
    std::fs::write(&archive, &bytes).unwrap();

    let fresh = format!("{run}-fresh");
    let _fresh = CreatedVolume(fresh.clone());
    let (code, out, err) = tugboat(
        config.path(),
        &[
            "restore",
            archive.to_str().unwrap(),
            "--into",
            &fresh,
            "--yes",
        ],
    );
    assert_eq!(code, 1, "{out} {err}");
    assert!(
        out.contains("failed at step 1") && out.contains("corrupted"),
        "{out}"
    );
    assert!(!volume_exists(&fresh), "nothing may be created");

    let empty = format!("{run}-empty");
    volume(&run, &empty);
    let (code, out, _) = tugboat(
        config.path(),
        &[
            "restore",
            archive.to_str().unwrap(),
            "--into",
            &empty,
            "--yes",
        ],
    );
    assert_eq!(code, 1, "{out}");
    assert_eq!(in_volume(&run, &empty, "ls -A /v"), "");
    assert!(archive.exists(), "a refused restore keeps the archive");
}

#[test]
fn an_interrupted_backup_leaves_no_complete_looking_archive() {
    require_engine();
    let run = unique("bk-kill");
    let _cleanup = Cleanup::new(&run);
    let source = format!("{run}-src");
    let _helpers = Helpers(source.clone());
    let config = tempfile::tempdir().unwrap();
    let dir = config.path().join("out");
    volume(&run, &source);
    // Random data does not compress: the copy takes seconds, not millis.
    in_volume(
        &run,
        &source,
        "dd if=/dev/urandom of=/v/a bs=1M count=64 2>/dev/null && \
         for i in 1 2 3; do cat /v/a > /v/copy$i; done",
    );
    let mut child = Command::new(env!("CARGO_BIN_EXE_tugboat"))
        .env("TUGBOAT_CONFIG_DIR", config.path())
        .env("TUGBOAT_DATA_DIR", config.path().join("data"))
        .env_remove("DOCKER_HOST")
        .args(["--host", HOST, "backup", &source, "--dir"])
        .arg(&dir)
        .args(["--image", BUSYBOX, "--yes"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("tugboat starts");
    // Kill -9 once the archive is being written.
    let deadline = Instant::now() + Duration::from_secs(60);
    let partial_size = || {
        files_in(&dir)
            .iter()
            .filter(|n| n.ends_with(".partial"))
            .filter_map(|n| std::fs::metadata(dir.join(n)).ok())
            .map(|m| m.len())
            .max()
    };
    while partial_size().is_none_or(|s| s < 1 << 20) {
        assert!(
            child.try_wait().unwrap().is_none(),
            "tugboat ended before it could be interrupted"
        );
        assert!(Instant::now() < deadline, "no partial archive appeared");
        std::thread::sleep(Duration::from_millis(20));
    }
    child.kill().unwrap();
    child.wait().unwrap();

    let names = files_in(&dir);
    assert!(
        names
            .iter()
            .all(|n| n.starts_with('.') && n.ends_with(".partial")),
        "only .partial files may remain: {names:?}"
    );
    let (code, out, _) = tugboat(
        config.path(),
        &["backups", "--dir", dir.to_str().unwrap(), "--json"],
    );
    assert_eq!(code, 0);
    let listing = json(&out);
    assert_eq!(listing["backups"]["complete"], Value::Array(vec![]));
    assert_eq!(
        listing["backups"]["incomplete"].as_array().unwrap().len(),
        1
    );
}

#[test]
fn restore_refuses_non_empty_and_in_use_volumes_unless_forced() {
    require_engine();
    let run = unique("bk-target");
    let _cleanup = Cleanup::new(&run);
    let config = tempfile::tempdir().unwrap();
    let dir = config.path().join("out");
    let source = format!("{run}-src");
    volume(&run, &source);
    in_volume(&run, &source, "echo from-backup > /v/file");
    let archive = backup(config.path(), &source, &dir);
    let archive = archive.to_str().unwrap();

    let target = format!("{run}-busy");
    volume(&run, &target);
    in_volume(
        &run,
        &target,
        "echo mine > /v/file && echo extra > /v/other",
    );
    let (code, out, _) = tugboat(
        config.path(),
        &["restore", archive, "--into", &target, "--yes"],
    );
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("is not empty"), "{out}");
    assert_eq!(in_volume(&run, &target, "cat /v/file"), "mine");

    // In use by a running container: refused even when forced.
    let user = format!("{run}-user");
    run_busybox(
        &run,
        &user,
        &["-v", &format!("{target}:/data")],
        &["sleep", "600"],
    );
    let (code, out, _) = tugboat(
        config.path(),
        &["restore", archive, "--into", &target, "--force", "--yes"],
    );
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains("in use by running container") && out.contains(&user),
        "{out}"
    );
    assert_eq!(in_volume(&run, &target, "cat /v/file"), "mine");

    // Stopped user, forced: the archive's files overwrite, others stay.
    docker(&["rm", "-f", &user]);
    let (code, out, err) = tugboat(
        config.path(),
        &["restore", archive, "--into", &target, "--force", "--yes"],
    );
    assert_eq!(code, 0, "{out} {err}");
    assert_eq!(
        in_volume(&run, &target, "cat /v/file /v/other"),
        "from-backup\nextra"
    );

    // Without --yes and no terminal to ask on: not confirmed, exit 3.
    let (code, _, err) = tugboat(
        config.path(),
        &["restore", archive, "--into", &target, "--force"],
    );
    assert_eq!(code, 3, "{err}");
}

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
    assert_eq!(outcomes.len(), 3, "{outcomes:?}");
    assert_eq!(outcomes[0], ("backup", "done"));
    assert!(outcomes[1].0 == "backup" && outcomes[1].1.starts_with("refused"));
    assert!(outcomes[2].0 == "restore" && outcomes[2].1.starts_with("refused"));
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

    let audit = std::fs::read_to_string(config.path().join("data/audit.jsonl")).unwrap();
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
