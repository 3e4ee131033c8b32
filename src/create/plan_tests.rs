use super::plan::*;
use super::spec::{ClusterSpec, Template};
use crate::model::testing::{container, volume};
use crate::model::{AddressSource, Host, HostAddress, HostUpdate, Inventory, PortMapping};

fn hosts() -> Vec<PlacedHost> {
    vec![
        PlacedHost {
            name: "local".into(),
            address: Some(HostAddress::new("172.17.0.1", AddressSource::BridgeGateway)),
        },
        PlacedHost {
            name: "host2".into(),
            address: Some(HostAddress::new("10.0.0.12", AddressSource::Url)),
        },
    ]
}

fn secrets() -> Secrets {
    Secrets {
        root_password: "s3cret-root".into(),
        replication_password: "s3cret-repl".into(),
        app_password: "s3cret-app".into(),
    }
}

fn empty() -> Inventory {
    Inventory::new(vec![Host::new("local", "unix:///s", "flag")])
}

fn containers(plan: &CreatePlan) -> Vec<&NewContainer> {
    plan.objects
        .iter()
        .filter_map(|o| match o {
            Object::Container(c) => Some(c),
            _ => None,
        })
        .collect()
}

#[test]
fn a_single_host_ensemble_on_its_network_with_volumes_and_labels() {
    let spec = ClusterSpec::new("orders-zk", Template::Zookeeper);
    let plan = create_plan(&spec, &hosts(), &empty(), &secrets()).unwrap();
    let names: Vec<&str> = plan.objects.iter().map(|o| o.name()).collect();
    assert_eq!(
        names,
        [
            "orders-zk",
            "orders-zk-zk1-data",
            "orders-zk-zk1-datalog",
            "orders-zk-zk1",
            "orders-zk-zk2-data",
            "orders-zk-zk2-datalog",
            "orders-zk-zk2",
            "orders-zk-zk3-data",
            "orders-zk-zk3-datalog",
            "orders-zk-zk3",
        ]
    );
    let zk2 = containers(&plan)[1];
    assert!(zk2.env.contains(&"ZOO_MY_ID=2".to_string()));
    assert!(zk2.env.iter().any(|e| e
        == "ZOO_SERVERS=server.1=orders-zk-zk1:2888:3888;2181 server.2=orders-zk-zk2:2888:3888;2181 server.3=orders-zk-zk3:2888:3888;2181"));
    assert_eq!(zk2.labels["io.tugboat.cluster"], "orders-zk");
    assert_eq!(zk2.labels["io.tugboat.role"], "zookeeper");
    assert_eq!(zk2.labels[LABEL_TUGBOAT_MEMBER], "2");
    assert_eq!(zk2.network.as_deref(), Some("orders-zk"));
    assert!(zk2.ports.is_empty(), "nothing published on one host");
    assert!(matches!(&plan.checks[0], Check::ZookeeperQuorum { members } if members.len() == 3));
    assert!(plan
        .lines()
        .last()
        .unwrap()
        .contains("3 members serve and one leads"));
}

#[test]
fn a_spread_ensemble_publishes_offset_ports_and_names_itself_0000() {
    let mut spec = ClusterSpec::new("zk", Template::Zookeeper);
    spec.placement.hosts = vec!["local".into(), "host2".into()];
    spec.zookeeper.volumes = false;
    let plan = create_plan(&spec, &hosts(), &empty(), &secrets()).unwrap();
    let c = containers(&plan);
    assert_eq!(
        c.iter().map(|c| c.host.as_str()).collect::<Vec<_>>(),
        ["local", "host2", "local"]
    );
    let servers = c[1]
        .env
        .iter()
        .find(|e| e.starts_with("ZOO_SERVERS="))
        .unwrap();
    assert_eq!(
        servers,
        "ZOO_SERVERS=server.1=172.17.0.1:2888:3888;2181 server.2=0.0.0.0:2888:3888;2181 server.3=172.17.0.1:2890:3890;2183"
    );
    let published: Vec<(u16, u16)> = c[2]
        .ports
        .iter()
        .map(|p| (p.host_port, p.container_port))
        .collect();
    assert_eq!(published, [(2183, 2181), (2890, 2888), (3890, 3888)]);
    assert!(c.iter().all(|c| c.network.is_none()));
    // Each host's address is checked first, on its first member's client port,
    // and the plan says where the address came from.
    let reach: Vec<(&str, &str, u16)> = plan
        .reach
        .iter()
        .map(|r| (r.host.as_str(), r.address.address.as_str(), r.port))
        .collect();
    assert_eq!(
        reach,
        [("local", "172.17.0.1", 2181), ("host2", "10.0.0.12", 2182)]
    );
    let lines = plan.lines();
    assert_eq!(
        lines[0],
        "preflight: the other hosts' containers reach local at 172.17.0.1:2181 (the bridge network's gateway)"
    );
    assert!(lines[1].ends_with("(from the host's URL)"), "{}", lines[1]);
}

