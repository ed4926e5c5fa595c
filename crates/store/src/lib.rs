//! Persistence for Converge behind one interface, [`Store`], with a PostgreSQL and a SQLite implementation.
//!
//! Both implementations pass the same conformance suite (`tests/conformance.rs`). Every business query is
//! scoped by `workspace_id`. What lives here: SQL, migrations, row mapping, batch application of ingested
//! records. What must not: HTTP, authentication policy, or the meaning of API scopes.

mod backend;
mod batch;
mod campaigns;
mod codec;
pub mod consent;
mod customers;
mod daily;
pub mod error;
pub mod feed;
pub mod identity;
mod ingest;
pub mod insights;
pub mod model;
pub mod postgres;
mod retry;
mod saved;
pub mod segment;
mod settings;
pub mod sqlite;
mod store;
mod templates;
mod workspaces;
// Test support (a database per test): failing loudly is its job.
#[allow(clippy::panic, clippy::unwrap_used, clippy::expect_used)]
pub mod testing;

use async_trait::async_trait;

pub use campaigns::{
    CampaignEdit, CampaignFields, CampaignRow, CampaignStats, ClaimedDelivery, DeliveryRoute, DispatchOutcome,
    DispatchResult, DispatchSummary, LogRow, NewCampaign, NewDeliveryRoute, NewDraft, ReceiptOutcome, ReceiptUpdate,
    TimelinePoint,
};
pub use campaigns::{CampaignLog, CampaignOverview, Campaigns, Dispatch, Drafts, Launch, Lifecycle, Receipts};
pub use consent::{
    topic_subject, Consent, ConsentSnapshot, Erasure, MessageRecipient, NewSuppression, PendingConfirmation,
    SubscriptionChange, SubscriptionRow, SuppressionRow,
};
pub use customers::Customers;
pub use daily::Daily;
pub use error::{StoreError, StoreResult};
pub use feed::ChangeFeed;
pub use identity::*;
pub use ingest::Ingest;
pub use insights::CampaignBreakdown;
pub use insights::Insights;
pub use model::*;
pub use saved::SavedSegments;
pub use segment::RuleQueries;
pub use settings::ChannelSettings;
pub use templates::{TemplateRow, Templates};
pub use workspaces::Workspaces;

/// Everything the application asks of its database: one trait per aggregate, each declared and implemented
/// in its feature's module (see `backend.rs` for how one body serves both backends).
#[async_trait]
pub trait Store:
    Workspaces
    + Customers
    + Ingest
    + Daily
    + SavedSegments
    + ChangeFeed
    + RuleQueries
    + Campaigns
    + CampaignLog
    + CampaignOverview
    + Launch
    + Drafts
    + Lifecycle
    + Dispatch
    + Receipts
    + ChannelSettings
    + Templates
    + Consent
    + Erasure
    + Insights
    + People
    + Access
    + Proofs
    + Send
    + Sync
    + 'static
{
    /// Applies the migrations compiled into the binary. Safe to run on every start and from several nodes.
    async fn migrate(&self) -> StoreResult<()>;

    /// Checks the database answers (readiness).
    async fn ping(&self) -> StoreResult<()>;

    /// Which backend this is, for logs and metrics.
    fn backend(&self) -> Backend;
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
