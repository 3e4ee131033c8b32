//! The kinds of step, one file each (containers, ZooKeeper, HAProxy,
//! databases, backups, scaling, cleanup, creation), and the runners they
//! call: each says beside how it runs what it touches, what it may leave
//! and how it is undone. Below the kernel, whose step list names them.

pub mod backup_step;
pub mod balancer_step;
pub mod cleanup_step;
pub mod container_step;
pub mod create_step;
pub(crate) mod db_checks;
pub mod db_fence;
pub(crate) mod db_furthest;
pub mod db_role;
pub mod db_step;
pub mod run_backup;
pub(crate) mod run_db;
pub(crate) mod run_db_account;
pub(crate) mod run_db_recover;
pub(crate) mod run_dump;
pub(crate) mod run_restore;
pub(crate) mod run_restore_check;
pub(crate) mod run_volume;
pub mod scale_step;
pub(crate) mod task_step;
pub mod user_step;
pub mod zk_step;
