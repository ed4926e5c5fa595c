//! A campaign's life on Postgres: status changes, the scheduler's start and finish sweeps, cancel and retry.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use converge_domain::{CampaignId, CampaignStatus, DeliveryStatus, WorkspaceId};
use sqlx::{PgConnection, PgPool};

use super::{bump, campaign, receipts, COLUMNS, NOTHING_PENDING, TOTALS};
use crate::campaigns::{allowed_from, CampaignRow, Deltas, CANCELLED};
use crate::retry::retrying;
use crate::Lifecycle;
use crate::StoreResult;

async fn set_status_once(
    pool: &PgPool,
    workspace_id: WorkspaceId,
    id: CampaignId,
    allowed: &[&str],
    to: CampaignStatus,
    now: DateTime<Utc>,
) -> StoreResult<Option<CampaignRow>> {
    let mut tx = pool.begin().await?;
    // The compare-and-set locks the campaign row first (lock order: campaign, then its log rows).
    let sql = format!(
        "UPDATE campaigns c SET status = $3, updated_at = $5, \
             launched_at = CASE WHEN $3 = 'running' THEN COALESCE(c.launched_at, $5) ELSE c.launched_at END, \
             completed_at = CASE WHEN $3 IN ('completed', 'cancelled') THEN $5 END \
         WHERE c.workspace_id = $1 AND c.id = $2 AND c.status = ANY($4) AND ($3 <> 'completed' OR {NOTHING_PENDING}) \
         RETURNING c.id"
    );
    let changed: Option<i64> = sqlx::query_scalar(&sql)
        .bind(workspace_id)
        .bind(id)
        .bind(to.as_str())
        .bind(allowed)
        .bind(now)
        .fetch_optional(&mut *tx)
        .await?;
    if changed.is_none() {
        return Ok(None);
    }
    if to == CampaignStatus::Cancelled {
        skip_unclaimed(&mut tx, id, now).await?;
    }
    let sql = format!("SELECT {COLUMNS} FROM {TOTALS} WHERE c.id = $1");
    let row = sqlx::query(&sql).bind(id).fetch_one(&mut *tx).await?;
    tx.commit().await?;
    Ok(Some(campaign(&row)?))
}

/// Marks a cancelled campaign's waiting messages SKIPPED. Messages under a live claim are left to their
/// worker (it may be talking to the vendor right now; its result is recorded truthfully, and a `Retry` on a
/// cancelled campaign becomes SKIPPED); those whose claim lapsed are swept by [`finish`].
async fn skip_unclaimed(conn: &mut PgConnection, campaign_id: CampaignId, now: DateTime<Utc>) -> StoreResult<()> {
    let skipped = sqlx::query(
        "UPDATE communication_log SET status = 'SKIPPED', error = $3, next_attempt_at = NULL, claimed_by = NULL, \
                claimed_until = NULL, completed_at = $2, updated_at = $2 \
         WHERE campaign_id = $1 AND next_attempt_at IS NOT NULL AND status = 'PENDING' \
           AND vendor_message_id IS NULL AND (claimed_until IS NULL OR claimed_until <= $2)",
    )
    .bind(campaign_id)
    .bind(now)
    .bind(CANCELLED)
    .execute(&mut *conn)
    .await?
    .rows_affected() as i64;
    let mut deltas = Deltas::default();
    deltas.add(campaign_id, DeliveryStatus::Pending, -skipped);
    deltas.add(campaign_id, DeliveryStatus::Skipped, skipped);
    bump(conn, &deltas).await
}

