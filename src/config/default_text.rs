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
            "Full re-list of every host, a safety net behind the event stream.".into(),
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

/// Everything but `[keys]`: the header, hosts, settings and credentials.
pub fn default_config_text() -> String {
    format!(
        "{HEADER}{}\n{CREDENTIALS}",
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
