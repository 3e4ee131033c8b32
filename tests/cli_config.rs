//! `tugboat config`: the printed default config passes `--check`, and a
//! file with a bad key, an unknown action and a conflict exits 2 naming
//! each line and both actions. No Docker needed.

use std::path::Path;
use std::process::Command;

/// Runs tugboat with its config and data dirs in `dir`; (exit code,
/// stdout, stderr).
fn tugboat(dir: &Path, args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_tugboat"))
        .args(args)
        .env("TUGBOAT_CONFIG_DIR", dir.join("config"))
        .env("TUGBOAT_DATA_DIR", dir.join("data"))
        .env_remove("DOCKER_HOST")
        .env_remove("NO_COLOR")
        .output()
        .expect("tugboat runs");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn the_printed_default_passes_the_check() {
    let dir = tempfile::tempdir().unwrap();
    let (code, text, err) = tugboat(dir.path(), &["config", "--print-default"]);
    assert_eq!(code, 0, "{err}");
    for part in [
        "[settings]\n",
        "relist_interval_secs = 30\n",
        "theme = \"default\"\n",
        "# [[credentials]]\n",
        "# [[hosts]]\n",
        "[keys.global]\n",
        "# quit\nquit = [\"q\", \"Ctrl-c\"]\n",
        "[keys.nodes]\n",
        "# restart the container (asks first)\nrestart = \"r\"\n",
        "kill = \"K\"\n",
        "[keys.confirm]\n",
    ] {
        assert!(text.contains(part), "no {part:?} in:\n{text}");
    }
    let file = dir.path().join("config.toml");
    std::fs::write(&file, &text).unwrap();
    let (code, out, err) = tugboat(dir.path(), &["config", "--check", file.to_str().unwrap()]);
    assert_eq!(code, 0, "{out}{err}");
    assert_eq!(out, format!("{}: ok\n", file.display()));
}

#[test]
fn a_bad_key_an_unknown_action_and_a_conflict_exit_2_with_their_lines() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("config.toml");
    std::fs::write(
        &file,
        "[settings]\n\
         theme = \"default\"\n\
         \n\
         [keys.nodes]\n\
         restart = \"Hyper-r\"\n\
         reboot = \"X\"\n\
         logs = \"o\"\n",
    )
    .unwrap();
    let path = file.display().to_string();
    let (code, out, err) = tugboat(dir.path(), &["config", "--check", &path]);
    assert_eq!(code, 2, "{out}{err}");
    assert_eq!(out, "");
    let lines: Vec<&str> = err.lines().collect();
    assert_eq!(lines.len(), 4, "{err}");
    assert!(
        lines[0].starts_with(&format!(
            "{path}:5:11: [keys.nodes] restart: bad key: `Hyper-r` is not a key"
        )),
        "{err}"
    );
    assert!(
        lines[1].starts_with(&format!(
            "{path}:6:1: [keys.nodes] reboot: no such action in nodes"
        )),
        "{err}"
    );
    assert_eq!(
        lines[2],
        format!(
            "{path}:7:1: key o: \"logs\" (nodes) and \"sort\" (tables) where both work; \
             o does \"logs\" there"
        )
    );
    assert_eq!(lines[3], format!("{path}: 3 errors"));
}

#[test]
fn a_dangerous_key_a_missing_theme_and_bad_toml_are_errors_too() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("config.toml");
    std::fs::write(
        &file,
        "[settings]\ntheme = \"nope\"\n\n[keys.nodes]\nkill = \"j\"\n",
    )
    .unwrap();
    let path = file.display().to_string();
    let (code, _, err) = tugboat(dir.path(), &["config", "--check", &path]);
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains(&format!("{path}:2:9: theme: theme `nope` not found")),
        "{err}"
    );
    assert!(
        err.contains(&format!(
            "{path}:5:1: key j: \"kill\" (nodes) changes things and must not share a key \
             with \"down\" (tables)"
        )),
        "{err}"
    );

    std::fs::write(&file, "[keys.nodes]\nrestart = 3\n").unwrap();
    let (code, _, err) = tugboat(dir.path(), &["config", "--check", &path]);
    assert_eq!(code, 2, "{err}");
    assert!(err.starts_with(&format!("{path}:2:11: ")), "{err}");

    let missing = dir.path().join("missing.toml");
    let (code, _, err) = tugboat(
        dir.path(),
        &["config", "--check", missing.to_str().unwrap()],
    );
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("cannot read"), "{err}");
}

#[test]
fn config_wants_one_of_its_flags() {
    let dir = tempfile::tempdir().unwrap();
    let (code, _, err) = tugboat(dir.path(), &["config"]);
    assert_eq!(code, 2, "{err}");
    let (code, _, err) = tugboat(dir.path(), &["config", "--print-default", "--check", "x"]);
    assert_eq!(code, 2, "{err}");
}
