//! Claiming messages for dispatch and recording what the vendor said, on Postgres.

use async_trait::async_trait;
use chrono::{DateTime, Duration, Utc};
use converge_domain::{DeliveryStatus, MessageId};
use sqlx::{PgPool, Row};

use super::{bump_shard, counter_shard, receipts};
use crate::campaigns::claimed::postgres::claimed;
use crate::campaigns::{
    due_again, first_per_key, kind, outcome_error, ClaimedDelivery, Deltas, DispatchOutcome, DispatchResult,
    DispatchSummary, CANCELLED,
};
use crate::retry::retrying;
use crate::Dispatch;
use crate::StoreResult;

/// One statement writes every result: an acceptance records the vendor's id on a message that has none yet
/// (whoever holds the claim: the vendor did take it); every other outcome needs the message still PENDING,
/// undispatched and under the same claim (`attempts`, `generation`), so a stale worker changes nothing.
async fn record_once(pool: &PgPool, results: &[&DispatchResult], now: DateTime<Utc>) -> StoreResult<(u64, u64)> {
    let mut tx = pool.begin().await?;
    let ids: Vec<MessageId> = results.iter().map(|r| r.log_id).collect();
    // Campaign rows first, in id order (see the module's lock order), shared: the statuses read below stay
    // as they are until this commits (a cancel waits), while other dispatchers and receipts go on.
    sqlx::query(
        "SELECT c.id FROM campaigns c \
         WHERE c.id IN (SELECT l.campaign_id FROM communication_log l WHERE l.id = ANY($1)) \
         ORDER BY c.id FOR SHARE",
    )
    .bind(&ids)
    .execute(&mut *tx)
    .await?;
    let accepted = |f: fn(&DispatchOutcome) -> Option<String>| -> Vec<Option<String>> {
        results.iter().map(|r| f(&r.outcome)).collect()
    };
    let rows = sqlx::query(
        "UPDATE communication_log l SET \
             status = CASE d.kind WHEN 'skipped' THEN 'SKIPPED' WHEN 'failed' THEN 'FAILED' \
                 WHEN 'retry' THEN CASE WHEN c.status = 'cancelled' THEN 'SKIPPED' ELSE 'PENDING' END \
                 WHEN 'deferred' THEN CASE WHEN c.status = 'cancelled' THEN 'SKIPPED' ELSE 'PENDING' END \
                 ELSE l.status END, \
             attempts = CASE WHEN d.kind = 'deferred' THEN l.attempts - 1 ELSE l.attempts END, \
             error = CASE WHEN d.kind = 'accepted' AND l.status <> 'PENDING' THEN l.error \
                 WHEN d.kind IN ('retry', 'deferred') AND c.status = 'cancelled' THEN $12 ELSE d.error END, \
             vendor_message_id = d.vid, route = d.route, \
             channel = COALESCE(d.channel, l.channel), address = COALESCE(d.address, l.address), \
             message = COALESCE(d.message, l.message), \
             dispatched_at = CASE WHEN d.kind = 'accepted' THEN $11 ELSE l.dispatched_at END, \
             next_attempt_at = CASE WHEN d.kind IN ('retry', 'deferred') AND c.status <> 'cancelled' THEN d.next_at END, \
             completed_at = CASE WHEN d.kind IN ('skipped', 'failed') \
                     OR (d.kind IN ('retry', 'deferred') AND c.status = 'cancelled') \
                 THEN $11 ELSE l.completed_at END, \
             claimed_by = NULL, claimed_until = NULL, updated_at = $11 \
         FROM UNNEST($1::bigint[], $2::int[], $3::int[], $4::text[], $5::text[], $6::text[], $7::text[], \
                     $8::text[], $9::text[], $10::timestamptz[], $13::text[]) \
              AS d(id, attempts, generation, kind, vid, channel, address, message, error, next_at, route), campaigns c \
         WHERE l.id = d.id AND c.id = l.campaign_id AND l.vendor_message_id IS NULL \
           AND (d.kind = 'accepted' \
                OR (l.status = 'PENDING' AND l.attempts = d.attempts AND l.generation = d.generation)) \
         RETURNING l.id, l.campaign_id, l.status, d.kind, l.route, l.vendor_message_id",
    )
    .bind(&ids)
    .bind(results.iter().map(|r| r.attempts).collect::<Vec<_>>())
    .bind(results.iter().map(|r| r.generation).collect::<Vec<_>>())
    .bind(results.iter().map(|r| kind(&r.outcome)).collect::<Vec<_>>())
    .bind(accepted(|o| match o {
        DispatchOutcome::Accepted { vendor_message_id, .. } => Some(vendor_message_id.clone()),
        _ => None,
    }))
    .bind(accepted(|o| match o {
        DispatchOutcome::Accepted { channel, .. } => Some(channel.as_str().to_owned()),
        _ => None,
    }))
    .bind(accepted(|o| match o {
        DispatchOutcome::Accepted { address, .. } => Some(address.clone()),
        _ => None,
    }))
    .bind(accepted(|o| match o {
        DispatchOutcome::Accepted { message, .. } => Some(message.clone()),
        _ => None,
    }))
    .bind(results.iter().map(|r| outcome_error(&r.outcome)).collect::<Vec<_>>())
    .bind(results.iter().map(|r| due_again(&r.outcome)).collect::<Vec<_>>())
    .bind(now)
    .bind(CANCELLED)
    .bind(accepted(|o| match o {
        DispatchOutcome::Accepted { route, .. } => Some(route.clone()),
        _ => None,
    }))
    .fetch_all(&mut *tx)
    .await?;
    // The recorded messages' frequency-cap holds end here: an acceptance now counts through dispatched_at.
    let written: Vec<i64> = rows.iter().map(|row| row.try_get("id")).collect::<Result<_, _>>()?;
    sqlx::query("DELETE FROM cap_holds WHERE log_id = ANY($1)").bind(&written).execute(&mut *tx).await?;
    let mut deltas = Deltas::default();
    let mut recorded: Vec<receipts::Recorded> = Vec::new();
    for row in &rows {
        let status: DeliveryStatus = row.try_get("status")?;
        let kind: String = row.try_get("kind")?;
        if kind == "accepted" {
            recorded.push((row.try_get("id")?, row.try_get("route")?, row.try_get("vendor_message_id")?));
        } else if status != DeliveryStatus::Pending {
            deltas.moved(row.try_get("campaign_id")?, status);
        }
    }
    let shard = counter_shard();
    bump_shard(&mut tx, &deltas, shard).await?;
    let receipts_applied = receipts::apply_parked(&mut tx, &recorded, now, shard).await?;
    tx.commit().await?;
    Ok((rows.len() as u64, receipts_applied))
}

