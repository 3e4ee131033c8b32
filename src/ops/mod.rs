//! Operations: every mutating action goes through here, so that read-only
//! refusal and the audit record cannot be skipped by any front end.
//!
//! Four folders, each below the next: `base` (what steps and plans are
//! made of), `steps` (the kinds of step and how each runs), `kernel` (the
//! step list, the executor, the runner, claims, the journal) and `plans`
//! (built from what the panes know). Every module keeps its path here.

pub mod base;
pub mod kernel;
pub mod plans;
pub mod steps;

pub use base::{
    audit, backup_error, backup_manifest, claim, db_account, db_cluster, db_sql, db_topology,
    docker_steps, error, haproxy_cfg, haproxy_command, haproxy_file, journal_holder, leases,
    leftover, restore_check, tar_count, undo,
};
pub use kernel::{claims, exec, job, journal, journal_leftovers, plan, runner};
pub use plans::{
    backup, backup_store, db_failover, db_rejoin, db_rolling, lifecycle, rolling, scale, server_ops,
};
pub use steps::{
    backup_step, balancer_step, cleanup_step, container_step, create_step, db_fence, db_role,
    db_step, run_backup, scale_step, zk_step,
};

pub use audit::{AuditLog, AuditRecord};
