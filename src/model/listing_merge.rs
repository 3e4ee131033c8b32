//! A full listing applied as what differs from what the inventory holds
//! (issue 22: at 2,000 containers, replacing everything and redrawing on
//! every periodic re-list was most of tugboat's idle CPU). The listing
//! still wins wherever it differs; what it says again changes nothing and
//! asks for no frame.

use std::collections::HashSet;

use super::{ContainerKey, Inventory};
use crate::model::container::{Container, ContainerState};
use crate::model::volume::Volume;

/// Seconds either way between the engine's clock reading of an uptime and
/// ours (the request's own time, the rounding to whole seconds).
const CLOCK_SLACK: i64 = 2;

impl Inventory {
    /// Makes the host's containers and volumes those of the listing.
    /// Returns whether anything visible changed.
    pub(super) fn merge_listing(
        &mut self,
        host: &str,
        containers: Vec<Container>,
        volumes: Vec<Volume>,
    ) -> bool {
        let listed: HashSet<&str> = containers.iter().map(|c| c.id.as_str()).collect();
        let gone: Vec<ContainerKey> = self
            .containers
            .range((host.to_string(), String::new())..)
            .take_while(|((h, _), _)| h == host)
            .filter(|((_, id), _)| !listed.contains(id.as_str()))
            .map(|(key, _)| key.clone())
            .collect();
        let mut changed = !gone.is_empty();
        for key in gone {
            self.containers.remove(&key);
            self.forget_stats(&key);
        }
        for c in containers {
            changed |= self.merge_container(c);
        }
        self.merge_volumes(host, volumes) || changed
    }

    /// One listed container against the one held. The status text alone
    /// ("Up 5 minutes" → "Up 6 minutes") is stored but is no reason for a
    /// frame: the table shows the uptime from `started_at`, which is kept
    /// when the listing's rough estimate agrees with it.
    fn merge_container(&mut self, mut listed: Container) -> bool {
        let key = (listed.host.clone(), listed.id.clone());
        // A container that is not running has no live numbers.
        let mut changed = false;
        if !listed.is_running() && self.stats.contains_key(&key) {
            self.forget_stats(&key);
            changed = true;
        }
        let Some(held) = self.containers.get_mut(&key) else {
            self.containers.insert(key, listed);
            return true;
        };
        listed.started_at = settled_start(held, &listed);
        let status = std::mem::replace(&mut listed.status, held.status.clone());
        changed |= *held != listed;
        listed.status = status;
        *held = listed;
        changed
    }

    /// The host's volumes become `volumes`; a volume listed without a size
    /// keeps the size it had (sizes come later, from disk usage). Returns
    /// whether they differ from those held.
    pub(super) fn merge_volumes(&mut self, host: &str, volumes: Vec<Volume>) -> bool {
        let mut next: Vec<Volume> = volumes
            .into_iter()
            .map(|mut v| {
                if v.size.is_none() {
                    let key = (host.to_string(), v.name.to_string());
                    v.size = self.volumes.get(&key).and_then(|held| held.size);
                }
                v
            })
            .collect();
        next.sort_by(|a, b| a.name.cmp(&b.name));
        let held = self
            .volumes
            .range((host.to_string(), String::new())..)
            .take_while(|((h, _), _)| h == host)
            .map(|(_, v)| v);
        if held.eq(next.iter()) {
            return false;
        }
        self.replace_volumes(host, next);
        true
    }
}

/// The start of the current run: a listing only knows it roughly, from
/// the status text ("Up 3 hours" is anywhere in the hour after), so a held
/// start (exact, from an inspect, or an earlier estimate) inside that
/// window is the same run and stays; the earlier of the two is the closer
/// (both are at or after the true start). Outside it, the container was
/// started again and the listing's estimate is all there is.
fn settled_start(held: &Container, listed: &Container) -> Option<i64> {
    let same_run = held.state == ContainerState::Running && listed.is_running();
    match (held.started_at, listed.started_at) {
        (Some(h), Some(l)) if same_run => {
            let window = status_unit(listed.status.as_str()) + CLOCK_SLACK;
            if h > l - window && h <= l + CLOCK_SLACK {
                Some(h.min(l))
            } else {
                Some(l)
            }
        }
        (_, listed_start) => listed_start,
    }
}

/// The unit of an engine uptime text ("Up 5 minutes (healthy)": 60 s);
/// a second when there is none.
fn status_unit(status: &str) -> i64 {
    let lower = status.to_ascii_lowercase();
    let uptime = lower.split(" (").next().unwrap_or_default();
    let units = [
        ("year", 31_536_000),
        ("month", 2_592_000),
        ("week", 604_800),
        ("day", 86_400),
        ("hour", 3600),
        ("minute", 60),
    ];
    units
        .iter()
        .find(|(word, _)| uptime.contains(word))
        .map_or(1, |(_, secs)| *secs)
}

