//! A campaign's life on SQLite; see the Postgres twin for the semantics.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use converge_domain::{CampaignId, CampaignStatus, DeliveryStatus, WorkspaceId};
use sqlx::SqliteConnection;

use super::{bump, campaign, receipts, COLUMNS};
use crate::campaigns::{allowed_from, CampaignRow, Deltas, CANCELLED};
use crate::codec::millis;
use crate::Lifecycle;
use crate::StoreResult;

/// Marks a cancelled campaign's waiting, unclaimed messages SKIPPED (see the Postgres twin).
async fn skip_unclaimed(conn: &mut SqliteConnection, campaign_id: CampaignId, now: DateTime<Utc>) -> StoreResult<()> {
    let skipped = sqlx::query(
        "UPDATE communication_log SET status = 'SKIPPED', error = $3, next_attempt_at = NULL, claimed_by = NULL, \
                claimed_until = NULL, completed_at = $2, updated_at = $2 \
         WHERE campaign_id = $1 AND next_attempt_at IS NOT NULL AND status = 'PENDING' \
           AND vendor_message_id IS NULL AND (claimed_until IS NULL OR claimed_until <= $2)",
    )
    .bind(campaign_id)
    .bind(millis(now))
    .bind(CANCELLED)
    .execute(&mut *conn)
    .await?
    .rows_affected() as i64;
    let mut deltas = Deltas::default();
    deltas.add(campaign_id, DeliveryStatus::Pending, -skipped);
    deltas.add(campaign_id, DeliveryStatus::Skipped, skipped);
    bump(conn, &deltas).await
}

#[async_trait]
impl Lifecycle for crate::sqlite::SqliteStore {
    async fn set_campaign_status(
        &self,
        workspace_id: WorkspaceId,
        id: CampaignId,
        from: &[CampaignStatus],
        to: CampaignStatus,
        now: DateTime<Utc>,
    ) -> StoreResult<Option<CampaignRow>> {
        let allowed = allowed_from(from, to);
        if allowed.is_empty() {
            return Ok(None);
        }
        let allowed = serde_json::Value::from(allowed).to_string();
        let mut tx = self.pool().begin().await?;
        let changed: Option<i64> = sqlx::query_scalar(
            "UPDATE campaigns SET status = $3, updated_at = $5, \
                 launched_at = CASE WHEN $3 = 'running' THEN COALESCE(launched_at, $5) ELSE launched_at END, \
                 completed_at = CASE WHEN $3 IN ('completed', 'cancelled') THEN $5 END \
             WHERE workspace_id = $1 AND id = $2 AND status IN (SELECT value FROM json_each($4)) \
               AND ($3 <> 'completed' OR pending = 0) \
             RETURNING id",
        )
        .bind(workspace_id)
        .bind(id)
        .bind(to.as_str())
        .bind(allowed)
        .bind(millis(now))
        .fetch_optional(&mut *tx)
        .await?;
        if changed.is_none() {
            return Ok(None);
        }
        if to == CampaignStatus::Cancelled {
            skip_unclaimed(&mut tx, id, now).await?;
        }
        let sql = format!("SELECT {COLUMNS} FROM campaigns WHERE id = $1");
        let row = sqlx::query(&sql).bind(id).fetch_one(&mut *tx).await?;
        tx.commit().await?;
        Ok(Some(campaign(&row)?))
    }

    async fn start_due_campaigns(&self, now: DateTime<Utc>) -> StoreResult<Vec<CampaignId>> {
        let mut ids: Vec<CampaignId> = sqlx::query_scalar(
            "UPDATE campaigns SET status = 'running', launched_at = COALESCE(launched_at, $1), updated_at = $1 \
             WHERE status = 'scheduled' AND send_at <= $1 RETURNING id",
        )
        .bind(millis(now))
        .fetch_all(self.pool())
        .await?;
        ids.sort_unstable();
        Ok(ids)
    }

    async fn finish_campaigns(&self, now: DateTime<Utc>) -> StoreResult<Vec<CampaignId>> {
        let pool = self.pool();
        receipts::reconcile(pool, now).await?;
        let cancelled: Vec<CampaignId> =
            sqlx::query_scalar("SELECT id FROM campaigns WHERE status = 'cancelled' AND pending > 0 ORDER BY id")
                .fetch_all(pool)
                .await?;
        for id in cancelled {
            let mut tx = pool.begin().await?;
            skip_unclaimed(&mut tx, id, now).await?;
            tx.commit().await?;
        }
        let mut ids: Vec<CampaignId> = sqlx::query_scalar(
            "UPDATE campaigns SET status = 'completed', completed_at = $1, updated_at = $1 \
             WHERE status = 'running' AND pending = 0 RETURNING id",
        )
        .bind(millis(now))
        .fetch_all(pool)
        .await?;
        ids.sort_unstable();
        Ok(ids)
    }

    async fn retry_failed(
        &self,
        workspace_id: WorkspaceId,
        campaign_id: CampaignId,
        now: DateTime<Utc>,
    ) -> StoreResult<Option<u64>> {
        let mut tx = self.pool().begin().await?;
        // A no-op write first: it takes the write lock and tells whether the campaign may be retried.
        let found: Option<i64> = sqlx::query_scalar(
            "UPDATE campaigns SET updated_at = updated_at WHERE workspace_id = $1 AND id = $2 AND status <> 'cancelled' \
             RETURNING id",
        )
        .bind(workspace_id)
        .bind(campaign_id)
        .fetch_optional(&mut *tx)
        .await?;
        if found.is_none() {
            return Ok(None);
        }
        let retried = sqlx::query(
            "UPDATE communication_log SET status = 'PENDING', attempts = 0, generation = generation + 1, error = NULL, \
                    vendor_message_id = NULL, route = NULL, channel = NULL, address = NULL, message = NULL, dispatched_at = NULL, \
                    completed_at = NULL, claimed_by = NULL, claimed_until = NULL, next_attempt_at = $2, updated_at = $2 \
             WHERE campaign_id = $1 AND status = 'FAILED' AND NOT permanent",
        )
        .bind(campaign_id)
        .bind(millis(now))
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if retried > 0 {
            sqlx::query(
                "UPDATE campaigns SET failed = failed - $2, pending = pending + $2, updated_at = $3, \
                     status = CASE WHEN status = 'completed' THEN 'running' ELSE status END, \
                     completed_at = CASE WHEN status = 'completed' THEN NULL ELSE completed_at END \
                 WHERE id = $1",
            )
            .bind(campaign_id)
            .bind(retried as i64)
            .bind(millis(now))
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(Some(retried))
    }
}
