//! The kernel: plans and their step list, the one executor, the job
//! runner, claims, and the journal of what a cut-off job may leave.

pub mod claims;
pub mod exec;
pub mod job;
pub mod journal;
pub mod journal_leftovers;
pub mod plan;
pub mod runner;
#[cfg(test)]
mod runner_tests;
