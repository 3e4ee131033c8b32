//! The app template: N replicas of an image behind an HAProxy whose
//! config tugboat writes (stats socket included, so it can drain and scale).

use super::objects::{container, network, Check, CreatePlan, Object, Publish, HAPROXY_GLOBAL};
use super::spec::ClusterSpec;

/// The HAProxy config: one frontend, one backend checking `health_path`.
pub fn app_haproxy_cfg(spec: &ClusterSpec, servers: &[String]) -> String {
    let a = &spec.app;
    let mut cfg = format!(
        "{global}\n\
         defaults\n    mode http\n    timeout connect 2s\n    timeout client 30s\n    timeout server 30s\n    timeout check 2s\n\n\
         frontend fe_{name}\n    bind :{listen}\n    default_backend be_{name}\n\n\
         backend be_{name}\n    balance {balance}\n    option httpchk GET {path}\n    default-server check inter 1s fall 2 rise 2 init-addr libc,none\n",
        global = HAPROXY_GLOBAL,
        name = spec.name.replace('-', "_"),
        listen = a.listen_port,
        balance = a.balance,
        path = a.health_path,
    );
    for s in servers {
        cfg.push_str(&format!("    server {s} {s}:{}\n", a.port));
    }
    cfg
}

pub(super) fn single(spec: &ClusterSpec, host: &str, plan: &mut CreatePlan) {
    let a = &spec.app;
    let net = network(spec, host, plan);
    let mut names = Vec::new();
    for i in 1..=a.replicas {
        let mut c = container(
            spec,
            host,
            format!("{}-app{i}", spec.name),
            &a.image,
            "app",
            Some(i),
        );
        c.network = Some(net.clone());
        c.aliases = vec!["app".into()];
        names.push(c.name.clone());
        plan.objects.push(Object::Container(c));
    }
    let mut lb = container(
        spec,
        host,
        format!("{}-lb", spec.name),
        &a.haproxy_image,
        "haproxy",
        None,
    );
    lb.network = Some(net);
    lb.files = vec![(
        "/usr/local/etc/haproxy/haproxy.cfg".into(),
        app_haproxy_cfg(spec, &names),
    )];
    lb.ports = a
        .published_port
        .map(|p| Publish {
            host_port: p,
            container_port: a.listen_port,
        })
        .into_iter()
        .collect();
    plan.checks.push(Check::BalancerUp {
        host: host.into(),
        balancer: lb.name.clone(),
        servers: names.len(),
    });
    plan.objects.push(Object::Container(lb));
}
