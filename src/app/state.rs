//! The one owner of everything the UI shows. Only `update` changes it.

use crate::model::balancer::Balancer;
use crate::model::cluster_of;
use crate::model::ensemble::Ensemble;
use crate::model::probed::{
    balancers, database_targets, ensembles, haproxy_targets, nginx_targets, zookeeper_targets,
    ProbeBook,
};
use crate::model::{ContainerKey, Inventory};
use crate::probes::run::ProbeKind;

use super::line_editor::{LineEditor, LineHistory};
use super::rows::{
    balancer_rows, node_rows, volume_rows, zookeeper_rows, BalancerRow, NodeRow, Sort, ZkRow,
};
use super::views::Overlay;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pane {
    Nodes,
    Volumes,
    Zookeeper,
    Balancer,
    Jobs,
    Timeline,
    /// A swarm's services and their tasks, from its managers.
    Services,
}

impl Pane {
    pub const ALL: [Pane; 7] = [
        Pane::Nodes,
        Pane::Volumes,
        Pane::Zookeeper,
        Pane::Balancer,
        Pane::Jobs,
        Pane::Timeline,
        Pane::Services,
    ];

    pub fn title(self) -> &'static str {
        match self {
            Pane::Nodes => "Nodes",
            Pane::Volumes => "Volumes",
            Pane::Zookeeper => "ZooKeeper",
            Pane::Balancer => "Balancer",
            Pane::Jobs => "Jobs",
            Pane::Timeline => "Timeline",
            Pane::Services => "Services",
        }
    }

    /// The title where the screen is narrow.
    pub fn short_title(self) -> &'static str {
        match self {
            Pane::Nodes => "Nodes",
            Pane::Volumes => "Vols",
            Pane::Zookeeper => "ZK",
            Pane::Balancer => "LB",
            Pane::Jobs => "Jobs",
            Pane::Timeline => "Time",
            Pane::Services => "Svc",
        }
    }

    pub fn index(self) -> usize {
        Pane::ALL.iter().position(|p| *p == self).unwrap_or(0)
    }
}

/// Selection, scroll, filter and sort of one table.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TableView {
    pub selected: usize,
    pub offset: usize,
    pub filter: String,
    /// Some while the user types a filter.
    pub filter_input: Option<LineEditor>,
    /// Filters applied before, for ↑ in the filter input.
    pub filter_history: LineHistory,
    pub sort: Sort,
}

impl TableView {
    /// The filter in effect: what is being typed wins, so results are live.
    pub fn active_filter(&self) -> &str {
        self.filter_input
            .as_ref()
            .map_or(self.filter.as_str(), LineEditor::text)
    }

    /// Keep the selection inside `len` rows and on screen in `height` rows.
    pub fn clamp(&mut self, len: usize, height: usize) {
        self.selected = self.selected.min(len.saturating_sub(1));
        let height = height.max(1);
        if self.selected < self.offset {
            self.offset = self.selected;
        } else if self.selected >= self.offset + height {
            self.offset = self.selected + 1 - height;
        }
        self.offset = self.offset.min(len.saturating_sub(height));
    }
}

pub use super::job_view::{JobView, JOB_OUTPUT_LINES};
pub use super::msg::Level;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusMessage {
    pub level: Level,
    pub text: String,
    /// Said since the last key: a long warning may then take the footer's
    /// row too, to be read whole; the next key gives the row back.
    pub fresh: bool,
}

