//! The config file `tugboat config --print-default` prints, up to its
//! `[keys]` (the keymap writes those): every setting with its default and
//! what it does, written from `Settings` itself so it cannot drift, and
//! examples of hosts and credentials, commented out.

use super::file::Settings;
use super::theme::BUILTIN_THEMES;

/// A TOML string literal, quoted and escaped.
pub fn toml_string(s: &str) -> String {
    toml::Value::String(s.to_string()).to_string()
}

/// `[settings]` with each value of `s` and a comment line above it.
pub fn settings_text(s: &Settings) -> String {
    let secs = |d: std::time::Duration| d.as_secs().to_string();
    let themes = BUILTIN_THEMES.join(", ");
    let rows: [(&str, String, String); 9] = [
        (
            "relist_interval_secs",
            secs(s.relist_interval),
            "Full re-list of every host, a safety net behind the event stream: twice as long \
             apart each time while the events flow, up to 8 times this."
                .into(),
        ),
        (
            "ping_interval_secs",
            secs(s.ping_interval),
            "Heartbeat that notices a hung engine.".into(),
        ),
        (
            "request_timeout_secs",
            secs(s.request_timeout),
            "Upper bound for any one Docker API request.".into(),
        ),
        (
            "stats_interval_secs",
            secs(s.stats_interval),
            "How often CPU and memory are sampled, only for the rows on screen.".into(),
        ),
        (
            "stats_concurrency",
            s.stats_concurrency.to_string(),
            "Stats requests in flight per host.".into(),
        ),
        (
            "probe_interval_secs",
            secs(s.probe_interval),
            "How often ZooKeeper, HAProxy and MySQL are probed, only while shown.".into(),
        ),
        (
            "probe_timeout_secs",
            secs(s.probe_timeout),
            "Upper bound for one probe.".into(),
        ),
        (
            "theme",
            toml_string(&s.theme),
            format!("A builtin ({themes}) or ~/.config/tugboat/themes/NAME.toml."),
        ),
        (
            "colors",
            toml_string(s.colors.name()),
            "How many colours the terminal shows: \"auto\", \"truecolor\", \"256\" or \"16\"."
                .into(),
        ),
    ];
    let mut text = String::from("[settings]\n");
    for (key, value, comment) in rows {
        text.push_str(&format!("# {comment}\n{key} = {value}\n"));
    }
    text
}

const HEADER: &str = "\
# tugboat's configuration: ~/.config/tugboat/config.toml, or --config FILE.
# Every value below is the default; what is left out keeps its default.
# Check a file with: tugboat config --check FILE

# Docker hosts, beside --host, DOCKER_HOST and the docker CLI's contexts.
# [[hosts]]
# name = \"db1\"
# url = \"tcp://10.0.0.5:2376\"        # or unix://, https://, ssh://user@host
# tls_cert_path = \"~/.docker/db1\"    # ca.pem, cert.pem, key.pem (or tls_ca, tls_cert, tls_key)

";

const CREDENTIALS: &str = "\
# Database probes, for servers whose container environment has no root password.
# [[credentials]]
# host = \"db1\"                       # required: the host the servers run on
# cluster = \"shop\"                   # or: container = \"legacy-db\"
# user = \"monitor\"                   # default root
# password_env = \"SHOP_DB_PASSWORD\"  # or: password = \"...\"
";

const ACTIONS: &str = "\
# Your own commands, by key or from the palette (:), on the selected
# container, its cluster or a volume; run on this machine as a job, audited.
# Values go in as whole arguments, never through a shell: {host}, {host_url},
# {container}, {container_id}, {cluster}, {role}, {image} (container);
# {host}, {host_url}, {cluster}, {members} (cluster); {host}, {host_url},
# {volume} (volume). DOCKER_HOST is the selection's engine.
# [[actions]]
# name = \"zk-stat\"
# description = \"the member's own status\"
# key = \"F6\"                        # or a list; none: the palette only
# scope = \"container\"               # or \"cluster\", \"volume\"
# roles = [\"zookeeper\"]             # only for these roles
# command = [\"docker\", \"exec\", \"{container}\", \"zkServer.sh\", \"status\"]
# confirm = false                   # default true: asks y/n first
# dangerous = false                 # true: changes things, refused --read-only
# timeout_secs = 300
";

/// Everything but `[keys]`: the header, hosts, settings, credentials and
/// an example of a user action.
pub fn default_config_text() -> String {
    format!(
        "{HEADER}{}\n{CREDENTIALS}\n{ACTIONS}",
        settings_text(&Settings::default())
    )
}

#[cfg(test)]
mod tests {
    use std::path::Path;
    use std::time::Duration;

    use super::*;
    use crate::config::{parse_config, ColorSetting};

    #[test]
    fn the_default_text_reads_back_as_the_defaults() {
        let file = parse_config(Path::new("c.toml"), &default_config_text()).unwrap();
        assert_eq!(file.settings, Settings::default());
        assert!(file.hosts.is_empty());
    }

    /// The commented example is a working entry once uncommented.
    #[test]
    fn the_action_example_parses_uncommented() {
        let uncommented: String = ACTIONS
            .lines()
            .filter_map(|l| l.strip_prefix("# "))
            .skip_while(|l| *l != "[[actions]]")
            .map(|l| format!("{l}\n"))
            .collect();
        let file = parse_config(Path::new("c.toml"), &uncommented).unwrap();
        assert_eq!(file.actions.len(), 1, "{uncommented}");
        assert_eq!(file.actions[0].name, "zk-stat");
    }

    /// Every setting is written: one left out would come back as its default.
    #[test]
    fn every_setting_is_written() {
        let s = Settings {
            relist_interval: Duration::from_secs(31),
            ping_interval: Duration::from_secs(6),
            request_timeout: Duration::from_secs(7),
            stats_interval: Duration::from_secs(8),
            stats_concurrency: 9,
            probe_interval: Duration::from_secs(10),
            probe_timeout: Duration::from_secs(11),
            theme: "my \"odd\" theme".into(),
            colors: ColorSetting::Ansi16,
            db_credentials: Vec::new(),
        };
        let file = parse_config(Path::new("c.toml"), &settings_text(&s)).unwrap();
        assert_eq!(file.settings, s);
    }
}
