//! Per-workspace settings documents (today: delivery channels) on both backends. The store keeps them as
//! JSON and knows nothing of their shape: the server validates before writing and after reading.

use chrono::{DateTime, Utc};
use sqlx::{PgPool, SqlitePool};

use crate::sqlite::millis;
use crate::StoreResult;

pub(crate) async fn channels_pg(pool: &PgPool, workspace_id: i64) -> StoreResult<Option<serde_json::Value>> {
    let row: Option<serde_json::Value> =
        sqlx::query_scalar("SELECT channels FROM workspace_settings WHERE workspace_id = $1")
            .bind(workspace_id)
            .fetch_optional(pool)
            .await?;
    Ok(row)
}

pub(crate) async fn put_channels_pg(
    pool: &PgPool,
    workspace_id: i64,
    channels: &serde_json::Value,
    now: DateTime<Utc>,
) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO workspace_settings (workspace_id, channels, updated_at) VALUES ($1, $2, $3) \
         ON CONFLICT (workspace_id) DO UPDATE SET channels = EXCLUDED.channels, updated_at = EXCLUDED.updated_at",
    )
    .bind(workspace_id)
    .bind(channels)
    .bind(now)
    .execute(pool)
    .await?;
    Ok(())
}

pub(crate) async fn channels_sqlite(pool: &SqlitePool, workspace_id: i64) -> StoreResult<Option<serde_json::Value>> {
    let row: Option<String> = sqlx::query_scalar("SELECT channels FROM workspace_settings WHERE workspace_id = $1")
        .bind(workspace_id)
        .fetch_optional(pool)
        .await?;
    row.map(|text| {
        serde_json::from_str(&text).map_err(|e| crate::StoreError::Corrupt(format!("workspace settings: {e}")))
    })
    .transpose()
}

pub(crate) async fn put_channels_sqlite(
    pool: &SqlitePool,
    workspace_id: i64,
    channels: &serde_json::Value,
    now: DateTime<Utc>,
) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO workspace_settings (workspace_id, channels, updated_at) VALUES ($1, $2, $3) \
         ON CONFLICT (workspace_id) DO UPDATE SET channels = excluded.channels, updated_at = excluded.updated_at",
    )
    .bind(workspace_id)
    .bind(channels.to_string())
    .bind(millis(now))
    .execute(pool)
    .await?;
    Ok(())
}
