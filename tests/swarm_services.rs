//! A swarm's services and tasks as a real manager reports them (Engine
//! 20.10 here, API 1.41; tests/swarm_three.rs runs Engine 26): a healthy
//! service, one whose task keeps failing and one no node can take, each
//! with the engine's own why; task containers grouped under their service;
//! a killed task seen short and back without any event from tasks.

mod common;

use std::process::Command;
use std::time::Duration;

use common::{docker_at, repo_root, require_engine, spec, unique, Fleet};
use tugboat::model::cluster_of;
use tugboat::model::host::Host;
use tugboat::model::swarm_service::{last_failure, slots_of, SwarmService, TaskState};

const ADDR: &str = "127.0.0.81";

/// One Docker-in-Docker host made a one-node swarm; removed when dropped.
struct SwarmHost {
    name: String,
}

impl SwarmHost {
    fn start(name: &str) -> SwarmHost {
        let host = SwarmHost { name: name.into() };
        let status = Command::new("bash")
            .arg(repo_root().join("scripts/dind.sh"))
            .args(["start", name, ADDR, "tugboat-test/dind:bookworm"])
            .status()
            .expect("dind.sh runs");
        assert!(status.success(), "dind.sh start {name}");
        host.docker(&["swarm", "init", "--advertise-addr", "127.0.0.1"]);
        host
    }

    fn url(&self) -> String {
        format!("tcp://{ADDR}:2375")
    }

    fn docker(&self, args: &[&str]) -> String {
        docker_at(Some(&self.url()), args)
    }
}

impl Drop for SwarmHost {
    fn drop(&mut self) {
        let _ = Command::new("bash")
            .arg(repo_root().join("scripts/dind.sh"))
            .args(["stop", &self.name])
            .status();
    }
}

fn service<'a>(host: &'a Host, name: &str) -> Option<&'a SwarmService> {
    host.swarm_services.iter().find(|s| s.name.as_str() == name)
}

/// The newest error among `name`'s tasks, in the engine's words.
fn error_of(host: &Host, name: &str) -> Option<String> {
    let s = service(host, name)?;
    slots_of(&host.swarm_tasks, &s.id)
        .iter()
        .find_map(|slot| last_failure(slot).and_then(|t| t.error.clone()))
        .map(|e| e.as_str().to_string())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn services_tasks_and_why_from_a_real_manager() {
    require_engine();
    let name = unique("tb-swsvc");
    let bed = SwarmHost::start(&name);
    let image = "tugboat-test/busybox:latest";
    bed.docker(&[
        "service",
        "create",
        "--detach",
        "--name",
        "web",
        "--replicas",
        "2",
        "--publish",
        "8080:8080",
        image,
        "httpd",
        "-f",
        "-p",
        "8080",
    ]);
    bed.docker(&[
        "service",
        "create",
        "--detach",
        "--name",
        "crashy",
        "--restart-delay",
        "1s",
        image,
        "sh",
        "-c",
        "exit 3",
    ]);
    bed.docker(&[
        "service",
        "create",
        "--detach",
        "--name",
        "stuck",
        "--constraint",
        "node.labels.disk==ssd",
        image,
        "sleep",
        "3600",
    ]);

    let mut fleet = Fleet::start(&[spec(&name, &bed.url())], &common::fast_settings(), false);
    let took = fleet
        .wait_for(
            "the three services with their tasks",
            Duration::from_secs(60),
            |inv| {
                let Some(h) = inv.host(&name) else {
                    return false;
                };
                service(h, "web").is_some_and(|s| s.running == 2 && s.desired == 2)
                    && error_of(h, "crashy").is_some()
                    && error_of(h, "stuck").is_some()
            },
        )
        .await;
    eprintln!("services and their whys seen after {took:?}");
    let h = fleet.inventory.host(&name).unwrap().clone();
    let web = service(&h, "web").unwrap();
    assert_eq!(web.mode.word(), "replicated");
    assert_eq!(web.image.as_str(), image);
    assert_eq!(
        web.ports.first().map(|p| p.text()),
        Some("*:8080→8080/tcp".into())
    );
    let crashy = error_of(&h, "crashy").unwrap();
    assert!(crashy.contains("non-zero exit (3)"), "{crashy}");
    let stuck = error_of(&h, "stuck").unwrap();
    assert!(stuck.contains("no suitable node"), "{stuck}");
    let stuck_task = slots_of(&h.swarm_tasks, &service(&h, "stuck").unwrap().id)[0]
        .current()
        .clone();
    assert_eq!(stuck_task.state, TaskState::Pending);
    assert_eq!(stuck_task.node_id, "", "a pending task has no node");
    assert_eq!(h.swarm_nodes.len(), 1);
    assert!(h.swarm_trouble.is_none());

    // Task containers form one cluster per service, without a stack label.
    let web_tasks: Vec<_> = fleet
        .inventory
        .containers
        .values()
        .filter(|c| c.host == name && c.name.starts_with("web."))
        .collect();
    assert_eq!(web_tasks.len(), 2, "{web_tasks:?}");
    assert!(web_tasks
        .iter()
        .all(|c| cluster_of(c).label() == "web (service)"));

    // A killed task: the manager counts it short, then replaces it. Tasks
    // send no events: the host task's poll sees both.
    let victim = web_tasks[0].id.clone();
    bed.docker(&["kill", &victim]);
    let short = fleet
        .wait_for("web short of a task", Duration::from_secs(15), |inv| {
            inv.host(&name)
                .and_then(|h| service(h, "web"))
                .is_some_and(|s| s.running < 2)
        })
        .await;
    let back = fleet
        .wait_for(
            "web back to 2/2 with a new task",
            Duration::from_secs(30),
            |inv| {
                let Some(h) = inv.host(&name) else {
                    return false;
                };
                let Some(s) = service(h, "web") else {
                    return false;
                };
                s.running == 2
                    && h.swarm_tasks
                        .iter()
                        .any(|t| t.service_id == s.id && t.state == TaskState::Failed)
            },
        )
        .await;
    eprintln!("killed task: seen short after {short:?}, replaced after a further {back:?}");
}
