//! Overlays that stack on top of the panes: the top one gets keys first.

use crate::model::InspectSection;

#[derive(Debug, Clone, PartialEq)]
pub enum Overlay {
    /// `scroll` is the first row shown (wrapped lines take several).
    Help {
        scroll: usize,
        /// Long lines cut (and scrolled sideways) or wrapped.
        flow: super::text_flow::Flow,
    },
    Confirm(Confirm),
    /// Scrolls like the viewers: `scroll` is the first row shown.
    Detail {
        target: Target,
        scroll: usize,
        /// Long lines cut (and scrolled sideways) or wrapped, in each column.
        flow: super::text_flow::Flow,
    },
    Logs(Box<LogView>),
    Inspect(InspectView),
    /// A small question answered by typing (the count to scale to).
    Prompt(Prompt),
    /// The cluster-creation wizard (`n`).
    Wizard(Box<super::wizard_form::Wizard>),
    /// The command palette (`:`).
    Palette(Box<super::palette::Palette>),
}

impl Overlay {
    /// The help overlay, at its top, long lines cut.
    pub fn help() -> Self {
        Self::Help {
            scroll: 0,
            flow: super::text_flow::Flow::default(),
        }
    }

    /// The detail view of `target`, at its top, long lines cut.
    pub fn detail(target: Target) -> Self {
        Self::Detail {
            target,
            scroll: 0,
            flow: super::text_flow::Flow::default(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Prompt {
    pub title: String,
    pub question: String,
    pub input: super::line_editor::LineEditor,
    pub about: PromptFor,
}

/// What a typed number is for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PromptFor {
    /// The replica count of the service this replica belongs to.
    Scale(crate::model::ContainerKey),
    /// The replica count of a swarm service, set through manager `host`.
    ScaleSwarm { host: String, id: String },
    /// A balancer server's weight.
    Weight {
        balancer_id: String,
        backend: String,
        server: String,
    },
    /// The user of a database cluster's replication account.
    ReplUser { cluster: String },
    /// Its password (shown as `*`).
    ReplPassword { cluster: String, user: String },
    /// The image a cluster's swarm services are updated to, one by one.
    UpdateImage { cluster: crate::model::ClusterKey },
}

impl PromptFor {
    /// Typed as text (any printable character), not as a number.
    pub fn is_text(&self) -> bool {
        matches!(
            self,
            Self::ReplUser { .. } | Self::ReplPassword { .. } | Self::UpdateImage { .. }
        )
    }

    /// Shown as `*`s, never as typed.
    pub fn is_secret(&self) -> bool {
        matches!(self, Self::ReplPassword { .. })
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    Host(String),
    Container {
        host: String,
        id: String,
    },
    Volume {
        host: String,
        name: String,
    },
    /// A swarm service, as the manager `host` lists it.
    SwarmService {
        host: String,
        id: String,
    },
    /// One of this tugboat's jobs, by its id.
    Job(u64),
    /// What the status line said, newest first.
    Messages,
}

pub use super::log_view::{
    skipped_line, LogFilter, LogInput, LogInputFor, LogView, MergedView, TimeJump, LOG_CAPACITY,
};
pub use super::msg::Confirm;

#[derive(Debug, Clone, PartialEq, Default)]
pub struct InspectView {
    pub host: String,
    pub id: String,
    pub name: String,
    /// None while loading.
    pub sections: Option<Result<Vec<InspectSection>, crate::docker::HostError>>,
    /// The first row shown (wrapped lines take several rows).
    pub scroll: usize,
    /// Long lines cut (and scrolled sideways) or wrapped.
    pub flow: super::text_flow::Flow,
    /// What `/` searched for: its matches are highlighted, n/N go to them.
    pub search: Option<String>,
    /// The search being typed after `/`.
    pub input: Option<super::line_editor::LineEditor>,
    /// The line the last n/N (or search) went to; a scroll forgets it.
    pub found: Option<usize>,
}

impl InspectView {
    /// Rows its lines take in `cols` columns.
    pub fn row_count(&self, cols: usize) -> usize {
        self.lines()
            .iter()
            .map(|l| self.flow.rows_of(l, cols))
            .sum()
    }

    /// The flattened lines as the viewer shows them.
    pub fn lines(&self) -> Vec<String> {
        match &self.sections {
            None => vec!["loading…".into()],
            Some(Err(e)) => vec![format!("inspect failed: {e}")],
            Some(Ok(sections)) => sections
                .iter()
                .flat_map(|s| {
                    let body: Vec<String> = if s.lines.is_empty() {
                        vec!["  (none)".into()]
                    } else {
                        s.lines.iter().map(|l| format!("  {l}")).collect()
                    };
                    std::iter::once(format!("{}:", s.title)).chain(body)
                })
                .collect(),
        }
    }
}
