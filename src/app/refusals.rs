//! What a refusal made in the TUI names as its target in the audit log:
//! the marked containers, else the selection of the pane on screen, in
//! the words the panes use.

use super::rows::{BalancerRow, NodeRow, ZkRow};
use super::state::{Pane, State};

impl State {
    /// The selection an action would act on, as text (empty: nothing).
    pub fn selection_label(&self) -> String {
        if !self.marks.is_empty() {
            return format!("{} marked containers", self.marks.len());
        }
        let name = |host: &str, id: &str| {
            self.inventory
                .containers
                .get(&(host.to_string(), id.to_string()))
                .map_or_else(|| id.to_string(), |c| c.name.to_string())
        };
        match self.pane {
            Pane::Nodes => match self.selected_node() {
                Some(NodeRow::Host(host)) => host,
                Some(NodeRow::Cluster { cluster, .. }) => format!("cluster/{}", cluster.name),
                Some(NodeRow::Container { host, id }) => format!("{host}/{}", name(&host, &id)),
                Some(NodeRow::SwarmNode { host, id }) => format!("{host}/node/{id}"),
                None => String::new(),
            },
            Pane::Volumes => self
                .selected_volume()
                .map(|(host, v)| format!("{host}/volume/{v}"))
                .unwrap_or_default(),
            Pane::Zookeeper => match self.zookeeper_rows().get(self.zookeeper.selected) {
                Some(ZkRow::Ensemble(e)) => format!("ensemble/{e}"),
                Some(ZkRow::Member { host, id, .. }) => format!("{host}/{}", name(host, id)),
                None => String::new(),
            },
            Pane::Balancer => match self.balancer_rows().get(self.balancer.selected) {
                Some(BalancerRow::Server {
                    balancer,
                    backend,
                    name: server,
                }) => {
                    let lb = self
                        .inventory
                        .containers
                        .iter()
                        .find(|((_, id), _)| id == balancer)
                        .map_or_else(|| balancer.clone(), |((h, _), c)| format!("{h}/{}", c.name));
                    format!("{lb}/{backend}/{server}")
                }
                Some(
                    BalancerRow::Balancer { .. }
                    | BalancerRow::Frontend { .. }
                    | BalancerRow::Backend { .. },
                )
                | None => String::new(),
            },
            Pane::Jobs | Pane::Timeline => String::new(),
            Pane::Services => self
                .selected_service_row()
                .map(|row| self.service_row_label(&row))
                .unwrap_or_default(),
        }
    }
}
