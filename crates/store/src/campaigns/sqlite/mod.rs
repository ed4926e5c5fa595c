//! Campaigns on SQLite: row-at-a-time prepared statements inside one transaction per call (in-process, so a
//! statement costs microseconds, and SQLite's single writer serialises transactions anyway).
//!
//! Every transaction here starts with a write, so it takes the write lock at its first statement (waiting
//! under the busy timeout) instead of failing to upgrade a read snapshot that another writer made stale.

pub(crate) mod create;
pub(crate) mod dispatch;
pub(crate) mod lifecycle;
pub(crate) mod receipts;

use sqlx::query::Query;
use sqlx::sqlite::{SqliteArguments, SqliteRow};
use sqlx::{Row, Sqlite, SqliteConnection};

use super::{campaign_status, send_channel, stats, CampaignRow, Deltas};
use crate::codec::{from_millis, millis};
use crate::segment::Param;
use crate::{StoreError, StoreResult};

pub(crate) const COLUMNS: &str = "id, workspace_id, name, channel, template, segment_id, rule, status, send_at, \
    idempotency_key, pending, sent, failed, skipped, created_at, updated_at, launched_at, completed_at, \
    request_fingerprint";

pub(crate) fn optional_time(row: &SqliteRow, column: &str) -> StoreResult<Option<chrono::DateTime<chrono::Utc>>> {
    row.try_get::<Option<i64>, _>(column)?.map(from_millis).transpose()
}

pub(crate) fn campaign(row: &SqliteRow) -> StoreResult<CampaignRow> {
    let rule: String = row.try_get("rule")?;
    Ok(CampaignRow {
        id: row.try_get("id")?,
        workspace_id: row.try_get("workspace_id")?,
        name: row.try_get("name")?,
        channel: send_channel(row.try_get("channel")?)?,
        template: row.try_get("template")?,
        segment_id: row.try_get("segment_id")?,
        rule: serde_json::from_str(&rule).map_err(|e| StoreError::Corrupt(format!("campaign rule: {e}")))?,
        status: campaign_status(row.try_get("status")?)?,
        send_at: from_millis(row.try_get("send_at")?)?,
        idempotency_key: row.try_get("idempotency_key")?,
        request_fingerprint: row.try_get("request_fingerprint")?,
        stats: stats(row.try_get("pending")?, row.try_get("sent")?, row.try_get("failed")?, row.try_get("skipped")?),
        created_at: from_millis(row.try_get("created_at")?)?,
        updated_at: from_millis(row.try_get("updated_at")?)?,
        launched_at: optional_time(row, "launched_at")?,
        completed_at: optional_time(row, "completed_at")?,
    })
}

type SqliteQuery<'q> = Query<'q, Sqlite, SqliteArguments<'q>>;

/// Binds a compiled rule's values in order (see `segment::sqlite`).
pub(crate) fn bind_params<'q>(mut query: SqliteQuery<'q>, params: &[Param]) -> SqliteQuery<'q> {
    for param in params {
        query = match param {
            Param::Int(number) => query.bind(*number),
            Param::Text(text) => query.bind(text.clone()),
            Param::TextList(items) => query.bind(serde_json::Value::from(items.clone()).to_string()),
            Param::Timestamp(at) => query.bind(millis(*at)),
        };
    }
    query
}

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
