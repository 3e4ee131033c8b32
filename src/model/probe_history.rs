//! What the probes said over the last rounds, for the charts: each HAProxy
//! server's current sessions (`scur`) and each database replica's
//! replication lag (`Seconds_Behind_Master`). Fed by `ProbeBook::record`;
//! bounded: `KEPT` samples a series, a balancer's servers only those its
//! latest answer lists, and only containers the inventory still knows
//! (`retain_known`, so a re-list keeps the series of those still there).

use std::collections::{HashMap, VecDeque};

use super::answers::haproxy::{HaproxyProbe, ProxyKind};
use super::answers::mysql::DbProbe;
use super::answers::ProbeOutcome;
use super::inventory::{ContainerKey, Inventory};
use super::stats_history::sparkline;
use super::SafeText;

/// Rounds kept: at the default 2 s probe interval, the last two minutes.
pub const KEPT: usize = 60;

/// Replication lag the chart's top bar stands for at least: half a minute,
/// where the role cell turns from lagging to bad, so seconds of lag draw
/// low and a replica far behind draws high.
pub const LAG_TOP_SECS: u64 = 30;

/// Drawn for a round without a figure (a stopped replication thread, a
/// failed probe): a dot, so a gap reads as one without colour.
pub const GAP: char = '·';

/// One figure per probe round, `None` where the round had none.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Series {
    samples: VecDeque<Option<u64>>,
}

impl Series {
    pub fn push(&mut self, value: Option<u64>) {
        if self.samples.len() == KEPT {
            self.samples.pop_front();
        }
        self.samples.push_back(value);
    }

    pub fn len(&self) -> usize {
        self.samples.len()
    }

    pub fn is_empty(&self) -> bool {
        self.samples.is_empty()
    }

    /// The newest figure (None when the last round had none).
    pub fn last(&self) -> Option<u64> {
        self.samples.back().copied().flatten()
    }

    /// The highest of the last `width` figures (0 when none).
    pub fn peak(&self, width: usize) -> u64 {
        self.recent(width).flatten().max().unwrap_or(0)
    }

    /// The last `width` rounds, one bar each scaled to `top` (at least 1),
    /// a `GAP` for a round without a figure.
    pub fn line(&self, width: usize, top: u64) -> String {
        let top = top.max(1) as f64;
        self.recent(width)
            .map(|v| match v {
                Some(v) => sparkline(&[v as f64], top).chars().next().unwrap_or(GAP),
                None => GAP,
            })
            .collect()
    }

    fn recent(&self, n: usize) -> impl Iterator<Item = Option<u64>> + '_ {
        self.samples
            .iter()
            .skip(self.samples.len().saturating_sub(n))
            .copied()
    }
}

/// A server of a balancer: the balancer container, the backend, the server.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ServerKey {
    pub balancer: ContainerKey,
    pub backend: SafeText,
    pub server: SafeText,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct ProbeHistory {
    sessions: HashMap<ServerKey, Series>,
    lag: HashMap<ContainerKey, Series>,
}

impl ProbeHistory {
    /// An HAProxy round: each listed server's sessions. A failed round is a
    /// gap in every series of that balancer; servers its answer no longer
    /// lists are forgotten.
    pub fn record_haproxy(&mut self, key: &ContainerKey, result: &ProbeOutcome<HaproxyProbe>) {
        let Ok(probe) = result else {
            for (_, series) in self.sessions.iter_mut().filter(|(k, _)| k.balancer == *key) {
                series.push(None);
            }
            return;
        };
        let servers: Vec<ServerKey> = probe
            .rows
            .iter()
            .filter(|r| r.kind == ProxyKind::Server)
            .map(|r| ServerKey {
                balancer: key.clone(),
                backend: r.proxy.clone(),
                server: r.name.clone(),
            })
            .collect();
        self.sessions
            .retain(|k, _| k.balancer != *key || servers.contains(k));
        for (server, row) in servers
            .into_iter()
            .zip(probe.rows.iter().filter(|r| r.kind == ProxyKind::Server))
        {
            self.sessions
                .entry(server)
                .or_default()
                .push(Some(row.current_sessions));
        }
    }

    /// A database round: a replica's lag (a gap while a thread is stopped
    /// or the probe failed); a server that replicates from none has no
    /// lag, and its series goes.
    pub fn record_db(&mut self, key: &ContainerKey, result: &ProbeOutcome<DbProbe>) {
        let lag = match result {
            Ok(DbProbe {
                replica: Some(r), ..
            }) => r.seconds_behind,
            Ok(DbProbe { replica: None, .. }) => {
                self.lag.remove(key);
                return;
            }
            // Unreachable: unknown, but not a reason to forget what it did.
            Err(_) => match self.lag.get_mut(key) {
                Some(series) => return series.push(None),
                None => return,
            },
        };
        self.lag.entry(key.clone()).or_default().push(lag);
    }

    pub fn sessions(&self, server: &ServerKey) -> Option<&Series> {
        self.sessions.get(server)
    }

    pub fn lag(&self, key: &ContainerKey) -> Option<&Series> {
        self.lag.get(key)
    }

    /// Whether any replica has a lag series (the LAG column is worth its room).
    pub fn has_lag(&self) -> bool {
        !self.lag.is_empty()
    }

    /// The lag of `key` over the last `width` rounds, scaled to at least
    /// `LAG_TOP_SECS`; None without a series.
    pub fn lag_line(&self, key: &ContainerKey, width: usize) -> Option<String> {
        let series = self.lag.get(key)?;
        Some(series.line(width, series.peak(width).max(LAG_TOP_SECS)))
    }

    /// Forget the series of containers the inventory no longer has.
    pub fn retain_known(&mut self, inv: &Inventory) {
        self.sessions
            .retain(|k, _| inv.containers.contains_key(&k.balancer));
        self.lag.retain(|k, _| inv.containers.contains_key(k));
    }
}

#[cfg(test)]
#[path = "probe_history_tests.rs"]
mod tests;
