//! Volume backup and restore against the real engine, through the headless
//! commands: round trip, corrupted archives, interrupted backups and
//! refused restore targets (tests/backup_safety.rs has the rest).

#[path = "common/backup_fixture.rs"]
mod backup_fixture;
mod common;

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use backup_fixture::*;
use common::*;
use serde_json::Value;

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

    // The killed job still holds the volume on the engine, and `recover`
    // is the way back: it frees the leases with the helpers.
    let leases = || {
        let label = format!("label=io.tugboat.lease.job=backup local/volume/{source}");
        docker(&["volume", "ls", "-q", "--filter", &label])
    };
    assert!(!leases().trim().is_empty(), "the killed backup's leases");
    let (code, out, err) = tugboat(config.path(), &["recover", "--yes"]);
    assert_eq!(code, 0, "{out}\n{err}");
    assert_eq!(leases().trim(), "", "recover freed the leases: {out}");
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
    let (code, out, err) = tugboat(
        config.path(),
        &["restore", archive, "--into", &target, "--force", "--yes"],
    );
    assert_eq!(code, 3, "refused before any plan: {out}");
    assert!(
        err.contains(&format!("used by running container {user}")),
        "{err}"
    );
    assert_eq!(in_volume(&run, &target, "cat /v/file"), "mine");

    // Stopped user, forced: the archive's files overwrite, others stay.
    docker(&["rm", "-f", "-v", &user]);
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
