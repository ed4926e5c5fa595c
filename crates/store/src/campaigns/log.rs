//! Reading a campaign's log, on both backends.

use async_trait::async_trait;
use chrono::{DateTime, Duration};
use converge_domain::{CampaignId, DeliveryStatus, MessageId, WorkspaceId};
use sqlx::Row;

use crate::backend::per_backend;
use crate::campaigns::{count_stats, CampaignStats, LogRow, TimelinePoint};
use crate::codec::{from_millis, At, Ids};
use crate::StoreResult;

/// Reading a campaign's delivery log.
#[async_trait]
pub trait CampaignLog: Send + Sync {
    /// One page of a campaign's log in id order, optionally only one status; `after_id` is the previous
    /// page's last id. Empty for a campaign of another workspace.
    async fn campaign_log(
        &self,
        workspace_id: WorkspaceId,
        campaign_id: CampaignId,
        status: Option<DeliveryStatus>,
        after_id: Option<MessageId>,
        limit: u32,
    ) -> StoreResult<Vec<LogRow>>;

    /// The campaign's messages by status, counted from the log itself (the campaign's counters must equal
    /// it; this is the check, not the fast path).
    async fn campaign_log_counts(
        &self,
        workspace_id: WorkspaceId,
        campaign_id: CampaignId,
    ) -> StoreResult<CampaignStats>;

    /// SENT and FAILED outcomes per `bucket` of their `completed_at`, oldest first, empty buckets left out.
    /// Reads the whole campaign's log: cache it for big campaigns.
    async fn campaign_timeline(
        &self,
        workspace_id: WorkspaceId,
        campaign_id: CampaignId,
        bucket: chrono::Duration,
    ) -> StoreResult<Vec<TimelinePoint>>;

    /// Which of `log_ids` (`communication_log` ids, the references Converge gives the vendor) exist, ascending,
    /// in `workspace_id` when given, else in any workspace: the receipt endpoint refuses receipts for messages
    /// that are not the route's to report on.
    async fn known_messages(
        &self,
        workspace_id: Option<WorkspaceId>,
        log_ids: &[MessageId],
    ) -> StoreResult<Vec<MessageId>>;
}

per_backend! {
    fn log_row(row: &DbRow) -> StoreResult<LogRow> {
        Ok(LogRow {
            id: row.try_get("id")?,
            customer_id: row.try_get("customer_id")?,
            customer_external_id: row.try_get("external_id")?,
            customer_name: row.try_get("name")?,
            status: row.try_get("status")?,
            attempts: row.try_get("attempts")?,
            channel: row.try_get("channel")?,
            address: row.try_get("address")?,
            message: row.try_get("message")?,
            vendor_message_id: row.try_get("vendor_message_id")?,
            error: row.try_get("error")?,
            next_attempt_at: row.try_get::<Option<At>, _>("next_attempt_at")?.map(DateTime::from),
            created_at: row.try_get::<At, _>("created_at")?.0,
            updated_at: row.try_get::<At, _>("updated_at")?.0,
            dispatched_at: row.try_get::<Option<At>, _>("dispatched_at")?.map(DateTime::from),
            completed_at: row.try_get::<Option<At>, _>("completed_at")?.map(DateTime::from),
        })
    }

    #[async_trait]
    impl CampaignLog for BackendStore {
        /// Walks `(campaign_id, id)` from the cursor; a status filter is checked row by row (status is deliberately
        /// not indexed, see the migration), which costs a scan proportional to how rare the status is.
        async fn campaign_log(
            &self,
            workspace_id: WorkspaceId,
            campaign_id: CampaignId,
            status: Option<DeliveryStatus>,
            after_id: Option<MessageId>,
            limit: u32,
        ) -> StoreResult<Vec<LogRow>> {
            let rows = sqlx::query(
                "SELECT l.id, l.customer_id, cu.external_id, cu.name, l.status, l.attempts, l.channel, l.address, l.message, \
                        l.vendor_message_id, l.error, l.next_attempt_at, l.created_at, l.updated_at, l.dispatched_at, \
                        l.completed_at \
                 FROM communication_log l JOIN customers cu ON cu.id = l.customer_id \
                 WHERE l.campaign_id = $2 AND l.workspace_id = $1 AND l.id > COALESCE($4, 0) \
                   AND ($3 IS NULL OR l.status = $3) \
                 ORDER BY l.id LIMIT $5",
            )
            .bind(workspace_id)
            .bind(campaign_id)
            .bind(status.map(DeliveryStatus::as_str))
            .bind(after_id)
            .bind(i64::from(limit))
            .fetch_all(self.pool())
            .await?;
            rows.iter().map(log_row).collect()
        }

        async fn campaign_log_counts(&self, workspace_id: WorkspaceId, campaign_id: CampaignId) -> StoreResult<CampaignStats> {
            let rows: Vec<(DeliveryStatus, i64)> = sqlx::query_as(
                "SELECT status, count(*) FROM communication_log WHERE campaign_id = $2 AND workspace_id = $1 GROUP BY status",
            )
            .bind(workspace_id)
            .bind(campaign_id)
            .fetch_all(self.pool())
            .await?;
            Ok(count_stats(rows))
        }

        /// Reads every SENT/FAILED row of the campaign (one pass over its log): callers should cache the answer
        /// for a running campaign rather than compute it per request.
        async fn campaign_timeline(
            &self,
            workspace_id: WorkspaceId,
            campaign_id: CampaignId,
            bucket: Duration,
        ) -> StoreResult<Vec<TimelinePoint>> {
            let bucket_ms = bucket.num_milliseconds().max(1);
            let sql = format!(
                "SELECT ({} / $3) * $3 AS bucket, \
                        count(*) FILTER (WHERE status = 'SENT'), count(*) FILTER (WHERE status = 'FAILED') \
                 FROM communication_log \
                 WHERE campaign_id = $2 AND workspace_id = $1 AND status IN ('SENT', 'FAILED') AND completed_at IS NOT NULL \
                 GROUP BY 1 ORDER BY 1",
                BACKEND.epoch_millis("completed_at"),
            );
            let rows: Vec<(i64, i64, i64)> = sqlx::query_as(&sql)
            .bind(workspace_id)
            .bind(campaign_id)
            .bind(bucket_ms)
            .fetch_all(self.pool())
            .await?;
            rows.into_iter()
                .map(|(ms, sent, failed)| {
                    Ok(TimelinePoint { bucket_start: from_millis(ms)?, sent, failed })
                })
                .collect()
        }

        async fn known_messages(
            &self,
            workspace_id: Option<WorkspaceId>,
            log_ids: &[MessageId],
        ) -> StoreResult<Vec<MessageId>> {
            let sql = format!(
                "SELECT id FROM communication_log WHERE {} AND ($2 IS NULL OR workspace_id = $2) ORDER BY id",
                BACKEND.any("id", "$1")
            );
            Ok(sqlx::query_scalar(&sql).bind(Ids(log_ids)).bind(workspace_id).fetch_all(self.pool()).await?)
        }
    }
}
