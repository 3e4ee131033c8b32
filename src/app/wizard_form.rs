//! What the cluster-creation wizard holds (its step, its answers, the
//! create job it follows): the data the overlays and the state hold,
//! below the wizard's logic (wizard.rs, wizard_progress.rs) that works on
//! the whole state.

use std::collections::BTreeMap;

use super::line_editor::LineEditor;
use super::wizard_fields::FieldError;
use crate::create::plan::PlacedHost;
use crate::create::spec::ClusterSpec;
use crate::ops::job::JobOutcome;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WizardStep {
    Template,
    Name,
    Placement,
    Settings,
    Review,
    Progress,
}

impl WizardStep {
    pub fn title(self) -> &'static str {
        match self {
            Self::Template => "Template",
            Self::Name => "Name",
            Self::Placement => "Placement",
            Self::Settings => "Sizes, ports, images",
            Self::Review => "Review the plan",
            Self::Progress => "Progress",
        }
    }

    /// 1-based number among the five question steps (Progress is the 6th).
    pub fn number(self) -> usize {
        self as usize + 1
    }

    pub(super) fn back(self) -> Option<Self> {
        match self {
            Self::Template | Self::Progress => None,
            Self::Name => Some(Self::Template),
            Self::Placement => Some(Self::Name),
            Self::Settings => Some(Self::Placement),
            Self::Review => Some(Self::Settings),
        }
    }
}

/// A text input of the wizard.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TextFocus {
    Name,
    /// Placement's network row.
    Network,
    /// A settings field that is typed (not a choice), by key.
    Field(&'static str),
}

#[derive(Debug, Clone, PartialEq)]
pub struct Wizard {
    pub step: WizardStep,
    /// Cursor on the Template step (index into `Template::ALL`).
    pub template: usize,
    /// The answers so far; kept when going back.
    pub spec: ClusterSpec,
    /// Why the name can't be used (checked on every key), if it can't.
    pub name_problem: Option<String>,
    pub hosts: Vec<PlacedHost>,
    /// Which of `hosts` the cluster goes on.
    pub chosen: Vec<bool>,
    /// Rows of the Placement step: the hosts, then the network field.
    pub place_cursor: usize,
    pub network: String,
    /// Focused field on the Settings step.
    pub field: usize,
    /// What was typed in each settings field, by key (survives Back).
    pub texts: BTreeMap<String, String>,
    /// The editor of the text input being typed in, and which one it is:
    /// made when the first key reaches that input, dropped when the focus
    /// moves. The answers themselves stay in `spec`, `network` and `texts`.
    pub input: Option<(TextFocus, LineEditor)>,
    /// Typed text that does not parse, by key, with the reason.
    pub parse_errors: BTreeMap<String, FieldError>,
    /// The plan's lines and warnings, made when Review is entered.
    pub review: Vec<String>,
    pub scroll: usize,
    /// A problem found later (by the plan) shown on the step it sent us to.
    pub error: Option<String>,
    /// Each host's local image tags, as far as it has answered: images the
    /// chosen hosts lack are flagged before the create is confirmed.
    pub images: BTreeMap<String, Vec<String>>,
    pub progress: Progress,
}

/// The create job as the Progress screen follows it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Progress {
    /// Adopted from the first `create` job that starts for this cluster.
    pub job: Option<u64>,
    pub steps: Vec<String>,
    /// Index of the step running now (0-based), from `JobEvent::Step`.
    pub current: Option<usize>,
    pub detail: String,
    pub outcome: Option<JobOutcome>,
    pub millis: Option<u64>,
}
