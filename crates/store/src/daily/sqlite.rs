//! `ingest_daily` on SQLite (days as `YYYY-MM-DD` text).

use async_trait::async_trait;
use chrono::NaiveDate;
use converge_domain::{WorkspaceId, TOTAL_CAP_MINOR};
use sqlx::{Sqlite, Transaction};

use super::{next_shard, Rollup};
use crate::Daily;
use crate::{IngestDay, StoreError, StoreResult};

/// Adds a batch's rollup inside its transaction.
pub(crate) async fn add(tx: &mut Transaction<'_, Sqlite>, rollup: &Rollup) -> StoreResult<()> {
    let shard = next_shard();
    for (workspace_id, day, delta) in rollup.rows() {
        sqlx::query(
            "INSERT INTO ingest_daily (workspace_id, day, shard, customers_created, orders_recorded, revenue_minor) \
             VALUES ($1, $2, $3, $4, $5, $6) \
             ON CONFLICT (workspace_id, day, shard) DO UPDATE SET \
                 customers_created = customers_created + excluded.customers_created, \
                 orders_recorded = orders_recorded + excluded.orders_recorded, \
                 revenue_minor = min(revenue_minor, $7 - excluded.revenue_minor) + excluded.revenue_minor",
        )
        .bind(workspace_id)
        .bind(day.format("%Y-%m-%d").to_string())
        .bind(shard)
        .bind(delta.customers)
        .bind(delta.orders)
        .bind(delta.revenue_minor)
        .bind(TOTAL_CAP_MINOR)
        .execute(&mut **tx)
        .await?;
    }
    Ok(())
}

#[async_trait]
impl Daily for crate::sqlite::SqliteStore {
    async fn ingest_days(&self, workspace_id: WorkspaceId) -> StoreResult<Vec<IngestDay>> {
        let rows: Vec<(String, i64, i64, i64)> = sqlx::query_as(
            "SELECT day, sum(customers_created), sum(orders_recorded), min(sum(revenue_minor), $2) \
             FROM ingest_daily WHERE workspace_id = $1 GROUP BY day ORDER BY day",
        )
        .bind(workspace_id)
        .bind(TOTAL_CAP_MINOR)
        .fetch_all(self.pool())
        .await?;
        rows.into_iter()
            .map(|(day, customers, orders, revenue)| {
                let day = NaiveDate::parse_from_str(&day, "%Y-%m-%d")
                    .map_err(|e| StoreError::Corrupt(format!("ingest_daily.day {day:?}: {e}")))?;
                Ok(IngestDay::from((day, customers, orders, revenue)))
            })
            .collect()
    }
}
