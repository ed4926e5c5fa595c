//! Applying a batch of ingested records (see [`Store::apply_ingest`](crate::Store::apply_ingest)): the plan is
//! shared ([`crate::batch`]); the writing really differs — set-based statements over arrays on Postgres,
//! row-at-a-time prepared statements in one transaction on SQLite.

pub(crate) mod postgres;
pub(crate) mod sqlite;
