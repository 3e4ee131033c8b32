//! Named volumes.

use std::collections::BTreeMap;

use serde::Serialize;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Volume {
    pub host: String,
    pub name: String,
    pub driver: String,
    pub mountpoint: String,
    pub labels: BTreeMap<String, String>,
    /// Bytes, when the engine reports it (it may not, or not yet).
    pub size: Option<u64>,
}

/// A container that mounts a volume, for the Volumes pane's "used by" column.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct VolumeUser {
    pub container: String,
    pub running: bool,
    pub destination: String,
}

/// A container that mounts the volume to back up.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VolumeUserInfo {
    pub id: String,
    pub name: String,
    pub image: String,
    pub running: bool,
    /// A MySQL/MariaDB: pausing is the default for its volume.
    pub database: bool,
}