#[derive(Debug, Clone)]
pub struct State {
    pub inventory: Inventory,
    pub pane: Pane,
    pub nodes: TableView,
    pub volumes: TableView,
    pub zookeeper: TableView,
    pub balancer: TableView,
    pub jobs_view: TableView,
    /// Operations, running and finished, oldest first.
    pub jobs: Vec<JobView>,
    /// Jobs of other tugboats (terminals, bastions), as the engines'
    /// leases say: shown under this one's in the Jobs pane.
    pub elsewhere: Vec<OtherJob>,
    /// Each host's leases with their holders, read when the engine last
    /// listed them (whose they are and whether the holder runs are asked
    /// outside `update`: see `Msg::LeasesHeld`).
    pub held: std::collections::BTreeMap<String, Vec<crate::ops::leases::Held>>,
    /// Jobs a crash cut off, with what makes their leftovers safe (`U`).
    pub recoveries: Vec<crate::ops::journal::Recovery>,
    /// Where Esc returns after Enter jumped from a balancer server to its node.
    pub jump_back: Option<Pane>,
    /// The latest answer of every probed service.
    pub probes: ProbeBook,
    /// Services being probed now (those the open pane shows).
    pub probing: Vec<(ContainerKey, ProbeKind)>,
    pub overlays: Vec<Overlay>,
    pub status: Option<StatusMessage>,
    pub read_only: bool,
    /// Unix seconds, advanced by ticks; render never reads the clock itself.
    pub now: i64,
    /// The same clock in milliseconds, for how long a job has run.
    pub now_ms: i64,
    pub width: u16,
    pub height: u16,
    pub quit: bool,
    /// Quit as soon as no job runs (asked for while jobs ran).
    pub quit_when_idle: bool,
    /// Containers whose stats are being sampled (those on screen).
    pub watched: Vec<ContainerKey>,
    pub next_session: u64,
    /// The backup directory's listing, for the Volumes pane.
    pub backups: super::backups_view::BackupsView,
    /// Containers marked for a bulk action on the Nodes pane.
    pub marks: super::mark_set::Marks,
    /// The incident timeline (Timeline pane).
    pub timeline: super::timeline_view::Timeline,
    pub timeline_view: TableView,
    /// The Services pane's table (src/app/service_rows.rs).
    pub services: TableView,
    /// Searches typed in any log viewer, for ↑ in the next one.
    pub log_searches: LineHistory,
    /// Palette commands chosen lately, newest first.
    pub palette_recent: Vec<super::palette::PaletteCommand>,
    /// The themes `:theme` offers.
    pub themes: Vec<String>,
    /// The keys in effect: the defaults with the user's `[keys]` over them.
    pub keymap: std::sync::Arc<super::keymap::Keymap>,
    /// `[[actions]]`: the user's own, by the index `Action::User` holds.
    pub user_actions: std::sync::Arc<[crate::config::UserActionSpec]>,
    /// A job whose output the user asked to see (a user action's plan:
    /// action, target): its detail opens when it starts.
    pub follow_job: Option<(crate::ops::plan::PlanAction, crate::ops::plan::PlanTarget)>,
    /// The mouse is captured (wheel, clicks); off, the terminal selects text.
    pub mouse: bool,
    /// What is under the mouse: the drawing's reader, handed over by the
    /// runtime (`ui::mouse_spot`).
    pub spot_at: super::mouse_spot::SpotAt<State>,
    /// The action a key or the palette is running now, so a refusal can
    /// say what it refused.
    pub acting: Option<super::keymap::Action>,
    /// Refusals made since the last update, for the audit log.
    pub refusals: Vec<Refusal>,
    /// What the status line said, to read in full (`!`).
    pub messages: super::message_log::MessageLog,
}

/// A refusal made in the TUI, before any job: what was asked, on what,
/// and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    pub action: String,
    pub target: String,
    pub reason: String,
}

impl State {
    /// The Jobs pane is open while a job runs: its time counts in tenths
    /// of a second, so the clock should tick that often.
    pub fn counts_job_time(&self) -> bool {
        self.pane == Pane::Jobs && self.jobs.iter().any(|j| j.outcome.is_none())
    }

