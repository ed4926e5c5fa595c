//! The OpenID Connect relying party (`converge_server::auth::oidc`) against a real OpenID provider: npm's
//! `oidc-provider`, started from `tests/oidc-provider` on a free 127.0.0.1 port for each test.
//!
//! `provider` starts it and drives a sign-in the way a browser would (following the provider's own
//! redirects, with cookies) until the redirect to our callback; `responder` is a one-answer HTTP server for
//! the discovery edge cases.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // a test (or a bench tool) says what it expects by panicking

mod discovery;
mod flow;
mod provider;
mod responder;
mod tokens;
