use super::*;
use crate::config::contexts::tests::{write_context, write_tls};
use crate::config::file::HostEntry;
use std::path::Path;

fn env(dir: &Path) -> HostEnv {
    HostEnv {
        docker_host: None,
        docker_context: None,
        docker_tls_verify: false,
        docker_cert_path: None,
        docker_config_dir: dir.to_path_buf(),
    }
}

fn file(hosts: &[(&str, &str)]) -> ConfigFile {
    ConfigFile {
        hosts: hosts
            .iter()
            .map(|(n, u)| HostEntry {
                name: n.to_string(),
                url: u.to_string(),
                tls: None,
            })
            .collect(),
        ..ConfigFile::default()
    }
}

fn flags(v: &[&str]) -> Vec<String> {
    v.iter().map(|s| s.to_string()).collect()
}

/// (name, url, source) triples, the part most rules are about.
fn summary(hosts: &[HostSpec]) -> Vec<(String, String, HostSource)> {
    hosts
        .iter()
        .map(|h| (h.name.clone(), h.url.clone(), h.source.clone()))
        .collect()
}

fn t(name: &str, url: &str, source: HostSource) -> (String, String, HostSource) {
    (name.into(), url.into(), source)
}

fn ctx(name: &str) -> HostSource {
    HostSource::DockerContext(name.into())
}

#[test]
fn host_flag_parsing() {
    assert_eq!(
        parse_host_flag("db1=tcp://10.0.0.5:2375").unwrap(),
        ("db1".to_string(), "tcp://10.0.0.5:2375".to_string())
    );
    // Only the first '=' separates; URLs may contain more.
    assert_eq!(
        parse_host_flag("x=tcp://h:1/?a=b").unwrap().1,
        "tcp://h:1/?a=b"
    );
    for bad in ["foo", "=tcp://h:1", "name=", ""] {
        let e = parse_host_flag(bad).unwrap_err();
        assert_eq!(
            e.to_string(),
            format!("--host expects NAME=URL, got `{bad}`")
        );
    }
    let e = parse_host_flag("a=ftp://h").unwrap_err();
    assert!(matches!(e, ConfigError::UnsupportedScheme { .. }), "{e:?}");
    assert!(e
        .to_string()
        .starts_with("--host: unsupported URL `ftp://h` for host `a`"));
    assert!(parse_host_flag("a=h:2375").is_err());
    for ok in [
        "unix:///s",
        "tcp://h:1",
        "http://h",
        "https://h",
        "ssh://h",
        "TCP://h:1",
    ] {
        assert!(check_url(ok).is_ok(), "{ok}");
    }
    assert!(check_url("tcp://").is_err());
    assert!(check_url("ssh://ops@edge").is_ok());
    assert!(check_url("ssh://ops@edge:2222").is_ok());
    assert!(check_url("ssh://ops@[::1]:2222/").is_ok());
    // A host ssh would take for an option, with the reason where it came from.
    let e = parse_host_flag("x=ssh://-oProxyCommand=sh").unwrap_err();
    assert!(matches!(e, ConfigError::BadHostUrl { .. }), "{e:?}");
    assert!(
        e.to_string().starts_with(
            "--host: host `x`: `ssh://-oProxyCommand=sh`: the ssh host starts with `-`"
        ),
        "{e}"
    );
}

#[test]
fn nothing_configured_gives_local_default() {
    let tmp = tempfile::tempdir().unwrap();
    let got = resolve_hosts(&ConfigFile::default(), &[], &env(tmp.path())).unwrap();
    assert_eq!(
        got,
        vec![HostSpec {
            name: "local".into(),
            url: "unix:///var/run/docker.sock".into(),
            tls: None,
            source: HostSource::LocalDefault,
        }]
    );
}

#[test]
fn local_default_only_when_nothing_else() {
    let tmp = tempfile::tempdir().unwrap();
    let got = resolve_hosts(&file(&[("a", "tcp://a:1")]), &[], &env(tmp.path())).unwrap();
    assert_eq!(summary(&got), [t("a", "tcp://a:1", HostSource::ConfigFile)]);
}

#[test]
fn flags_come_first_and_win_by_url() {
    let tmp = tempfile::tempdir().unwrap();
    let mut cfg = file(&[("cfg-a", "tcp://a:2376/"), ("b", "tcp://b:1")]);
    let tls = TlsPaths::in_dir(Path::new("/pki/a"));
    cfg.hosts[0].tls = Some(tls.clone());
    let f = flags(&["flag-a=TCP://a:2376", "z=unix:///z.sock"]);
    let got = resolve_hosts(&cfg, &f, &env(tmp.path())).unwrap();
    assert_eq!(
        summary(&got),
        [
            t("flag-a", "TCP://a:2376", HostSource::Flag),
            t("z", "unix:///z.sock", HostSource::Flag),
            t("b", "tcp://b:1", HostSource::ConfigFile),
        ]
    );
    // The flag cannot say TLS; the config's paths for that engine are kept.
    assert_eq!(got[0].tls, Some(tls));
}