    pub fn new(inventory: Inventory, read_only: bool, now: i64) -> Self {
        Self {
            inventory,
            pane: Pane::Nodes,
            nodes: TableView::default(),
            volumes: TableView::default(),
            zookeeper: TableView::default(),
            balancer: TableView::default(),
            jobs_view: TableView::default(),
            jobs: Vec::new(),
            elsewhere: Vec::new(),
            held: std::collections::BTreeMap::new(),
            recoveries: Vec::new(),
            jump_back: None,
            probes: ProbeBook::default(),
            probing: Vec::new(),
            overlays: Vec::new(),
            status: None,
            read_only,
            now,
            now_ms: now.saturating_mul(1000),
            width: 80,
            height: 24,
            quit: false,
            quit_when_idle: false,
            watched: Vec::new(),
            next_session: 1,
            backups: Default::default(),
            marks: Default::default(),
            timeline: Default::default(),
            timeline_view: TableView::default(),
            services: TableView::default(),
            log_searches: LineHistory::default(),
            palette_recent: Vec::new(),
            themes: Vec::new(),
            keymap: super::keymap_load::default_keymap(),
            user_actions: std::sync::Arc::new([]),
            follow_job: None,
            mouse: false,
            spot_at: super::mouse_spot::nowhere::<State>,
            acting: None,
            refusals: Vec::new(),
            messages: Default::default(),
        }
    }

    pub fn node_rows(&self) -> Vec<NodeRow> {
        node_rows(&self.inventory, self.nodes.active_filter(), self.nodes.sort)
    }

    pub fn volume_rows(&self) -> Vec<(String, String)> {
        volume_rows(
            &self.inventory,
            self.volumes.active_filter(),
            self.volumes.sort,
        )
    }

    /// ZooKeeper ensembles as probed, filtered by the pane's filter.
    pub fn ensembles(&self) -> Vec<Ensemble> {
        let filter = self.zookeeper.active_filter().to_lowercase();
        ensembles(&self.inventory, &self.probes)
            .into_iter()
            .filter(|e| {
                filter.is_empty()
                    || e.name.to_lowercase().contains(&filter)
                    || e.members
                        .iter()
                        .any(|m| m.container.to_lowercase().contains(&filter))
            })
            .collect()
    }

    /// Services to probe: only those the open pane shows. On the Nodes pane
    /// that is the databases on screen (their role and lag are columns) and,
    /// while a database's details are open, every database of its cluster
    /// (for the replication tree).
    pub fn probe_targets(&self) -> Vec<(ContainerKey, ProbeKind)> {
        let inv = &self.inventory;
        let tag = |keys: Vec<ContainerKey>, kind| keys.into_iter().map(move |k| (k, kind));
        match self.pane {
            Pane::Zookeeper => tag(zookeeper_targets(inv), ProbeKind::Zookeeper).collect(),
            Pane::Balancer => tag(haproxy_targets(inv), ProbeKind::Haproxy)
                .chain(tag(nginx_targets(inv), ProbeKind::Nginx))
                .collect(),
            Pane::Volumes | Pane::Jobs | Pane::Timeline | Pane::Services => Vec::new(),
            Pane::Nodes => {
                let databases = database_targets(inv);
                let mut wanted: Vec<ContainerKey> = self
                    .visible_running()
                    .into_iter()
                    .filter(|k| databases.contains(k))
                    .collect();
                if let Some(cluster) = self.detail_container().map(cluster_of) {
                    wanted.extend(
                        databases
                            .iter()
                            .filter(|k| cluster_of(&inv.containers[*k]) == cluster)
                            .cloned(),
                    );
                }
                wanted.sort();
                wanted.dedup();
                // The ZooKeeper members and databases of the selected and
                // the marked clusters, so a rolling restart knows which one
                // leads and a bulk stop what the ensemble can spare.
                let clusters = self.acted_on_clusters();
                let zookeepers: Vec<ContainerKey> = zookeeper_targets(inv)
                    .into_iter()
                    .filter(|k| clusters.contains(&cluster_of(&inv.containers[k])))
                    .collect();
                wanted.extend(
                    databases
                        .iter()
                        .filter(|k| clusters.contains(&cluster_of(&inv.containers[*k])))
                        .cloned(),
                );
                wanted.sort();
                wanted.dedup();
                // Every HAProxy too when a container or cluster is chosen:
                // a rolling restart drains the servers that point at its
                // members, a stop keeps a backend's last UP server.
                let container_chosen =
                    matches!(self.selected_node(), Some(NodeRow::Container { .. }));
                let haproxies = if clusters.is_empty() && !container_chosen {
                    Vec::new()
                } else {
                    haproxy_targets(inv)
                };
                let mut targets: Vec<_> = tag(wanted, ProbeKind::Mysql)
                    .chain(tag(zookeepers, ProbeKind::Zookeeper))
                    .chain(tag(haproxies, ProbeKind::Haproxy))
                    .collect();
                super::failover_probes::add_failover_probes(
                    inv,
                    self.selected_cluster(),
                    &mut targets,
                );
                targets
            }
        }
    }