#[test]
fn a_spread_ensemble_without_a_host_address_is_refused() {
    let mut spec = ClusterSpec::new("zk", Template::Zookeeper);
    spec.placement.hosts = vec!["local".into(), "host2".into()];
    let mut placed = hosts();
    placed[1].address = None;
    let e = create_plan(&spec, &placed, &empty(), &secrets()).unwrap_err();
    assert_eq!(
        e.to_string(),
        "placement.addresses.host2: no address known for host2 (set it in the spec)"
    );
    assert_eq!(e.field().as_deref(), Some("placement.addresses.host2"));
    // One host needs no address.
    spec.placement.hosts = vec!["local".into()];
    let plan = create_plan(&spec, &placed, &empty(), &secrets()).unwrap();
    assert!(plan.reach.is_empty());
}

#[test]
fn collisions_ports_and_bad_placement_are_refused_with_the_reason() {
    let spec = ClusterSpec::new("shop", Template::App);
    let mut inv = empty();
    inv.apply(HostUpdate::Listed {
        host: "local".into(),
        containers: vec![
            container("local", "shop-app1"),
            container("local", "shop-web-1"),
        ],
        volumes: vec![volume("local", "shop-backup")],
    });
    let err = create_plan(&spec, &hosts(), &inv, &secrets()).unwrap_err();
    assert_eq!(
        err.to_string(),
        "name: shop is taken: container shop-app1 on local",
        "only names the plan would create collide"
    );
    assert_eq!(err.field().as_deref(), Some("name"));

    let mut inv = empty();
    let mut web = container("local", "web");
    web.ports = vec![PortMapping {
        ip: None,
        private_port: 80,
        public_port: Some(8080),
        protocol: "tcp".into(),
    }];
    inv.apply(HostUpdate::Listed {
        host: "local".into(),
        containers: vec![web],
        volumes: vec![volume("local", "orders-db1-data")],
    });
    let db = ClusterSpec::new("orders", Template::Database);
    assert!(create_plan(&db, &hosts(), &inv, &secrets())
        .unwrap_err()
        .to_string()
        .contains("volume orders-db1-data on local"));
    let mut spec = ClusterSpec::new("api", Template::App);
    spec.app.published_port = Some(8080);
    let err = create_plan(&spec, &hosts(), &inv, &secrets()).unwrap_err();
    assert_eq!(
        err.to_string(),
        "port 8080 is already published on local (by a running container)"
    );
    assert_eq!(err.field(), None, "the wizard finds the field by the port");
    spec.placement.hosts = vec!["nowhere".into()];
    let err = create_plan(&spec, &hosts(), &inv, &secrets()).unwrap_err();
    assert_eq!(
        err.to_string(),
        "placement.hosts: no configured host nowhere"
    );
    assert_eq!(err.field().as_deref(), Some("placement.hosts"));
    spec.placement.hosts = vec!["local".into(), "host2".into()];
    assert_eq!(
        create_plan(&spec, &hosts(), &inv, &secrets())
            .unwrap_err()
            .to_string(),
        "placement.hosts: a App service: replicas behind HAProxy is placed on one host \
         (spreading is for ZooKeeper ensembles)"
    );
    spec.placement.hosts.clear();
    assert_eq!(
        create_plan(&spec, &[], &inv, &secrets())
            .unwrap_err()
            .to_string(),
        "no host to place the cluster on"
    );
}

