//! The plans, by domain: rolling restarts, balancer server operations,
//! scaling, database switchover/failover/rejoin, backups and restores.
//! Pure functions from what the panes know to a plan the kernel runs.

pub mod backup;
pub mod backup_store;
pub(crate) mod db_candidates;
pub mod db_failover;
pub(crate) mod db_failover_steps;
pub mod db_rejoin;
pub mod db_rolling;
pub mod lifecycle;
pub(crate) mod lifecycle_guards;
pub mod rolling;
pub(crate) mod rolling_gather;
pub(crate) mod rolling_member;
pub(crate) mod rolling_swarm;
pub mod scale;
pub mod server_ops;
