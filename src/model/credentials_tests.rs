use super::*;
use crate::config::Secret;

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

#[test]
fn a_cluster_binding_takes_its_database_servers_on_its_host_only() {
    let c = shop_on_db1();
    let server = labels(&[
        ("io.tugboat.cluster", "shop"),
        ("io.tugboat.role", "mariadb"),
    ]);
    assert!(applies_to(&c, "db1", "shop-db1", &server));
    // The same cluster label on another host is someone else's.
    assert!(!applies_to(&c, "db2", "shop-db1", &server));
    // An exporter in the cluster (its image says mysqld-exporter) is no
    // server of it: bound only by its name.
    let exporter = labels(&[("io.tugboat.cluster", "shop")]);
    assert!(!applies_to(&c, "db1", "shop-exporter", &exporter));
    let exporter = labels(&[("io.tugboat.cluster", "shop"), ("io.tugboat.role", "app")]);
    assert!(!applies_to(&c, "db1", "shop-exporter", &exporter));
    // Another cluster's server.
    let other = labels(&[
        ("io.tugboat.cluster", "billing"),
        ("io.tugboat.role", "mysql"),
    ]);
    assert!(!applies_to(&c, "db1", "billing-db1", &other));
}

#[test]
fn a_container_binding_takes_that_name_on_that_host() {
    let c = DbCredential {
        binding: Binding::Container("shop-exporter".into()),
        ..shop_on_db1()
    };
    let exporter = labels(&[("io.tugboat.cluster", "shop")]);
    assert!(applies_to(&c, "db1", "shop-exporter", &exporter));
    assert!(applies_to(
        &c,
        "db1",
        "shop-exporter",
        &BTreeMap::<String, String>::new()
    ));
    assert!(!applies_to(&c, "db2", "shop-exporter", &exporter));
    assert!(!applies_to(&c, "db1", "shop-db1", &exporter));
}
