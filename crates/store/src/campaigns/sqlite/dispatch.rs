//! Claiming messages for dispatch and recording what the vendor said, on SQLite.

use async_trait::async_trait;
use chrono::{DateTime, Duration, Utc};
use converge_domain::{CampaignId, DeliveryStatus, MessageId};
use sqlx::SqliteConnection;

use super::receipts;
use crate::campaigns::claimed::sqlite::claimed;
use crate::campaigns::{
    due_again, first_per_key, kind, outcome_error, ClaimedDelivery, Deltas, DispatchOutcome, DispatchResult,
    DispatchSummary, CANCELLED,
};
use crate::codec::millis;
use crate::Dispatch;
use crate::StoreResult;

/// Writes a skip, retry or failure if the claim is still current; returns the campaign and new status.
async fn settle(
    conn: &mut SqliteConnection,
    result: &DispatchResult,
    now: DateTime<Utc>,
) -> StoreResult<Option<(CampaignId, DeliveryStatus)>> {
    let next_attempt_at = due_again(&result.outcome).map(millis);
    let row: Option<(CampaignId, DeliveryStatus)> = sqlx::query_as(
        "UPDATE communication_log SET \
             status = CASE $4 WHEN 'skipped' THEN 'SKIPPED' WHEN 'failed' THEN 'FAILED' \
                 ELSE CASE WHEN c.status = 'cancelled' THEN 'SKIPPED' ELSE 'PENDING' END END, \
             attempts = CASE WHEN $4 = 'deferred' THEN communication_log.attempts - 1 ELSE communication_log.attempts END, \
             error = CASE WHEN $4 IN ('retry', 'deferred') AND c.status = 'cancelled' THEN $8 ELSE $5 END, \
             next_attempt_at = CASE WHEN $4 IN ('retry', 'deferred') AND c.status <> 'cancelled' THEN $6 END, \
             completed_at = CASE WHEN $4 IN ('skipped', 'failed') OR c.status = 'cancelled' THEN $7 END, \
             claimed_by = NULL, claimed_until = NULL, updated_at = $7 \
         FROM campaigns AS c \
         WHERE communication_log.id = $1 AND c.id = communication_log.campaign_id \
           AND communication_log.status = 'PENDING' AND communication_log.vendor_message_id IS NULL \
           AND communication_log.attempts = $2 AND communication_log.generation = $3 \
         RETURNING communication_log.campaign_id, communication_log.status",
    )
    .bind(result.log_id)
    .bind(result.attempts)
    .bind(result.generation)
    .bind(kind(&result.outcome))
    .bind(outcome_error(&result.outcome))
    .bind(next_attempt_at)
    .bind(millis(now))
    .bind(CANCELLED)
    .fetch_optional(conn)
    .await?;
    Ok(row)
}

#[async_trait]
impl Dispatch for crate::sqlite::SqliteStore {
    /// One `UPDATE … RETURNING` picks and claims the due rows: SQLite runs one writer at a time, so two workers'
    /// claims are serialised and the second sees the first's `next_attempt_at` moved to its lease's end. The
    /// `campaign_id IN (…)` form lets SQLite walk the due index in order (its entries end with the rowid)
    /// instead of sorting every due row, with or without `ANALYZE` statistics.
    async fn claim_deliveries(
        &self,
        worker: &str,
        limit: u32,
        lease: Duration,
        now: DateTime<Utc>,
    ) -> StoreResult<Vec<ClaimedDelivery>> {
        let mut tx = self.pool().begin().await?;
        let ids: Vec<i64> = sqlx::query_scalar(
            "UPDATE communication_log SET claimed_by = $3, claimed_until = $4, next_attempt_at = $4, \
                    attempts = attempts + 1, updated_at = $1 \
             WHERE id IN (SELECT l.id FROM communication_log l \
                          WHERE l.campaign_id IN (SELECT id FROM campaigns WHERE status = 'running') \
                            AND l.next_attempt_at <= $1 AND l.status = 'PENDING' AND l.vendor_message_id IS NULL \
                          ORDER BY l.campaign_id, l.next_attempt_at, l.id LIMIT $2) \
             RETURNING id",
        )
        .bind(millis(now))
        .bind(i64::from(limit))
        .bind(worker)
        .bind(millis(now + lease))
        .fetch_all(&mut *tx)
        .await?;
        let rows = sqlx::query(
            "SELECT l.id, l.campaign_id, l.workspace_id, c.channel, c.template, l.customer_id, cu.external_id, cu.name, \
                    cu.email, cu.phone, cu.city, cu.attributes, cu.preferred_channel, cu.total_spend, cu.order_count, \
                    l.attempts, l.generation, l.claimed_until \
             FROM communication_log l JOIN campaigns c ON c.id = l.campaign_id JOIN customers cu ON cu.id = l.customer_id \
             WHERE l.id IN (SELECT value FROM json_each($1)) ORDER BY l.id",
        )
        .bind(serde_json::Value::from(ids).to_string())
        .fetch_all(&mut *tx)
        .await?;
        tx.commit().await?;
        rows.iter().map(claimed).collect()
    }

    /// See the Postgres twin for what each outcome may change.
    async fn record_dispatch(&self, results: &[DispatchResult], now: DateTime<Utc>) -> StoreResult<DispatchSummary> {
        let pool = self.pool();
        let unique = first_per_key(results, |r| r.log_id);
        let mut tx = pool.begin().await?;
        let mut deltas = Deltas::default();
        let mut recorded = 0;
        let mut receipts_applied = 0;
        let mut settled_ids: Vec<MessageId> = Vec::new();
        for result in unique {
            if let DispatchOutcome::Accepted { vendor_message_id, route, channel, address, message } = &result.outcome {
                let written = sqlx::query(
                    "UPDATE communication_log SET vendor_message_id = $2, channel = $3, address = $4, message = $5, \
                            route = $7, \
                            error = CASE WHEN status = 'PENDING' THEN NULL ELSE error END, dispatched_at = $6, next_attempt_at = NULL, claimed_by = NULL, \
                            claimed_until = NULL, updated_at = $6 \
                     WHERE id = $1 AND vendor_message_id IS NULL",
                )
                .bind(result.log_id)
                .bind(vendor_message_id)
                .bind(channel.as_str())
                .bind(address)
                .bind(message)
                .bind(millis(now))
                .bind(route)
                .execute(&mut *tx)
                .await?
                .rows_affected();
                if written > 0 {
                    recorded += 1;
                    settled_ids.push(result.log_id);
                    receipts_applied +=
                        receipts::apply_parked(&mut tx, result.log_id, route, vendor_message_id, now, &mut deltas)
                            .await?;
                }
            } else if let Some((campaign_id, status)) = settle(&mut tx, result, now).await? {
                recorded += 1;
                settled_ids.push(result.log_id);
                if status != DeliveryStatus::Pending {
                    deltas.moved(campaign_id, status);
                }
            }
        }
        // The recorded messages' frequency-cap holds end here: an acceptance now counts through dispatched_at.
        sqlx::query("DELETE FROM cap_holds WHERE log_id IN (SELECT value FROM json_each($1))")
            .bind(serde_json::Value::from(settled_ids.iter().map(|id| id.get()).collect::<Vec<_>>()).to_string())
            .execute(&mut *tx)
            .await?;
        super::bump(&mut tx, &deltas).await?;
        tx.commit().await?;
        Ok(DispatchSummary { recorded, ignored: results.len() as u64 - recorded, receipts_applied })
    }
}
