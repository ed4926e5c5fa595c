//! Persistence for Converge behind one interface, [`Store`], with a PostgreSQL and a SQLite implementation.
//!
//! Both implementations pass the same conformance suite (`tests/conformance.rs`). Every business query is
//! scoped by `workspace_id`. What lives here: SQL, migrations, row mapping, batch application of ingested
//! records. What must not: HTTP, authentication policy, or the meaning of API scopes.

pub mod audience;
mod backend;
mod batch;
mod campaigns;
mod codec;
mod customers;
mod daily;
pub mod error;
pub mod identity;
mod ingest;
pub mod insights;
pub mod model;
pub mod postgres;
mod saved;
pub mod segment;
mod settings;
pub mod sqlite;
mod store;
mod workspaces;
// Test support (a database per test): failing loudly is its job.
#[allow(clippy::panic, clippy::unwrap_used, clippy::expect_used)]
pub mod testing;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use converge_domain::segment::{AttributeType, CustomerFacts, Rule};
use converge_domain::{CampaignStatus, Currency, DeliveryStatus, IngestEnvelope};

pub use campaigns::{
    CampaignRow, CampaignStats, ClaimedDelivery, DeliveryRoute, DispatchOutcome, DispatchResult, DispatchSummary,
    LogRow, NewCampaign, NewDeliveryRoute, ReceiptOutcome, ReceiptUpdate, TimelinePoint,
};
pub use error::{StoreError, StoreResult};
pub use identity::*;
pub use insights::CampaignBreakdown;
pub use model::*;

