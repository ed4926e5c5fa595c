//! Reading campaigns, on both backends: the row mapping and the reads by id, by page and by idempotency key.
//! The column list and source differ per backend (`COLUMNS`, `TOTALS`: Postgres adds the counter shards).

use async_trait::async_trait;
use chrono::DateTime;
use sqlx::Row;

use super::{stats, CampaignRow};
use crate::backend::per_backend;
use crate::campaigns;
use crate::codec::At;
use crate::StoreResult;
use converge_domain::{CampaignId, Topic, WorkspaceId};

/// Reading campaigns.
#[async_trait]
pub trait Campaigns: Send + Sync {
    /// One page of a workspace's campaigns, newest first (`before_id`: the previous page's last id).
    async fn list_campaigns(
        &self,
        workspace_id: WorkspaceId,
        before_id: Option<CampaignId>,
        limit: u32,
    ) -> StoreResult<Vec<CampaignRow>>;

    async fn campaign(&self, workspace_id: WorkspaceId, id: CampaignId) -> StoreResult<Option<CampaignRow>>;

    /// The workspace's campaign created with this idempotency key, if any (so a replay is answered without
    /// validating its request again: the first request's checks held when it was made).
    async fn campaign_by_idempotency_key(
        &self,
        workspace_id: WorkspaceId,
        key: &str,
    ) -> StoreResult<Option<CampaignRow>>;
}

per_backend! {
    use campaigns;

    pub(crate) fn campaign(row: &DbRow) -> StoreResult<CampaignRow> {
        Ok(CampaignRow {
            id: row.try_get("id")?,
            workspace_id: row.try_get("workspace_id")?,
            name: row.try_get("name")?,
            channel: row.try_get("channel")?,
            template: row.try_get("template")?,
            segment_id: row.try_get("segment_id")?,
            rule: row.try_get("rule")?,
            status: row.try_get("status")?,
            send_at: row.try_get::<At, _>("send_at")?.0,
            idempotency_key: row.try_get("idempotency_key")?,
            request_fingerprint: row.try_get("request_fingerprint")?,
            topic: row.try_get::<Option<String>, _>("topic")?.and_then(|t| Topic::parse(&t).ok()),
            subject: row.try_get("subject")?,
            preheader: row.try_get("preheader")?,
            stats: stats(row.try_get("pending")?, row.try_get("sent")?, row.try_get("failed")?, row.try_get("skipped")?),
            created_at: row.try_get::<At, _>("created_at")?.0,
            updated_at: row.try_get::<At, _>("updated_at")?.0,
            launched_at: row.try_get::<Option<At>, _>("launched_at")?.map(DateTime::from),
            completed_at: row.try_get::<Option<At>, _>("completed_at")?.map(DateTime::from),
        })
    }

    #[async_trait]
    impl Campaigns for BackendStore {
        async fn list_campaigns(
            &self,
            workspace_id: WorkspaceId,
            before_id: Option<CampaignId>,
            limit: u32,
        ) -> StoreResult<Vec<CampaignRow>> {
            let sql = format!(
                "SELECT {} FROM {} WHERE c.workspace_id = $1 AND c.id < COALESCE($2, 9223372036854775807) \
                 ORDER BY c.id DESC LIMIT $3",
                campaigns::COLUMNS,
                campaigns::TOTALS,
            );
            let rows = sqlx::query(&sql).bind(workspace_id).bind(before_id).bind(i64::from(limit)).fetch_all(self.pool()).await?;
            rows.iter().map(campaign).collect()
        }

        async fn campaign(&self, workspace_id: WorkspaceId, id: CampaignId) -> StoreResult<Option<CampaignRow>> {
            let sql = format!(
                "SELECT {} FROM {} WHERE c.workspace_id = $1 AND c.id = $2",
                campaigns::COLUMNS,
                campaigns::TOTALS
            );
            let row = sqlx::query(&sql).bind(workspace_id).bind(id).fetch_optional(self.pool()).await?;
            row.as_ref().map(campaign).transpose()
        }

        async fn campaign_by_idempotency_key(
            &self,
            workspace_id: WorkspaceId,
            key: &str,
        ) -> StoreResult<Option<CampaignRow>> {
            let sql = format!(
                "SELECT {} FROM {} WHERE c.workspace_id = $1 AND c.idempotency_key = $2",
                campaigns::COLUMNS,
                campaigns::TOTALS
            );
            let row = sqlx::query(&sql).bind(workspace_id).bind(key).fetch_optional(self.pool()).await?;
            row.as_ref().map(campaign).transpose()
        }
    }
}
