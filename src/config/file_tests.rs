use super::*;
use crate::config::{Binding, ColorDepth, DbCredential, Secret};

fn parse(src: &str) -> Result<ConfigFile, ConfigError> {
    parse_config(Path::new("/home/u/.config/tugboat/config.toml"), src)
}

fn err(src: &str) -> String {
    parse(src).unwrap_err().to_string()
}

#[test]
fn good_file_parses_hosts_and_settings() {
    let cfg = parse(
        r#"
[settings]
relist_interval_secs = 60
ping_interval_secs = 2
request_timeout_secs = 9
stats_interval_secs = 10
stats_concurrency = 8
probe_interval_secs = 3
probe_timeout_secs = 4
theme = "dark"
colors = "256"

[[hosts]]
name = "db1"
url = "tcp://10.0.0.5:2376"
tls_cert_path = "/etc/tugboat/db1"

[[credentials]]
host = "db1"
cluster = "shop"
user = "monitor"
password = "s3cret"

[[credentials]]
host = "local"
container = "legacy-db"
password_env = "HOME"

[[hosts]]
name = "local"
url = "unix:///var/run/docker.sock"

[[hosts]]
name = "zk"
url = "ssh://ops@zk1"
tls_ca = "/pki/ca.pem"
tls_cert = "certs/cert.pem"
tls_key = "/pki/key.pem"
"#,
    )
    .unwrap();
    assert_eq!(
        cfg.settings,
        Settings {
            relist_interval: Duration::from_secs(60),
            ping_interval: Duration::from_secs(2),
            request_timeout: Duration::from_secs(9),
            stats_interval: Duration::from_secs(10),
            stats_concurrency: 8,
            probe_interval: Duration::from_secs(3),
            probe_timeout: Duration::from_secs(4),
            theme: "dark".into(),
            colors: ColorSetting::Ansi256,
            db_credentials: vec![
                DbCredential {
                    host: "db1".into(),
                    binding: Binding::Cluster("shop".into()),
                    user: "monitor".into(),
                    password: Secret::new("s3cret"),
                },
                DbCredential {
                    host: "local".into(),
                    binding: Binding::Container("legacy-db".into()),
                    user: "root".into(),
                    password: Secret::new(std::env::var("HOME").unwrap()),
                },
            ],
        }
    );
    assert_eq!(cfg.hosts.len(), 3);
    assert_eq!(cfg.hosts[0].name, "db1");
    assert_eq!(cfg.hosts[0].url, "tcp://10.0.0.5:2376");
    assert_eq!(
        cfg.hosts[0].tls,
        Some(TlsPaths::in_dir(Path::new("/etc/tugboat/db1")))
    );
    assert_eq!(cfg.hosts[1].tls, None);
    // Relative paths are relative to the config file's directory.
    assert_eq!(
        cfg.hosts[2].tls,
        Some(TlsPaths {
            ca: "/pki/ca.pem".into(),
            cert: "/home/u/.config/tugboat/certs/cert.pem".into(),
            key: "/pki/key.pem".into(),
            skip_verify: false,
        })
    );
}

#[test]
fn defaults_when_empty_or_partial() {
    let cfg = parse("").unwrap();
    assert!(cfg.hosts.is_empty());
    let d = Settings::default();
    assert_eq!(d.relist_interval, Duration::from_secs(30));
    assert_eq!(d.ping_interval, Duration::from_secs(5));
    assert_eq!(d.request_timeout, Duration::from_secs(5));
    assert_eq!(d.stats_interval, Duration::from_secs(5));
    assert_eq!(d.stats_concurrency, 4);
    assert_eq!(d.theme, "default");
    assert_eq!(d.colors, ColorSetting::Auto);
    assert_eq!(cfg.settings, d);

    let cfg = parse("[settings]\nping_interval_secs = 1\n").unwrap();
    assert_eq!(cfg.settings.ping_interval, Duration::from_secs(1));
    assert_eq!(cfg.settings.relist_interval, Duration::from_secs(30));
    assert_eq!(cfg.settings.theme, "default");
}