/// Everything the application asks of its database.
#[async_trait]
pub trait Store: IdentityStore + Send + Sync + 'static {
    /// Applies the migrations compiled into the binary. Safe to run on every start and from several nodes.
    async fn migrate(&self) -> StoreResult<()>;

    /// Checks the database answers (readiness).
    async fn ping(&self) -> StoreResult<()>;

    /// Which backend this is, for logs and metrics.
    fn backend(&self) -> Backend;

    /// Creates a workspace; [`StoreError::Conflict`] if the slug is taken.
    async fn create_workspace(&self, slug: &str, name: &str, currency: &Currency) -> StoreResult<Workspace>;

    async fn workspace_by_slug(&self, slug: &str) -> StoreResult<Option<Workspace>>;

    async fn workspace(&self, id: i64) -> StoreResult<Option<Workspace>>;

    /// Stores a new API key (its hash, never the key).
    async fn create_api_key(&self, key: &NewApiKey) -> StoreResult<ApiKeyInfo>;

    /// Finds a non-revoked key by the hash of the presented secret.
    async fn api_key_by_hash(&self, hash: &[u8]) -> StoreResult<Option<ApiKeyGrant>>;

    /// Records that keys were used (written in batches, not per request).
    async fn touch_api_keys(&self, ids: &[i64], at: DateTime<Utc>) -> StoreResult<()>;

    /// Applies a batch of ingested records in one transaction: customer profiles are upserted (newer
    /// `received_at` wins, omitted fields are kept), orders are inserted once per `(workspace, external_id)`,
    /// customers named by an order but not yet known are created as bare profiles, and the aggregates of a
    /// customer move only for orders this call actually inserted — so a redelivered batch changes nothing.
    async fn apply_ingest(&self, batch: &[IngestEnvelope]) -> StoreResult<IngestOutcome>;

    /// One page of a workspace's customers, newest first.
    async fn list_customers(&self, workspace_id: i64, query: &CustomerQuery) -> StoreResult<Vec<CustomerRow>>;

    async fn customer(&self, workspace_id: i64, external_id: &str) -> StoreResult<Option<CustomerRow>>;

    /// A customer's most recent orders, newest first.
    async fn customer_orders(&self, workspace_id: i64, customer_id: i64, limit: u32) -> StoreResult<Vec<OrderRow>>;

    /// Row counts of a workspace.
    /// Customers by internal id (a preview's sample), ordered by id; ids of other workspaces are ignored.
    async fn customers_by_ids(&self, workspace_id: i64, ids: &[i64]) -> StoreResult<Vec<CustomerRow>>;

    /// Saves a segment; [`StoreError::Conflict`] if the workspace has one with that name.
    async fn create_segment(&self, workspace_id: i64, write: &SegmentWrite) -> StoreResult<SavedSegment>;

    /// A workspace's saved segments, most recently changed first.
    async fn list_segments(&self, workspace_id: i64) -> StoreResult<Vec<SavedSegment>>;

    async fn segment(&self, workspace_id: i64, id: i64) -> StoreResult<Option<SavedSegment>>;

    /// Replaces a segment's name, description, rule and count; `None` if there is no such segment.
    async fn update_segment(
        &self,
        workspace_id: i64,
        id: i64,
        write: &SegmentWrite,
    ) -> StoreResult<Option<SavedSegment>>;

    /// Deletes a segment; false if there was none.
    async fn delete_segment(&self, workspace_id: i64, id: i64) -> StoreResult<bool>;

    /// Records the size a segment had at `at`.
    async fn record_segment_count(&self, workspace_id: i64, id: i64, count: i64, at: DateTime<Utc>) -> StoreResult<()>;

    /// Every customer's facts and the change mark they are current to, read at one instant.
    async fn audience_snapshot(&self, workspace_id: i64) -> StoreResult<audience::AudienceSnapshot>;

    /// The current facts of every customer changed since `since` (a superset is allowed), and the new mark.
    async fn audience_changes(
        &self,
        workspace_id: i64,
        since: audience::ChangeMark,
    ) -> StoreResult<audience::AudienceSnapshot>;

    /// Deletes change-log rows recorded before `before`; returns how many.
    async fn prune_changes(&self, before: DateTime<Utc>) -> StoreResult<u64>;

    async fn counts(&self, workspace_id: i64) -> StoreResult<Counts>;

    /// What ingestion added to the workspace per UTC day, oldest first, only days with something: kept by the
    /// ingest transaction, so the sums over every day equal the workspace's customers, orders and revenue.
    async fn ingest_days(&self, workspace_id: i64) -> StoreResult<Vec<IngestDay>>;

    /// How many of the workspace's campaigns are in each status (statuses with none are left out).
    async fn campaign_status_counts(
        &self,
        workspace_id: i64,
    ) -> StoreResult<Vec<(converge_domain::CampaignStatus, i64)>>;

    /// The messages of the workspace's campaigns to one customer (by internal id), newest campaign first,
    /// campaigns with an id below `before_campaign` when given.
    async fn customer_messages(
        &self,
        workspace_id: i64,
        customer_id: i64,
        before_campaign: Option<i64>,
        limit: u32,
    ) -> StoreResult<Vec<CustomerMessage>>;

    /// How many of the workspace's customers `rule` selects at `now`: exactly the customers for which
    /// [`Rule::matches`] holds on their [`Store::customer_facts`], at the moment of the query. `rule` must
    /// have been parsed with the workspace's currency.
    async fn segment_count(&self, workspace_id: i64, rule: &Rule, now: DateTime<Utc>) -> StoreResult<u64>;

    /// The first `limit` customers `rule` selects at `now`, by ascending id.
    async fn segment_sample(
        &self,
        workspace_id: i64,
        rule: &Rule,
        now: DateTime<Utc>,
        limit: u32,
    ) -> StoreResult<Vec<CustomerRow>>;

    /// Ids of every customer `rule` selects at `now`, ascending.
    async fn segment_ids(&self, workspace_id: i64, rule: &Rule, now: DateTime<Utc>) -> StoreResult<Vec<i64>>;

    /// Each custom attribute key used in the workspace with the JSON type most customers hold under it
    /// (ties: string, then number), sorted by key; feed it to
    /// [`Catalogue::with_attributes`](converge_domain::segment::Catalogue::with_attributes). Scans every
    /// customer's attributes, so callers should cache it.
    async fn attribute_types(&self, workspace_id: i64) -> StoreResult<Vec<(String, AttributeType)>>;

    /// Every customer of the workspace with the facts rules are evaluated on (orders included, oldest
    /// first), by ascending id: for building in-memory indexes and for checking them against SQL.
    async fn customer_facts(&self, workspace_id: i64) -> StoreResult<Vec<(i64, CustomerFacts)>>;

    // --- Campaigns and delivery (see the `campaigns` module for the invariants) ---

    /// Creates a `scheduled` campaign and, in the same transaction, snapshots its audience into
    /// `communication_log`: one PENDING row per customer of the workspace that `new.rule` selects at `now`
    /// (the same SQL as [`Store::segment_count`], so a preview's count at `now` is the audience), due at
    /// `send_at`. `stats.audience` and `stats.pending` are the number of rows inserted. When the rule selects
    /// nobody, nothing is written and the answer is [`StoreError::EmptyAudience`] (checked inside the
    /// transaction, so a preview that counted some and a launch that finds none cannot leave an empty campaign).
    ///
    /// With an `idempotency_key` already used in the workspace, returns that campaign with `false` and
    /// writes nothing, whatever else `new` says; concurrent creates with one key make exactly one campaign.
    /// Returns the campaign and whether this call created it.
    async fn create_campaign(
        &self,
        workspace_id: i64,
        new: &NewCampaign,
        now: DateTime<Utc>,
    ) -> StoreResult<(CampaignRow, bool)>;

    /// One page of a workspace's campaigns, newest first (`before_id`: the previous page's last id).
    async fn list_campaigns(
        &self,
        workspace_id: i64,
        before_id: Option<i64>,
        limit: u32,
    ) -> StoreResult<Vec<CampaignRow>>;

    async fn campaign(&self, workspace_id: i64, id: i64) -> StoreResult<Option<CampaignRow>>;

    /// The workspace's campaign created with this idempotency key, if any (so a replay is answered without
    /// validating its request again: the first request's checks held when it was made).
    async fn campaign_by_idempotency_key(&self, workspace_id: i64, key: &str) -> StoreResult<Option<CampaignRow>>;

    /// Compare-and-set of a campaign's status: moves it to `to` only if its current status is one of `from`
    /// and the domain allows that move ([`CampaignStatus::can_transition`]; `completed` also needs nothing
    /// pending). `None` when there is no such campaign in the workspace or the move is not allowed now: read
    /// [`Store::campaign`] to answer 404 or 409. Moving to `running` sets `launched_at` the first time;
    /// `completed`/`cancelled` set `completed_at`.
    ///
    /// Cancelling also marks the campaign's waiting messages SKIPPED ("campaign cancelled"), except those
    /// a worker holds under a live claim: their result is recorded as it happens (a `Retry` becomes SKIPPED),
    /// and if the claim lapses, [`Store::finish_campaigns`] skips them. Messages the vendor already accepted
    /// keep waiting for their receipt.
    async fn set_campaign_status(
        &self,
        workspace_id: i64,
        id: i64,
        from: &[CampaignStatus],
        to: CampaignStatus,
        now: DateTime<Utc>,
    ) -> StoreResult<Option<CampaignRow>>;

    /// The scheduler's tick, part one: every `scheduled` campaign whose `send_at` has come becomes `running`
    /// (all workspaces). Returns their ids, ascending.
    async fn start_due_campaigns(&self, now: DateTime<Utc>) -> StoreResult<Vec<i64>>;

    /// The scheduler's tick, part two: applies parked receipts whose message is now known (closing the race
    /// between a receipt and its dispatch result), skips cancelled campaigns' messages whose claim lapsed,
    /// then completes every `running` campaign with nothing pending (all workspaces). Returns the completed
    /// campaigns' ids, ascending. Call it every few seconds.
    async fn finish_campaigns(&self, now: DateTime<Utc>) -> StoreResult<Vec<i64>>;

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

    /// Applies a batch of vendor receipts in one statement (Postgres) or one transaction (SQLite), counters
    /// included. A receipt settles its message (`log_id`) only if the message was accepted through the
    /// receipt's route under the receipt's vendor id, and only while it is PENDING, so duplicates, late
    /// receipts, a SENT after a FAILED and receipts through another route change nothing (the first one
    /// applied wins; within a batch, the earlier one). A receipt for a message whose acceptance is not
    /// recorded yet is counted `unknown` and parked for exactly that message, route and vendor id (see
    /// [`Store::record_dispatch`], [`Store::finish_campaigns`], [`Store::prune_unmatched_receipts`]).
    async fn apply_receipts(&self, receipts: &[ReceiptUpdate], now: DateTime<Utc>) -> StoreResult<ReceiptOutcome>;

    /// Which of `log_ids` (`communication_log` ids, the references Converge gives the vendor) exist, ascending,
    /// in `workspace_id` when given, else in any workspace: the receipt endpoint refuses receipts for messages
    /// that are not the route's to report on.
    async fn known_messages(&self, workspace_id: Option<i64>, log_ids: &[i64]) -> StoreResult<Vec<i64>>;

    /// The workspace's channel settings as last stored (JSON; the server validates them), if ever stored.
    async fn channel_settings(&self, workspace_id: i64) -> StoreResult<Option<serde_json::Value>>;

    /// Replaces the workspace's channel settings and, in the same transaction, keeps `routes` (the delivery
    /// routes the settings name; routes already kept are left as they are, and none is ever deleted, so a
    /// previous vendor's late receipts still verify).
    async fn put_channel_settings(
        &self,
        workspace_id: i64,
        channels: &serde_json::Value,
        routes: &[NewDeliveryRoute],
        now: DateTime<Utc>,
    ) -> StoreResult<()>;

    /// A workspace's delivery route by its id (`rt_…`), for verifying the receipts posted to it.
    async fn delivery_route(&self, route: &str) -> StoreResult<Option<DeliveryRoute>>;

    /// Forgets parked receipts received before `before` (they never matched a message); returns how many.
    async fn prune_unmatched_receipts(&self, before: DateTime<Utc>) -> StoreResult<u64>;

    /// A user's "retry failed": every FAILED message of the campaign becomes PENDING again, due at `now`,
    /// with attempts reset, a new generation, and error and vendor id cleared (so a late receipt for the
    /// failed attempt matches nothing); a completed campaign goes back to running. Returns how many were
    /// retried, or `None` if the campaign is not in the workspace or is cancelled.
    async fn retry_failed(&self, workspace_id: i64, campaign_id: i64, now: DateTime<Utc>) -> StoreResult<Option<u64>>;

    /// One page of a campaign's log in id order, optionally only one status; `after_id` is the previous
    /// page's last id. Empty for a campaign of another workspace.
    async fn campaign_log(
        &self,
        workspace_id: i64,
        campaign_id: i64,
        status: Option<DeliveryStatus>,
        after_id: Option<i64>,
        limit: u32,
    ) -> StoreResult<Vec<LogRow>>;

    /// The campaign's messages by status, counted from the log itself (the campaign's counters must equal
    /// it; this is the check, not the fast path).
    async fn campaign_log_counts(&self, workspace_id: i64, campaign_id: i64) -> StoreResult<CampaignStats>;

    /// SENT and FAILED outcomes per `bucket` of their `completed_at`, oldest first, empty buckets left out.
    /// Reads the whole campaign's log: cache it for big campaigns.
    async fn campaign_timeline(
        &self,
        workspace_id: i64,
        campaign_id: i64,
        bucket: chrono::Duration,
    ) -> StoreResult<Vec<TimelinePoint>>;

    // --- Insights (see the `insights` module) ---

    /// The campaign's messages grouped by failure reason, skip reason, the recipient's city and band of
    /// their total spend (`spend_bounds` in minor units, ascending; at most 20 are used); reasons and cities
    /// at most `limit` each. Empty for a campaign of another workspace.
    async fn campaign_breakdown(
        &self,
        workspace_id: i64,
        campaign_id: i64,
        spend_bounds: &[i64],
        limit: u32,
    ) -> StoreResult<CampaignBreakdown>;

    /// The workspace's cities with their number of customers, most customers first, at most `limit`
    /// (compared case-insensitively; one spelling each).
    async fn top_cities(&self, workspace_id: i64, limit: u32) -> StoreResult<Vec<(String, i64)>>;
}

/// Opens the store named by a URL: `postgres://…` or `sqlite://path` / `sqlite:path`.
pub async fn connect(url: &str, max_connections: u32) -> StoreResult<std::sync::Arc<dyn Store>> {
    if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        Ok(std::sync::Arc::new(postgres::PgStore::connect(url, max_connections).await?))
    } else if url.starts_with("sqlite:") {
        Ok(std::sync::Arc::new(sqlite::SqliteStore::connect(url).await?))
    } else {
        Err(StoreError::Config("database URL must start with postgres:// or sqlite:".into()))
    }
}
