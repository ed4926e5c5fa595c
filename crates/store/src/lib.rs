//! Persistence for Converge behind one interface, [`Store`], with a PostgreSQL and a SQLite implementation.
//!
//! Both implementations pass the same conformance suite (`tests/conformance.rs`). Every business query is
//! scoped by `workspace_id`. What lives here: SQL, migrations, row mapping, batch application of ingested
//! records. What must not: HTTP, authentication policy, or the meaning of API scopes.

pub mod audience;
mod batch;
pub mod error;
pub mod model;
pub mod postgres;
mod saved;
pub mod segment;
pub mod sqlite;
pub mod testing;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use converge_domain::segment::{AttributeType, CustomerFacts, Rule};
use converge_domain::{Currency, IngestEnvelope};

pub use error::{StoreError, StoreResult};
pub use model::*;

/// Everything the application asks of its database.
#[async_trait]
pub trait Store: Send + Sync + 'static {
    /// Applies the migrations compiled into the binary. Safe to run on every start and from several nodes.
    async fn migrate(&self) -> StoreResult<()>;

    /// Checks the database answers (readiness).
    async fn ping(&self) -> StoreResult<()>;

    /// Which backend this is, for logs and metrics.
    fn backend(&self) -> Backend;

    /// Creates a workspace; [`StoreError::Conflict`] if the slug is taken.
    async fn create_workspace(&self, slug: &str, name: &str, currency: &Currency) -> StoreResult<Workspace>;

    async fn workspace_by_slug(&self, slug: &str) -> StoreResult<Option<Workspace>>;

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
