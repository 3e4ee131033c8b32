//! Operations: every mutating action goes through here, so that read-only
//! refusal and the audit record cannot be skipped by any front end.

pub mod audit;
pub mod db_failover;
pub mod db_sql;
pub mod job;
pub mod plan;
mod run_db;
pub mod runner;

pub use audit::{AuditLog, AuditRecord};