#[test]
fn colors_setting_takes_four_values_and_names_a_bad_one() {
    let colors = |v: &str| parse(&format!("[settings]\ncolors = {v}\n")).map(|c| c.settings.colors);
    assert_eq!(colors("\"auto\"").unwrap(), ColorSetting::Auto);
    assert_eq!(colors("\"truecolor\"").unwrap(), ColorSetting::TrueColor);
    assert_eq!(colors("\"24bit\"").unwrap(), ColorSetting::TrueColor);
    assert_eq!(colors("\"256\"").unwrap(), ColorSetting::Ansi256);
    assert_eq!(colors("\"16\"").unwrap(), ColorSetting::Ansi16);
    assert_eq!(colors("256").unwrap(), ColorSetting::Ansi256);
    assert_eq!(colors("16").unwrap(), ColorSetting::Ansi16);
    assert_eq!(ColorSetting::Ansi16.fixed(), Some(ColorDepth::Ansi16));
    assert_eq!(ColorSetting::TrueColor.depth(), ColorDepth::TrueColor);
    assert_eq!(ColorSetting::Auto.fixed(), None);

    let msg = err("[settings]\ntheme = \"light\"\ncolors = \"lots\"\n");
    assert_eq!(
        msg,
        "/home/u/.config/tugboat/config.toml:3:10: expected \"auto\", \"truecolor\", \"256\" \
         or \"16\" for `colors`, found string \"lots\""
    );
    let msg = err("[settings]\ncolors = 88\n");
    assert!(
        msg.starts_with("/home/u/.config/tugboat/config.toml:2:10: "),
        "{msg}"
    );
    assert!(msg.contains("`colors`") && msg.contains("88"), "{msg}");
    let msg = err("[settings]\ncolors = true\n");
    assert!(msg.contains(":2:10: ") && msg.contains("`colors`"), "{msg}");
}

#[test]
fn missing_file_is_default() {
    let tmp = tempfile::tempdir().unwrap();
    let cfg = load_config_file(&tmp.path().join("config.toml")).unwrap();
    assert_eq!(cfg, ConfigFile::default());
}

#[test]
fn load_reads_a_real_file() {
    let tmp = tempfile::tempdir().unwrap();
    let path = tmp.path().join("config.toml");
    std::fs::write(&path, "[[hosts]]\nname = \"a\"\nurl = \"tcp://a:2375\"\n").unwrap();
    let cfg = load_config_file(&path).unwrap();
    assert_eq!(cfg.hosts[0].url, "tcp://a:2375");

    std::fs::write(&path, "[[hosts]]\nname = \"a\"\nurl = 3\n").unwrap();
    let msg = load_config_file(&path).unwrap_err().to_string();
    assert!(
        msg.starts_with(&format!("{}:3:7: ", path.display())),
        "{msg}"
    );
}

#[test]
fn unreadable_file_is_io_error() {
    let tmp = tempfile::tempdir().unwrap();
    // A directory where the file should be cannot be read as text.
    let e = load_config_file(tmp.path()).unwrap_err();
    assert!(matches!(e, ConfigError::Io { .. }), "{e:?}");
}

#[test]
fn bad_type_names_file_line_col_and_key() {
    let msg = err("[[hosts]]\nname = \"a\"\nurl    = 3\n");
    assert_eq!(
        msg,
        "/home/u/.config/tugboat/config.toml:3:10: expected a string for `url`, found integer `3`"
    );
    let msg = err("\n[settings]\nstats_concurrency = \"four\"\n");
    assert!(
        msg.starts_with("/home/u/.config/tugboat/config.toml:3:21: "),
        "{msg}"
    );
    assert!(msg.contains("`stats_concurrency`"), "{msg}");
}

#[test]
fn unknown_keys_are_rejected_by_name() {
    let msg = err("[settings]\nrelist_interval = 5\n");
    assert!(msg.contains(":2:1: "), "{msg}");
    assert!(msg.contains("unknown key `relist_interval`"), "{msg}");
    let msg = err("[[hosts]]\nname = \"a\"\nurl = \"tcp://a:1\"\nport = 1\n");
    assert!(msg.contains("unknown key `port`"), "{msg}");
    let msg = err("[setings]\n");
    assert!(msg.contains("unknown key `setings`"), "{msg}");
}

#[test]
fn syntax_error_has_position() {
    let msg = err("[settings\n");
    assert!(
        msg.starts_with("/home/u/.config/tugboat/config.toml:1:"),
        "{msg}"
    );
}

#[test]
fn zero_intervals_are_rejected() {
    let msg = err("[settings]\n\nrelist_interval_secs = 0\n");
    assert!(msg.contains(":3:"), "{msg}");
    assert!(msg.contains("at least 1"), "{msg}");
    assert!(err("[settings]\nping_interval_secs = -1\n").contains(":2:"));
}

