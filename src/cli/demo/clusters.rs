//! The demo's three clusters and its database client, made through the
//! code `tugboat create` runs (the same plan, preflight, steps, checks and
//! rollback), each object also labelled as the demo's so `tugboat demo
//! --down` finds exactly these.

use std::time::Duration;

use super::super::create::{run_create_job, CreateArgs};
use super::super::interrupt::{say, warn};
use super::super::Loaded;
use super::setup::DemoImages;
use super::{DemoError, DEMO_VALUE, LABEL_DEMO};
use crate::create::images::check_images;
use crate::create::plan::{CreatePlan, NewContainer, Object};
use crate::create::prepare::prepare;
use crate::create::spec::{ClusterSpec, Template};
use crate::docker::HostHandle;
use crate::model::new_objects::LABEL_TUGBOAT_CREATED;
use crate::model::{LABEL_TUGBOAT_CLUSTER, LABEL_TUGBOAT_ROLE};
use crate::ops::journal_holder::random_token;

pub const ZK: &str = "demo-zk";
pub const DB: &str = "demo-db";
pub const APP: &str = "demo-app";
/// The container that writes into demo-db.
pub const CLIENT: &str = "demo-db-client";
/// The table it writes, in the database template's `app` database.
pub const TABLE: &str = "app.demo_writes";

/// The ZooKeeper members' heap: three JVMs on a small machine.
const ZK_JVMFLAGS: &str = "JVMFLAGS=-Xmx128m";

/// The three specs, small, on `host`, with `images`.
pub fn specs(host: &str, images: &DemoImages) -> Vec<ClusterSpec> {
    let placed = |name: &str, template| {
        let mut s = ClusterSpec::new(name, template);
        s.placement.hosts = vec![host.to_string()];
        s
    };
    let mut zk = placed(ZK, Template::Zookeeper);
    zk.zookeeper.members = 3;
    zk.zookeeper.image = images.zookeeper.clone();
    let mut db = placed(DB, Template::Database);
    db.database.replicas = 1;
    db.database.image = images.mariadb.clone();
    db.database.haproxy_image = images.haproxy.clone();
    let mut app = placed(APP, Template::App);
    app.app.replicas = 2;
    app.app.image = images.app.clone();
    app.app.haproxy_image = images.haproxy.clone();
    vec![zk, db, app]
}

/// The label filters that find what the demo made of `cluster`.
pub fn demo_filters(cluster: Option<&str>) -> Vec<String> {
    let mut f = vec![
        format!("{LABEL_TUGBOAT_CREATED}=tugboat"),
        format!("{LABEL_DEMO}={DEMO_VALUE}"),
    ];
    if let Some(c) = cluster {
        f.push(format!("{LABEL_TUGBOAT_CLUSTER}={c}"));
    }
    f
}

/// Every object labelled as the demo's; ZooKeeper members on a small heap.
pub fn mark(plan: &mut CreatePlan) {
    for o in &mut plan.objects {
        let labels = match o {
            Object::Network { labels, .. } | Object::Volume { labels, .. } => labels,
            Object::Container(c) => {
                if c.labels.get(LABEL_TUGBOAT_ROLE).map(String::as_str) == Some("zookeeper") {
                    c.env.push(ZK_JVMFLAGS.into());
                }
                &mut c.labels
            }
        };
        labels.insert(LABEL_DEMO.into(), DEMO_VALUE.into());
    }
}

/// The client's loop: make the table, then insert a row a second through
/// HAProxy's writer port, a new connection each time (so it follows the
/// writer through a switchover), saying when a write fails. The password
/// is in MYSQL_PWD, which the client reads; never on a command line.
fn client_script() -> String {
    format!(
        "trap 'exit 0' TERM INT\n\
         sql() {{ mariadb --protocol=tcp -h {DB}-lb -P 3306 -u \"$DEMO_DB_USER\" --connect-timeout=3 -e \"$1\"; }}\n\
         until sql 'CREATE TABLE IF NOT EXISTS {TABLE} (id BIGINT AUTO_INCREMENT PRIMARY KEY, written_at TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3))'; do\n\
         \x20 echo '{CLIENT}: the database does not take the table yet; retrying in 2 s'; sleep 2\n\
         done\n\
         echo '{CLIENT}: writing one row a second into {TABLE} through {DB}-lb:3306'\n\
         while true; do\n\
         \x20 sql 'INSERT INTO {TABLE} () VALUES ()' || echo '{CLIENT}: a write failed; reconnecting'\n\
         \x20 sleep 1\n\
         done\n"
    )
}

