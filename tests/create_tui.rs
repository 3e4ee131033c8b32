//! The wizard's `y`, end to end against the real engine: keys drive the app
//! state through the App template (busybox behind HAProxy) to its review,
//! the create effect runs as the TUI runs it, its events go back into the
//! state, and the progress screen ends done, with the cluster selected in
//! the Nodes pane once the wizard closes.

mod common;
mod create_common;

use std::time::{Duration, Instant};

use common::*;
use create_common::*;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use tugboat::app::views::Overlay;
use tugboat::app::{update, Effect, Msg, State};
use tugboat::ops::job::JobOutcome;
use tugboat::ops::runner::JobRunner;
use tugboat::ops::AuditLog;
use tugboat::tui::create_job::CreateJob;

fn key(s: &mut State, code: KeyCode) -> Vec<Effect> {
    update(s, Msg::Key(KeyEvent::new(code, KeyModifiers::NONE))).effects
}

fn typed(s: &mut State, text: &str) -> Vec<Effect> {
    text.chars()
        .flat_map(|c| key(s, KeyCode::Char(c)))
        .collect()
}

/// Replace the focused field's text, then go to the next field.
fn field(s: &mut State, value: Option<&str>) {
    if let Some(v) = value {
        for _ in 0..40 {
            key(s, KeyCode::Backspace);
        }
        typed(s, v);
    }
    key(s, KeyCode::Enter);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_wizards_y_creates_an_app_cluster_and_selects_it() {
    require_engine();
    let name = unique("wapp");
    let _gone = ClusterCleanup(name.clone());
    let settings = fast_settings();
    let mut fleet = Fleet::start(&[spec("local", LOCAL_URL)], &settings, false);
    fleet
        .wait_for("the local listing", Duration::from_secs(15), |inv| {
            inv.hosts_up() == 1
        })
        .await;
    let mut s = State::new(fleet.inventory.clone(), false, 0);
    update(
        &mut s,
        Msg::Resize {
            width: 80,
            height: 24,
        },
    );
    typed(&mut s, "n3");
    key(&mut s, KeyCode::Enter);
    typed(&mut s, &name);
    key(&mut s, KeyCode::Enter);
    key(&mut s, KeyCode::Enter);
    // image, replicas, app port, health path, balance, haproxy image,
    // listen port, published port
    for value in [
        Some(BUSYBOX),
        None,
        Some("8080"),
        None,
        None,
        Some(HAPROXY),
        None,
        None,
    ] {
        field(&mut s, value);
    }
    let effects = key(&mut s, KeyCode::Char('y'));
    let spec = effects
        .into_iter()
        .find_map(|e| match e {
            Effect::CreateCluster(spec) => Some(spec),
            _ => None,
        })
        .unwrap_or_else(|| panic!("no create effect; wizard: {:?}", s.top_overlay()));
    assert_eq!(spec.app.image, BUSYBOX);

    // Run it as the TUI's effect runner does, and feed its events back.
    let dir = tempfile::tempdir().unwrap();
    let audit = dir.path().join("audit.jsonl");
    let job = CreateJob {
        specs: vec![spec_of_local()],
        hosts: fleet.handles.clone(),
        settings: settings.clone(),
        runner: JobRunner::new(
            fleet.handles.clone(),
            settings.clone(),
            AuditLog::new(audit.clone()),
        ),
    };
    let (outbox, mut inbox) = tugboat::tui::inbox::channel();
    let _control = job.start(outbox, *spec);
    let deadline = Instant::now() + Duration::from_secs(150);
    let outcome = loop {
        let msg = tokio::time::timeout_at(deadline.into(), inbox.msgs.recv())
            .await
            .expect("the create finishes")
            .expect("events");
        let finished = match &msg {
            Msg::Job(tugboat::ops::job::JobEvent::Finished { outcome, .. }) => {
                Some(outcome.clone())
            }
            _ => None,
        };
        update(&mut s, msg);
        if let Some(o) = finished {
            break o;
        }
    };
    assert_eq!(outcome, JobOutcome::Done);
    let Some(Overlay::Wizard(w)) = s.top_overlay() else {
        panic!("the wizard shows the progress");
    };
    assert_eq!(w.progress.outcome, Some(JobOutcome::Done));
    assert!(
        w.progress
            .steps
            .iter()
            .any(|l| l.contains(&format!("{name}-lb"))),
        "{:?}",
        w.progress.steps
    );
    assert!(std::fs::read_to_string(&audit)
        .unwrap()
        .contains(&format!("cluster/{name}")));

    // Closing the wizard selects the new cluster in the Nodes pane.
    fleet
        .wait_for("the new containers", Duration::from_secs(10), |inv| {
            inv.containers_on("local")
                .filter(|c| c.name.starts_with(&name))
                .count()
                == 3
        })
        .await;
    update(
        &mut s,
        Msg::Host(tugboat::model::HostUpdate::Listed {
            host: "local".into(),
            containers: fleet.inventory.containers_on("local").cloned().collect(),
            volumes: Vec::new(),
        }),
    );
    key(&mut s, KeyCode::Enter);
    assert!(s.top_overlay().is_none(), "{:?}", s.top_overlay());
    assert_eq!(s.selected_cluster().map(|c| c.name), Some(name.clone()));

    let (code, out, err) = tugboat(dir.path(), &["destroy", &name, "--yes"]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(objects_of(&name).is_empty());
}

fn spec_of_local() -> tugboat::config::HostSpec {
    spec("local", LOCAL_URL)
}