    /// The cluster of the selected Nodes row (a cluster row or a member),
    /// unless it is "ungrouped".
    pub fn selected_cluster(&self) -> Option<crate::model::ClusterKey> {
        let cluster = match self.selected_node()? {
            NodeRow::Cluster { cluster, .. } => cluster,
            NodeRow::Container { host, id } => {
                cluster_of(self.inventory.containers.get(&(host, id))?)
            }
            NodeRow::Host(_) | NodeRow::SwarmNode { .. } => return None,
        };
        (cluster.kind != crate::model::ClusterKind::Ungrouped).then_some(cluster)
    }

    /// The selected cluster and those of marked containers.
    fn acted_on_clusters(&self) -> Vec<crate::model::ClusterKey> {
        let mut out: Vec<crate::model::ClusterKey> = self.selected_cluster().into_iter().collect();
        for key in &self.marks.keys {
            if let Some(c) = self.inventory.containers.get(key) {
                let cluster = cluster_of(c);
                if !out.contains(&cluster) {
                    out.push(cluster);
                }
            }
        }
        out
    }

    /// The container whose detail view is open, if any.
    pub fn detail_container(&self) -> Option<&crate::model::Container> {
        self.overlays.iter().rev().find_map(|o| match o {
            Overlay::Detail {
                target: super::views::Target::Container { host, id },
                ..
            } => self.inventory.containers.get(&(host.clone(), id.clone())),
            _ => None,
        })
    }

    /// HAProxy balancers as probed.
    pub fn balancers(&self) -> Vec<Balancer> {
        let filter = self.balancer.active_filter().to_lowercase();
        balancers(&self.inventory, &self.probes)
            .into_iter()
            .filter(|b| {
                filter.is_empty()
                    || b.container.to_lowercase().contains(&filter)
                    || b.backends.iter().any(|be| {
                        be.stat.proxy.to_lowercase().contains(&filter)
                            || be
                                .servers
                                .iter()
                                .any(|s| s.stat.name.to_lowercase().contains(&filter))
                    })
            })
            .collect()
    }

    pub fn balancer_rows(&self) -> Vec<BalancerRow> {
        balancer_rows(&self.balancers())
    }

    pub fn zookeeper_rows(&self) -> Vec<ZkRow> {
        zookeeper_rows(&self.ensembles())
    }

    pub fn table(&self) -> &TableView {
        match self.pane {
            Pane::Nodes => &self.nodes,
            Pane::Volumes => &self.volumes,
            Pane::Zookeeper => &self.zookeeper,
            Pane::Balancer => &self.balancer,
            Pane::Jobs => &self.jobs_view,
            Pane::Timeline => &self.timeline_view,
            Pane::Services => &self.services,
        }
    }

    pub fn table_mut(&mut self) -> &mut TableView {
        match self.pane {
            Pane::Nodes => &mut self.nodes,
            Pane::Volumes => &mut self.volumes,
            Pane::Zookeeper => &mut self.zookeeper,
            Pane::Balancer => &mut self.balancer,
            Pane::Jobs => &mut self.jobs_view,
            Pane::Timeline => &mut self.timeline_view,
            Pane::Services => &mut self.services,
        }
    }

