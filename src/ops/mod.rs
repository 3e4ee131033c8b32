//! Operations: every mutating action goes through here, so that read-only
//! refusal and the audit record cannot be skipped by any front end.

pub mod audit;
pub mod backup;
pub mod backup_error;
pub mod backup_manifest;
pub mod backup_step;
pub mod backup_store;
pub mod claim;
pub mod claims;
pub mod cleanup_step;
pub mod db_account;
mod db_candidates;
pub mod db_cluster;
pub mod db_failover;
mod db_failover_steps;
pub mod db_fence;
pub mod db_rejoin;
pub mod db_role;
pub mod db_rolling;
pub mod db_sql;
pub mod db_topology;
pub mod docker_steps;
pub mod error;
pub mod exec;
pub mod haproxy_cfg;
pub mod haproxy_command;
pub mod haproxy_file;
pub mod job;
pub mod journal;
pub mod journal_holder;
pub mod journal_leftovers;
pub mod leases;
pub mod leftover;
pub mod plan;
pub mod restore_check;
pub mod rolling;
pub mod run_backup;
mod run_checks;
mod run_db;
mod run_db_account;
mod run_db_recover;
mod run_dump;
mod run_restore;
mod run_restore_check;
mod run_volume;
pub mod runner;
#[cfg(test)]
mod runner_tests;
pub mod scale;
pub mod scale_step;
pub mod server_ops;
mod step_tools;
mod stream_next;
pub mod tar_count;

pub use audit::{AuditLog, AuditRecord};
