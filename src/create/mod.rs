//! Creating clusters from a spec (the wizard and `tugboat create`): the
//! spec, and the plan of objects, setup and checks built from it. Pure.

pub mod app;
pub mod database;
pub mod plan;
pub mod spec;
mod zookeeper;

#[cfg(test)]
mod plan_tests;
