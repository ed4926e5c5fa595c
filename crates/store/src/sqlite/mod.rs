//! SQLite implementation of [`Store`](crate::Store), for the zero-setup embedded mode.
//!
//! Timestamps are stored as INTEGER milliseconds (UTC) and JSON as TEXT. The database runs in WAL mode with
//! `synchronous=FULL`: the ingest consumer acknowledges a stream entry only after its transaction commits,
//! so a commit must survive power loss, not only a process crash.

pub(crate) mod customers;
mod ingest;
mod workspaces;

use std::str::FromStr;
use std::time::Duration;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use converge_domain::segment::{AttributeType, CustomerFacts, Rule};
use converge_domain::{Currency, IngestEnvelope};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous};

use crate::{
    ApiKeyGrant, ApiKeyInfo, Backend, Counts, CustomerQuery, CustomerRow, IngestOutcome, NewApiKey, OrderRow,
    SavedSegment, SegmentWrite, Store, StoreResult, Workspace,
};

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("migrations/sqlite");

#[derive(Clone)]
pub struct SqliteStore {
    pool: SqlitePool,
}

impl SqliteStore {
    /// Opens (creating if missing) the database at a `sqlite:` URL.
    pub async fn connect(url: &str) -> StoreResult<Self> {
        let options = SqliteConnectOptions::from_str(url)?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Full)
            .busy_timeout(Duration::from_secs(10))
            .foreign_keys(true);
        let pool = SqlitePoolOptions::new().max_connections(8).connect_with(options).await?;
        Ok(Self { pool })
    }

    pub fn pool(&self) -> &SqlitePool {
        &self.pool
    }
}

pub(crate) use crate::codec::{from_millis, millis};

#[async_trait]
impl Store for SqliteStore {
    async fn migrate(&self) -> StoreResult<()> {
        MIGRATOR.run(&self.pool).await?;
        crate::segment::sqlite::backfill_folds(&self.pool).await
    }

    async fn ping(&self) -> StoreResult<()> {
        sqlx::query("SELECT 1").execute(&self.pool).await?;
        Ok(())
    }

    fn backend(&self) -> Backend {
        Backend::Sqlite
    }

    async fn create_workspace(&self, slug: &str, name: &str, currency: &Currency) -> StoreResult<Workspace> {
        workspaces::create_workspace(&self.pool, slug, name, currency).await
    }

    async fn workspace_by_slug(&self, slug: &str) -> StoreResult<Option<Workspace>> {
        workspaces::workspace_by_slug(&self.pool, slug).await
    }

    async fn workspace(&self, id: i64) -> StoreResult<Option<Workspace>> {
        workspaces::workspace_by_id(&self.pool, id).await
    }

    async fn create_api_key(&self, key: &NewApiKey) -> StoreResult<ApiKeyInfo> {
        workspaces::create_api_key(&self.pool, key).await
    }

    async fn api_key_by_hash(&self, hash: &[u8]) -> StoreResult<Option<ApiKeyGrant>> {
        workspaces::api_key_by_hash(&self.pool, hash).await
    }

