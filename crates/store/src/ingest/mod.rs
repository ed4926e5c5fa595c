//! Applying a batch of ingested records (see [`Ingest::apply_ingest`](crate::Ingest::apply_ingest)): the plan is
//! shared ([`crate::batch`]); the writing really differs — set-based statements over arrays on Postgres,
//! row-at-a-time prepared statements in one transaction on SQLite.

use async_trait::async_trait;
use converge_domain::IngestEnvelope;

use crate::{IngestOutcome, StoreResult};

pub(crate) mod postgres;
pub(crate) mod sqlite;

/// Applying ingested batches.
#[async_trait]
pub trait Ingest: Send + Sync {
    /// Applies a batch of ingested records in one transaction: customer profiles are upserted (newer
    /// `received_at` wins, omitted fields are kept), orders are inserted once per `(workspace, external_id)`,
    /// customers named by an order but not yet known are created as bare profiles, and the aggregates of a
    /// customer move only for orders this call actually inserted — so a redelivered batch changes nothing.
    async fn apply_ingest(&self, batch: &[IngestEnvelope]) -> StoreResult<IngestOutcome>;
}
