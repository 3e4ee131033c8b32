//! Every pane at 40x10, 80x24 and 200x50, from the fixture the other
//! snapshot tests draw plus `nw-zk`, a ZooKeeper ensemble tugboat made
//! whose members each have a `-data` and a `-datalog` volume (names that
//! read alike until their end). Columns drop by priority, the row's
//! identity (NAME, MEMBER, SERVER, …) last: the assertions fail if it went
//! missing, or was cut while another column still shows.

use tugboat::app::rows::BalancerRow;
use tugboat::app::{update, Msg, State};
use tugboat::config::Theme;
use tugboat::model::timeline::{from_engine, EngineEvent};
use tugboat::model::{HostUpdate, Mount, MountKind, LABEL_TUGBOAT_CLUSTER};
use tugboat::ops::haproxy_command::ServerState;
use tugboat::ops::job::{JobEvent, JobOutcome};
use tugboat::ops::plan::{restart_plan, Plan, PlanAction, PlanTarget};

#[path = "common/ui_fixture.rs"]
mod fixture;

use fixture::*;

const ALL_SIZES: [(u16, u16); 3] = [(40, 10), (80, 24), (200, 50)];

/// nw-zk-zk1..3 on local, each mounting nw-zk-zkN-data and -datalog.
fn add_nw_zk(s: &mut State) {
    for n in 1..=3 {
        let name = format!("nw-zk-zk{n}");
        let mut c = tugboat::model::testing::container("local", &name);
        c.image = "zookeeper:3.9".into();
        c.labels
            .insert(LABEL_TUGBOAT_CLUSTER.into(), "nw-zk".into());
        c.started_at = Some(NOW - 5_400);
        for (volume, dest) in [("data", "/data"), ("datalog", "/datalog")] {
            let volume = format!("{name}-{volume}");
            c.mounts.push(Mount {
                kind: MountKind::Volume,
                name: Some(volume.as_str().into()),
                source: "/v".into(),
                destination: dest.into(),
                read_write: true,
            });
            let mut v = tugboat::model::testing::volume("local", &volume);
            v.labels
                .insert(LABEL_TUGBOAT_CLUSTER.into(), "nw-zk".into());
            v.size = Some(if volume.ends_with("log") {
                8 << 20
            } else {
                96 << 20
            });
            s.inventory.volumes.insert(("local".into(), volume), v);
        }
        s.inventory
            .containers
            .insert((c.host.clone(), c.id.clone()), c);
    }
}

fn start(s: &mut State, id: u64, plan: Plan, ago_ms: i64) {
    let at_ms = NOW * 1000 - ago_ms;
    update(s, Msg::Job(JobEvent::Started { id, plan, at_ms }));
}

fn step(s: &mut State, id: u64, index: usize, detail: &str) {
    let detail = detail.into();
    update(s, Msg::Job(JobEvent::Step { id, index, detail }));
}

fn finish(s: &mut State, id: u64, outcome: JobOutcome, millis: u64) {
    update(
        s,
        Msg::Job(JobEvent::Finished {
            id,
            outcome,
            millis,
        }),
    );
}

/// A rolling restart of nw-zk at its tenth step of twelve, 4.7s in; a
/// restart done in 2.3s; a leader move that failed after 75s; a drain refused.
fn add_jobs(s: &mut State) {
    let restart = |name: &str| restart_plan("local", "abc", name, 10);
    let mut rolling = Plan {
        action: PlanAction::RollingRestart,
        target: PlanTarget::Cluster("nw-zk".into()),
        ..restart("nw-zk-zk1")
    };
    rolling.steps = ["nw-zk-zk2", "nw-zk-zk3", "nw-zk-zk1"]
        .iter()
        .flat_map(|n| restart(n).steps.into_iter().chain(restart(n).steps))
        .collect();
    start(s, 1, restart("nw-zk-zk3"), 90_000);
    step(s, 1, 1, "wait until nw-zk-zk3 runs");
    finish(s, 1, JobOutcome::Done, 2_300);
    let leader = Plan {
        action: PlanAction::LeaderMove,
        target: PlanTarget::Cluster("nw-zk".into()),
        ..restart("nw-zk-zk2")
    };
    start(s, 2, leader, 80_000);
    let error = "nw-zk-zk2 did not run again within 60s".to_string();
    finish(s, 2, JobOutcome::Failed { step: 2, error }, 75_000);
    let drain = Plan {
        action: PlanAction::Server(ServerState::Drain),
        target: PlanTarget::Server {
            host: "local".into(),
            balancer: "edge-lb".into(),
            backend: "be_app".into(),
            server: "app2".into(),
        },
        ..restart("edge-lb")
    };
    start(s, 3, drain, 20_000);
    let reason = "read-only: tugboat was started with --read-only".to_string();
    finish(s, 3, JobOutcome::Refused { reason }, 0);
    start(s, 4, rolling, 4_700);
    step(
        s,
        4,
        9,
        "wait until nw-zk-zk1 runs and passes its healthcheck",
    );
}

