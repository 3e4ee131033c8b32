//! The engines' step executor and what a running step gets, below the
//! step runners that use them (the `StepExec` trait and the dispatch over
//! every kind of step are in exec.rs).

use std::future::Future;
use std::pin::Pin;

use tokio::sync::watch;

use super::error::{StepError, StepResult};
use crate::config::Settings;
use crate::docker::HostHandle;

pub type StepFuture<'a> = Pin<Box<dyn Future<Output = StepResult> + Send + 'a>>;

/// What a running step gets besides its op: the switch that asks it to
/// stop early (turned only before a point of no return), and a way to say
/// what it found (shown as progress, e.g. a create's checks).
#[derive(Clone, Copy)]
pub struct StepCx<'a> {
    pub cancel: &'a watch::Receiver<bool>,
    pub say: &'a (dyn Fn(String) + Send + Sync),
}

/// Steps against the configured hosts' engines.
#[derive(Clone)]
pub struct DockerSteps {
    hosts: Vec<HostHandle>,
    settings: Settings,
}

impl DockerSteps {
    /// The handles share one record of the task containers swarm replaces
    /// during this executor's jobs (docker/moves.rs).
    pub fn new(hosts: Vec<HostHandle>, settings: Settings) -> Self {
        let moves = crate::docker::Moves::default();
        let hosts = hosts.into_iter().map(|h| h.sharing_moves(&moves)).collect();
        Self { hosts, settings }
    }

    pub fn hosts(&self) -> &[HostHandle] {
        &self.hosts
    }

    pub fn settings(&self) -> &Settings {
        &self.settings
    }

    pub fn host(&self, name: &str) -> StepResult<&HostHandle> {
        self.hosts
            .iter()
            .find(|h| h.name == name)
            .ok_or_else(|| StepError::UnknownHost(name.to_string()))
    }
}
