//! Campaigns and their delivery log (`communication_log`) on both backends: creation with the audience
//! snapshot, the campaign life cycle, claiming messages for dispatch, dispatch results, vendor receipts,
//! and reading the log.
//!
//! Invariants every writer here keeps (the conformance suite checks them after each step):
//!
//! - a message's status only moves forward, PENDING → SENT | FAILED | SKIPPED (the one way back is an
//!   explicit [`retry_failed`](crate::Store::retry_failed)); every status write is guarded by
//!   `status = 'PENDING'`, so duplicate and late inputs change nothing;
//! - a campaign's counters change in the same transaction as the rows they count, by the number of rows
//!   that statement actually moved, so they always equal a `GROUP BY status` of its log;
//! - `next_attempt_at` is non-NULL exactly while a message waits to be sent (see the migration).
//!
//! Lock order on Postgres, to keep deadlocks rare: writers that change undispatched rows lock the
//! campaign row first (dispatch results shared, status changes exclusive), then log rows, then one counter
//! shard (`campaign_counts`, migration 0009: one shard per transaction); receipts only touch dispatched rows
//! and lock them first, then a shard. No writer updates the campaign row for its counters, so dispatchers
//! and receipt appliers on any number of nodes do not queue behind one row. What remains (two batches
//! sharing messages, or a shard) is retried on deadlock. What must not live here: templates, channels and
//! vendor calls (the dispatcher's), HTTP.

mod claimed;
mod drafts;
mod launch;
pub(crate) mod log;
mod model;
pub(crate) mod overview;
pub(crate) mod postgres;
pub(crate) mod read;
pub(crate) mod sqlite;
mod steps;

use std::collections::{BTreeMap, HashSet};

use converge_domain::{CampaignId, CampaignStatus, DeliveryStatus, MessageId, ReceiptStatus};

pub use drafts::Drafts;
pub use launch::Launch;
pub use log::CampaignLog;
pub use model::*;
pub use overview::CampaignOverview;
pub use read::Campaigns;
pub use steps::{Dispatch, Lifecycle, Receipts};

use crate::codec::At;

/// The error of messages skipped because their campaign was cancelled.
pub(crate) const CANCELLED: &str = "campaign cancelled";

/// Keeps the first item per key, in order: within a batch the first receipt or result for a message wins,
/// and set-based SQL needs unique keys anyway.
pub(crate) fn first_per_key<'a, T, K: std::hash::Hash + Eq>(items: &'a [T], key: impl Fn(&'a T) -> K) -> Vec<&'a T> {
    let mut seen = HashSet::with_capacity(items.len());
    items.iter().filter(|item| seen.insert(key(item))).collect()
}

/// Counter changes per campaign, applied in campaign id order.
#[derive(Debug, Default)]
pub(crate) struct Deltas(BTreeMap<CampaignId, [i64; 4]>);

impl Deltas {
    /// One message of `campaign` moved from PENDING to `to`.
    pub(crate) fn moved(&mut self, campaign: CampaignId, to: DeliveryStatus) {
        self.add(campaign, DeliveryStatus::Pending, -1);
        self.add(campaign, to, 1);
    }

    pub(crate) fn add(&mut self, campaign: CampaignId, status: DeliveryStatus, n: i64) {
        let slot = match status {
            DeliveryStatus::Pending => 0,
            DeliveryStatus::Sent => 1,
            DeliveryStatus::Failed => 2,
            DeliveryStatus::Skipped => 3,
        };
        self.0.entry(campaign).or_default()[slot] += n;
    }

    /// `(campaign, [pending, sent, failed, skipped])` by campaign id.
    pub(crate) fn iter(&self) -> impl Iterator<Item = (CampaignId, [i64; 4])> + '_ {
        self.0.iter().filter(|(_, d)| d.iter().any(|n| *n != 0)).map(|(id, d)| (*id, *d))
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.iter().next().is_none()
    }
}

/// A receipt parked in `unmatched_receipts` until its message is known, as both backends read it back.
pub(crate) type Parked = (MessageId, String, String, ReceiptStatus, Option<String>, At, bool);

/// The columns of `unmatched_receipts` that make a [`Parked`] row.
pub(crate) const PARKED_COLUMNS: &str = "log_id, route, vendor_message_id, status, error, occurred_at, permanent";

pub(crate) fn unpark((log_id, route, vendor_message_id, status, error, at, permanent): Parked) -> ReceiptUpdate {
    ReceiptUpdate { log_id, route, vendor_message_id, status, error, at: at.0, permanent }
}

/// How a dispatch outcome is named in SQL.
pub(crate) fn kind(outcome: &DispatchOutcome) -> &'static str {
    match outcome {
        DispatchOutcome::Accepted { .. } => "accepted",
        DispatchOutcome::Skipped { .. } => "skipped",
        DispatchOutcome::Retry { .. } => "retry",
        DispatchOutcome::Deferred { .. } => "deferred",
        DispatchOutcome::Failed { .. } => "failed",
    }
}

/// The error text an outcome stores (`None` for an acceptance, which clears the last transient error).
pub(crate) fn outcome_error(outcome: &DispatchOutcome) -> Option<&str> {
    match outcome {
        DispatchOutcome::Accepted { .. } => None,
        DispatchOutcome::Skipped { reason } => Some(reason),
        DispatchOutcome::Retry { error, .. } | DispatchOutcome::Failed { error } => Some(error),
        DispatchOutcome::Deferred { reason, .. } => Some(reason),
    }
}

/// When a retried or deferred message is due again.
pub(crate) fn due_again(outcome: &DispatchOutcome) -> Option<chrono::DateTime<chrono::Utc>> {
    match outcome {
        DispatchOutcome::Retry { next_attempt_at, .. } => Some(*next_attempt_at),
        DispatchOutcome::Deferred { until, .. } => Some(*until),
        _ => None,
    }
}

/// The statuses of `from` that may move to `to`: the domain's transition table guards the SQL, so a
/// caller's mistake cannot make an illegal move.
pub(crate) fn allowed_from(from: &[CampaignStatus], to: CampaignStatus) -> Vec<&'static str> {
    from.iter().filter(|f| CampaignStatus::can_transition(**f, to)).map(|f| f.as_str()).collect()
}

/// A stats value from its stored counters.
pub(crate) fn stats(pending: i64, sent: i64, failed: i64, skipped: i64) -> CampaignStats {
    CampaignStats { audience: pending + sent + failed + skipped, pending, sent, failed, skipped }
}

/// Log counts from `(status, count)` rows.
pub(crate) fn count_stats(rows: Vec<(DeliveryStatus, i64)>) -> CampaignStats {
    let mut by = [0i64; 4];
    for (status, n) in rows {
        let slot = match status {
            DeliveryStatus::Pending => 0,
            DeliveryStatus::Sent => 1,
            DeliveryStatus::Failed => 2,
            DeliveryStatus::Skipped => 3,
        };
        by[slot] += n;
    }
    stats(by[0], by[1], by[2], by[3])
}
