//! The database template: a primary and N replicas (MariaDB or MySQL),
//! replication set up by tugboat itself over GTID so it works with either
//! official image, and an HAProxy with a writer port (the primary, replicas
//! as backup) and a reader port (the replicas, round-robin).

use super::objects::{
    container, env_prefix, network, volume, Check, CreatePlan, Object, Secrets, Setup,
    HAPROXY_GLOBAL,
};
use super::spec::{ClusterSpec, DbFlavor};
use crate::ops::db_role::{role_file, ROLE_FILE};

/// The writer backend's name, also set as the balancer's
/// `io.tugboat.writer-backend` label so a switchover finds it.
pub const WRITER_BACKEND: &str = "be_writer";

/// The HAProxy config: TCP frontends for writes and reads, a stats socket.
/// The writer backend lists every server but only the primary in service:
/// the replicas stay `disabled` (maintenance), so writes never reach a
/// replica, and a switchover enables the new primary instead.
pub fn db_haproxy_cfg(spec: &ClusterSpec, primary: &str, replicas: &[String]) -> String {
    let d = &spec.database;
    let mut cfg = format!(
        "{global}\n\
         defaults\n    mode tcp\n    timeout connect 2s\n    timeout client 1h\n    timeout server 1h\n    timeout check 2s\n\n\
         frontend fe_writer\n    bind :{w}\n    default_backend be_writer\n\n\
         frontend fe_reader\n    bind :{r}\n    default_backend be_reader\n\n\
         backend be_writer\n    option tcp-check\n    default-server check inter 1s fall 2 rise 2 init-addr libc,none\n    server {primary} {primary}:3306\n",
        global = HAPROXY_GLOBAL,
        w = d.writer_port,
        r = d.reader_port,
    );
    for r in replicas {
        cfg.push_str(&format!("    server {r} {r}:3306 disabled\n"));
    }
    cfg.push_str("\nbackend be_reader\n    balance roundrobin\n    option tcp-check\n    default-server check inter 1s fall 2 rise 2 init-addr libc,none\n");
    for r in replicas {
        cfg.push_str(&format!("    server {r} {r}:3306\n"));
    }
    cfg
}

pub(super) fn single(spec: &ClusterSpec, host: &str, secrets: &Secrets, plan: &mut CreatePlan) {
    let d = &spec.database;
    let net = network(spec, host, plan);
    let role = match d.flavor {
        DbFlavor::Mariadb => "mariadb",
        DbFlavor::Mysql => "mysql",
    };
    let prefix = env_prefix(d.flavor);
    let names: Vec<String> = (1..=d.replicas + 1)
        .map(|i| format!("{}-db{i}", spec.name))
        .collect();
    for (i, name) in (1u32..).zip(&names) {
        let mut c = container(spec, host, name.clone(), &d.image, role, Some(i));
        c.network = Some(net.clone());
        c.env = vec![
            format!("{prefix}_ROOT_PASSWORD={}", secrets.root_password),
            format!("TUGBOAT_REPLICATION_USER={}", d.replication_user),
            format!(
                "TUGBOAT_REPLICATION_PASSWORD={}",
                secrets.replication_password
            ),
        ];
        // GTID replication needs a server id and the binary log on every
        // server (a replica can become the primary).
        c.cmd = vec![
            format!("--server-id={i}"),
            "--log-bin".into(),
            format!("--log-basename={name}"),
            "--binlog-format=ROW".into(),
        ];
        if d.flavor == DbFlavor::Mysql {
            c.cmd = vec![
                format!("--server-id={i}"),
                "--log-bin".into(),
                "--gtid-mode=ON".into(),
                "--enforce-gtid-consistency=ON".into(),
            ];
        }
        // HAProxy's connect-only health checks count as aborted
        // handshakes; the default limit (100) would soon block it.
        c.cmd.push("--max-connect-errors=1000000".into());
        // Only the primary takes writes: the others are read-only from
        // their first start (the file is where a switchover later records a
        // new role, so a restart keeps whichever role is current).
        c.files = vec![(ROLE_FILE.into(), role_file(i == 1))];
        if d.volumes {
            let v = volume(spec, host, format!("{name}-data"), plan);
            c.mounts = vec![(v, "/var/lib/mysql".into())];
        }
        plan.objects.push(Object::Container(c));
    }
    let (primary, replicas) = (names[0].clone(), names[1..].to_vec());
    plan.setup.push(Setup::ReplicationUser {
        host: host.into(),
        primary: primary.clone(),
        app_password: crate::config::Secret::new(secrets.app_password.clone()),
    });
    for r in &replicas {
        plan.setup.push(Setup::StartReplica {
            host: host.into(),
            replica: r.clone(),
            primary: primary.clone(),
        });
    }
    let mut lb = container(
        spec,
        host,
        format!("{}-lb", spec.name),
        &d.haproxy_image,
        "haproxy",
        None,
    );
    lb.network = Some(net);
    lb.labels.insert(
        crate::model::cluster::LABEL_WRITER_BACKEND.into(),
        WRITER_BACKEND.into(),
    );
    lb.files = vec![(
        "/usr/local/etc/haproxy/haproxy.cfg".into(),
        db_haproxy_cfg(spec, &primary, &replicas),
    )];
    if !replicas.is_empty() {
        plan.checks.push(Check::Replication {
            host: host.into(),
            replicas: replicas.clone(),
        });
    }
    plan.checks.push(Check::BalancerUp {
        host: host.into(),
        balancer: lb.name.clone(),
        // The primary and the readers; the writer's standby servers stay
        // in maintenance.
        servers: 1 + replicas.len(),
    });
    plan.objects.push(Object::Container(lb));
}
