//! `ingest_daily` on Postgres.

use async_trait::async_trait;
use chrono::NaiveDate;
use converge_domain::{WorkspaceId, TOTAL_CAP_MINOR};
use sqlx::{Postgres, Transaction};

use super::{next_shard, Rollup};
use crate::Daily;
use crate::{IngestDay, StoreResult};

/// Adds a batch's rollup inside its transaction, as its last statement (row locks are held until commit).
pub(crate) async fn add(tx: &mut Transaction<'_, Postgres>, rollup: &Rollup) -> StoreResult<()> {
    if rollup.is_empty() {
        return Ok(());
    }
    let (mut workspaces, mut days, mut customers, mut orders, mut revenue) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for (workspace_id, day, delta) in rollup.rows() {
        workspaces.push(workspace_id);
        days.push(day);
        customers.push(delta.customers);
        orders.push(delta.orders);
        revenue.push(delta.revenue_minor);
    }
    sqlx::query(
        "INSERT INTO ingest_daily (workspace_id, day, shard, customers_created, orders_recorded, revenue_minor) \
         SELECT w, d, $6, c, o, r FROM UNNEST($1::bigint[], $2::date[], $3::bigint[], $4::bigint[], $5::bigint[]) \
             AS t(w, d, c, o, r) \
         ON CONFLICT (workspace_id, day, shard) DO UPDATE SET \
             customers_created = ingest_daily.customers_created + excluded.customers_created, \
             orders_recorded = ingest_daily.orders_recorded + excluded.orders_recorded, \
             revenue_minor = LEAST(ingest_daily.revenue_minor::numeric + excluded.revenue_minor, $7::bigint)::bigint",
    )
    .bind(workspaces)
    .bind(days)
    .bind(customers)
    .bind(orders)
    .bind(revenue)
    .bind(next_shard())
    .bind(TOTAL_CAP_MINOR)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

#[async_trait]
impl Daily for crate::postgres::PgStore {
    async fn ingest_days(&self, workspace_id: WorkspaceId) -> StoreResult<Vec<IngestDay>> {
        let rows: Vec<(NaiveDate, i64, i64, i64)> = sqlx::query_as(
            "SELECT day, sum(customers_created)::bigint, sum(orders_recorded)::bigint, LEAST(sum(revenue_minor), $2::bigint)::bigint \
             FROM ingest_daily WHERE workspace_id = $1 GROUP BY day ORDER BY day",
        )
        .bind(workspace_id)
        .bind(TOTAL_CAP_MINOR)
        .fetch_all(self.pool())
        .await?;
        Ok(rows.into_iter().map(IngestDay::from).collect())
    }
}
