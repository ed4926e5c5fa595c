//! Segment rules against real databases: the evaluator/SQLite/Postgres property, injection attempts, and
//! workspace isolation. Postgres runs when reachable and is mandatory with `CI=true`.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // a test (or a bench tool) says what it expects by panicking

#[allow(dead_code)]
#[path = "../support/mod.rs"]
mod support;

mod boundaries;
mod data;
mod injection;
mod isolation;
mod property;
mod rules;

use support::Backend;

/// Runs each listed `async fn(&dyn Store)` once per backend, like the conformance suite.
macro_rules! on_both_backends {
    ($($name:ident),* $(,)?) => {
        mod sqlite { $( #[tokio::test] async fn $name() { if let Some(b) = crate::Backend::sqlite().await { super::$name(b.store()).await } } )* }
        mod postgres { $( #[tokio::test] async fn $name() { if let Some(b) = crate::Backend::postgres().await { super::$name(b.store()).await } } )* }
    };
}
pub(crate) use on_both_backends;