async fn retry_failed_once(
    pool: &PgPool,
    workspace_id: WorkspaceId,
    campaign_id: CampaignId,
    now: DateTime<Utc>,
) -> StoreResult<Option<u64>> {
    let mut tx = pool.begin().await?;
    let found: Option<i64> = sqlx::query_scalar(
        "SELECT id FROM campaigns WHERE workspace_id = $1 AND id = $2 AND status <> 'cancelled' FOR NO KEY UPDATE",
    )
    .bind(workspace_id)
    .bind(campaign_id)
    .fetch_optional(&mut *tx)
    .await?;
    if found.is_none() {
        return Ok(None);
    }
    // A new generation with no vendor id: a late receipt for the failed attempt matches nothing.
    let retried = sqlx::query(
        "UPDATE communication_log SET status = 'PENDING', attempts = 0, generation = generation + 1, error = NULL, \
                vendor_message_id = NULL, route = NULL, channel = NULL, address = NULL, message = NULL, dispatched_at = NULL, \
                completed_at = NULL, claimed_by = NULL, claimed_until = NULL, next_attempt_at = $2, updated_at = $2 \
         WHERE campaign_id = $1 AND status = 'FAILED' AND NOT permanent",
    )
    .bind(campaign_id)
    .bind(now)
    .execute(&mut *tx)
    .await?
    .rows_affected();
    if retried > 0 {
        sqlx::query(
            "UPDATE campaigns SET updated_at = $2, \
                 status = CASE WHEN status = 'completed' THEN 'running' ELSE status END, \
                 completed_at = CASE WHEN status = 'completed' THEN NULL ELSE completed_at END \
             WHERE id = $1",
        )
        .bind(campaign_id)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        let mut deltas = Deltas::default();
        deltas.add(campaign_id, DeliveryStatus::Failed, -(retried as i64));
        deltas.add(campaign_id, DeliveryStatus::Pending, retried as i64);
        bump(&mut tx, &deltas).await?;
    }
    tx.commit().await?;
    Ok(Some(retried))
}

#[async_trait]
impl Lifecycle for crate::postgres::PgStore {
    async fn set_campaign_status(
        &self,
        workspace_id: WorkspaceId,
        id: CampaignId,
        from: &[CampaignStatus],
        to: CampaignStatus,
        now: DateTime<Utc>,
    ) -> StoreResult<Option<CampaignRow>> {
        let pool = self.pool();
        let allowed = allowed_from(from, to);
        if allowed.is_empty() {
            return Ok(None);
        }
        retrying("set campaign status", || set_status_once(pool, workspace_id, id, &allowed, to, now)).await
    }

    async fn start_due_campaigns(&self, now: DateTime<Utc>) -> StoreResult<Vec<CampaignId>> {
        let mut ids: Vec<CampaignId> = sqlx::query_scalar(
            "UPDATE campaigns SET status = 'running', launched_at = COALESCE(launched_at, $1), updated_at = $1 \
             WHERE status = 'scheduled' AND send_at <= $1 RETURNING id",
        )
        .bind(now)
        .fetch_all(self.pool())
        .await?;
        ids.sort_unstable();
        Ok(ids)
    }

    async fn finish_campaigns(&self, now: DateTime<Utc>) -> StoreResult<Vec<CampaignId>> {
        let pool = self.pool();
        receipts::reconcile(pool, now).await?;
        let sql = format!(
            "SELECT c.id FROM campaigns c WHERE c.status = 'cancelled' AND NOT ({NOTHING_PENDING}) ORDER BY c.id"
        );
        let cancelled: Vec<CampaignId> = sqlx::query_scalar(&sql).fetch_all(pool).await?;
        for id in cancelled {
            retrying("sweep cancelled campaign", || async move {
                let mut tx = pool.begin().await?;
                sqlx::query("SELECT 1 FROM campaigns WHERE id = $1 FOR NO KEY UPDATE")
                    .bind(id)
                    .execute(&mut *tx)
                    .await?;
                skip_unclaimed(&mut tx, id, now).await?;
                Ok(tx.commit().await?)
            })
            .await?;
        }
        let sql = format!(
            "UPDATE campaigns c SET status = 'completed', completed_at = $1, updated_at = $1 \
             WHERE c.status = 'running' AND {NOTHING_PENDING} RETURNING c.id"
        );
        let mut ids: Vec<CampaignId> = sqlx::query_scalar(&sql).bind(now).fetch_all(pool).await?;
        ids.sort_unstable();
        Ok(ids)
    }

    async fn retry_failed(
        &self,
        workspace_id: WorkspaceId,
        campaign_id: CampaignId,
        now: DateTime<Utc>,
    ) -> StoreResult<Option<u64>> {
        let pool = self.pool();
        retrying("retry failed", || retry_failed_once(pool, workspace_id, campaign_id, now)).await
    }
}
