//! Campaigns seen from elsewhere on SQLite: a customer's messages, and how many campaigns are in each status.

use converge_domain::CampaignStatus;
use sqlx::{Row, SqlitePool};

use super::optional_time;
use crate::campaigns::{campaign_status, channel, delivery_status};
use crate::codec::from_millis;
use crate::{CustomerMessage, StoreResult};

/// The customer's log rows, newest campaign first (see the Postgres twin for why it goes through campaigns).
pub(crate) async fn customer_messages(
    pool: &SqlitePool,
    workspace_id: i64,
    customer_id: i64,
    before_campaign: Option<i64>,
    limit: u32,
) -> StoreResult<Vec<CustomerMessage>> {
    let rows = sqlx::query(
        "SELECT l.id, l.campaign_id, c.name, l.status, l.channel, l.message, l.error, l.created_at, l.updated_at, \
                l.completed_at \
         FROM campaigns c JOIN communication_log l ON l.campaign_id = c.id AND l.customer_id = $2 \
         WHERE c.workspace_id = $1 AND ($3 IS NULL OR c.id < $3) \
         ORDER BY c.id DESC LIMIT $4",
    )
    .bind(workspace_id)
    .bind(customer_id)
    .bind(before_campaign)
    .bind(i64::from(limit))
    .fetch_all(pool)
    .await?;
    rows.iter()
        .map(|row| {
            Ok(CustomerMessage {
                log_id: row.try_get("id")?,
                campaign_id: row.try_get("campaign_id")?,
                campaign_name: row.try_get("name")?,
                status: delivery_status(row.try_get("status")?)?,
                channel: channel(row.try_get("channel")?),
                message: row.try_get("message")?,
                error: row.try_get("error")?,
                created_at: from_millis(row.try_get("created_at")?)?,
                updated_at: from_millis(row.try_get("updated_at")?)?,
                completed_at: optional_time(row, "completed_at")?,
            })
        })
        .collect()
}

pub(crate) async fn status_counts(pool: &SqlitePool, workspace_id: i64) -> StoreResult<Vec<(CampaignStatus, i64)>> {
    let rows: Vec<(String, i64)> = sqlx::query_as(
        "SELECT status, count(*) FROM campaigns WHERE workspace_id = $1 GROUP BY status ORDER BY status",
    )
    .bind(workspace_id)
    .fetch_all(pool)
    .await?;
    rows.into_iter().map(|(status, n)| Ok((campaign_status(&status)?, n))).collect()
}
