//! Services probed through `docker exec`: the scripts run in containers,
//! pure parsers of what they print (into `model::answers`' types), and the
//! probe round that asks them. Everything a service says is foreign: the
//! parsers keep it as `SafeText`, sanitized once as it is read.

pub mod haproxy;
pub mod limit;
pub mod mysql;
pub mod nginx;
pub mod run;
pub mod zookeeper;

use crate::docker::HostError;
use crate::model::answers::ProbeError;

/// An exec that failed: the engine's text may quote the container. Here
/// and not beside `ProbeError`: the model does not know the docker layer.
impl From<HostError> for ProbeError {
    fn from(e: HostError) -> Self {
        Self::foreign(&e.to_string())
    }
}
