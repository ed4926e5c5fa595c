//! The identity store on both backends: users and linked identities, memberships, domain rules,
//! invitations, sessions, login flows, setup tokens, API keys and the audit log. Postgres runs when
//! reachable and is mandatory with `CI=true`.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // a test (or a bench tool) says what it expects by panicking

#[allow(dead_code)]
#[path = "../support/mod.rs"]
mod support;

mod access;
mod keys;
mod members;
mod users;

use chrono::{DateTime, Duration, Utc};
use converge_domain::WorkspaceId;
use converge_store::{NewUser, Store, StoreError, User};
use support::{inr, Backend};

/// Runs each listed `async fn(&dyn Store)` once per backend, like the conformance suite.
macro_rules! on_both_backends {
    ($($name:ident),* $(,)?) => {
        mod sqlite { $( #[tokio::test] async fn $name() { if let Some(b) = crate::Backend::sqlite().await { super::$name(b.store()).await } } )* }
        mod postgres { $( #[tokio::test] async fn $name() { if let Some(b) = crate::Backend::postgres().await { super::$name(b.store()).await } } )* }
    };
}
pub(crate) use on_both_backends;

/// The tests' clock: a whole millisecond, since SQLite stores milliseconds.
pub fn t0() -> DateTime<Utc> {
    "2026-03-01T10:00:00Z".parse().unwrap()
}

pub fn secs(n: i64) -> Duration {
    Duration::seconds(n)
}

pub fn new_user(email: &str, password_hash: Option<&str>) -> NewUser {
    NewUser {
        email: email.into(),
        name: Some(email.split('@').next().unwrap().into()),
        password_hash: password_hash.map(str::to_owned),
        email_verified: false,
    }
}

/// A user without a password, created at `t0`.
pub async fn user(store: &dyn Store, email: &str) -> User {
    store.create_user(&new_user(email, None), t0()).await.unwrap()
}

pub async fn workspace(store: &dyn Store, slug: &str) -> WorkspaceId {
    store.create_workspace(slug, &format!("{slug} Ltd"), &inr()).await.unwrap().id
}

/// A 32-byte stand-in for a SHA-256 hash.
pub fn hash(n: u8) -> Vec<u8> {
    vec![n; 32]
}

pub fn is_conflict<T: std::fmt::Debug>(result: Result<T, StoreError>) -> bool {
    matches!(result, Err(StoreError::Conflict(_)))
}