fn event(secs_ago: i64, action: &str, name: &str, attrs: &[(&str, &str)]) -> EngineEvent {
    let mut attributes: std::collections::BTreeMap<String, String> = attrs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    attributes.insert("name".into(), name.into());
    EngineEvent {
        at: i128::from(NOW - secs_ago) * 1_000_000_000 + 123_000_000,
        kind: "container".into(),
        action: action.into(),
        id: "0".repeat(64),
        attributes,
    }
}

/// An OOM kill and its exit, a failing healthcheck, the jobs' starts and ends.
fn add_events(s: &mut State) {
    let events = [
        event(300, "start", "nw-zk-zk1", &[]),
        event(240, "oom", "nw-zk-zk1", &[]),
        event(239, "die", "nw-zk-zk1", &[("exitCode", "137")]),
        event(200, "health_status: unhealthy", "shop-cache-1", &[]),
    ];
    let entries = events
        .iter()
        .filter_map(|e| from_engine("local", e))
        .collect();
    let host = "local".into();
    update(
        s,
        Msg::Host(HostUpdate::Events {
            host,
            batch: 1,
            entries,
        }),
    );
}

/// The fixture with nw-zk (and for ZooKeeper and Balancer, their probes)
/// on the pane of key `pane`.
fn pane_state(pane: char, size: (u16, u16)) -> State {
    let mut s = match pane {
        '3' => zookeeper_state(size),
        '4' => balancer_state(size),
        _ => state(false, size),
    };
    add_nw_zk(&mut s);
    if pane == '5' || pane == '6' {
        add_jobs(&mut s);
    }
    if pane == '6' {
        add_events(&mut s);
    }
    update(&mut s, key(pane));
    // Where a narrow screen shows the rows to check: a server, the OOM kill.
    match pane {
        '4' => {
            let rows = s.balancer_rows();
            let app2 =
                |r: &BalancerRow| matches!(r, BalancerRow::Server { name, .. } if name == "app2");
            s.balancer.selected = rows.iter().position(app2).unwrap();
            s.balancer.offset = s.balancer.selected - 2;
        }
        '6' => {
            s.timeline_view.selected = 1;
            s.timeline_view.offset = 0;
        }
        _ => {}
    }
    s
}

/// The pane drawn at each size, snapshotted as `<name>_<size>`: the
/// screens' lines, with the size.
fn screens(name: &str, pane: char) -> Vec<((u16, u16), Vec<String>)> {
    ALL_SIZES
        .iter()
        .map(|&size| {
            let s = pane_state(pane, size);
            let terminal = draw(&s, &Theme::builtin_default());
            let snapshot = format!("{name}_{}x{}", size.0, size.1);
            insta::assert_snapshot!(snapshot, terminal.backend());
            let buf = terminal.backend().buffer();
            let lines = (0..buf.area.height)
                .map(|y| (0..buf.area.width).map(|x| buf[(x, y)].symbol()).collect())
                .collect();
            (size, lines)
        })
        .collect()
}

/// Row 2, under the tabs and inside the border: the table's header.
fn header(lines: &[String]) -> &str {
    lines[2].trim_start_matches('│').trim_end_matches('│')
}

/// The table's rows under the header, inside the border (and left of a
/// wide screen's side panel, whose border meets the table's: `││`).
fn body(lines: &[String]) -> Vec<String> {
    let rows = &lines[3..lines.len() - 3];
    rows.iter()
        .map(|l| l.split("││").next().unwrap_or(l))
        .map(|l| l.trim_start_matches('│').trim_end_matches('│').to_string())
        .collect()
}