    pub fn row_count(&self) -> usize {
        match self.pane {
            Pane::Nodes => self.node_rows().len(),
            Pane::Volumes => self.volume_rows().len(),
            Pane::Zookeeper => self.zookeeper_rows().len(),
            Pane::Balancer => self.balancer_rows().len(),
            Pane::Jobs => self.jobs.len() + self.elsewhere.len(),
            Pane::Timeline => self.timeline.shown_len(),
            Pane::Services => self.service_rows().len(),
        }
    }

    /// Rows of table body on screen: the terminal minus tab bar, table
    /// header, borders and the status and footer lines.
    pub fn table_height(&self) -> usize {
        usize::from(self.height.saturating_sub(6)).max(1)
    }

    pub fn selected_node(&self) -> Option<NodeRow> {
        self.node_rows().get(self.nodes.selected).cloned()
    }

    pub fn selected_volume(&self) -> Option<(String, String)> {
        self.volume_rows().get(self.volumes.selected).cloned()
    }

    /// Running containers in the visible part of the Nodes table.
    pub fn visible_running(&self) -> Vec<ContainerKey> {
        if self.pane != Pane::Nodes {
            return Vec::new();
        }
        self.node_rows()
            .into_iter()
            .skip(self.nodes.offset)
            .take(self.table_height())
            .filter_map(|row| match row {
                NodeRow::Container { host, id } => Some((host, id)),
                _ => None,
            })
            .filter(|key| {
                self.inventory
                    .containers
                    .get(key)
                    .is_some_and(|c| c.is_running())
            })
            .collect()
    }

    /// Why an operation was not offered: "not known yet" is news, the
    /// rest a warning.
    /// A plan that could not be made: why, on the status line; refused
    /// (not merely "not ready yet"), also for the audit log.
    pub fn plan_refused(&mut self, e: crate::ops::error::PlanError) {
        let level = match e {
            crate::ops::error::PlanError::NotReady(_) => Level::Info,
            _ => Level::Warn,
        };
        if matches!(e, crate::ops::error::PlanError::Refused(_)) {
            self.refused(e.to_string());
        }
        self.set_status(level, e.to_string());
    }

    /// Note a refusal of the action running now, on the selection, for
    /// the audit log.
    pub fn refused(&mut self, reason: String) {
        let action = self
            .acting
            .map(|a| self.keymap.name_of(a))
            .unwrap_or_else(|| "action".into());
        let target = self.selection_label();
        self.refusals.push(Refusal {
            action,
            target,
            reason,
        });
    }

    pub fn top_overlay(&self) -> Option<&Overlay> {
        self.overlays.last()
    }

    /// Say `text` on the status line; kept in the message log too, to be
    /// read in full when the line cuts it.
    pub fn set_status(&mut self, level: Level, text: impl Into<String>) {
        let text = text.into();
        self.messages.push(self.now, level, &text);
        self.status = Some(StatusMessage {
            level,
            text,
            fresh: true,
        });
    }
}

/// Another tugboat's job, from the leases it holds (one row per job).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OtherJob {
    /// Its action and target ("switchover cluster/shop").
    pub job: String,
    /// user@machine (pid N).
    pub who: String,
    pub since: String,
    pub liveness: crate::ops::journal_holder::Liveness,
    /// Things it holds, over every engine.
    pub holds: usize,
}

impl State {
    /// The other tugboats' jobs, from every host's leases (this process's
    /// own leases are its jobs above); whether they changed.
    pub fn refresh_elsewhere(&mut self) -> bool {
        let mut jobs: Vec<OtherJob> = Vec::new();
        for held in self.held.values().flatten().filter(|h| !h.ours) {
            let who = format!("{}@{} (pid {})", held.user, held.machine, held.pid);
            match jobs.iter_mut().find(|j| j.job == held.job && j.who == who) {
                Some(j) => j.holds += 1,
                None => jobs.push(OtherJob {
                    job: held.job.clone(),
                    who,
                    since: held.since.clone(),
                    liveness: held.liveness,
                    holds: 1,
                }),
            }
        }
        let changed = self.elsewhere != jobs;
        self.elsewhere = jobs;
        changed
    }
}
