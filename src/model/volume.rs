//! Named volumes.

use std::collections::BTreeMap;

use serde::Serialize;

use super::text::SafeText;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Volume {
    pub host: String,
    pub name: SafeText,
    pub driver: SafeText,
    pub mountpoint: SafeText,
    pub labels: BTreeMap<SafeText, SafeText>,
    /// Bytes, when the engine reports it (it may not, or not yet).
    pub size: Option<u64>,
}

/// A container that mounts a volume, for the Volumes pane's "used by" column.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct VolumeUser {
    pub container: SafeText,
    pub running: bool,
    pub destination: SafeText,
}

/// A container that mounts the volume to back up.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VolumeUserInfo {
    pub id: String,
    pub name: SafeText,
    pub image: SafeText,
    pub running: bool,
    /// A MySQL/MariaDB: pausing is the default for its volume.
    pub database: bool,
}
