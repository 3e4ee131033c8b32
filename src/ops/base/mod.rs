//! What every kind of step and plan is made of, below them all: errors,
//! claims, leftovers, undo, what a running step gets, the leases and the
//! audit, and the vocabulary of the services (HAProxy commands and
//! files, SQL, backup manifests).

pub mod audit;
pub mod backup_error;
pub mod backup_manifest;
pub mod claim;
pub mod db_account;
pub mod db_cluster;
pub mod db_sql;
pub mod db_topology;
pub mod docker_steps;
pub mod error;
pub mod haproxy_cfg;
pub mod haproxy_command;
pub mod haproxy_file;
pub mod journal_holder;
pub mod leases;
pub mod leftover;
pub mod lifecycle_kind;
pub mod plan_kind;
pub mod restore_check;
pub(crate) mod step_tools;
pub(crate) mod stream_next;
pub mod tar_count;
pub mod undo;