#[async_trait]
impl Dispatch for crate::postgres::PgStore {
    /// `FOR UPDATE SKIP LOCKED` makes concurrent claimers pass over each other's rows instead of waiting, and a
    /// row another claimer committed meanwhile is re-checked against `next_attempt_at <= now` before it is
    /// taken, so no row is handed out twice. Running campaigns are served oldest first, each through the due
    /// index; a claim moves `next_attempt_at` to the lease's end, which is what makes an abandoned claim due
    /// again.
    async fn claim_deliveries(
        &self,
        worker: &str,
        limit: u32,
        lease: Duration,
        now: DateTime<Utc>,
    ) -> StoreResult<Vec<ClaimedDelivery>> {
        let rows = sqlx::query(
            "WITH due AS ( \
                 SELECT d.id FROM campaigns c CROSS JOIN LATERAL ( \
                     SELECT l.id FROM communication_log l \
                     WHERE l.campaign_id = c.id AND l.next_attempt_at <= $1 AND l.status = 'PENDING' \
                       AND l.vendor_message_id IS NULL \
                     ORDER BY l.next_attempt_at, l.id LIMIT $2 FOR UPDATE SKIP LOCKED) d \
                 WHERE c.status = 'running' ORDER BY c.id LIMIT $2) \
             UPDATE communication_log l SET claimed_by = $3, claimed_until = $4, next_attempt_at = $4, \
                    attempts = l.attempts + 1, updated_at = $1 \
             FROM due, campaigns c, customers cu \
             WHERE l.id = due.id AND c.id = l.campaign_id AND cu.id = l.customer_id \
             RETURNING l.id, l.campaign_id, l.workspace_id, c.channel, c.template, l.customer_id, cu.external_id, \
                       cu.name, cu.email, cu.phone, cu.city, cu.attributes, cu.preferred_channel, cu.total_spend, \
                       cu.order_count, l.attempts, l.generation, l.claimed_until",
        )
        .bind(now)
        .bind(i64::from(limit))
        .bind(worker)
        .bind(now + lease)
        .fetch_all(self.pool())
        .await?;
        let mut claimed = rows.iter().map(claimed).collect::<StoreResult<Vec<_>>>()?;
        claimed.sort_by_key(|c| c.log_id);
        Ok(claimed)
    }

    async fn record_dispatch(&self, results: &[DispatchResult], now: DateTime<Utc>) -> StoreResult<DispatchSummary> {
        let pool = self.pool();
        let unique = first_per_key(results, |r| r.log_id);
        if unique.is_empty() {
            return Ok(DispatchSummary::default());
        }
        let (recorded, receipts_applied) = retrying("record dispatch", || record_once(pool, &unique, now)).await?;
        Ok(DispatchSummary { recorded, ignored: results.len() as u64 - recorded, receipts_applied })
    }
}
