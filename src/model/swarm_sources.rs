//! Which manager speaks for each swarm: tugboat may know several managers
//! of one swarm (each configured as a host); panes and commands use one.

use super::host::Host;
use super::swarm_service::SwarmService;
use super::Inventory;

/// The managers whose listings the pane shows: one per swarm, preferring
/// one that is up and answers for its swarm; then a manager's last word
/// while every manager of that swarm is down or troubled.
pub fn swarm_sources(inv: &Inventory) -> Vec<&Host> {
    let managers: Vec<&Host> = inv
        .hosts
        .iter()
        .filter(|h| h.engine.as_ref().and_then(|e| e.swarm_role.as_deref()) == Some("manager"))
        .collect();
    let swarm_of = |h: &Host| {
        h.engine
            .as_ref()
            .and_then(|e| e.swarm_id.clone())
            .unwrap_or_else(|| h.name.clone())
    };
    let answers = |h: &Host| h.is_up() && h.swarm_trouble.is_none();
    let mut chosen: Vec<&Host> = Vec::new();
    for h in managers {
        match chosen.iter_mut().find(|c| swarm_of(c) == swarm_of(h)) {
            Some(c) if !answers(c) && answers(h) => *c = h,
            Some(_) => {}
            None => chosen.push(h),
        }
    }
    chosen
}

/// A swarm service by name, with the manager that lists it: among the
/// managers that answer for their swarm, `on` only if given.
pub fn swarm_service_named<'a>(
    inv: &'a Inventory,
    name: &str,
    on: Option<&str>,
) -> Option<(&'a Host, &'a SwarmService)> {
    swarm_sources(inv)
        .into_iter()
        .filter(|h| on.is_none_or(|on| on == h.name))
        .find_map(|h| {
            let s = h.swarm_services.iter().find(|s| s.name.as_str() == name)?;
            Some((h, s))
        })
}
