//! Converge's HTTP and process tests, in one test binary (many binaries link slowly).
//!
//! `helpers` starts the real application in-process on a random port, in embedded mode (SQLite + embedded
//! queue) or production mode (a fresh Postgres database + Redis with its own key prefix). `process` runs the
//! real `converge` binary for end-to-end, crash and multi-worker tests.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // a test (or a bench tool) says what it expects by panicking

mod admin;
mod ai;
mod auth;
mod auth_attack;
mod auth_sessions;
mod authz_matrix;
mod backpressure;
mod bad_input;
mod brand;
mod campaign_drafts;
mod campaign_process;
mod campaigns;
mod campaigns_bad_input;
mod campaigns_log;
mod consent;
mod customers;
mod customers_list;
mod data_integrity;
mod dns_server;
mod domain_proof;
mod egress;
mod fake_vendor;
mod fuzz;
mod helpers;
mod imports;
mod ingest;
mod invitation_links;
mod mjml_email;
mod oidc_linking;
mod oidc_login;
mod openapi;
mod ops;
mod order_statuses;
mod overview;
mod plain_errors;
mod process;
mod receipts;
mod segments;
mod settings;
mod smtp_campaign;
mod templates;
mod tenant_receipts;
mod test_send;
mod web_assets;