#[test]
fn same_url_twice_in_flags_keeps_the_first() {
    let tmp = tempfile::tempdir().unwrap();
    let f = flags(&["a=tcp://h:1", "b=tcp://h:1", "a=tcp://h:1"]);
    let got = resolve_hosts(&ConfigFile::default(), &f, &env(tmp.path())).unwrap();
    assert_eq!(summary(&got), [t("a", "tcp://h:1", HostSource::Flag)]);
}

#[test]
fn same_name_different_url_is_an_error_for_flags_and_config() {
    let tmp = tempfile::tempdir().unwrap();
    let e = resolve_hosts(
        &file(&[("db", "tcp://other:1")]),
        &flags(&["db=tcp://db:1"]),
        &env(tmp.path()),
    )
    .unwrap_err();
    assert!(matches!(e, ConfigError::DuplicateHost { .. }), "{e:?}");
    assert_eq!(
        e.to_string(),
        "host name `db` is used for both `tcp://db:1` (--host) and `tcp://other:1` \
         (config file); give one of them another name"
    );
    let e = resolve_hosts(
        &ConfigFile::default(),
        &flags(&["db=tcp://a:1", "db=tcp://b:1"]),
        &env(tmp.path()),
    )
    .unwrap_err();
    assert!(matches!(e, ConfigError::DuplicateHost { .. }), "{e:?}");
    // Same name and same URL merge quietly.
    let got = resolve_hosts(
        &file(&[("db", "tcp://db:1")]),
        &flags(&["db=tcp://db:1"]),
        &env(tmp.path()),
    )
    .unwrap();
    assert_eq!(summary(&got), [t("db", "tcp://db:1", HostSource::Flag)]);
}

#[test]
fn bad_urls_in_config_struct_and_docker_host_are_errors() {
    let tmp = tempfile::tempdir().unwrap();
    let e = resolve_hosts(&file(&[("a", "a:1")]), &[], &env(tmp.path())).unwrap_err();
    assert!(
        e.to_string()
            .starts_with("config file: unsupported URL `a:1`"),
        "{e}"
    );
    let mut en = env(tmp.path());
    en.docker_host = Some("fd://".into());
    let e = resolve_hosts(&ConfigFile::default(), &[], &en).unwrap_err();
    assert!(
        e.to_string()
            .starts_with("DOCKER_HOST: unsupported URL `fd://`"),
        "{e}"
    );
}

#[test]
fn docker_host_is_named_env_and_deduplicated() {
    let tmp = tempfile::tempdir().unwrap();
    let mut en = env(tmp.path());
    en.docker_host = Some("tcp://h:2375".into());
    let got = resolve_hosts(&ConfigFile::default(), &[], &en).unwrap();
    assert_eq!(
        summary(&got),
        [t("env", "tcp://h:2375", HostSource::DockerHostEnv)]
    );
    assert_eq!(got[0].tls, None);

    // Equal to a configured URL: not added again.
    let got = resolve_hosts(&file(&[("h", "tcp://h:2375")]), &[], &en).unwrap();
    assert_eq!(
        summary(&got),
        [t("h", "tcp://h:2375", HostSource::ConfigFile)]
    );

    // The name "env" taken by another URL: renamed, not an error.
    let got = resolve_hosts(&file(&[("env", "tcp://x:1")]), &[], &en).unwrap();
    assert_eq!(got[1].name, "DOCKER_HOST:env");

    // Empty DOCKER_HOST counts as unset.
    en.docker_host = Some(String::new());
    let got = resolve_hosts(&ConfigFile::default(), &[], &en).unwrap();
    assert_eq!(got[0].source, HostSource::LocalDefault);
}

#[test]
fn docker_tls_verify_uses_cert_path_for_tcp_only() {
    let tmp = tempfile::tempdir().unwrap();
    let mut en = env(tmp.path());
    en.docker_host = Some("tcp://h:2376".into());
    en.docker_tls_verify = true;
    en.docker_cert_path = Some("/certs".into());
    let got = resolve_hosts(&ConfigFile::default(), &[], &en).unwrap();
    assert_eq!(
        got[0].tls,
        Some(TlsPaths {
            ca: "/certs/ca.pem".into(),
            cert: "/certs/cert.pem".into(),
            key: "/certs/key.pem".into(),
            skip_verify: false,
        })
    );
    // Without DOCKER_CERT_PATH the docker CLI looks in its config dir.
    en.docker_cert_path = None;
    let got = resolve_hosts(&ConfigFile::default(), &[], &en).unwrap();
    assert_eq!(got[0].tls, Some(TlsPaths::in_dir(tmp.path())));
    en.docker_host = Some("unix:///var/run/docker.sock".into());
    let got = resolve_hosts(&ConfigFile::default(), &[], &en).unwrap();
    assert_eq!(got[0].tls, None);
}

