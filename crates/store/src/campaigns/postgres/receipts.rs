//! Applying vendor receipts on Postgres: one statement per batch.

use std::sync::atomic::{AtomicI64, Ordering};

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use sqlx::{PgConnection, PgPool};

use crate::campaigns::{first_per_key, unpark, Parked, ReceiptOutcome, ReceiptUpdate, PARKED_COLUMNS};
use crate::retry::retrying;
use crate::Receipts;
use crate::StoreResult;

/// Applies receipts with unique (log id, route, vendor id) in one statement (atomic on its own): moves each
/// PENDING message that was accepted through the receipt's route under the receipt's vendor id to the
/// receipt's status, adds the moves to their campaigns' counters, and, if `park`, parks receipts whose message
/// has no recorded acceptance yet. Returns `(applied, unknown)`.
///
/// Messages are found by primary key. Only `status`, `error`, `completed_at` and `updated_at` change, none
/// of them indexed, so each row is a HOT update. Two batches sharing messages or campaigns may deadlock (row
/// order inside `UPDATE … FROM` is unspecified); callers run this under [`retrying`].
pub(super) async fn apply_core(
    conn: &mut PgConnection,
    receipts: &[&ReceiptUpdate],
    now: DateTime<Utc>,
    park: bool,
    shard: i16,
) -> StoreResult<(u64, u64)> {
    let (applied, unknown): (i64, i64) = sqlx::query_as(
        "WITH d AS ( \
             SELECT * FROM UNNEST($1::bigint[], $2::text[], $3::text[], $4::text[], $5::text[], $6::timestamptz[], \
                                  $10::bool[]) \
                 AS d(id, route, vid, status, error, at, perm)), \
         upd AS ( \
             UPDATE communication_log l SET status = d.status, error = d.error, completed_at = d.at, updated_at = $7, \
                 permanent = (d.perm AND d.status = 'FAILED') \
             FROM d WHERE l.id = d.id AND l.route = d.route AND l.vendor_message_id = d.vid AND l.status = 'PENDING' \
             RETURNING l.campaign_id, d.id, d.vid, d.status, l.permanent), \
         bounce AS ( \
             INSERT INTO pending_bounces (log_id, recorded_at) SELECT id, $7 FROM upd WHERE permanent \
             ON CONFLICT DO NOTHING), \
         agg AS ( \
             SELECT campaign_id, count(*) FILTER (WHERE status = 'SENT') AS sent, \
                    count(*) FILTER (WHERE status = 'FAILED') AS failed \
             FROM upd GROUP BY campaign_id), \
         bump AS ( \
             INSERT INTO campaign_counts (campaign_id, shard, pending, sent, failed) \
             SELECT campaign_id, $9, -(sent + failed), sent, failed FROM agg ORDER BY campaign_id \
             ON CONFLICT (campaign_id, shard) DO UPDATE SET pending = campaign_counts.pending + excluded.pending, \
                 sent = campaign_counts.sent + excluded.sent, failed = campaign_counts.failed + excluded.failed), \
         miss AS ( \
             SELECT d.* FROM d WHERE $8 AND NOT EXISTS (SELECT 1 FROM upd WHERE upd.id = d.id AND upd.vid = d.vid) \
               AND EXISTS (SELECT 1 FROM communication_log l WHERE l.id = d.id AND l.vendor_message_id IS NULL)), \
         park AS ( \
             INSERT INTO unmatched_receipts \
                 (log_id, route, vendor_message_id, status, error, occurred_at, received_at, permanent) \
             SELECT id, route, vid, status, error, at, $7, perm FROM miss ON CONFLICT DO NOTHING) \
         SELECT (SELECT count(*) FROM upd), (SELECT count(*) FROM miss)",
    )
    .bind(receipts.iter().map(|r| r.log_id).collect::<Vec<_>>())
    .bind(receipts.iter().map(|r| r.route.as_str()).collect::<Vec<_>>())
    .bind(receipts.iter().map(|r| r.vendor_message_id.as_str()).collect::<Vec<_>>())
    .bind(receipts.iter().map(|r| r.status.as_str()).collect::<Vec<_>>())
    .bind(receipts.iter().map(|r| r.error.as_deref()).collect::<Vec<_>>())
    .bind(receipts.iter().map(|r| r.at).collect::<Vec<_>>())
    .bind(now)
    .bind(park)
    .bind(shard)
    .bind(receipts.iter().map(|r| r.permanent).collect::<Vec<_>>())
    .fetch_one(conn)
    .await?;
    Ok((applied as u64, unknown as u64))
}

/// What a dispatch result just recorded: the message, the route and the vendor id it was accepted under.
pub(super) type Recorded = (i64, String, String);

