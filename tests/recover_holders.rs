//! Whose entry `tugboat recover` acts on, against the real engine: a
//! container paused by a job, and that job's journal entry written as
//! another machine's, as one cut off more than a day ago, and as a
//! cut-off job of this machine. Only the last is acted on (the container
//! unpaused); the others are listed, to be checked by hand, and the
//! container stays paused. The TUI's `U` takes the entry over as
//! `recover` does: one recovered meanwhile is not recovered again.

mod common;
#[path = "common/tmux.rs"]
mod tmux;

use std::path::Path;
use std::time::Duration;

use common::*;
use tmux::Tmux;

fn read(path: &str) -> String {
    std::fs::read_to_string(path)
        .map(|t| t.trim().to_string())
        .unwrap_or_default()
}

fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

/// The entry of a backup-like job that paused `id`, as a tugboat of host
/// `host` with process start time `start_ticks` wrote it.
fn write_entry(cfg: &Path, id: &str, name: &str, host: &str, started: i64) {
    let entry = serde_json::json!({
        "pid": 999_999_999u32,
        "job": 1,
        "started": started,
        "action": "backup",
        "target": "volume/data",
        "leftovers": [{"kind": "paused", "host": "local", "id": id, "name": name}],
        "token": "0123456789abcdef0123456789abcdef",
        "holder": {
            "host": host,
            "machine_id": read("/etc/machine-id"),
            "boot_id": read("/proc/sys/kernel/random/boot_id"),
            "pid": 999_999_999u32,
            "start_ticks": 1,
        },
    });
    let dir = cfg.join("data/journal");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("999999999-1.json"), entry.to_string()).unwrap();
}

fn recover(cfg: &Path) -> (i32, String) {
    let host = format!("local={LOCAL_URL}");
    let (code, out, err) = run_tugboat(cfg, &[], &["--host", &host, "recover", "--yes"]);
    (code, format!("{out}\n{err}"))
}

/// A container a cut-off job left paused: (its cleanup, name, id).
fn paused_user(prefix: &str) -> (Cleanup, String, String) {
    require_engine();
    let run = unique(prefix);
    let cleanup = Cleanup::new(&run);
    let name = format!("{run}-user");
    let id = run_busybox(&run, &name, &[], &["sleep", "600"]);
    docker(&["pause", &id]);
    (cleanup, name, id)
}

fn state(id: &str) -> String {
    docker(&["inspect", "-f", "{{.State.Status}}", id])
}

#[test]
fn only_a_cut_off_job_of_this_machine_within_the_limit_is_recovered() {
    let (_cleanup, name, id) = paused_user("rchold");
    let cfg = tempfile::tempdir().unwrap();
    let here = read("/proc/sys/kernel/hostname");

    // Another bastion's entry (one home directory on NFS): its pid means
    // nothing here.
    write_entry(cfg.path(), &id, &name, "bastion-elsewhere", now());
    let (code, said) = recover(cfg.path());
    assert_eq!(code, 3, "{said}");
    assert!(
        said.contains("held by another machine (bastion-elsewhere): check there"),
        "{said}"
    );
    assert_eq!(state(&id), "paused", "another machine's job is left alone");

    // This machine's, cut off two days ago: shown with what it recorded.
    write_entry(cfg.path(), &id, &name, &here, now() - 2 * 24 * 3600);
    let (code, said) = recover(cfg.path());
    assert_eq!(code, 3, "{said}");
    assert!(
        said.contains("cut off 48 h ago, past the 24 h limit"),
        "{said}"
    );
    assert!(said.contains(&format!("unpause {name} on local")), "{said}");
    assert_eq!(state(&id), "paused", "nothing is done from so old a record");

    // This machine's, cut off a minute ago (its process is gone): recovered.
    write_entry(cfg.path(), &id, &name, &here, now() - 60);
    let (code, said) = recover(cfg.path());
    assert_eq!(code, 0, "{said}");
    assert_eq!(state(&id), "running");
    let (code, said) = recover(cfg.path());
    assert_eq!((code, said.trim()), (0, "nothing to recover"));
}

#[test]
fn the_tuis_u_takes_the_entry_over_and_leaves_one_recovered_meanwhile() {
    let (_cleanup, name, id) = paused_user("rctui");
    let cfg = tempfile::tempdir().unwrap();
    let here = read("/proc/sys/kernel/hostname");
    write_entry(cfg.path(), &id, &name, &here, now() - 60);
    let entry = cfg.path().join("data/journal/999999999-1.json");

    let tmux = Tmux::tugboat(cfg.path());
    tmux.keys(&["U"]);
    tmux.wait_for(
        "the recovery's confirmation",
        Duration::from_secs(10),
        |s| s.contains(&format!("unpause {name} on local")),
    );
    // Another tugboat recovers it while this one asks.
    std::fs::remove_file(&entry).unwrap();
    tmux.keys(&["y"]);
    tmux.wait_for("the refusal", Duration::from_secs(10), |s| {
        s.contains("not recovered") && s.contains("recovered meanwhile")
    });
    assert_eq!(state(&id), "paused", "not recovered a second time");

    // Cut off again, seen at the next start: recovered, and its entry
    // forgotten once safe.
    drop(tmux);
    write_entry(cfg.path(), &id, &name, &here, now() - 60);
    let tmux = Tmux::tugboat(cfg.path());
    tmux.keys(&["U"]);
    tmux.wait_for(
        "the recovery's confirmation",
        Duration::from_secs(10),
        |s| s.contains(&format!("unpause {name} on local")),
    );
    tmux.keys(&["y"]);
    tmux.wait_for("the recovery done", Duration::from_secs(30), |_| {
        state(&id) == "running" && !entry.exists()
    });
}