#[cfg(test)]
mod tests {
    use super::super::HostUpdate;
    use super::*;
    use crate::model::container::Stats;
    use crate::model::host::Host;
    use crate::model::testing::{container, volume};

    const NOW: i64 = 1_700_000_000;

    fn listing() -> Vec<Container> {
        (0..50)
            .map(|i| {
                let mut c = container("a", &format!("c{i:02}"));
                if i % 2 == 1 {
                    c.state = ContainerState::Created;
                    c.status = "Created".into();
                    c.started_at = None;
                }
                c
            })
            .collect()
    }

    fn listed(inv: &mut Inventory, containers: Vec<Container>) -> bool {
        inv.apply(HostUpdate::Listed {
            host: "a".into(),
            containers,
            volumes: vec![volume("a", "data")],
        })
    }

    fn inv() -> Inventory {
        let mut inv = Inventory::new(vec![Host::new("a", "tcp://a", "flag")]);
        listed(&mut inv, listing());
        inv
    }

    #[test]
    fn a_listing_equal_to_what_is_held_changes_nothing_and_asks_no_frame() {
        let mut inv = inv();
        let stats = Stats {
            cpu_percent: 1.0,
            memory_bytes: 1,
            memory_limit: 2,
        };
        let running = listing()[0].id.clone();
        inv.apply(HostUpdate::Stats {
            host: "a".into(),
            id: running.clone(),
            stats,
        });
        let before = inv.containers.clone();
        assert!(!listed(&mut inv, listing()));
        assert_eq!(inv.containers, before);
        assert_eq!(inv.stats.get(&("a".into(), running)), Some(&stats));
    }

    #[test]
    fn one_changed_container_changes_exactly_that_one() {
        let mut inv = inv();
        let before = inv.containers.clone();
        let mut next = listing();
        next[3].state = ContainerState::Running;
        next[3].status = "Up 2 seconds".into();
        assert!(listed(&mut inv, next.clone()));
        let differ: Vec<_> = before
            .iter()
            .filter(|(k, c)| inv.containers.get(*k) != Some(*c))
            .map(|(_, c)| c.name.to_string())
            .collect();
        assert_eq!(differ, ["c03"]);
        assert_eq!(inv.containers.len(), 50);
        // Gone from the listing: gone from the inventory, and that is a change.
        next.remove(10);
        assert!(listed(&mut inv, next));
        assert_eq!(inv.containers.len(), 49);
        assert!(!inv.containers.values().any(|c| c.name == "c10"));
    }

    #[test]
    fn a_new_status_text_alone_is_stored_without_a_frame() {
        let mut inv = inv();
        let mut next = listing();
        next[0].status = "Up 6 minutes".into();
        assert!(!listed(&mut inv, next));
        let c = inv.containers.values().find(|c| c.name == "c00").unwrap();
        assert_eq!(c.status, "Up 6 minutes");
    }

    #[test]
    fn a_rough_uptime_keeps_the_exact_start_of_the_same_run() {
        let mut inv = inv();
        let mut exact = listing()[0].clone();
        exact.started_at = Some(NOW - 150);
        inv.apply(HostUpdate::ContainerChanged {
            container: exact.clone(),
        });
        // "Up 2 minutes" at NOW: started between NOW - 180 and NOW - 120.
        let mut next = listing();
        next[0].status = "Up 2 minutes".into();
        next[0].started_at = Some(NOW - 120);
        assert!(!listed(&mut inv, next.clone()));
        let key = ("a".to_string(), exact.id.clone());
        assert_eq!(inv.containers[&key].started_at, Some(NOW - 150));
        // Restarted since: "Up 5 seconds" cannot be the run that began 150 s ago.
        next[0].status = "Up 5 seconds".into();
        next[0].started_at = Some(NOW + 200);
        assert!(listed(&mut inv, next));
        assert_eq!(inv.containers[&key].started_at, Some(NOW + 200));
    }

    #[test]
    fn volumes_listed_again_keep_their_sizes_and_ask_no_frame() {
        let mut inv = inv();
        let sizes = [("data".to_string(), 42)].into_iter().collect();
        assert!(inv.apply(HostUpdate::VolumeSizes {
            host: "a".into(),
            sizes
        }));
        assert!(!listed(&mut inv, listing()));
        let held = &inv.volumes[&("a".to_string(), "data".to_string())];
        assert_eq!(held.size, Some(42));
        assert!(inv.apply(HostUpdate::VolumesListed {
            host: "a".into(),
            volumes: vec![]
        }));
        assert!(inv.volumes.is_empty());
    }

    #[test]
    fn status_units() {
        assert_eq!(status_unit("Up 5 minutes (healthy)"), 60);
        assert_eq!(status_unit("Up About an hour"), 3600);
        assert_eq!(status_unit("Up 3 days (unhealthy)"), 86_400);
        assert_eq!(status_unit("Up Less than a second"), 1);
        assert_eq!(status_unit("Up 12 seconds"), 1);
    }
}
