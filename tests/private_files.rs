//! What the tugboat binary writes is private whatever the umask, and input
//! that would overflow later is refused up front. No Docker engine is
//! needed: `tugboat audit` only reads the audit log (and opens the log
//! file, as every command does), and a refused config or argument stops
//! tugboat before any host is asked.

mod common;

use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::Output;

use common::files::mode;
use common::tugboat_command_through;

/// The binary under `umask 000`, with a private config and data directory
/// and none of the docker CLI's environment.
fn tugboat(dir: &Path, args: &[&str]) -> Output {
    let umask_0 = ["sh", "-c", "umask 000 && exec \"$0\" \"$@\""];
    tugboat_command_through(&umask_0, dir, &[("TUGBOAT_LOG", "trace")])
        .args(args)
        .output()
        .expect("tugboat runs")
}

#[test]
fn the_log_file_and_its_directory_are_private_under_umask_0() {
    let dir = tempfile::tempdir().unwrap();
    let out = tugboat(dir.path(), &["audit"]);
    assert!(out.status.success(), "{out:?}");
    assert_eq!(mode(&dir.path().join("data")), 0o700);
    assert_eq!(mode(&dir.path().join("data/tugboat.log")), 0o600);
}

#[test]
fn a_large_readable_log_is_rotated_and_both_are_private() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    std::fs::create_dir(&data).unwrap();
    let log = data.join("tugboat.log");
    std::fs::write(&log, vec![b'x'; 10 * 1024 * 1024 + 1]).unwrap();
    std::fs::set_permissions(&log, std::fs::Permissions::from_mode(0o644)).unwrap();
    let out = tugboat(dir.path(), &["audit"]);
    assert!(out.status.success(), "{out:?}");
    let old = data.join("tugboat.log.1");
    assert_eq!(std::fs::metadata(&old).unwrap().len(), 10 * 1024 * 1024 + 1);
    assert_eq!(mode(&old), 0o600);
    assert!(std::fs::metadata(&log).unwrap().len() < 1024 * 1024);
    assert_eq!(mode(&log), 0o600);
}

#[test]
fn a_huge_request_timeout_in_the_config_is_a_usage_error() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("config.toml"),
        "[settings]\nrequest_timeout_secs = 9223372036854775807\n",
    )
    .unwrap();
    let out = tugboat(dir.path(), &["audit"]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("`request_timeout_secs`"), "{err}");
    assert!(!err.contains("panicked"), "{err}");
}

#[test]
fn a_huge_verify_timeout_is_a_usage_error_before_anything_is_made() {
    let dir = tempfile::tempdir().unwrap();
    let out = tugboat(
        dir.path(),
        &[
            "create",
            "--from",
            "no-such-spec.toml",
            "--dry-run",
            "--verify-timeout",
            "18446744073709551615",
        ],
    );
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("--verify-timeout"), "{err}");
    assert!(!err.contains("panicked"), "{err}");
}