/// The row that starts `name` (after the indent) followed by a blank, so
/// a cut name (`nw-zk-zk1-da…`) or a longer one doesn't count.
fn row_of<'a>(rows: &'a [String], name: &str) -> Option<&'a String> {
    rows.iter().find(|r| r.contains(&format!(" {name} ")))
}

/// Every one of `names` has a row showing it whole, and no row of the
/// table has a cut identity, in the cells `[from, to)` of the header.
fn assert_whole(lines: &[String], names: &[&str], from: &str, to: &str, size: (u16, u16)) {
    let rows = body(lines);
    for name in names {
        assert!(
            row_of(&rows, name).is_some(),
            "{size:?}: {name} whole\n{}",
            lines.join("\n")
        );
    }
    let head = header(lines);
    let start = head
        .find(from)
        .unwrap_or_else(|| panic!("{from} in {head}"));
    let end = head.find(to).unwrap_or_else(|| panic!("{to} in {head}"));
    let (start, end) = (head[..start].chars().count(), head[..end].chars().count());
    for row in &rows {
        let cell: String = row.chars().skip(start).take(end - start).collect();
        // Rows that span the table: a host, cluster, ensemble, balancer…
        let spans = ["▼", "  ▸", "  ◆", "  frontend", "  backend"];
        let spanning = spans.iter().any(|s| row.starts_with(s));
        assert!(
            spanning || !cell.contains('…'),
            "{size:?}: cut identity in `{row}`"
        );
    }
}

#[test]
fn nodes_at_every_size() {
    for (size, lines) in screens("sizes_nodes", '1') {
        let head = header(&lines);
        assert!(head.contains("NAME") && head.contains("STATE"), "{head}");
        match size.0 {
            40 => assert_whole(&lines, &["nw-zk-zk1", "nw-zk-zk2"], "NAME", "STATE", size),
            80 => {
                let names = ["nw-zk-zk1", "zk3", "shop-cache-1", "batch-job"];
                assert_whole(&lines, &names, "NAME", "ROLE", size);
                let long = "haproxy-edge-with-a-rather-long-name";
                assert!(row_of(&body(&lines), long).is_some(), "{long} whole");
            }
            _ => {
                for title in ["HOST", "HEALTH", "PORTS", "MEM"] {
                    assert!(head.contains(title), "{title}: {head}");
                }
                assert_whole(&lines, &["orders-db-replica"], "NAME", "HOST", size);
            }
        }
    }
}

#[test]
fn volumes_at_every_size() {
    for (size, lines) in screens("sizes_volumes", '2') {
        let head = header(&lines);
        assert!(head.contains("NAME"), "{head}");
        let names: &[&str] = match size.0 {
            40 => &["nw-zk-zk1-data", "nw-zk-zk1-datalog"],
            _ => &[
                "nw-zk-zk1-data",
                "nw-zk-zk1-datalog",
                "orphan",
                "orders-data",
            ],
        };
        assert_whole(&lines, names, "NAME", "USED BY", size);
        let rows = body(&lines);
        let datalog = row_of(&rows, "nw-zk-zk1-datalog").unwrap();
        assert!(datalog.contains("nw-zk-zk1"), "its user: {datalog}");
        if size.0 >= 80 {
            let shop = row_of(&rows, "shop-data").unwrap();
            assert!(shop.contains("shop-db-1,shop-web-1,shop-web-2(stopped)"));
            assert!(head.contains("SIZE") && head.contains("DRIVER"));
        }
        if size.0 >= 200 {
            assert!(head.contains("MOUNTPOINT") && head.contains("LABELS"));
            assert!(datalog.contains("/var/lib/docker/volumes/nw-zk-zk1-datalog/_data"));
            assert!(datalog.contains("io.tugboat.cluster=nw-zk"));
        }
    }
}

#[test]
fn zookeeper_at_every_size() {
    for (size, lines) in screens("sizes_zookeeper", '3') {
        let head = header(&lines);
        assert!(head.contains("MEMBER") && head.contains("MODE"), "{head}");
        let rows = body(&lines);
        let members: &[&str] = match size.0 {
            40 => &["billing-zk-1", "billing-zk-3"],
            _ => &["billing-zk-2", "nw-zk-zk1", "orders-zk-3"],
        };
        assert_whole(&lines, members, "MEMBER", "MODE", size);
        // An error stays in sight beside the mode.
        let billing = row_of(&rows, "billing-zk-3").unwrap();
        assert!(billing.contains("unreachable  conn"), "{billing}");
        if size.0 >= 80 {
            assert!(head.contains("ZXID") && head.contains("SYNCED"), "{head}");
        }
        if size.0 >= 200 {
            assert!(head.contains("HOST") && head.contains("PROBED"), "{head}");
        }
    }
}

