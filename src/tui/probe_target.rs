//! What one probe loop watches: a shown service, by container and kind.
//! Below the probe loops and the inbox lane that coalesces their answers.

use crate::model::ContainerKey;
use crate::probes::run::ProbeKind;

pub type Target = (ContainerKey, ProbeKind);