#[test]
fn a_database_has_replication_setup_an_haproxy_and_no_secret_in_its_lines() {
    let spec = ClusterSpec::new("orders", Template::Database);
    let plan = create_plan(&spec, &hosts(), &empty(), &secrets()).unwrap();
    let c = containers(&plan);
    let names: Vec<&str> = c.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(
        names,
        ["orders-db1", "orders-db2", "orders-db3", "orders-lb"]
    );
    assert!(c[0]
        .env
        .contains(&"MARIADB_ROOT_PASSWORD=s3cret-root".to_string()));
    assert!(c[1].cmd.contains(&"--server-id=2".to_string()));
    // Only the primary writable, also after a restart.
    let role = |i: usize| {
        c[i].files
            .iter()
            .find(|(p, _)| p == crate::ops::db_role::ROLE_FILE)
    };
    assert!(role(0).is_some_and(|(_, f)| f.contains("read_only=OFF")));
    assert!(role(1).is_some_and(|(_, f)| f.contains("read_only=ON")));
    assert!(role(2).is_some_and(|(_, f)| f.contains("read_only=ON")));
    assert_eq!(plan.setup.len(), 3, "the user, then two replicas");
    let cfg = &c[3].files[0].1;
    assert!(cfg.contains("server orders-db1 orders-db1:3306\n"), "{cfg}");
    assert!(
        cfg.contains("server orders-db2 orders-db2:3306 disabled"),
        "{cfg}"
    );
    assert_eq!(
        c[3].labels
            .get(crate::model::cluster::LABEL_WRITER_BACKEND)
            .map(String::as_str),
        Some("be_writer"),
        "the switchover finds the writer backend by the balancer's label"
    );
    assert!(
        cfg.contains("stats socket ipv4@127.0.0.1:9999 level admin"),
        "{cfg}"
    );
    assert!(!cfg.contains("/var/run/"), "{cfg}");
    let text = plan.lines().join("\n");
    assert!(!text.contains("s3cret"), "{text}");
    assert!(
        text.contains("start orders-db3 (local) replicating from orders-db1"),
        "{text}"
    );
    assert!(matches!(
        &plan.checks[1],
        Check::BalancerUp { servers: 3, .. }
    ));
}

#[test]
fn an_app_behind_haproxy_checks_its_health_path() {
    let mut spec = ClusterSpec::new("web", Template::App);
    spec.app.replicas = 3;
    spec.app.health_path = "/healthz".into();
    spec.app.published_port = Some(18080);
    let plan = create_plan(&spec, &hosts(), &empty(), &secrets()).unwrap();
    let c = containers(&plan);
    assert_eq!(c.len(), 4);
    let lb = c[3];
    assert_eq!(lb.ports[0].host_port, 18080);
    let cfg = &lb.files[0].1;
    assert!(cfg.contains("option httpchk GET /healthz"), "{cfg}");
    assert!(cfg.contains("server web-app3 web-app3:80"), "{cfg}");
    assert!(matches!(
        &plan.checks[0],
        Check::BalancerUp { servers: 3, .. }
    ));
}

#[test]
fn a_container_is_described_without_its_secrets() {
    let c = NewContainer {
        host: "local".into(),
        name: "db-db1".into(),
        image: "mariadb:11".into(),
        env: vec!["MARIADB_ROOT_PASSWORD=hunter2".into(), "A=1".into()],
        cmd: vec!["--password=hunter2".into(), "--server-id=1".into()],
        labels: [("com.example.token".to_string(), "hunter2".to_string())].into(),
        network: None,
        aliases: vec![],
        ports: vec![],
        mounts: vec![],
        files: vec![],
    };
    let text = Object::Container(c).describe();
    assert!(!text.contains("hunter2"), "{text}");
    assert!(
        text.contains("args --password=******** --server-id=1"),
        "{text}"
    );
    assert!(text.contains("com.example.token=********"), "{text}");
}

#[test]
fn a_stamped_plan_labels_every_object_and_its_job_steps_with_the_token() {
    use crate::model::new_objects::{JobToken, LABEL_TUGBOAT_JOB};
    use crate::ops::plan::{CreateStep, StepOp};
    let spec = ClusterSpec::new("orders-zk", Template::Zookeeper);
    let mut plan = create_plan(&spec, &hosts(), &empty(), &secrets()).unwrap();
    assert_eq!(plan.job, None, "the pure planner chooses no token");
    let token = JobToken::from_bytes([5; 16]);
    plan.stamp(token.clone());
    for o in &plan.objects {
        let labels = match o {
            Object::Network { labels, .. } | Object::Volume { labels, .. } => labels,
            Object::Container(c) => &c.labels,
        };
        assert_eq!(
            labels.get(LABEL_TUGBOAT_JOB).map(String::as_str),
            Some(token.as_str()),
            "{}",
            o.describe()
        );
    }
    let job = super::apply::create_job_plan(&plan);
    let made: Vec<_> = job
        .steps
        .iter()
        .filter_map(|s| match &s.op {
            StepOp::Create(CreateStep::Object { job, .. }) => Some(job.clone()),
            _ => None,
        })
        .collect();
    assert_eq!(made.len(), plan.objects.len());
    assert!(made.iter().all(|j| *j == Some(token.clone())));
}
