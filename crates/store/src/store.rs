//! [`Store`](crate::Store) on both backends, written once: each method delegates to its feature's module of
//! the same backend (see [`crate::backend`]).

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use converge_domain::segment::{AttributeType, CustomerFacts, Rule};
use converge_domain::{Currency, IngestEnvelope};

use crate::backend::per_backend;
use crate::campaigns::{create, dispatch, lifecycle, log, overview, read, receipts};
use crate::{
    audience, customers, daily, ingest, insights, saved, segment, settings, workspaces, ApiKeyGrant, ApiKeyInfo,
    Backend, Counts, CustomerQuery, CustomerRow, IngestOutcome, NewApiKey, OrderRow, SavedSegment, SegmentWrite,
    StoreResult, Workspace,
};

per_backend! {
    use workspaces, customers, ingest, saved, audience, daily, segment, insights, settings, create, dispatch,
        lifecycle, log, overview, read, receipts;

    #[async_trait]
    impl crate::Store for BackendStore {
        async fn migrate(&self) -> StoreResult<()> {
            BackendStore::migrator().run(self.pool()).await?;
            segment::backfill_folds(self.pool()).await
        }

        async fn ping(&self) -> StoreResult<()> {
            sqlx::query("SELECT 1").execute(self.pool()).await?;
            Ok(())
        }

        fn backend(&self) -> Backend {
            BACKEND
        }

        async fn create_workspace(&self, slug: &str, name: &str, currency: &Currency) -> StoreResult<Workspace> {
            workspaces::create_workspace(self.pool(), slug, name, currency).await
        }

        async fn workspace_by_slug(&self, slug: &str) -> StoreResult<Option<Workspace>> {
            workspaces::workspace_by_slug(self.pool(), slug).await
        }

        async fn workspace(&self, id: i64) -> StoreResult<Option<Workspace>> {
            workspaces::workspace_by_id(self.pool(), id).await
        }

        async fn create_api_key(&self, key: &NewApiKey) -> StoreResult<ApiKeyInfo> {
            workspaces::create_api_key(self.pool(), key).await
        }

        async fn api_key_by_hash(&self, hash: &[u8]) -> StoreResult<Option<ApiKeyGrant>> {
            workspaces::api_key_by_hash(self.pool(), hash).await
        }

        async fn touch_api_keys(&self, ids: &[i64], at: DateTime<Utc>) -> StoreResult<()> {
            workspaces::touch_api_keys(self.pool(), ids, at).await
        }

        async fn apply_ingest(&self, batch: &[IngestEnvelope]) -> StoreResult<IngestOutcome> {
            ingest::apply(self.pool(), batch).await
        }

        async fn list_customers(&self, workspace_id: i64, query: &CustomerQuery) -> StoreResult<Vec<CustomerRow>> {
            customers::list(self.pool(), workspace_id, query).await
        }

        async fn customer(&self, workspace_id: i64, external_id: &str) -> StoreResult<Option<CustomerRow>> {
            customers::one(self.pool(), workspace_id, external_id).await
        }

        async fn customer_orders(&self, workspace_id: i64, customer_id: i64, limit: u32) -> StoreResult<Vec<OrderRow>> {
            customers::orders(self.pool(), workspace_id, customer_id, limit).await
        }

        async fn counts(&self, workspace_id: i64) -> StoreResult<Counts> {
            customers::counts(self.pool(), workspace_id).await
        }

        async fn customers_by_ids(&self, workspace_id: i64, ids: &[i64]) -> StoreResult<Vec<CustomerRow>> {
            customers::by_ids(self.pool(), workspace_id, ids).await
        }

        async fn create_segment(&self, workspace_id: i64, write: &SegmentWrite) -> StoreResult<SavedSegment> {
            saved::create(self.pool(), workspace_id, write).await
        }

        async fn list_segments(&self, workspace_id: i64) -> StoreResult<Vec<SavedSegment>> {
            saved::list(self.pool(), workspace_id).await
        }

        async fn segment(&self, workspace_id: i64, id: i64) -> StoreResult<Option<SavedSegment>> {
            saved::one(self.pool(), workspace_id, id).await
        }

        async fn update_segment(
            &self,
            workspace_id: i64,
            id: i64,
            write: &SegmentWrite,
        ) -> StoreResult<Option<SavedSegment>> {
            saved::update(self.pool(), workspace_id, id, write).await
        }

        async fn delete_segment(&self, workspace_id: i64, id: i64) -> StoreResult<bool> {
            saved::delete(self.pool(), workspace_id, id).await
        }

        async fn record_segment_count(&self, workspace_id: i64, id: i64, count: i64, at: DateTime<Utc>) -> StoreResult<()> {
            saved::record_count(self.pool(), workspace_id, id, count, at).await
        }

        async fn audience_snapshot(&self, workspace_id: i64) -> StoreResult<crate::audience::AudienceSnapshot> {
            audience::snapshot(self.pool(), workspace_id).await
        }

        async fn audience_changes(
            &self,
            workspace_id: i64,
            since: crate::audience::ChangeMark,
        ) -> StoreResult<crate::audience::AudienceSnapshot> {
            audience::changes(self.pool(), workspace_id, since).await
        }

        async fn prune_changes(&self, before: DateTime<Utc>) -> StoreResult<u64> {
            audience::prune(self.pool(), before).await
        }

        async fn ingest_days(&self, workspace_id: i64) -> StoreResult<Vec<crate::IngestDay>> {
            daily::days(self.pool(), workspace_id).await
        }

        async fn campaign_status_counts(
            &self,
            workspace_id: i64,
        ) -> StoreResult<Vec<(converge_domain::CampaignStatus, i64)>> {
            overview::status_counts(self.pool(), workspace_id).await
        }

        async fn customer_messages(
            &self,
            workspace_id: i64,
            customer_id: i64,
            before_campaign: Option<i64>,
            limit: u32,
        ) -> StoreResult<Vec<crate::CustomerMessage>> {
            overview::customer_messages(
                self.pool(),
                workspace_id,
                customer_id,
                before_campaign,
                limit,
            )
            .await
        }

        async fn segment_count(&self, workspace_id: i64, rule: &Rule, now: DateTime<Utc>) -> StoreResult<u64> {
            segment::count(self.pool(), workspace_id, rule, now).await
        }

        async fn segment_sample(
            &self,
            workspace_id: i64,
            rule: &Rule,
            now: DateTime<Utc>,
            limit: u32,
        ) -> StoreResult<Vec<CustomerRow>> {
            segment::sample(self.pool(), workspace_id, rule, now, limit).await
        }

        async fn segment_ids(&self, workspace_id: i64, rule: &Rule, now: DateTime<Utc>) -> StoreResult<Vec<i64>> {
            segment::ids(self.pool(), workspace_id, rule, now).await
        }

        async fn attribute_types(&self, workspace_id: i64) -> StoreResult<Vec<(String, AttributeType)>> {
            segment::attribute_types(self.pool(), workspace_id).await
        }

        async fn customer_facts(&self, workspace_id: i64) -> StoreResult<Vec<(i64, CustomerFacts)>> {
            segment::customer_facts(self.pool(), workspace_id).await
        }

        async fn create_campaign(
            &self,
            workspace_id: i64,
            new: &crate::NewCampaign,
            now: DateTime<Utc>,
        ) -> StoreResult<(crate::CampaignRow, bool)> {
            create::create(self.pool(), workspace_id, new, now).await
        }

        async fn list_campaigns(
            &self,
            workspace_id: i64,
            before_id: Option<i64>,
            limit: u32,
        ) -> StoreResult<Vec<crate::CampaignRow>> {
            read::list(self.pool(), workspace_id, before_id, limit).await
        }

        async fn campaign_by_idempotency_key(
            &self,
            workspace_id: i64,
            key: &str,
        ) -> StoreResult<Option<crate::CampaignRow>> {
            read::by_idempotency_key(self.pool(), workspace_id, key).await
        }

        async fn campaign(&self, workspace_id: i64, id: i64) -> StoreResult<Option<crate::CampaignRow>> {
            read::one(self.pool(), workspace_id, id).await
        }

        async fn set_campaign_status(
            &self,
            workspace_id: i64,
            id: i64,
            from: &[converge_domain::CampaignStatus],
            to: converge_domain::CampaignStatus,
            now: DateTime<Utc>,
        ) -> StoreResult<Option<crate::CampaignRow>> {
            lifecycle::set_status(self.pool(), workspace_id, id, from, to, now).await
        }

        async fn start_due_campaigns(&self, now: DateTime<Utc>) -> StoreResult<Vec<i64>> {
            lifecycle::start_due(self.pool(), now).await
        }

        async fn finish_campaigns(&self, now: DateTime<Utc>) -> StoreResult<Vec<i64>> {
            lifecycle::finish(self.pool(), now).await
        }

        async fn claim_deliveries(
            &self,
            worker: &str,
            limit: u32,
            lease: chrono::Duration,
            now: DateTime<Utc>,
        ) -> StoreResult<Vec<crate::ClaimedDelivery>> {
            dispatch::claim(self.pool(), worker, limit, lease, now).await
        }

        async fn record_dispatch(
            &self,
            results: &[crate::DispatchResult],
            now: DateTime<Utc>,
        ) -> StoreResult<crate::DispatchSummary> {
            dispatch::record(self.pool(), results, now).await
        }

        async fn apply_receipts(
            &self,
            receipts: &[crate::ReceiptUpdate],
            now: DateTime<Utc>,
        ) -> StoreResult<crate::ReceiptOutcome> {
            receipts::apply(self.pool(), receipts, now).await
        }

        async fn known_messages(&self, workspace_id: Option<i64>, log_ids: &[i64]) -> StoreResult<Vec<i64>> {
            receipts::known(self.pool(), workspace_id, log_ids).await
        }

        async fn channel_settings(&self, workspace_id: i64) -> StoreResult<Option<serde_json::Value>> {
            settings::channels(self.pool(), workspace_id).await
        }

        async fn put_channel_settings(
            &self,
            workspace_id: i64,
            channels: &serde_json::Value,
            routes: &[crate::NewDeliveryRoute],
            now: DateTime<Utc>,
        ) -> StoreResult<()> {
            settings::put_channels(self.pool(), workspace_id, channels, routes, now).await
        }

        async fn delivery_route(&self, route: &str) -> StoreResult<Option<crate::DeliveryRoute>> {
            settings::route(self.pool(), route).await
        }

        async fn prune_unmatched_receipts(&self, before: DateTime<Utc>) -> StoreResult<u64> {
            receipts::prune(self.pool(), before).await
        }

        async fn retry_failed(&self, workspace_id: i64, campaign_id: i64, now: DateTime<Utc>) -> StoreResult<Option<u64>> {
            lifecycle::retry_failed(self.pool(), workspace_id, campaign_id, now).await
        }

        async fn campaign_log(
            &self,
            workspace_id: i64,
            campaign_id: i64,
            status: Option<converge_domain::DeliveryStatus>,
            after_id: Option<i64>,
            limit: u32,
        ) -> StoreResult<Vec<crate::LogRow>> {
            log::page(self.pool(), workspace_id, campaign_id, status, after_id, limit).await
        }

        async fn campaign_log_counts(&self, workspace_id: i64, campaign_id: i64) -> StoreResult<crate::CampaignStats> {
            log::counts(self.pool(), workspace_id, campaign_id).await
        }

        async fn campaign_timeline(
            &self,
            workspace_id: i64,
            campaign_id: i64,
            bucket: chrono::Duration,
        ) -> StoreResult<Vec<crate::TimelinePoint>> {
            log::timeline(self.pool(), workspace_id, campaign_id, bucket).await
        }

        async fn campaign_breakdown(
            &self,
            workspace_id: i64,
            campaign_id: i64,
            spend_bounds: &[i64],
            limit: u32,
        ) -> StoreResult<crate::CampaignBreakdown> {
            insights::breakdown(self.pool(), workspace_id, campaign_id, spend_bounds, limit).await
        }

        async fn top_cities(&self, workspace_id: i64, limit: u32) -> StoreResult<Vec<(String, i64)>> {
            insights::top_cities(self.pool(), workspace_id, limit).await
        }
    }
}
