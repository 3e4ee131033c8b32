use std::path::Path;

use super::*;
use crate::config::{parse_config, ConfigFile};

fn parse(src: &str) -> Result<ConfigFile, crate::config::ConfigError> {
    parse_config(Path::new("/home/u/.config/tugboat/config.toml"), src)
}

fn err(src: &str) -> String {
    parse(src).unwrap_err().to_string()
}

#[test]
fn an_action_parses_with_its_placeholders_keys_and_defaults() {
    let cfg = parse(
        r#"
[[actions]]
name = "zk-stat"
description = "ZooKeeper's status"
key = "Z"
scope = "container"
roles = ["zookeeper"]
command = ["docker", "exec", "{container}", "x-{host}-{{literal}}"]

[[actions]]
name = "wipe"
key = ["W", "F5"]
scope = "volume"
command = ["wipe-it", "{volume}"]
confirm = true
dangerous = true
timeout_secs = 30
"#,
    )
    .unwrap();
    let [stat, wipe] = &cfg.actions[..] else {
        panic!("{:?}", cfg.actions)
    };
    assert_eq!(stat.name, "zk-stat");
    assert_eq!(stat.scope, ActionScope::Container);
    assert_eq!(stat.keys[0].0, "Z");
    assert_eq!(stat.keys[0].1.line, 5);
    assert_eq!(stat.roles[0].0, "zookeeper");
    assert!(stat.confirm && !stat.dangerous, "defaults: asked, harmless");
    assert_eq!(stat.timeout, DEFAULT_ACTION_TIMEOUT);
    assert_eq!(
        stat.command[3],
        vec![
            ArgPart::Text("x-".into()),
            ArgPart::Value(Placeholder::Host),
            ArgPart::Text("-{literal}".into()),
        ]
    );
    assert_eq!(
        stat.command[2],
        vec![ArgPart::Value(Placeholder::Container)]
    );
    assert_eq!(stat.at.line, 3);
    assert_eq!(wipe.keys.len(), 2);
    assert!(wipe.dangerous);
    assert_eq!(wipe.timeout, std::time::Duration::from_secs(30));
}

#[test]
fn a_shell_string_is_refused_with_the_safe_form() {
    let e = err(r#"
[[actions]]
name = "x"
scope = "container"
command = "docker exec {container} sh"
"#);
    assert!(e.contains("config.toml:5:"), "{e}");
    assert!(e.contains("not a shell string"), "{e}");
    assert!(e.contains(r#"["sh", "-c""#), "{e}");
}

#[test]
fn placeholders_are_checked_against_the_scope_at_their_line() {
    let e = err(r#"
[[actions]]
name = "x"
scope = "volume"
command = ["ls", "{container}"]
"#);
    assert!(e.contains(":5:"), "{e}");
    assert!(
        e.contains("{container} means nothing for scope \"volume\""),
        "{e}"
    );
    assert!(e.contains("{volume}"), "{e}");
    let e = err(r#"
[[actions]]
name = "x"
scope = "container"
command = ["ls", "{contaner}"]
"#);
    assert!(e.contains("`{contaner}`: no such placeholder"), "{e}");
    let e = err(r#"
[[actions]]
name = "x"
scope = "cluster"
command = ["ls", "--members={members}"]
"#);
    assert!(e.contains("{members} must be a whole argument"), "{e}");
    let e = err(r#"
[[actions]]
name = "x"
scope = "cluster"
command = ["ls", "{cluster"]
"#);
    assert!(e.contains("without `}`"), "{e}");
}

#[test]
fn names_scopes_and_timeouts_are_checked() {
    let twice = err(r#"
[[actions]]
name = "a"
scope = "cluster"
command = ["true"]

[[actions]]
name = "a"
scope = "cluster"
command = ["true"]
"#);
    assert!(twice.contains(":8:"), "{twice}");
    assert!(twice.contains("already defined on line 3"), "{twice}");
    let bad_name = err("[[actions]]\nname = \"a b\"\nscope = \"cluster\"\ncommand = [\"true\"]\n");
    assert!(bad_name.contains("action name `a b`"), "{bad_name}");
    let scope = err("[[actions]]\nname = \"a\"\nscope = \"pod\"\ncommand = [\"true\"]\n");
    assert!(scope.contains(":3:"), "{scope}");
    assert!(scope.contains("container"), "{scope}");
    let empty = err("[[actions]]\nname = \"a\"\nscope = \"cluster\"\ncommand = []\n");
    assert!(empty.contains("at least the program"), "{empty}");
    let zero = err(
        "[[actions]]\nname = \"a\"\nscope = \"cluster\"\ncommand = [\"x\"]\ntimeout_secs = 0\n",
    );
    assert!(
        zero.contains(":5:") && zero.contains("expected 1 to"),
        "{zero}"
    );
    let unknown =
        err("[[actions]]\nname = \"a\"\nscope = \"cluster\"\ncommand = [\"x\"]\nshell = true\n");
    assert!(unknown.contains("shell"), "{unknown}");
}