/// The client container: the database image's own client on demo-db's
/// network, in demo-db (role `app`: a client, not a server), as `user`.
pub fn client(host: &str, image: &str, user: &str, password: &str) -> NewContainer {
    let labels = [
        (LABEL_TUGBOAT_CLUSTER, DB),
        (LABEL_TUGBOAT_CREATED, "tugboat"),
        (LABEL_TUGBOAT_ROLE, "app"),
        (LABEL_DEMO, DEMO_VALUE),
    ];
    NewContainer {
        host: host.into(),
        name: CLIENT.into(),
        image: image.into(),
        env: vec![
            format!("DEMO_DB_USER={user}"),
            format!("MYSQL_PWD={password}"),
        ],
        cmd: vec!["sh".into(), "-c".into(), client_script()],
        labels: labels
            .into_iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
        network: Some(DB.into()),
        aliases: Vec::new(),
        ports: Vec::new(),
        mounts: Vec::new(),
        files: Vec::new(),
    }
}

/// What became of one cluster.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Made {
    Created,
    Reused,
}

/// Make `spec`'s cluster, or reuse the demo's one of that name.
pub async fn make(
    loaded: &Loaded,
    hosts: &[HostHandle],
    h: &HostHandle,
    spec: &ClusterSpec,
    images: &DemoImages,
) -> Result<Made, DemoError> {
    let name = spec.name.as_str();
    let found = h
        .labelled(&demo_filters(Some(name)))
        .await
        .map_err(|e| DemoError::Engine(format!("{}: {e}", h.name)))?;
    if !found.containers.is_empty() {
        say(format!(
            "{name}: made by an earlier `tugboat demo` ({} containers); reusing it",
            found.containers.len()
        ));
        say_stopped(h, &found.containers).await;
        if spec.template == Template::Database && !found.containers.iter().any(|c| c == CLIENT) {
            add_client(loaded, hosts, h, images).await?;
        }
        return Ok(Made::Reused);
    }
    if !found.volumes.is_empty() || !found.networks.is_empty() {
        return Err(DemoError::Leftovers(name.into()));
    }
    say(format!("{name}: {}", spec.template.describe()));
    let (mut plan, secrets) = prepare(spec, &loaded.hosts, hosts, &loaded.settings)
        .await
        .map_err(|e| DemoError::Plan {
            cluster: name.into(),
            why: e.to_string(),
        })?;
    mark(&mut plan);
    if spec.template == Template::Database {
        let c = client(&h.name, &images.mariadb, "app", &secrets.app_password);
        plan.objects.push(Object::Container(c));
    }
    run_plan(loaded, hosts, &plan).await?;
    Ok(Made::Created)
}

/// Say which of `containers` do not run (the TUI restarts them with `r`).
async fn say_stopped(h: &HostHandle, containers: &[String]) {
    for c in containers {
        if let Ok(state) = h.run_state(c).await {
            if !state.running {
                warn(format!(
                    "tugboat: note: {c} is {} (start it in the TUI: select it, press r)",
                    state.status
                ));
            }
        }
    }
}

/// The client alone, for a demo-db whose client is gone: as root, whose
/// password is in the servers' environment (the application account's is
/// kept nowhere).
async fn add_client(
    loaded: &Loaded,
    hosts: &[HostHandle],
    h: &HostHandle,
    images: &DemoImages,
) -> Result<(), DemoError> {
    let server = format!("{DB}-db1");
    let password = h.probe_context(&server).await.ok().and_then(|ctx| {
        ctx.env_value(&crate::probes::mysql::PASSWORD_VARS)
            .map(str::to_string)
    });
    let Some(password) = password else {
        warn(format!(
            "tugboat: note: {CLIENT} is gone and no root password is in {server}'s \
             environment: no client writes (`tugboat demo --down`, then `tugboat demo`, starts over)"
        ));
        return Ok(());
    };
    say(format!("{CLIENT}: gone; making it again (as root)"));
    let mut plan = CreatePlan {
        cluster: DB.into(),
        template: Template::Database,
        objects: vec![Object::Container(client(
            &h.name,
            &images.mariadb,
            "root",
            &password,
        ))],
        setup: Vec::new(),
        checks: Vec::new(),
        warnings: Vec::new(),
        reach: Vec::new(),
        job: None,
    };
    let token = random_token().map_err(|e| DemoError::Plan {
        cluster: DB.into(),
        why: format!("cannot read /dev/urandom: {e}"),
    })?;
    plan.stamp(token);
    run_plan(loaded, hosts, &plan).await
}

