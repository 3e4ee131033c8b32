use super::*;

fn labels(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

fn shop_on_db1() -> DbCredential {
    DbCredential {
        host: "db1".into(),
        binding: Binding::Cluster("shop".into()),
        user: "monitor".into(),
        password: Secret::new("hunter2"),
    }
}

/// One entry as the config file would hold it.
fn raw(toml_text: &str) -> Result<DbCredential, String> {
    #[derive(Deserialize)]
    struct File {
        credentials: Spanned<RawCredential>,
    }
    let file: File = toml::from_str(&format!("[credentials]\n{toml_text}")).unwrap();
    resolve(file.credentials, &|var| {
        (var == "SHOP_PW").then(|| "from-env".to_string())
    })
    .map_err(|(_, m)| m)
}

#[test]
fn secrets_never_show_in_debug() {
    let c = shop_on_db1();
    assert!(!format!("{c:?}").contains("hunter2"));
    assert_eq!(c.password.expose(), "hunter2");
}

#[test]
fn a_cluster_binding_takes_its_database_servers_on_its_host_only() {
    let c = shop_on_db1();
    let server = labels(&[
        ("io.tugboat.cluster", "shop"),
        ("io.tugboat.role", "mariadb"),
    ]);
    assert!(c.applies_to("db1", "shop-db1", &server));
    // The same cluster label on another host is someone else's.
    assert!(!c.applies_to("db2", "shop-db1", &server));
    // An exporter in the cluster (its image says mysqld-exporter) is no
    // server of it: bound only by its name.
    let exporter = labels(&[("io.tugboat.cluster", "shop")]);
    assert!(!c.applies_to("db1", "shop-exporter", &exporter));
    let exporter = labels(&[("io.tugboat.cluster", "shop"), ("io.tugboat.role", "app")]);
    assert!(!c.applies_to("db1", "shop-exporter", &exporter));
    // Another cluster's server.
    let other = labels(&[
        ("io.tugboat.cluster", "billing"),
        ("io.tugboat.role", "mysql"),
    ]);
    assert!(!c.applies_to("db1", "billing-db1", &other));
}

#[test]
fn a_container_binding_takes_that_name_on_that_host() {
    let c = DbCredential {
        binding: Binding::Container("shop-exporter".into()),
        ..shop_on_db1()
    };
    let exporter = labels(&[("io.tugboat.cluster", "shop")]);
    assert!(c.applies_to("db1", "shop-exporter", &exporter));
    assert!(c.applies_to("db1", "shop-exporter", &BTreeMap::<String, String>::new()));
    assert!(!c.applies_to("db2", "shop-exporter", &exporter));
    assert!(!c.applies_to("db1", "shop-db1", &exporter));
}

#[test]
fn entries_are_bound_to_a_host_and_one_target() {
    let c = raw("host = \"db1\"\ncluster = \"shop\"\npassword_env = \"SHOP_PW\"\n").unwrap();
    assert_eq!(c.host, "db1");
    assert_eq!(c.binding, Binding::Cluster("shop".into()));
    assert_eq!((c.user.as_str(), c.password.expose()), ("root", "from-env"));
    let c = raw("host = \"db1\"\ncontainer = \"legacy\"\npassword = \"p\"\n").unwrap();
    assert_eq!(c.binding, Binding::Container("legacy".into()));

    // An entry of an older file, bound to nothing but a name: refused, saying how to fix it.
    let e = raw("cluster = \"shop\"\npassword = \"p\"\n").unwrap_err();
    assert!(e.contains("host = \"NAME\""), "{e}");
    let e = raw("host = \" \"\ncontainer = \"legacy\"\npassword = \"p\"\n").unwrap_err();
    assert!(e.contains("`host"), "{e}");
    let e =
        raw("host = \"db1\"\ncluster = \"a\"\ncontainer = \"b\"\npassword = \"p\"\n").unwrap_err();
    assert!(e.contains("either `cluster` or `container`"), "{e}");
    let e = raw("host = \"db1\"\npassword = \"p\"\n").unwrap_err();
    assert!(e.contains("either `cluster` or `container`"), "{e}");
}
