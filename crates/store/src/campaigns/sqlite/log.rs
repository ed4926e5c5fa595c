//! Reading a campaign's log on SQLite.

use chrono::Duration;
use converge_domain::DeliveryStatus;
use sqlx::sqlite::SqliteRow;
use sqlx::{Row, SqlitePool};

use super::optional_time;
use crate::campaigns::{channel, count_stats, delivery_status, CampaignStats, LogRow, TimelinePoint};
use crate::codec::from_millis;
use crate::StoreResult;

fn log_row(row: &SqliteRow) -> StoreResult<LogRow> {
    Ok(LogRow {
        id: row.try_get("id")?,
        customer_id: row.try_get("customer_id")?,
        customer_external_id: row.try_get("external_id")?,
        customer_name: row.try_get("name")?,
        status: delivery_status(row.try_get("status")?)?,
        attempts: row.try_get("attempts")?,
        channel: channel(row.try_get("channel")?),
        address: row.try_get("address")?,
        message: row.try_get("message")?,
        vendor_message_id: row.try_get("vendor_message_id")?,
        error: row.try_get("error")?,
        next_attempt_at: optional_time(row, "next_attempt_at")?,
        created_at: from_millis(row.try_get("created_at")?)?,
        updated_at: from_millis(row.try_get("updated_at")?)?,
        dispatched_at: optional_time(row, "dispatched_at")?,
        completed_at: optional_time(row, "completed_at")?,
    })
}

pub(crate) async fn page(
    pool: &SqlitePool,
    workspace_id: i64,
    campaign_id: i64,
    status: Option<DeliveryStatus>,
    after_id: Option<i64>,
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
    .fetch_all(pool)
    .await?;
    rows.iter().map(log_row).collect()
}

pub(crate) async fn counts(pool: &SqlitePool, workspace_id: i64, campaign_id: i64) -> StoreResult<CampaignStats> {
    let rows: Vec<(String, i64)> = sqlx::query_as(
        "SELECT status, count(*) FROM communication_log WHERE campaign_id = $2 AND workspace_id = $1 GROUP BY status",
    )
    .bind(workspace_id)
    .bind(campaign_id)
    .fetch_all(pool)
    .await?;
    count_stats(rows)
}

pub(crate) async fn timeline(
    pool: &SqlitePool,
    workspace_id: i64,
    campaign_id: i64,
    bucket: Duration,
) -> StoreResult<Vec<TimelinePoint>> {
    let bucket_ms = bucket.num_milliseconds().max(1);
    let rows: Vec<(i64, i64, i64)> = sqlx::query_as(
        "SELECT (completed_at / $3) * $3 AS bucket, sum(status = 'SENT'), sum(status = 'FAILED') \
         FROM communication_log \
         WHERE campaign_id = $2 AND workspace_id = $1 AND status IN ('SENT', 'FAILED') AND completed_at IS NOT NULL \
         GROUP BY 1 ORDER BY 1",
    )
    .bind(workspace_id)
    .bind(campaign_id)
    .bind(bucket_ms)
    .fetch_all(pool)
    .await?;
    rows.into_iter()
        .map(|(ms, sent, failed)| Ok(TimelinePoint { bucket_start: from_millis(ms)?, sent, failed }))
        .collect()
}