/// Applies the receipts parked for exactly these acceptances (just recorded by the caller's transaction) and
/// unparks them.
pub(super) async fn apply_parked(
    conn: &mut PgConnection,
    recorded: &[Recorded],
    now: DateTime<Utc>,
    shard: i16,
) -> StoreResult<u64> {
    if recorded.is_empty() {
        return Ok(0);
    }
    let rows: Vec<Parked> = sqlx::query_as(
        "DELETE FROM unmatched_receipts u USING UNNEST($1::bigint[], $2::text[], $3::text[]) AS a(id, route, vid) \
         WHERE u.log_id = a.id AND u.route = a.route AND u.vendor_message_id = a.vid \
         RETURNING u.log_id, u.route, u.vendor_message_id, u.status, u.error, u.occurred_at, u.permanent",
    )
    .bind(recorded.iter().map(|r| r.0).collect::<Vec<_>>())
    .bind(recorded.iter().map(|r| r.1.as_str()).collect::<Vec<_>>())
    .bind(recorded.iter().map(|r| r.2.as_str()).collect::<Vec<_>>())
    .fetch_all(&mut *conn)
    .await?;
    let parked: Vec<ReceiptUpdate> = rows.into_iter().map(unpark).collect();
    if parked.is_empty() {
        return Ok(0);
    }
    let refs: Vec<&ReceiptUpdate> = parked.iter().collect();
    Ok(apply_core(conn, &refs, now, false, shard).await?.0)
}

/// Where the last sweep of [`reconcile`] stopped among the parked receipts (a log id), so that a block of
/// receipts whose messages are not recorded yet never starves the ones behind it.
static SWEEP_FROM: AtomicI64 = AtomicI64::new(0);
/// Parked receipts one sweep looks at.
const SWEEP_BATCH: i64 = 10_000;

/// Settles parked receipts whose message has an acceptance recorded by now: applied where route and vendor
/// id match, dropped where they do not (the message went out another way; such a receipt can never apply).
/// This closes the race [`apply_parked`] leaves open: a receipt parked by a transaction that committed just
/// after the dispatch result's transaction looked for it.
///
/// Each sweep takes the next [`SWEEP_BATCH`] parked receipts in log id order (a range of the primary key)
/// and looks their messages up by primary key. Both plans hold whatever the statistics say: a join the
/// planner was free to reorder once scanned the whole log per sweep for minutes (statistics taken at launch,
/// when no message had a vendor id yet), holding the parked rows the dispatchers then waited for.
pub(crate) async fn reconcile(pool: &PgPool, now: DateTime<Utc>) -> StoreResult<u64> {
    retrying("reconcile receipts", || async {
        let mut tx = pool.begin().await?;
        let parked: Vec<i64> =
            sqlx::query_scalar("SELECT log_id FROM unmatched_receipts WHERE log_id > $1 ORDER BY log_id LIMIT $2")
                .bind(SWEEP_FROM.load(Ordering::Relaxed))
                .bind(SWEEP_BATCH)
                .fetch_all(&mut *tx)
                .await?;
        let next = match parked.last() {
            Some(last) if parked.len() as i64 == SWEEP_BATCH => *last,
            _ => 0,
        };
        SWEEP_FROM.store(next, Ordering::Relaxed);
        if parked.is_empty() {
            return Ok(0);
        }
        let known: Vec<i64> =
            sqlx::query_scalar("SELECT id FROM communication_log WHERE id = ANY($1) AND vendor_message_id IS NOT NULL")
                .bind(&parked)
                .fetch_all(&mut *tx)
                .await?;
        if known.is_empty() {
            return Ok(0);
        }
        let sql = format!("DELETE FROM unmatched_receipts WHERE log_id = ANY($1) RETURNING {PARKED_COLUMNS}");
        let rows: Vec<Parked> = sqlx::query_as(&sql).bind(&known).fetch_all(&mut *tx).await?;
        let parked: Vec<ReceiptUpdate> = rows.into_iter().map(unpark).collect();
        let refs: Vec<&ReceiptUpdate> = parked.iter().collect();
        let shard = super::counter_shard();
        let applied = if refs.is_empty() { 0 } else { apply_core(&mut tx, &refs, now, false, shard).await?.0 };
        tx.commit().await?;
        Ok(applied)
    })
    .await
}

#[async_trait]
impl Receipts for crate::postgres::PgStore {
    async fn apply_receipts(&self, receipts: &[ReceiptUpdate], now: DateTime<Utc>) -> StoreResult<ReceiptOutcome> {
        let unique = first_per_key(receipts, |r| (r.log_id, r.route.as_str(), r.vendor_message_id.as_str()));
        if unique.is_empty() {
            return Ok(ReceiptOutcome::default());
        }
        let (applied, unknown) = retrying("apply receipts", || async {
            let mut conn = self.pool().acquire().await?;
            apply_core(&mut conn, &unique, now, true, super::counter_shard()).await
        })
        .await?;
        let ignored_duplicates_or_late = receipts.len() as u64 - applied - unknown;
        Ok(ReceiptOutcome { applied, ignored_duplicates_or_late, unknown })
    }

    async fn prune_unmatched_receipts(&self, before: DateTime<Utc>) -> StoreResult<u64> {
        let result = sqlx::query("DELETE FROM unmatched_receipts WHERE received_at < $1")
            .bind(before)
            .execute(self.pool())
            .await?;
        Ok(result.rows_affected())
    }
}
