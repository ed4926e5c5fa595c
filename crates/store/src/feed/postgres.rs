//! Audience snapshots and change sets on Postgres, each read in one REPEATABLE READ transaction so the
//! facts and the watermark describe the same instant.

use std::collections::HashMap;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use converge_domain::segment::{CustomerFacts, OrderFact};
use sqlx::{PgConnection, PgPool};

use super::{AudienceSnapshot, ChangeMark};
use crate::segment::postgres::facts_of;
use crate::ChangeFeed;
use crate::StoreResult;

/// Facts of a workspace's customers — all of them, or only those with the given external ids.
pub(crate) async fn facts(
    conn: &mut PgConnection,
    workspace_id: i64,
    only: Option<&[String]>,
) -> StoreResult<Vec<(i64, CustomerFacts)>> {
    let rows = sqlx::query(
        "SELECT id, name, email, phone, city, gender, preferred_channel, attributes, created_at, \
                profile_received_at, total_spend, order_count, visits, last_order_at \
         FROM customers WHERE workspace_id = $1 AND ($2::text[] IS NULL OR external_id = ANY($2)) ORDER BY id",
    )
    .bind(workspace_id)
    .bind(only)
    .fetch_all(&mut *conn)
    .await?;
    let mut facts: Vec<(i64, CustomerFacts)> = rows.iter().map(facts_of).collect::<StoreResult<_>>()?;
    let position: HashMap<i64, usize> = facts.iter().enumerate().map(|(i, (id, _))| (*id, i)).collect();
    let ids: Option<Vec<i64>> = only.map(|_| facts.iter().map(|(id, _)| *id).collect());
    let orders: Vec<(i64, DateTime<Utc>, i64)> = sqlx::query_as(
        "SELECT customer_id, ordered_at, amount_minor FROM orders \
         WHERE workspace_id = $1 AND ($2::bigint[] IS NULL OR customer_id = ANY($2)) \
         ORDER BY customer_id, ordered_at, id",
    )
    .bind(workspace_id)
    .bind(ids)
    .fetch_all(&mut *conn)
    .await?;
    for (customer_id, ordered_at, amount_minor) in orders {
        if let Some(&index) = position.get(&customer_id) {
            facts[index].1.orders.push(OrderFact { ordered_at, amount_minor });
        }
    }
    Ok(facts)
}

async fn begin_snapshot(pool: &PgPool) -> StoreResult<(sqlx::Transaction<'static, sqlx::Postgres>, ChangeMark)> {
    let mut tx = pool.begin().await?;
    sqlx::query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY").execute(&mut *tx).await?;
    let (xmin,): (i64,) =
        sqlx::query_as("SELECT pg_snapshot_xmin(pg_current_snapshot())::text::bigint").fetch_one(&mut *tx).await?;
    Ok((tx, ChangeMark(xmin)))
}

#[async_trait]
impl ChangeFeed for crate::postgres::PgStore {
    async fn audience_snapshot(&self, workspace_id: i64) -> StoreResult<AudienceSnapshot> {
        let (mut tx, mark) = begin_snapshot(self.pool()).await?;
        let customers = facts(&mut tx, workspace_id, None).await?;
        tx.commit().await?;
        Ok(AudienceSnapshot { customers, mark })
    }

    /// One statement (one snapshot) reads both the watermark and the changed customers, so the common case — no
    /// changes — costs a single round trip. The facts are then read in a second statement, possibly seeing newer
    /// data than the first: harmless, because anything that changed after the first snapshot's xmin is fetched
    /// again at the next catch-up, and everything committed before this call is included.
    async fn audience_changes(&self, workspace_id: i64, since: ChangeMark) -> StoreResult<AudienceSnapshot> {
        let pool = self.pool();
        let (mark, changed): (i64, Vec<String>) = sqlx::query_as(
            "SELECT pg_snapshot_xmin(pg_current_snapshot())::text::bigint, \
                    ARRAY(SELECT DISTINCT unnest(external_ids) FROM customer_changes \
                          WHERE workspace_id = $1 AND change_xid >= $2)",
        )
        .bind(workspace_id)
        .bind(since.0)
        .fetch_one(pool)
        .await?;
        let customers = if changed.is_empty() {
            Vec::new()
        } else {
            // Profiles and orders from one snapshot, so a customer's aggregates and orders agree.
            let (mut tx, _) = begin_snapshot(pool).await?;
            let customers = facts(&mut tx, workspace_id, Some(&changed)).await?;
            tx.commit().await?;
            customers
        };
        Ok(AudienceSnapshot { customers, mark: ChangeMark(mark) })
    }

    async fn prune_changes(&self, before: DateTime<Utc>) -> StoreResult<u64> {
        let result = sqlx::query("DELETE FROM customer_changes WHERE recorded_at < $1")
            .bind(before)
            .execute(self.pool())
            .await?;
        Ok(result.rows_affected())
    }
}
