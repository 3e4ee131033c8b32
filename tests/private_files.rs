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

/// A uid with no passwd entry, so no home directory: tugboat falls back
/// to the temp dir. Another one plays the local user who plants things.
const HOMELESS: u32 = 54321;
const OTHER_USER: u32 = 54322;

/// `tugboat audit` run as HOMELESS (setpriv; the tests run as root), with
/// `tmp` as its temp dir and no directory overrides.
fn homeless_tugboat(tmp: &Path) -> Output {
    let uid = format!("--reuid={HOMELESS}");
    let gid = format!("--regid={HOMELESS}");
    let setpriv = ["setpriv", uid.as_str(), gid.as_str(), "--clear-groups"];
    tugboat_command_through(&setpriv, tmp, &[])
        .env_remove("TUGBOAT_CONFIG_DIR")
        .env_remove("TUGBOAT_DATA_DIR")
        .env_remove("HOME")
        .env("TMPDIR", tmp)
        .arg("audit")
        .output()
        .expect("tugboat runs under setpriv")
}

/// A directory like /tmp: anyone writes, the sticky bit on.
fn shared_tmp() -> tempfile::TempDir {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::set_permissions(tmp.path(), std::fs::Permissions::from_mode(0o1777)).unwrap();
    tmp
}

fn owner(path: &Path) -> u32 {
    std::os::unix::fs::MetadataExt::uid(&std::fs::symlink_metadata(path).unwrap())
}

#[test]
fn without_a_home_the_data_goes_to_a_private_per_user_temp_dir() {
    let tmp = shared_tmp();
    let out = homeless_tugboat(tmp.path());
    assert!(out.status.success(), "{out:?}");
    let root = tmp.path().join(format!("tugboat-{HOMELESS}"));
    assert_eq!(mode(&root), 0o700);
    assert_eq!(owner(&root), HOMELESS);
    assert_eq!(mode(&root.join("data/tugboat.log")), 0o600);
    assert!(!tmp.path().join("tugboat").exists());
}

#[test]
fn a_planted_temp_dir_is_refused_and_nothing_is_read_or_written_there() {
    let tmp = shared_tmp();
    let root = tmp.path().join(format!("tugboat-{HOMELESS}"));
    let refused = |what: &str| {
        let out = homeless_tugboat(tmp.path());
        let err = String::from_utf8_lossy(&out.stderr).to_string();
        assert_eq!(out.status.code(), Some(2), "{what}: {err}");
        assert!(err.contains(&root.display().to_string()), "{what}: {err}");
        err
    };

    // Another user's directory under our name, with a journal for
    // `recover` in it.
    std::fs::create_dir_all(root.join("data/journal")).unwrap();
    std::fs::write(root.join("data/journal/job.json"), "{}").unwrap();
    for dir in [&root, &root.join("data"), &root.join("data/journal")] {
        std::os::unix::fs::chown(dir, Some(OTHER_USER), Some(OTHER_USER)).unwrap();
    }
    let err = refused("another user's");
    assert!(
        err.contains(&format!(
            "belongs to uid {OTHER_USER}, not to uid {HOMELESS}"
        )),
        "{err}"
    );
    assert!(!root.join("data/tugboat.log").exists());

    // A symbolic link to a directory someone else prepared.
    std::fs::remove_dir_all(&root).unwrap();
    let planted = tmp.path().join("planted");
    std::fs::create_dir(&planted).unwrap();
    std::os::unix::fs::chown(&planted, Some(HOMELESS), Some(HOMELESS)).unwrap();
    std::fs::set_permissions(&planted, std::fs::Permissions::from_mode(0o700)).unwrap();
    std::os::unix::fs::symlink(&planted, &root).unwrap();
    let err = refused("a link");
    assert!(err.contains("symbolic link"), "{err}");
    assert_eq!(std::fs::read_dir(&planted).unwrap().count(), 0);

    // Ours, but anyone may write in it (and swap the journal).
    std::fs::remove_file(&root).unwrap();
    std::fs::create_dir(&root).unwrap();
    std::os::unix::fs::chown(&root, Some(HOMELESS), Some(HOMELESS)).unwrap();
    std::fs::set_permissions(&root, std::fs::Permissions::from_mode(0o777)).unwrap();
    let err = refused("writable by others");
    assert!(err.contains("others can write in it (mode 777)"), "{err}");

    // Made private again: taken.
    std::fs::set_permissions(&root, std::fs::Permissions::from_mode(0o700)).unwrap();
    let out = homeless_tugboat(tmp.path());
    assert!(out.status.success(), "{out:?}");
}
