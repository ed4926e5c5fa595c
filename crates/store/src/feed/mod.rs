//! Feeding in-memory audience indexes: a consistent snapshot of every customer's facts, then the changes
//! since, read from the `customer_changes` log that ingest writes in the same transaction as its effects
//! (migration 0003 explains the watermark). An index that applies a snapshot and then every change set
//! holds exactly what the database held when the last change set was read.

pub(crate) mod facts;
pub(crate) mod postgres;
pub(crate) mod sqlite;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use converge_domain::segment::CustomerFacts;

use crate::StoreResult;
use converge_domain::WorkspaceId;

/// How far a reader has read the change log. Opaque: only the store that produced it interprets it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ChangeMark(pub i64);

/// Customers' current facts and the mark they are current to.
#[derive(Clone, Debug, Default)]
pub struct AudienceSnapshot {
    pub customers: Vec<(i64, CustomerFacts)>,
    pub mark: ChangeMark,
}

/// The change feed the audience index follows.
#[async_trait]
pub trait ChangeFeed: Send + Sync {
    /// Every customer's facts and the change mark they are current to, read at one instant.
    async fn audience_snapshot(&self, workspace_id: WorkspaceId) -> StoreResult<AudienceSnapshot>;

    /// The current facts of every customer changed since `since` (a superset is allowed), and the new mark.
    async fn audience_changes(&self, workspace_id: WorkspaceId, since: ChangeMark) -> StoreResult<AudienceSnapshot>;

    /// Deletes change-log rows recorded before `before`; returns how many.
    async fn prune_changes(&self, before: DateTime<Utc>) -> StoreResult<u64>;
}