#[test]
fn balancer_at_every_size() {
    for (size, lines) in screens("sizes_balancer", '4') {
        let head = header(&lines);
        assert!(head.contains("SERVER") && head.contains("STATUS"), "{head}");
        let rows = body(&lines);
        let next = if size.0 >= 80 { "WEIGHT" } else { "STATUS" };
        let servers: &[&str] = match size.0 {
            40 => &["app1", "app2", "app3"],
            _ => &["app1", "app2", "static1"],
        };
        assert_whole(&lines, servers, "SERVER", next, size);
        if size.0 >= 80 {
            assert!(
                head.contains("CONTAINER") && head.contains("CHECK"),
                "{head}"
            );
            let app2 = row_of(&rows, "app2").unwrap();
            assert!(app2.trim_end().ends_with("shop-app-2"), "{app2}");
        }
        if size.0 >= 200 {
            assert!(
                head.contains("ADDRESS") && head.contains("CHANGED"),
                "{head}"
            );
        }
    }
}

/// The x of `title` in the header, and of `value` on `row`, in chars.
fn column_of(line: &str, text: &str) -> usize {
    let at = line
        .find(text)
        .unwrap_or_else(|| panic!("{text} in {line}"));
    line[..at].chars().count()
}

#[test]
fn jobs_at_every_size() {
    for (size, lines) in screens("sizes_jobs", '5') {
        let head = header(&lines);
        assert!(head.contains("TARGET · STEP OR OUTCOME"), "{head}");
        let rows = body(&lines);
        let rolling = rows
            .iter()
            .find(|r| r.contains("cluster/nw-zk · step"))
            .unwrap();
        // 4.7s in, counted in tenths.
        assert!(rolling.contains("4.7s"), "{rolling}");
        let done = rows.iter().find(|r| r.contains("· done")).unwrap();
        // Every column shown starts where its title does, whatever the
        // action's length and the steps' count.
        let mut checks = vec![
            ("TARGET", rolling, "cluster/nw-zk"),
            ("TARGET", done, "local/nw-zk-zk3"),
        ];
        if size.0 >= 80 {
            checks.push(("ACTION", rolling, "rolling restart"));
            checks.push(("ACTION", done, "restart"));
        }
        if size.0 >= 200 {
            checks.push(("PROGRESS", rolling, "[#######---] 9/12"));
            checks.push(("PROGRESS", done, "[##########] 2/2"));
            let failed = "failed at step 2 of 2: nw-zk-zk2 did not run again within 60s";
            assert!(rows.iter().any(|r| r.contains(failed)));
        }
        for (title, row, value) in checks {
            assert_eq!(column_of(head, title), column_of(row, value), "{value}");
        }
        let time = column_of(head, "TIME") + "TIME".len();
        assert_eq!(column_of(rolling, "4.7s") + 4, time, "TIME right-aligned");
        assert_eq!(column_of(done, "2.3s") + 4, time);
        assert!(rows.iter().any(|r| r.contains("  1m ")), "75s reads 1m");
    }
}

#[test]
fn timeline_at_every_size() {
    for (size, lines) in screens("sizes_timeline", '6') {
        let head = header(&lines);
        assert!(head.contains("OBJECT") && head.contains("WHAT"), "{head}");
        let rows = body(&lines);
        let oom = rows.iter().find(|r| r.contains("out of memo")).unwrap();
        assert!(oom.contains("container nw-zk-zk1 "), "{oom}");
        if size.0 >= 80 {
            assert!(oom.contains("!!") && oom.contains("23:09:20"), "{oom}");
            assert!(rows
                .iter()
                .any(|r| r.contains("job rolling restart cluster/nw-zk ")));
        }
        if size.0 >= 200 {
            assert!(oom.contains("23:09:20.123") && oom.contains("engine"));
            assert!(oom.contains("out of memory: the kernel killed a process (OOM)"));
        }
    }
}
