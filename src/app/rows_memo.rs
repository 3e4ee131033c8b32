//! The last rows built, kept while the hosts and containers they were
//! built from are equal to the inventory's (issue 22: at 2,000 containers
//! every turn of the loop built and sorted the Nodes rows two to four
//! times, for a stats sample or a key that moves the selection, which was
//! most of tugboat's idle CPU and of a key's time).
//!
//! Kept per thread, since the loop builds its rows on one; the check is by
//! content, so whatever changed the inventory (an update, a test editing a
//! field) is seen. A row builder that reads more of the inventory than its
//! hosts and containers must not be memoized here.

use std::any::Any;
use std::cell::RefCell;

use crate::model::{Container, Host, Inventory};

struct Memo {
    /// What the rows were built for besides the inventory (filter, sort).
    key: Box<dyn Any>,
    hosts: Vec<Host>,
    containers: Vec<Container>,
    rows: Box<dyn Any>,
}

thread_local! {
    static MEMO: RefCell<Option<Memo>> = const { RefCell::new(None) };
}

/// The rows `build` makes of `inv` for `key`: the last ones when neither
/// the key nor the inventory's hosts and containers changed since.
pub fn memoized<K, T>(inv: &Inventory, key: K, build: impl FnOnce() -> Vec<T>) -> Vec<T>
where
    K: PartialEq + 'static,
    T: Clone + 'static,
{
    let hit = MEMO.with_borrow(|memo| {
        let memo = memo.as_ref()?;
        let same = memo.key.downcast_ref::<K>() == Some(&key)
            && memo.hosts.len() == inv.hosts.len()
            && (memo.hosts.iter())
                .zip(&inv.hosts)
                .all(|(held, now)| held.same_but_last_event(now))
            && memo.containers.len() == inv.containers.len()
            && memo
                .containers
                .iter()
                .zip(inv.containers.values())
                .all(|(held, now)| held == now);
        if same {
            memo.rows.downcast_ref::<Vec<T>>().cloned()
        } else {
            None
        }
    });
    if let Some(rows) = hit {
        return rows;
    }
    let rows = build();
    MEMO.set(Some(Memo {
        key: Box::new(key),
        hosts: inv.hosts.clone(),
        containers: inv.containers.values().cloned().collect(),
        rows: Box::new(rows.clone()),
    }));
    rows
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::testing::container;
    use crate::model::HostUpdate;
    use std::cell::Cell;

    fn inv() -> Inventory {
        let mut inv = Inventory::new(vec![Host::new("a", "tcp://a", "flag")]);
        inv.apply(HostUpdate::Listed {
            host: "a".into(),
            containers: vec![container("a", "one"), container("a", "two")],
            volumes: Vec::new(),
        });
        inv
    }

    /// Names in order, counting the builds.
    fn names(inv: &Inventory, key: &str, builds: &Cell<u32>) -> Vec<String> {
        memoized(inv, key.to_string(), || {
            builds.set(builds.get() + 1);
            inv.containers
                .values()
                .map(|c| c.name.to_string())
                .collect()
        })
    }

    #[test]
    fn rows_are_built_again_only_when_what_they_come_from_changed() {
        let builds = Cell::new(0);
        let mut inv = inv();
        let first = names(&inv, "", &builds);
        assert_eq!(names(&inv, "", &builds), first);
        assert_eq!(builds.get(), 1, "nothing changed: the rows kept");
        names(&inv, "o", &builds);
        assert_eq!(builds.get(), 2, "another filter");
        // Edited in place, as a test may: seen all the same.
        let key = inv.containers.keys().next().unwrap().clone();
        inv.containers.get_mut(&key).unwrap().name = "renamed".into();
        assert!(names(&inv, "o", &builds).contains(&"renamed".to_string()));
        assert_eq!(builds.get(), 3);
        inv.apply(HostUpdate::EventSeen {
            host: "a".into(),
            at: 1_700_000_000,
        });
        names(&inv, "o", &builds);
        assert_eq!(
            builds.get(),
            3,
            "an event seen (a probe's exec) is no change of rows"
        );
        inv.hosts[0].name = "b".into();
        names(&inv, "o", &builds);
        assert_eq!(builds.get(), 4, "a host changed");
    }
}
