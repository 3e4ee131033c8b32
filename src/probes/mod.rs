//! Services probed through `docker exec`: pure parsers of their answers,
//! and the probe loop that asks them.

pub mod haproxy;
pub mod mysql;
pub mod nginx;
pub mod run;
pub mod zookeeper;
