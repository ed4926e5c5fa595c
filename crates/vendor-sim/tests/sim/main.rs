//! The simulator's integration tests: the real HTTP server on 127.0.0.1, a real receiving server as the
//! callback target. One test binary, one module per concern.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // a test (or a bench tool) says what it expects by panicking

mod chaos;
mod idempotency;
mod receipts;
mod send;
mod support;
mod throughput;
