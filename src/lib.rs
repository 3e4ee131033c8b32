//! tugboat: a terminal UI for operating data clusters that run in Docker.
//!
//! Layers (see README): `docker` is the only module that talks to engines;
//! `model` is pure data and logic; `app` owns state and maps keys to actions;
//! `ui` renders state; `cli` holds the headless commands.

pub mod app;
pub mod cli;
pub mod config;
pub mod create;
pub mod docker;
pub mod model;
pub mod ops;
pub mod probes;
pub mod tui;
pub mod ui;

// Fuzzes the parsers of every layer, so it sits above them all.
#[cfg(test)]
mod fuzz_tests;

// Fails when a layer imports one above it: imports point down.
#[cfg(test)]
mod layering_tests;
