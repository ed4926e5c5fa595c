//! Campaigns seen from elsewhere, on both backends: a customer's messages, and how many campaigns are in each status.

use async_trait::async_trait;
use chrono::DateTime;
use converge_domain::{CampaignId, CampaignStatus, CustomerId, WorkspaceId};
use sqlx::Row;

use crate::backend::per_backend;
use crate::codec::At;
use crate::{CustomerMessage, StoreResult};

/// Campaigns seen from elsewhere: a customer's messages, campaigns per status.
#[async_trait]
pub trait CampaignOverview: Send + Sync {
    /// The messages of the workspace's campaigns to one customer (by internal id), newest campaign first,
    /// campaigns with an id below `before_campaign` when given.
    async fn customer_messages(
        &self,
        workspace_id: WorkspaceId,
        customer_id: CustomerId,
        before_campaign: Option<CampaignId>,
        limit: u32,
    ) -> StoreResult<Vec<CustomerMessage>>;

    /// How many of the workspace's campaigns are in each status (statuses with none are left out).
    async fn campaign_status_counts(
        &self,
        workspace_id: WorkspaceId,
    ) -> StoreResult<Vec<(converge_domain::CampaignStatus, i64)>>;
}

per_backend! {

    #[async_trait]
    impl CampaignOverview for BackendStore {
        /// The customer's log rows, newest campaign first, one per campaign (`UNIQUE (campaign_id, customer_id)`):
        /// each is found through that unique index from the workspace's campaigns, so no index on `customer_id` is
        /// needed on the hot log table.
        async fn customer_messages(
            &self,
            workspace_id: WorkspaceId,
            customer_id: CustomerId,
            before_campaign: Option<CampaignId>,
            limit: u32,
        ) -> StoreResult<Vec<CustomerMessage>> {
            let rows = sqlx::query(
                "SELECT l.id, l.campaign_id, c.name, l.status, l.channel, l.message, l.error, l.created_at, l.updated_at, \
                        l.completed_at \
                 FROM campaigns c JOIN communication_log l ON l.campaign_id = c.id AND l.customer_id = $2 \
                 WHERE c.workspace_id = $1 AND ($3 IS NULL OR c.id < $3) \
                 ORDER BY c.id DESC LIMIT $4",
            )
            .bind(workspace_id)
            .bind(customer_id)
            .bind(before_campaign)
            .bind(i64::from(limit))
            .fetch_all(self.pool())
            .await?;
            rows.iter()
                .map(|row| {
                    Ok(CustomerMessage {
                        log_id: row.try_get("id")?,
                        campaign_id: row.try_get("campaign_id")?,
                        campaign_name: row.try_get("name")?,
                        status: row.try_get("status")?,
                        channel: row.try_get("channel")?,
                        message: row.try_get("message")?,
                        error: row.try_get("error")?,
                        created_at: row.try_get::<At, _>("created_at")?.0,
                        updated_at: row.try_get::<At, _>("updated_at")?.0,
                        completed_at: row.try_get::<Option<At>, _>("completed_at")?.map(DateTime::from),
                    })
                })
                .collect()
        }

        async fn campaign_status_counts(&self, workspace_id: WorkspaceId) -> StoreResult<Vec<(CampaignStatus, i64)>> {
            Ok(sqlx::query_as(
                "SELECT status, count(*) FROM campaigns WHERE workspace_id = $1 GROUP BY status ORDER BY status",
            )
            .bind(workspace_id)
            .fetch_all(self.pool())
            .await?)
        }
    }
}
