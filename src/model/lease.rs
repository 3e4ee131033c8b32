//! A lease an engine keeps for a tugboat job (docker/lease.rs takes and
//! gives them back; ops/base/leases.rs reads who holds one): as listed, its
//! volume name and labels, foreign text until read through ops::leases.

use std::collections::BTreeMap;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LeaseRecord {
    pub name: String,
    pub labels: BTreeMap<String, String>,
}
