//! Operations: every mutating action goes through here, so that read-only
//! refusal and the audit record cannot be skipped by any front end.

pub mod audit;
pub mod haproxy_cfg;
pub mod job;
pub mod plan;
pub mod rolling;
mod run_scale;
pub mod runner;
pub mod scale;

pub use audit::{AuditLog, AuditRecord};
