use super::*;
use crate::app::text_flow::Flow;
use crate::model::testing::{container, volume};
use crate::model::{HostUpdate, Inventory, Mount};

fn state_with(c: Container) -> State {
    let mut inv = Inventory::new(vec![Host::new("local", "unix:///sock", "flag")]);
    inv.apply(HostUpdate::Listed {
        host: "local".into(),
        containers: vec![c],
        volumes: vec![volume("local", "data")],
    });
    State::new(inv, false, 1_700_000_000)
}

fn target_of(c: &Container) -> Target {
    Target::Container {
        host: c.host.clone(),
        id: c.id.clone(),
    }
}

#[test]
fn container_detail_keeps_its_fields_and_sections_in_order() {
    let mut c = container("local", "db-1");
    c.mounts = vec![Mount {
        kind: MountKind::Bind,
        name: None,
        source: "/etc/my.cnf".into(),
        destination: "/etc/mysql/my.cnf".into(),
        read_write: false,
    }];
    c.labels.insert("a".into(), "1".into());
    let d = detail_lines(&state_with(c.clone()), &target_of(&c));
    assert_eq!(d.title, "Container — db-1");
    let names: Vec<String> = d
        .fields
        .iter()
        .map(|l| l.segments[0].text.trim().to_string())
        .collect();
    let expected = [
        "name", "id", "host", "image", "command", "role", "cluster", "state", "status", "health",
        "ports",
    ];
    assert_eq!(names, expected);
    let sections: Vec<String> = d.sections.iter().map(DetailLine::text).collect();
    assert_eq!(
        sections,
        [
            "Binds:",
            "  /etc/my.cnf → /etc/mysql/my.cnf (ro)",
            "Labels:",
            "  a=1"
        ]
    );
    assert_eq!(d.sections[1].segments.last().unwrap().tone, Tone::Accent);
    assert_eq!(d.fields[7].segments[1].tone, Tone::Ok, "running");
    assert_eq!(d.fields[10].text().trim_end(), "ports       -");
}

#[test]
fn blank_row_between_fields_and_sections_only_when_it_fits() {
    let c = container("local", "web");
    let d = detail_lines(&state_with(c.clone()), &target_of(&c));
    let all = d.fields.len() + d.sections.len();
    let cut = Flow::default();
    assert_eq!(d.stacked(all + 1, cut, 79).len(), all + 1);
    assert_eq!(
        d.stacked(all, cut, 79).len(),
        all,
        "no blank when it costs a row"
    );
    assert_eq!(d.row_count(80, all + 1, cut), all + 1);
    // Two columns scroll together: the longer column counts.
    let longer = d.fields.len().max(d.sections.len());
    assert_eq!(d.row_count(200, 5, cut), longer);
}

#[test]
fn a_removed_target_says_so() {
    let state = state_with(container("local", "web"));
    let gone = Target::Container {
        host: "local".into(),
        id: "nope".into(),
    };
    let d = detail_lines(&state, &gone);
    assert_eq!(d.fields.len(), 1);
    assert!(d.fields[0].text().contains("no longer exists"));
    assert!(!d.two_columns(200));
}

#[test]
fn volume_detail_lists_its_users() {
    let mut c = container("local", "web");
    c.mounts = vec![Mount {
        kind: MountKind::Volume,
        name: Some("data".into()),
        source: "/v".into(),
        destination: "/srv".into(),
        read_write: true,
    }];
    let state = state_with(c);
    let target = Target::Volume {
        host: "local".into(),
        name: "data".into(),
    };
    let d = detail_lines(&state, &target);
    let text: Vec<String> = d.sections.iter().map(DetailLine::text).collect();
    assert_eq!(
        text,
        ["Used by:", "  web → /srv (running)", "Labels:", "  none"]
    );
}

#[test]
fn clock_is_utc_time_of_day() {
    assert_eq!(clock(1_700_000_000), "22:13:20 UTC");
    assert_eq!(clock_since(0, 3 * 86_400), "1970-01-01 00:00:00 UTC");
}

#[test]
fn a_sampled_container_shows_cpu_and_memory_with_their_sparklines() {
    let c = container("local", "web");
    let mut s = state_with(c.clone());
    for (cpu, mem) in [(0.0, 100_000_000), (20.0, 200_000_000), (40.0, 400_000_000)] {
        s.inventory.apply(HostUpdate::Stats {
            host: "local".into(),
            id: c.id.clone(),
            stats: crate::model::Stats {
                cpu_percent: cpu,
                memory_bytes: mem,
                memory_limit: 800_000_000,
            },
        });
    }
    let d = detail_lines(&s, &target_of(&c));
    let text: Vec<String> = d.fields.iter().map(DetailLine::text).collect();
    let cpu = text
        .iter()
        .find(|t| t.trim_start().starts_with("cpu"))
        .unwrap();
    assert!(cpu.contains("40.0%  ▁▄█ (last 3 samples)"), "{cpu}");
    let mem = text
        .iter()
        .find(|t| t.trim_start().starts_with("memory"))
        .unwrap();
    // Against the limit: half of it is the middle bar.
    assert!(mem.contains("▁▂▄ (last 3 samples)"), "{mem}");
}