    async fn touch_api_keys(&self, ids: &[i64], at: DateTime<Utc>) -> StoreResult<()> {
        let mut tx = self.pool.begin().await?;
        for id in ids {
            sqlx::query("UPDATE api_keys SET last_used_at = $2 WHERE id = $1")
                .bind(id)
                .bind(millis(at))
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    async fn apply_ingest(&self, batch: &[IngestEnvelope]) -> StoreResult<IngestOutcome> {
        ingest::apply(&self.pool, batch).await
    }

    async fn list_customers(&self, workspace_id: i64, query: &CustomerQuery) -> StoreResult<Vec<CustomerRow>> {
        customers::list(&self.pool, workspace_id, query).await
    }

    async fn customer(&self, workspace_id: i64, external_id: &str) -> StoreResult<Option<CustomerRow>> {
        customers::one(&self.pool, workspace_id, external_id).await
    }

    async fn customer_orders(&self, workspace_id: i64, customer_id: i64, limit: u32) -> StoreResult<Vec<OrderRow>> {
        customers::orders(&self.pool, workspace_id, customer_id, limit).await
    }

    async fn counts(&self, workspace_id: i64) -> StoreResult<Counts> {
        let (customers, orders): (i64, i64) = sqlx::query_as(
            "SELECT (SELECT count(*) FROM customers WHERE workspace_id = $1), \
                    (SELECT count(*) FROM orders WHERE workspace_id = $1)",
        )
        .bind(workspace_id)
        .fetch_one(&self.pool)
        .await?;
        Ok(Counts { customers, orders })
    }

    async fn customers_by_ids(&self, workspace_id: i64, ids: &[i64]) -> StoreResult<Vec<CustomerRow>> {
        customers::by_ids(&self.pool, workspace_id, ids).await
    }

    async fn create_segment(&self, workspace_id: i64, write: &SegmentWrite) -> StoreResult<SavedSegment> {
        crate::saved::sqlite::create(&self.pool, workspace_id, write).await
    }

    async fn list_segments(&self, workspace_id: i64) -> StoreResult<Vec<SavedSegment>> {
        crate::saved::sqlite::list(&self.pool, workspace_id).await
    }

    async fn segment(&self, workspace_id: i64, id: i64) -> StoreResult<Option<SavedSegment>> {
        crate::saved::sqlite::one(&self.pool, workspace_id, id).await
    }

    async fn update_segment(
        &self,
        workspace_id: i64,
        id: i64,
        write: &SegmentWrite,
    ) -> StoreResult<Option<SavedSegment>> {
        crate::saved::sqlite::update(&self.pool, workspace_id, id, write).await
    }

    async fn delete_segment(&self, workspace_id: i64, id: i64) -> StoreResult<bool> {
        crate::saved::sqlite::delete(&self.pool, workspace_id, id).await
    }

    async fn record_segment_count(&self, workspace_id: i64, id: i64, count: i64, at: DateTime<Utc>) -> StoreResult<()> {
        crate::saved::sqlite::record_count(&self.pool, workspace_id, id, count, at).await
    }

    async fn audience_snapshot(&self, workspace_id: i64) -> StoreResult<crate::audience::AudienceSnapshot> {
        crate::audience::sqlite::snapshot(&self.pool, workspace_id).await
    }

    async fn audience_changes(
        &self,
        workspace_id: i64,
        since: crate::audience::ChangeMark,
    ) -> StoreResult<crate::audience::AudienceSnapshot> {
        crate::audience::sqlite::changes(&self.pool, workspace_id, since).await
    }

    async fn prune_changes(&self, before: DateTime<Utc>) -> StoreResult<u64> {
        crate::audience::sqlite::prune(&self.pool, before).await
    }

    async fn ingest_days(&self, workspace_id: i64) -> StoreResult<Vec<crate::IngestDay>> {
        crate::daily::sqlite::days(&self.pool, workspace_id).await
    }

    async fn campaign_status_counts(
        &self,
        workspace_id: i64,
    ) -> StoreResult<Vec<(converge_domain::CampaignStatus, i64)>> {
        crate::campaigns::sqlite::overview::status_counts(&self.pool, workspace_id).await
    }

    async fn customer_messages(
        &self,
        workspace_id: i64,
        customer_id: i64,
        before_campaign: Option<i64>,
        limit: u32,
    ) -> StoreResult<Vec<crate::CustomerMessage>> {
        crate::campaigns::sqlite::overview::customer_messages(
            &self.pool,
            workspace_id,
            customer_id,
            before_campaign,
            limit,
        )
        .await
    }

    async fn segment_count(&self, workspace_id: i64, rule: &Rule, now: DateTime<Utc>) -> StoreResult<u64> {
        crate::segment::sqlite::count(&self.pool, workspace_id, rule, now).await
    }

    async fn segment_sample(
        &self,
        workspace_id: i64,
        rule: &Rule,
        now: DateTime<Utc>,
        limit: u32,
    ) -> StoreResult<Vec<CustomerRow>> {
        crate::segment::sqlite::sample(&self.pool, workspace_id, rule, now, limit).await
    }

    async fn segment_ids(&self, workspace_id: i64, rule: &Rule, now: DateTime<Utc>) -> StoreResult<Vec<i64>> {
        crate::segment::sqlite::ids(&self.pool, workspace_id, rule, now).await
    }

    async fn attribute_types(&self, workspace_id: i64) -> StoreResult<Vec<(String, AttributeType)>> {
        crate::segment::sqlite::attribute_types(&self.pool, workspace_id).await
    }

    async fn customer_facts(&self, workspace_id: i64) -> StoreResult<Vec<(i64, CustomerFacts)>> {
        crate::segment::sqlite::customer_facts(&self.pool, workspace_id).await
    }

    async fn create_campaign(
        &self,
        workspace_id: i64,
        new: &crate::NewCampaign,
        now: DateTime<Utc>,
    ) -> StoreResult<(crate::CampaignRow, bool)> {
        crate::campaigns::sqlite::create::create(&self.pool, workspace_id, new, now).await
    }

    async fn list_campaigns(
        &self,
        workspace_id: i64,
        before_id: Option<i64>,
        limit: u32,
    ) -> StoreResult<Vec<crate::CampaignRow>> {
        crate::campaigns::sqlite::create::list(&self.pool, workspace_id, before_id, limit).await
    }

    async fn campaign_by_idempotency_key(
        &self,
        workspace_id: i64,
        key: &str,
    ) -> StoreResult<Option<crate::CampaignRow>> {
        crate::campaigns::sqlite::create::by_idempotency_key(&self.pool, workspace_id, key).await
    }

    async fn campaign(&self, workspace_id: i64, id: i64) -> StoreResult<Option<crate::CampaignRow>> {
        crate::campaigns::sqlite::create::one(&self.pool, workspace_id, id).await
    }

    async fn set_campaign_status(
        &self,
        workspace_id: i64,
        id: i64,
        from: &[converge_domain::CampaignStatus],
        to: converge_domain::CampaignStatus,
        now: DateTime<Utc>,
    ) -> StoreResult<Option<crate::CampaignRow>> {
        crate::campaigns::sqlite::lifecycle::set_status(&self.pool, workspace_id, id, from, to, now).await
    }

    async fn start_due_campaigns(&self, now: DateTime<Utc>) -> StoreResult<Vec<i64>> {
        crate::campaigns::sqlite::lifecycle::start_due(&self.pool, now).await
    }

    async fn finish_campaigns(&self, now: DateTime<Utc>) -> StoreResult<Vec<i64>> {
        crate::campaigns::sqlite::lifecycle::finish(&self.pool, now).await
    }

    async fn claim_deliveries(
        &self,
        worker: &str,
        limit: u32,
        lease: chrono::Duration,
        now: DateTime<Utc>,
    ) -> StoreResult<Vec<crate::ClaimedDelivery>> {
        crate::campaigns::sqlite::dispatch::claim(&self.pool, worker, limit, lease, now).await
    }

    async fn record_dispatch(
        &self,
        results: &[crate::DispatchResult],
        now: DateTime<Utc>,
    ) -> StoreResult<crate::DispatchSummary> {
        crate::campaigns::sqlite::dispatch::record(&self.pool, results, now).await
    }

    async fn apply_receipts(
        &self,
        receipts: &[crate::ReceiptUpdate],
        now: DateTime<Utc>,
    ) -> StoreResult<crate::ReceiptOutcome> {
        crate::campaigns::sqlite::receipts::apply(&self.pool, receipts, now).await
    }

    async fn known_messages(&self, workspace_id: Option<i64>, log_ids: &[i64]) -> StoreResult<Vec<i64>> {
        crate::campaigns::sqlite::receipts::known(&self.pool, workspace_id, log_ids).await
    }

    async fn channel_settings(&self, workspace_id: i64) -> StoreResult<Option<serde_json::Value>> {
        crate::settings::channels_sqlite(&self.pool, workspace_id).await
    }

    async fn put_channel_settings(
        &self,
        workspace_id: i64,
        channels: &serde_json::Value,
        routes: &[crate::NewDeliveryRoute],
        now: DateTime<Utc>,
    ) -> StoreResult<()> {
        crate::settings::put_channels_sqlite(&self.pool, workspace_id, channels, routes, now).await
    }

    async fn delivery_route(&self, route: &str) -> StoreResult<Option<crate::DeliveryRoute>> {
        crate::settings::route_sqlite(&self.pool, route).await
    }

    async fn prune_unmatched_receipts(&self, before: DateTime<Utc>) -> StoreResult<u64> {
        crate::campaigns::sqlite::receipts::prune(&self.pool, before).await
    }

    async fn retry_failed(&self, workspace_id: i64, campaign_id: i64, now: DateTime<Utc>) -> StoreResult<Option<u64>> {
        crate::campaigns::sqlite::lifecycle::retry_failed(&self.pool, workspace_id, campaign_id, now).await
    }

    async fn campaign_log(
        &self,
        workspace_id: i64,
        campaign_id: i64,
        status: Option<converge_domain::DeliveryStatus>,
        after_id: Option<i64>,
        limit: u32,
    ) -> StoreResult<Vec<crate::LogRow>> {
        crate::campaigns::sqlite::log::page(&self.pool, workspace_id, campaign_id, status, after_id, limit).await
    }

    async fn campaign_log_counts(&self, workspace_id: i64, campaign_id: i64) -> StoreResult<crate::CampaignStats> {
        crate::campaigns::sqlite::log::counts(&self.pool, workspace_id, campaign_id).await
    }

    async fn campaign_timeline(
        &self,
        workspace_id: i64,
        campaign_id: i64,
        bucket: chrono::Duration,
    ) -> StoreResult<Vec<crate::TimelinePoint>> {
        crate::campaigns::sqlite::log::timeline(&self.pool, workspace_id, campaign_id, bucket).await
    }

    async fn campaign_breakdown(
        &self,
        workspace_id: i64,
        campaign_id: i64,
        spend_bounds: &[i64],
        limit: u32,
    ) -> StoreResult<crate::CampaignBreakdown> {
        crate::insights::sqlite::breakdown(&self.pool, workspace_id, campaign_id, spend_bounds, limit).await
    }

    async fn top_cities(&self, workspace_id: i64, limit: u32) -> StoreResult<Vec<(String, i64)>> {
        crate::insights::sqlite::top_cities(&self.pool, workspace_id, limit).await
    }
}
