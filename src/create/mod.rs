//! Creating clusters from a spec (the wizard and `tugboat create`): the
//! spec, and the plan of objects, setup and checks built from it (pure),
//! then applying that plan on the engines (`apply`, with rollback).

pub mod app;
pub mod apply;
pub mod database;
mod failure;
pub mod images;
pub mod objects;
pub mod plan;
pub mod prepare;
pub mod reach_check;
pub mod setup;
pub mod spec;
pub mod verify;
mod zookeeper;

#[cfg(test)]
mod plan_tests;
