//! What a ZooKeeper member answered to its four-letter words (`srvr`,
//! `mntr`), as `probes::zookeeper` parses it.

use serde::Serialize;

use crate::model::SafeText;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ZkMode {
    Leader,
    Follower,
    Observer,
    Standalone,
    /// Up but not serving: no quorum, or still electing.
    NotServing,
    /// No answer at all (container down, port closed, exec failed).
    Unreachable,
    /// Not probed yet.
    Unknown,
}

impl ZkMode {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Leader => "leader",
            Self::Follower => "follower",
            Self::Observer => "observer",
            Self::Standalone => "standalone",
            Self::NotServing => "not serving",
            Self::Unreachable => "unreachable",
            Self::Unknown => "probing…",
        }
    }

    /// Counts towards quorum: a voting member that is serving.
    pub fn is_voting_up(self) -> bool {
        matches!(self, Self::Leader | Self::Follower | Self::Standalone)
    }
}

/// What `srvr` says about a serving member.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ZkServerStats {
    pub version: SafeText,
    pub latency_min: f64,
    pub latency_avg: f64,
    pub latency_max: f64,
    pub received: u64,
    pub sent: u64,
    pub connections: u64,
    pub outstanding: u64,
    pub zxid: u64,
    pub mode: ZkMode,
    pub node_count: u64,
}

impl ZkServerStats {
    /// The election epoch: the high 32 bits of the zxid.
    pub fn epoch(&self) -> u64 {
        self.zxid >> 32
    }

    /// Transactions in this epoch: the low 32 bits.
    pub fn counter(&self) -> u64 {
        self.zxid & 0xffff_ffff
    }
}

/// Every answer a four-letter word can get; the member's words sanitized.
#[derive(Debug, Clone, PartialEq)]
pub enum ZkReply<T> {
    Ok(T),
    /// "This ZooKeeper instance is not currently serving requests".
    NotServing,
    /// "<cmd> is not executed because it is not in the whitelist."
    NotWhitelisted(SafeText),
    /// Anything else: a refused connection, an empty answer, garbage.
    Failed(SafeText),
}

/// The extra figures `mntr` has that `srvr` lacks (leader only).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ZkMonitor {
    pub followers: Option<u64>,
    pub synced_followers: Option<u64>,
    pub pending_syncs: Option<u64>,
    pub server_state: Option<SafeText>,
}

/// One probe round's answers from one member.
#[derive(Debug, Clone, PartialEq)]
pub struct ZkProbe {
    pub server_id: Option<u32>,
    /// `server.N` lines in the member's config (ensemble size); 0 standalone.
    pub configured: usize,
    /// The hosts those lines name, sorted: members that list the same hosts
    /// belong to the same ensemble.
    pub peers: Vec<SafeText>,
    pub srvr: ZkReply<ZkServerStats>,
    pub mntr: ZkReply<ZkMonitor>,
}

impl ZkProbe {
    /// The member's mode as the panes show it.
    pub fn mode(&self) -> ZkMode {
        match &self.srvr {
            ZkReply::Ok(stats) => stats.mode,
            ZkReply::NotServing => ZkMode::NotServing,
            ZkReply::NotWhitelisted(_) | ZkReply::Failed(_) => ZkMode::Unreachable,
        }
    }

    pub fn error(&self) -> Option<SafeText> {
        let text = match &self.srvr {
            ZkReply::Ok(_) => return None,
            ZkReply::NotServing => "not serving requests (no quorum?)".to_string(),
            ZkReply::NotWhitelisted(cmd) => format!("`{cmd}` is not in the 4lw whitelist"),
            ZkReply::Failed(e) => return Some(e.clone()),
        };
        Some(SafeText::from_foreign(&text))
    }
}
