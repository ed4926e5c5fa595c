//! Applying vendor receipts on SQLite: one transaction per batch, one prepared statement per receipt.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use converge_domain::{CampaignId, DeliveryStatus, MessageId, ReceiptStatus};
use sqlx::{SqliteConnection, SqlitePool};

use super::bump;
use crate::campaigns::{first_per_key, unpark, Deltas, Parked, ReceiptOutcome, ReceiptUpdate, PARKED_COLUMNS};
use crate::codec::millis;
use crate::Receipts;
use crate::StoreResult;

enum Applied {
    Yes,
    Ignored,
    Unknown,
}

/// Moves the receipt's message from PENDING to its status if it was accepted through the receipt's route
/// under its vendor id (adding the move to `deltas`); `Unknown` while its acceptance is not recorded yet.
async fn apply_one(
    conn: &mut SqliteConnection,
    receipt: &ReceiptUpdate,
    now: DateTime<Utc>,
    deltas: &mut Deltas,
) -> StoreResult<Applied> {
    let permanent = receipt.permanent && receipt.status == ReceiptStatus::Failed;
    let campaign: Option<CampaignId> = sqlx::query_scalar(
        "UPDATE communication_log SET status = $4, error = $5, completed_at = $6, updated_at = $7, \
             permanent = $8 \
         WHERE id = $1 AND route = $2 AND vendor_message_id = $3 AND status = 'PENDING' RETURNING campaign_id",
    )
    .bind(receipt.log_id)
    .bind(&receipt.route)
    .bind(&receipt.vendor_message_id)
    .bind(receipt.status.as_str())
    .bind(&receipt.error)
    .bind(millis(receipt.at))
    .bind(millis(now))
    .bind(permanent)
    .fetch_optional(&mut *conn)
    .await?;
    if let Some(campaign) = campaign {
        if permanent {
            sqlx::query("INSERT INTO pending_bounces (log_id, recorded_at) VALUES ($1, $2) ON CONFLICT DO NOTHING")
                .bind(receipt.log_id)
                .bind(millis(now))
                .execute(&mut *conn)
                .await?;
        }
        deltas.moved(campaign, DeliveryStatus::from(receipt.status));
        return Ok(Applied::Yes);
    }
    let awaiting: Option<i64> =
        sqlx::query_scalar("SELECT 1 FROM communication_log WHERE id = $1 AND vendor_message_id IS NULL")
            .bind(receipt.log_id)
            .fetch_optional(&mut *conn)
            .await?;
    Ok(if awaiting.is_some() { Applied::Unknown } else { Applied::Ignored })
}

/// Applies the receipt parked for exactly this acceptance, if one is, and unparks it; returns how many applied
/// (0 or 1).
pub(super) async fn apply_parked(
    conn: &mut SqliteConnection,
    log_id: MessageId,
    route: &str,
    vendor_id: &str,
    now: DateTime<Utc>,
    deltas: &mut Deltas,
) -> StoreResult<u64> {
    let sql = format!(
        "DELETE FROM unmatched_receipts WHERE log_id = $1 AND route = $2 AND vendor_message_id = $3 \
         RETURNING {PARKED_COLUMNS}"
    );
    let parked: Vec<Parked> =
        sqlx::query_as(&sql).bind(log_id).bind(route).bind(vendor_id).fetch_all(&mut *conn).await?;
    let Some(parked) = parked.into_iter().next() else { return Ok(0) };
    Ok(u64::from(matches!(apply_one(conn, &unpark(parked), now, deltas).await?, Applied::Yes)))
}

/// Settles every parked receipt whose message has an acceptance recorded by now (applied where route and
/// vendor id match, dropped where they do not). On SQLite only a safety net: writers are serialised, so
/// `record_dispatch` always sees a receipt parked before it.
pub(crate) async fn reconcile(pool: &SqlitePool, now: DateTime<Utc>) -> StoreResult<u64> {
    let mut tx = pool.begin().await?;
    let sql = format!(
        "DELETE FROM unmatched_receipts \
         WHERE EXISTS (SELECT 1 FROM communication_log l \
                       WHERE l.id = unmatched_receipts.log_id AND l.vendor_message_id IS NOT NULL) \
         RETURNING {PARKED_COLUMNS}"
    );
    let rows: Vec<Parked> = sqlx::query_as(&sql).fetch_all(&mut *tx).await?;
    let mut deltas = Deltas::default();
    let mut applied = 0;
    for row in rows {
        if matches!(apply_one(&mut tx, &unpark(row), now, &mut deltas).await?, Applied::Yes) {
            applied += 1;
        }
    }
    bump(&mut tx, &deltas).await?;
    tx.commit().await?;
    Ok(applied)
}

#[async_trait]
impl Receipts for crate::sqlite::SqliteStore {
    async fn apply_receipts(&self, receipts: &[ReceiptUpdate], now: DateTime<Utc>) -> StoreResult<ReceiptOutcome> {
        let unique = first_per_key(receipts, |r| (r.log_id, r.route.as_str(), r.vendor_message_id.as_str()));
        if unique.is_empty() {
            return Ok(ReceiptOutcome::default());
        }
        let mut tx = self.pool().begin().await?;
        let mut deltas = Deltas::default();
        let (mut applied, mut unknown) = (0, 0);
        for receipt in unique {
            match apply_one(&mut tx, receipt, now, &mut deltas).await? {
                Applied::Yes => applied += 1,
                Applied::Ignored => {}
                Applied::Unknown => {
                    unknown += 1;
                    sqlx::query(
                        "INSERT INTO unmatched_receipts \
                             (log_id, route, vendor_message_id, status, error, occurred_at, received_at, permanent) \
                         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT DO NOTHING",
                    )
                    .bind(receipt.log_id)
                    .bind(&receipt.route)
                    .bind(&receipt.vendor_message_id)
                    .bind(receipt.status.as_str())
                    .bind(&receipt.error)
                    .bind(millis(receipt.at))
                    .bind(millis(now))
                    .bind(receipt.permanent)
                    .execute(&mut *tx)
                    .await?;
                }
            }
        }
        bump(&mut tx, &deltas).await?;
        tx.commit().await?;
        let ignored_duplicates_or_late = receipts.len() as u64 - applied - unknown;
        Ok(ReceiptOutcome { applied, ignored_duplicates_or_late, unknown })
    }

    async fn prune_unmatched_receipts(&self, before: DateTime<Utc>) -> StoreResult<u64> {
        let result = sqlx::query("DELETE FROM unmatched_receipts WHERE received_at < $1")
            .bind(millis(before))
            .execute(self.pool())
            .await?;
        Ok(result.rows_affected())
    }
}
