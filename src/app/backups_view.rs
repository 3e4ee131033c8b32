//! What the TUI knows of the backup directory: held by the state, below
//! the backup keys' logic (backups.rs) that works on the whole state.

use std::path::PathBuf;

use crate::ops::backup_store::{Listing, StoreError};

/// What the TUI knows of the backup directory.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BackupsView {
    /// None: no backup directory (backups unavailable).
    pub dir: Option<PathBuf>,
    pub listing: Listing,
    /// Why the directory could not be read, if it could not.
    pub error: Option<StoreError>,
}
