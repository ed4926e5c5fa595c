//! The channels against real peers on 127.0.0.1: the vendor simulator over HTTP, and Debian's aiosmtpd as
//! the SMTP relay. One test binary for the crate (fewer binaries build faster).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // a test (or a bench tool) says what it expects by panicking

mod smtp;
mod smtp_server;
mod vendor;
