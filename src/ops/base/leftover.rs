//! What a cut-off job may have left, as its journal entry records it:
//! below the plans and steps that say what they may leave, and the journal
//! that keeps it (journal_leftovers.rs derives it from a plan).

use serde::{Deserialize, Serialize};

use super::haproxy_command::{BalancerCommand, BalancerServers, ServerRef};
use crate::model::new_objects::{JobToken, ObjectKind};

/// Something a cut-off job may have left.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Leftover {
    /// A container the job paused.
    Paused {
        host: String,
        id: String,
        name: String,
    },
    /// Helper containers of a volume's backup or restore.
    Helpers { host: String, volume: String },
    /// An archive being written.
    PartialFile { path: String },
    /// Objects of a cluster whose creation was cut off: exactly those the
    /// job was to make on `host`, in creation order (nothing else of the
    /// cluster, e.g. volumes a destroy kept).
    HalfMadeCluster {
        host: String,
        cluster: String,
        objects: Vec<(ObjectKind, String)>,
        /// The token the job labelled them with: an object by one of these
        /// names without it was made by someone else (a later create).
        #[serde(default)]
        job: Option<JobToken>,
    },
    /// A database primary a switchover fenced (read-only, a global read
    /// lock held for a while): safe again depends on whether `candidate`
    /// (host, id) was promoted — see `DbStep::RecoverFence`.
    FencedPrimary {
        host: String,
        id: String,
        flavor: super::db_sql::DbFlavor,
        candidate: (String, String),
        /// The balancer commands (host, balancer id, socket, command) that
        /// send writes back to it, were the candidate not promoted.
        writers_back: Vec<BalancerCommand>,
        /// Those that send writes to the candidate, were it promoted.
        writers_forward: Vec<BalancerCommand>,
        /// The writer written into balancers' haproxy.cfg (host, balancer
        /// id, backend, servers), were it promoted: a reload keeps it.
        cfg_forward: Vec<BalancerServers>,
        /// Every database server (host, id) the switchover acted on: none
        /// but the candidate may be writable when recover acts.
        #[serde(default)]
        members: Vec<(String, String)>,
    },
    /// A container the job stopped and meant to start again (a ZooKeeper
    /// leader moved off: stopped while the others elect).
    Stopped {
        host: String,
        id: String,
        name: String,
    },
    /// A server the job drained and meant to make ready again.
    DrainedServer {
        host: String,
        balancer_id: String,
        socket: String,
        server: ServerRef,
    },
}

/// What a switchover's plan does around its fence, for the fenced
/// primary it may leave: the candidate (host, id) it promotes, the writer
/// commands and haproxy.cfg after the promotion (forward), the undo of the
/// writers taken from the primary before the fence (back), and every
/// database server (host, id) it acts on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SwitchoverFacts {
    pub candidate: (String, String),
    pub writers_back: Vec<BalancerCommand>,
    pub writers_forward: Vec<BalancerCommand>,
    pub cfg_forward: Vec<BalancerServers>,
    pub members: Vec<(String, String)>,
}