/// Timeouts are multiplied and added to instants: a huge one would panic
/// later, in the middle of an operation, so it is refused here.
#[test]
fn huge_timeouts_and_intervals_are_rejected_by_name() {
    let msg = err("[settings]\nrequest_timeout_secs = 9223372036854775807\n");
    assert!(msg.contains(":2:"), "{msg}");
    assert!(msg.contains("`request_timeout_secs`"), "{msg}");
    assert!(msg.contains("at most 3600 seconds (an hour)"), "{msg}");
    let msg = err("[settings]\nprobe_timeout_secs = 3601\n");
    assert!(msg.contains("`probe_timeout_secs`"), "{msg}");
    let msg = err("[settings]\nrelist_interval_secs = 86401\n");
    assert!(msg.contains("at most 86400 seconds (a day)"), "{msg}");
    let ok = parse("[settings]\nrequest_timeout_secs = 3600\nping_interval_secs = 86400\n");
    assert_eq!(
        ok.unwrap().settings.request_timeout,
        Duration::from_secs(3600)
    );
}

#[test]
fn bad_scheme_in_file_is_reported_at_its_line() {
    let msg = err("[[hosts]]\nname = \"a\"\nurl = \"ftp://a\"\n");
    assert!(msg.contains(":3:7: "), "{msg}");
    assert!(msg.contains("unsupported URL `ftp://a`"), "{msg}");
}

#[test]
fn duplicate_names_in_file() {
    // Same name, same URL: merged.
    let cfg = parse(
        "[[hosts]]\nname = \"a\"\nurl = \"tcp://a:1\"\n[[hosts]]\nname = \"a\"\nurl = \"tcp://a:1\"\n",
    )
    .unwrap();
    assert_eq!(cfg.hosts.len(), 1);
    // Same name, different URL: error at the second one, naming the first.
    let msg = err(
        "[[hosts]]\nname = \"a\"\nurl = \"tcp://a:1\"\n[[hosts]]\nname = \"a\"\nurl = \"tcp://b:1\"\n",
    );
    assert!(msg.contains(":5:8: "), "{msg}");
    assert!(msg.contains("already used on line 2"), "{msg}");
    assert!(msg.contains("tcp://a:1"), "{msg}");
}

#[test]
fn partial_tls_keys_are_an_error_but_dir_plus_override_is_fine() {
    let msg = err("[[hosts]]\nname = \"a\"\nurl = \"tcp://a:1\"\ntls_ca = \"/ca.pem\"\n");
    assert!(msg.contains(":4:"), "{msg}");
    assert!(msg.contains("tls_cert_path"), "{msg}");

    let cfg = parse(
        "[[hosts]]\nname = \"a\"\nurl = \"tcp://a:1\"\ntls_cert_path = \"/d\"\ntls_key = \"/k.pem\"\n",
    )
    .unwrap();
    assert_eq!(
        cfg.hosts[0].tls,
        Some(TlsPaths {
            ca: "/d/ca.pem".into(),
            cert: "/d/cert.pem".into(),
            key: "/k.pem".into(),
            skip_verify: false,
        })
    );
}

#[test]
fn empty_host_name_is_rejected() {
    let msg = err("[[hosts]]\nname = \" \"\nurl = \"tcp://a:1\"\n");
    assert!(
        msg.contains(":2:8: expected a non-empty host `name`"),
        "{msg}"
    );
}

#[test]
fn credentials_need_a_target_and_a_password() {
    let path = Path::new("/etc/tugboat/config.toml");
    let err = parse_config(path, "[[credentials]]\nuser = \"x\"\npassword = \"p\"\n").unwrap_err();
    assert!(err.to_string().contains("config.toml:1"), "{err}");
    assert!(
        err.to_string().contains("either `cluster` or `container`"),
        "{err}"
    );
    let err = parse_config(path, "\n[[credentials]]\nhost = \"h\"\ncluster = \"c\"\n").unwrap_err();
    assert!(
        err.to_string().contains("`password` or `password_env`"),
        "{err}"
    );
    let err = parse_config(
        path,
        "[[credentials]]\nhost = \"h\"\ncluster = \"c\"\npassword_env = \"TUGBOAT_NO_SUCH_VAR_42\"\n",
    )
    .unwrap_err();
    assert!(
        err.to_string()
            .contains("TUGBOAT_NO_SUCH_VAR_42 is not set"),
        "{err}"
    );
}

/// A file written before credentials were bound to a host still reads,
/// but its unbound entries are refused where they stand, saying how.
#[test]
fn unbound_credentials_of_an_older_file_are_refused_with_the_fix() {
    let path = Path::new("/etc/tugboat/config.toml");
    let old = "[settings]\ntheme = \"default\"\n\n[[credentials]]\ncluster = \"shop\"\npassword = \"p\"\n";
    let err = parse_config(path, old).unwrap_err().to_string();
    assert!(err.starts_with("/etc/tugboat/config.toml:4:"), "{err}");
    assert!(err.contains("add `host = \"NAME\"`"), "{err}");
    assert!(!err.contains("p\""), "no password in the message: {err}");
}