/// Check the images, then run the create job, its steps printed as they
/// run. No password is printed: the demo's are for its own client.
async fn run_plan(
    loaded: &Loaded,
    hosts: &[HostHandle],
    plan: &CreatePlan,
) -> Result<(), DemoError> {
    let cluster = plan.cluster.clone();
    let limit = loaded.settings.request_timeout * 3;
    let missing = check_images(plan, hosts, limit)
        .await
        .map_err(|e| DemoError::Engine(format!("checking the images: {e}")))?;
    if !missing.is_empty() {
        return Err(DemoError::ImagesMissing(
            missing.iter().map(|m| m.to_string()).collect(),
        ));
    }
    let args = CreateArgs {
        from: Default::default(),
        dry_run: false,
        verify_timeout: 180,
        yes: true,
        json: false,
    };
    let finished = run_create_job(loaded, &args, plan, hosts.to_vec()).await;
    let text = finished.outcome.text(finished.steps);
    let secs = Duration::from_millis(finished.millis).as_secs_f64();
    say(format!("{cluster}: {text} ({secs:.1}s)"));
    match (finished.outcome.is_done(), finished.interrupted) {
        (true, _) => Ok(()),
        (false, Some(code)) => Err(DemoError::Interrupted(code)),
        (false, None) => Err(DemoError::CreateFailed { cluster, why: text }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::create::plan::{create_plan, PlacedHost, Secrets};
    use crate::model::{Host, Inventory};

    fn images() -> DemoImages {
        DemoImages {
            zookeeper: "tugboat-test/zookeeper:3.8".into(),
            mariadb: "tugboat-test/mariadb:10.11".into(),
            haproxy: "tugboat-test/haproxy:2.6".into(),
            app: "tugboat-test/nginx:1.22".into(),
        }
    }

    #[test]
    fn the_specs_are_valid_small_and_every_object_is_the_demos() {
        let specs = specs("local", &images());
        let names: Vec<&str> = specs.iter().map(|s| s.name.as_str()).collect();
        assert_eq!(names, [ZK, DB, APP]);
        let inv = Inventory::new(vec![Host::new("local", "unix:///x", "test")]);
        let placed = [PlacedHost {
            name: "local".into(),
            address: None,
        }];
        let secrets = Secrets {
            root_password: "r00t".into(),
            replication_password: "repl".into(),
            app_password: "appw".into(),
        };
        let mut containers = 0;
        for s in &specs {
            assert!(s.errors().is_empty(), "{:?}", s.errors());
            let mut plan = create_plan(s, &placed, &inv, &secrets).unwrap();
            mark(&mut plan);
            for o in &plan.objects {
                let labels = match o {
                    Object::Network { labels, .. } | Object::Volume { labels, .. } => labels,
                    Object::Container(c) => {
                        containers += 1;
                        &c.labels
                    }
                };
                assert_eq!(labels.get(LABEL_DEMO).map(String::as_str), Some("true"));
            }
        }
        // 3 members; primary, replica, balancer; 2 replicas, balancer.
        assert_eq!(containers, 9);
    }

    #[test]
    fn the_client_is_a_labelled_app_with_its_password_only_in_the_environment() {
        let c = client("local", "tugboat-test/mariadb:10.11", "app", "s3cretpw");
        assert_eq!(c.labels[LABEL_TUGBOAT_CLUSTER], DB);
        assert_eq!(c.labels[LABEL_TUGBOAT_ROLE], "app");
        assert_eq!(c.labels[LABEL_DEMO], DEMO_VALUE);
        assert!(c.env.contains(&"MYSQL_PWD=s3cretpw".to_string()));
        assert!(c.cmd.iter().all(|a| !a.contains("s3cretpw")));
        let shown = Object::Container(c.clone()).describe();
        assert!(!shown.contains("s3cretpw"), "{shown}");
        let script = &c.cmd[2];
        assert!(script.contains("-h demo-db-lb -P 3306"), "{script}");
        assert!(script.contains("INSERT INTO app.demo_writes"), "{script}");
    }
}
