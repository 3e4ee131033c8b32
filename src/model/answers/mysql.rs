//! What a MySQL or MariaDB server said about itself and its replication,
//! as `probes::mysql` parses it.

use serde::Serialize;

use crate::model::SafeText;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ThreadState {
    Yes,
    No,
    Connecting,
    Unknown,
}

impl ThreadState {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Yes => "yes",
            Self::No => "no",
            Self::Connecting => "connecting",
            Self::Unknown => "?",
        }
    }
}

/// One replication channel as a replica sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReplicaStatus {
    pub source_host: SafeText,
    pub source_port: Option<u16>,
    pub io_running: ThreadState,
    pub sql_running: ThreadState,
    /// None when the engine says NULL (a thread is stopped).
    pub seconds_behind: Option<u64>,
    /// MariaDB `Gtid_IO_Pos`, MySQL `Executed_Gtid_Set`.
    pub gtid_position: SafeText,
    pub last_io_error: SafeText,
    pub last_sql_error: SafeText,
}

impl ReplicaStatus {
    pub fn is_healthy(&self) -> bool {
        self.io_running == ThreadState::Yes && self.sql_running == ThreadState::Yes
    }
}

/// What a database said about itself and its replication.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DbProbe {
    pub server_id: Option<u64>,
    pub read_only: bool,
    pub version: SafeText,
    /// MariaDB `@@gtid_current_pos`, MySQL `@@gtid_executed`.
    pub gtid: SafeText,
    /// Set when this server replicates from another.
    pub replica: Option<ReplicaStatus>,
    /// Replicas registered with this server (`SHOW SLAVE HOSTS`): their hosts.
    pub replicas: Vec<SafeText>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum DbRole {
    Primary,
    Replica,
    Standalone,
}

impl DbRole {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Primary => "primary",
            Self::Replica => "replica",
            Self::Standalone => "standalone",
        }
    }
}

impl DbProbe {
    pub fn role(&self) -> DbRole {
        if self.replica.is_some() {
            DbRole::Replica
        } else if !self.replicas.is_empty() {
            DbRole::Primary
        } else {
            DbRole::Standalone
        }
    }
}