#[test]
fn contexts_current_first_then_by_name() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    write_context(d, "id1", "remote", "tcp://127.0.0.2:2375", false);
    write_context(d, "id2", "alpha", "tcp://alpha:2376", false);
    write_context(d, "id3", "prod", "ssh://ops@prod", false);
    let tls = write_tls(d, "id2", &["ca.pem", "cert.pem", "key.pem"]);
    std::fs::write(d.join("config.json"), r#"{"currentContext":"remote"}"#).unwrap();

    let got = resolve_hosts(&ConfigFile::default(), &[], &env(d)).unwrap();
    assert_eq!(
        summary(&got),
        [
            t("remote", "tcp://127.0.0.2:2375", ctx("remote")),
            t("alpha", "tcp://alpha:2376", ctx("alpha")),
            t("prod", "ssh://ops@prod", ctx("prod")),
        ]
    );
    assert_eq!(got[1].tls, Some(TlsPaths::in_dir(&tls)));
    assert_eq!(got[0].tls, None);

    // DOCKER_CONTEXT beats config.json.
    let mut en = env(d);
    en.docker_context = Some("prod".into());
    let got = resolve_hosts(&ConfigFile::default(), &[], &en).unwrap();
    let names: Vec<_> = got.iter().map(|h| h.name.as_str()).collect();
    assert_eq!(names, ["prod", "alpha", "remote"]);

    // A current context that does not exist is ignored.
    en.docker_context = Some("gone".into());
    let got = resolve_hosts(&ConfigFile::default(), &[], &en).unwrap();
    let names: Vec<_> = got.iter().map(|h| h.name.as_str()).collect();
    assert_eq!(names, ["alpha", "prod", "remote"]);
}

#[test]
fn contexts_come_after_explicit_sources_and_get_renamed_on_clash() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    write_context(d, "a", "db", "tcp://db-ctx:2376", false);
    write_context(d, "b", "same", "tcp://same:2376", false);
    write_tls(d, "b", &["ca.pem", "cert.pem", "key.pem"]);
    write_context(d, "c", "env", "tcp://env-ctx:1", false);
    let mut en = env(d);
    en.docker_host = Some("tcp://dh:1".into());
    let got = resolve_hosts(
        &file(&[("db", "tcp://db:2376"), ("ctx:db", "tcp://other:1")]),
        &flags(&["mine=tcp://same:2376"]),
        &en,
    )
    .unwrap();
    assert_eq!(
        summary(&got),
        [
            t("mine", "tcp://same:2376", HostSource::Flag),
            t("db", "tcp://db:2376", HostSource::ConfigFile),
            t("ctx:db", "tcp://other:1", HostSource::ConfigFile),
            t("env", "tcp://dh:1", HostSource::DockerHostEnv),
            t("ctx:db:2", "tcp://db-ctx:2376", ctx("db")),
            t("ctx:env", "tcp://env-ctx:1", ctx("env")),
        ]
    );
    // The flag won by URL but picked up the context's TLS material.
    assert_eq!(
        got[0].tls,
        Some(TlsPaths::in_dir(&d.join("contexts/tls/b/docker")))
    );
}

#[test]
fn default_context_means_docker_host_or_local_engine() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    write_context(d, "r", "remote", "tcp://r:1", false);
    let mut en = env(d);
    en.docker_context = Some("default".into());
    let got = resolve_hosts(&ConfigFile::default(), &[], &en).unwrap();
    assert_eq!(
        summary(&got),
        [
            t("local", LOCAL_ENGINE_URL, ctx("default")),
            t("remote", "tcp://r:1", ctx("remote")),
        ]
    );
    en.docker_host = Some("tcp://dh:1".into());
    let got = resolve_hosts(&ConfigFile::default(), &[], &en).unwrap();
    assert_eq!(
        summary(&got),
        [
            t("env", "tcp://dh:1", HostSource::DockerHostEnv),
            t("remote", "tcp://r:1", ctx("remote")),
        ]
    );
    // No current context at all: contexts only, no implicit local engine.
    let got = resolve_hosts(&ConfigFile::default(), &[], &env(d)).unwrap();
    assert_eq!(summary(&got), [t("remote", "tcp://r:1", ctx("remote"))]);
}

#[test]
fn host_env_from_variables() {
    let en = HostEnv::from_env_with(|k| match k {
        "DOCKER_HOST" => Some("tcp://h:2376".into()),
        "DOCKER_CONTEXT" => Some("".into()),
        "DOCKER_TLS_VERIFY" => Some("1".into()),
        "DOCKER_CERT_PATH" => Some("/certs".into()),
        "DOCKER_CONFIG" => Some("/dc".into()),
        _ => None,
    });
    assert_eq!(
        en,
        HostEnv {
            docker_host: Some("tcp://h:2376".into()),
            docker_context: None,
            docker_tls_verify: true,
            docker_cert_path: Some("/certs".into()),
            docker_config_dir: "/dc".into(),
        }
    );
    let en = HostEnv::from_env_with(|_| None);
    assert!(!en.docker_tls_verify);
    assert!(en.docker_config_dir.ends_with(".docker"));
}

#[test]
fn source_labels() {
    assert_eq!(HostSource::Flag.to_string(), "--host");
    assert_eq!(ctx("x").to_string(), "docker context `x`");
    assert_eq!(
        serde_json::to_string(&ctx("x")).unwrap(),
        r#"{"DockerContext":"x"}"#
    );
}
