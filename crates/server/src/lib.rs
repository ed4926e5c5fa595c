//! The `converge` application: HTTP API, workers and command line, assembled from the domain, store and
//! queue crates. `main.rs` only parses the command line and calls into [`cli`].

pub mod admin;
pub mod ai;
pub mod auth;
pub mod catalogues;
pub mod cli;
pub mod config;
pub mod consent;
pub mod delivery;
pub mod demo;
pub mod http;
pub mod indexes;
pub mod metrics;
pub mod startup;
pub mod state;
pub mod telemetry;
pub mod workers;

pub use startup::Application;
