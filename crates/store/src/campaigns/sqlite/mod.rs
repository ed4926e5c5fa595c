//! Campaigns on SQLite: row-at-a-time prepared statements inside one transaction per call (in-process, so a
//! statement costs microseconds, and SQLite's single writer serialises transactions anyway).
//!
//! Every transaction here starts with a write, so it takes the write lock at its first statement (waiting
//! under the busy timeout) instead of failing to upgrade a read snapshot that another writer made stale.

pub(crate) mod dispatch;
pub(crate) mod lifecycle;
pub(crate) mod receipts;

use sqlx::SqliteConnection;

pub(crate) use super::read::sqlite::campaign;
use super::Deltas;
use crate::StoreResult;

pub(crate) const COLUMNS: &str = "id, workspace_id, name, channel, template, segment_id, rule, status, send_at, \
    idempotency_key, pending, sent, failed, skipped, created_at, updated_at, launched_at, completed_at, \
    request_fingerprint, topic, subject, preheader";

/// Where [`COLUMNS`] are read from as `c`: on SQLite the counters live on the campaign row itself.
pub(crate) const TOTALS: &str = "campaigns c";

/// Adds counter deltas to their campaigns, in campaign id order.
pub(crate) async fn bump(conn: &mut SqliteConnection, deltas: &Deltas) -> StoreResult<()> {
    for (id, d) in deltas.iter() {
        sqlx::query(
            "UPDATE campaigns SET pending = pending + $2, sent = sent + $3, failed = failed + $4, \
                    skipped = skipped + $5 WHERE id = $1",
        )
        .bind(id)
        .bind(d[0])
        .bind(d[1])
        .bind(d[2])
        .bind(d[3])
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}
