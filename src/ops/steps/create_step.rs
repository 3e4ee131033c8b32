//! A cluster creation's steps, typed: which part of the create plan each
//! is (the plan holds the objects; src/create runs them), with what each
//! touches, may leave and how it is undone.

use serde::Serialize;

use crate::model::new_objects::{JobToken, ObjectKind};
use crate::ops::base::claim::{object, Claim};
use crate::ops::base::leftover::Leftover;
use crate::ops::base::undo::Undo;

/// Which part of a cluster's creation a step is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "part", rename_all = "snake_case")]
pub enum CreateStep {
    /// Hosts connected, images present, names free, hosts reach each other.
    Preflight,
    /// Create (and start) object `index` of the create plan.
    Object {
        index: usize,
        kind: ObjectKind,
        name: String,
        /// The token the object is labelled with (the job's own).
        job: Option<JobToken>,
    },
    /// Setup `index` (replication user, replicas started).
    Setup { index: usize },
    /// Check `index`, retried until the verification deadline.
    Check { index: usize },
}

impl CreateStep {
    /// What it acts on when run on host `h`: an object by its name. Setup
    /// and checks act on the objects the Object steps claimed.
    pub fn claims(&self, h: &str) -> Vec<Claim> {
        match self {
            Self::Object { kind, name, .. } => vec![object(h, *kind, name)],
            Self::Preflight | Self::Setup { .. } | Self::Check { .. } => vec![],
        }
    }

    /// What it may leave if the job is cut off right after it, run on
    /// `host` for `cluster`: an object made joins the half-made cluster
    /// (the journal merges one host's objects into one leftover). Setup
    /// lives in those objects; checks leave nothing.
    pub fn leftovers(&self, host: &str, cluster: &str) -> Vec<Leftover> {
        match self {
            Self::Object {
                kind, name, job, ..
            } => vec![Leftover::HalfMadeCluster {
                host: host.into(),
                cluster: cluster.into(),
                objects: vec![(*kind, name.clone())],
                job: job.clone(),
            }],
            Self::Preflight | Self::Setup { .. } | Self::Check { .. } => Vec::new(),
        }
    }

    /// How it is undone.
    pub fn undo(&self) -> Undo<CreateStep> {
        match self {
            Self::Object { .. } => Undo::FromPlan(
                "the object removed while it carries the job's label (a cleanup step the create plan gives)",
            ),
            Self::Setup { .. } => {
                Undo::Not("a setup lives in the objects it was made in: they go with them")
            }
            Self::Preflight | Self::Check { .. } => Undo::Nothing,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_object_made_is_a_half_made_cluster_until_the_create_ends() {
        let token = JobToken::from_bytes([7; 16]);
        let made = CreateStep::Object {
            index: 0,
            kind: ObjectKind::Network,
            name: "zk-net".into(),
            job: Some(token.clone()),
        };
        assert_eq!(
            made.leftovers("h1", "zk"),
            vec![Leftover::HalfMadeCluster {
                host: "h1".into(),
                cluster: "zk".into(),
                objects: vec![(ObjectKind::Network, "zk-net".into())],
                job: Some(token),
            }]
        );
        assert!(matches!(made.undo(), Undo::FromPlan(_)));
        assert_eq!(
            made.claims("h1"),
            vec![object("h1", ObjectKind::Network, "zk-net")]
        );
        for step in [CreateStep::Preflight, CreateStep::Check { index: 0 }] {
            assert!(step.leftovers("h1", "zk").is_empty());
            assert_eq!(step.undo(), Undo::Nothing);
        }
    }
}
