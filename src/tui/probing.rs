//! Keeps one probe loop per shown service: started when a pane shows the
//! service, stopped when it no longer does. One loop per target means never
//! more than one probe in flight against it.

use std::collections::HashMap;

use tokio::sync::watch;
use tokio::task::AbortHandle;

use super::inbox::Outbox;
use super::probe_target::Target;
use crate::app::Msg;
use crate::config::Settings;
use crate::docker::{unix_now, HostHandle};
use crate::probes::run::probe;

pub async fn run(
    hosts: Vec<HostHandle>,
    settings: Settings,
    mut wanted: watch::Receiver<Vec<Target>>,
    outbox: Outbox,
) {
    let mut loops: HashMap<Target, AbortHandle> = HashMap::new();
    loop {
        let targets = wanted.borrow_and_update().clone();
        loops.retain(|target, task| {
            let keep = targets.contains(target);
            if !keep {
                task.abort();
            }
            keep
        });
        for target in targets {
            if loops.contains_key(&target) {
                continue;
            }
            let Some(handle) = hosts.iter().find(|h| h.name == target.0 .0).cloned() else {
                continue;
            };
            let task = tokio::spawn(probe_loop(
                handle,
                target.clone(),
                settings.clone(),
                outbox.clone(),
            ));
            loops.insert(target, task.abort_handle());
        }
        if wanted.changed().await.is_err() {
            break;
        }
    }
    for task in loops.values() {
        task.abort();
    }
}

async fn probe_loop(handle: HostHandle, target: Target, settings: Settings, outbox: Outbox) {
    let ((_, id), kind) = &target;
    loop {
        let result = probe(&handle, id, *kind, &settings).await;
        let msg = Msg::Probed {
            key: target.0.clone(),
            at: unix_now(),
            result,
        };
        // Replaces this target's answer if the loop has not shown it yet.
        outbox.probed(target.clone(), msg);
        tokio::time::sleep(settings.probe_interval).await;
    }
}
