//! The campaign steps whose algorithms differ per backend (locks and counter shards on Postgres, one writer
//! on SQLite), as traits; each backend implements them in `postgres/` and `sqlite/`.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use converge_domain::{CampaignId, CampaignStatus, WorkspaceId};

use super::{CampaignRow, ClaimedDelivery, DispatchResult, DispatchSummary, ReceiptOutcome, ReceiptUpdate};
use crate::StoreResult;

/// A campaign's life: status changes, the scheduler's sweeps, retry.
#[async_trait]
pub trait Lifecycle: Send + Sync {
    /// Compare-and-set of a campaign's status: moves it to `to` only if its current status is one of `from`
    /// and the domain allows that move ([`CampaignStatus::can_transition`]; `completed` also needs nothing
    /// pending). `None` when there is no such campaign in the workspace or the move is not allowed now: read
    /// [`Campaigns::campaign`](crate::Campaigns::campaign) to answer 404 or 409. Moving to `running` sets `launched_at` the first time;
    /// `completed`/`cancelled` set `completed_at`.
    ///
    /// Cancelling also marks the campaign's waiting messages SKIPPED ("campaign cancelled"), except those
    /// a worker holds under a live claim: their result is recorded as it happens (a `Retry` becomes SKIPPED),
    /// and if the claim lapses, [`Lifecycle::finish_campaigns`](crate::Lifecycle::finish_campaigns) skips them. Messages the vendor already accepted
    /// keep waiting for their receipt.
    async fn set_campaign_status(
        &self,
        workspace_id: WorkspaceId,
        id: CampaignId,
        from: &[CampaignStatus],
        to: CampaignStatus,
        now: DateTime<Utc>,
    ) -> StoreResult<Option<CampaignRow>>;

    /// The scheduler's tick, part one: every `scheduled` campaign whose `send_at` has come becomes `running`
    /// (all workspaces). Returns their ids, ascending.
    async fn start_due_campaigns(&self, now: DateTime<Utc>) -> StoreResult<Vec<CampaignId>>;

    /// The scheduler's tick, part two: applies parked receipts whose message is now known (closing the race
    /// between a receipt and its dispatch result), skips cancelled campaigns' messages whose claim lapsed,
    /// then completes every `running` campaign with nothing pending (all workspaces). Returns the completed
    /// campaigns' ids, ascending. Call it every few seconds.
    async fn finish_campaigns(&self, now: DateTime<Utc>) -> StoreResult<Vec<CampaignId>>;

    /// A user's "retry failed": every FAILED message of the campaign becomes PENDING again, due at `now`,
    /// with attempts reset, a new generation, and error and vendor id cleared (so a late receipt for the
    /// failed attempt matches nothing); a completed campaign goes back to running. Returns how many were
    /// retried, or `None` if the campaign is not in the workspace or is cancelled.
    async fn retry_failed(
        &self,
        workspace_id: WorkspaceId,
        campaign_id: CampaignId,
        now: DateTime<Utc>,
    ) -> StoreResult<Option<u64>>;
}

/// Claiming due messages and recording what the vendor answered.
#[async_trait]
pub trait Dispatch: Send + Sync {
    /// Claims up to `limit` messages that are due: PENDING, not yet accepted by the vendor, `next_attempt_at
    /// <= now`, of `running` campaigns (oldest campaign first), and not under another live claim. Each
    /// claimed message gets `attempts + 1` and is the caller's until `now + lease`; after that another
    /// worker may claim it again (and should, if this one died). Safe with any number of workers on any
    /// number of nodes: no message is returned to two claims that overlap in time. Sorted by log id.
    async fn claim_deliveries(
        &self,
        worker: &str,
        limit: u32,
        lease: chrono::Duration,
        now: DateTime<Utc>,
    ) -> StoreResult<Vec<ClaimedDelivery>>;

    /// Records a batch of dispatch results in one transaction, counters included. Status only moves from
    /// PENDING: `Skipped` → SKIPPED, `Failed` → FAILED, `Retry` stays PENDING and is due again at its time
    /// (SKIPPED if the campaign was cancelled meanwhile), `Accepted` records the vendor's id, the route, the
    /// channel, address and message and waits for the receipt (applying it at once if it arrived first).
    /// Results of a claim that lapsed and was taken over are ignored, except `Accepted`, which is kept if the
    /// message has no vendor id yet. The first result per log id in the batch wins. Vendor ids need not be
    /// unique: they are facts about one message, matched together with its log id and route.
    async fn record_dispatch(&self, results: &[DispatchResult], now: DateTime<Utc>) -> StoreResult<DispatchSummary>;
}

/// Vendor delivery receipts.
#[async_trait]
pub trait Receipts: Send + Sync {
    /// Applies a batch of vendor receipts in one statement (Postgres) or one transaction (SQLite), counters
    /// included. A receipt settles its message (`log_id`) only if the message was accepted through the
    /// receipt's route under the receipt's vendor id, and only while it is PENDING, so duplicates, late
    /// receipts, a SENT after a FAILED and receipts through another route change nothing (the first one
    /// applied wins; within a batch, the earlier one). A receipt for a message whose acceptance is not
    /// recorded yet is counted `unknown` and parked for exactly that message, route and vendor id (see
    /// [`Dispatch::record_dispatch`](crate::Dispatch::record_dispatch), [`Lifecycle::finish_campaigns`](crate::Lifecycle::finish_campaigns), [`Receipts::prune_unmatched_receipts`](crate::Receipts::prune_unmatched_receipts)).
    async fn apply_receipts(&self, receipts: &[ReceiptUpdate], now: DateTime<Utc>) -> StoreResult<ReceiptOutcome>;

    /// Forgets parked receipts received before `before` (they never matched a message); returns how many.
    async fn prune_unmatched_receipts(&self, before: DateTime<Utc>) -> StoreResult<u64>;
}
