//! Audience snapshots and change sets on SQLite, each read in one read transaction (WAL gives it a stable
//! snapshot). Writers are serialised, so change ids grow in commit order and the watermark is an id.

use std::collections::HashMap;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use converge_domain::segment::{CustomerFacts, OrderFact};
use sqlx::SqliteConnection;

use super::{AudienceSnapshot, ChangeMark};
use crate::codec::{from_millis, millis};
use crate::segment::sqlite::facts_of;
use crate::ChangeFeed;
use crate::StoreResult;

/// Facts of a workspace's customers — all of them, or only those with the given external ids.
pub(crate) async fn facts(
    conn: &mut SqliteConnection,
    workspace_id: i64,
    only: Option<&[String]>,
) -> StoreResult<Vec<(i64, CustomerFacts)>> {
    let only_json = only.map(|ids| serde_json::to_string(ids).unwrap_or_else(|_| "[]".into()));
    let rows = sqlx::query(
        "SELECT id, name, email, phone, city, gender, preferred_channel, attributes, created_at, \
                profile_received_at, total_spend, order_count, visits, last_order_at \
         FROM customers WHERE workspace_id = $1 \
           AND ($2 IS NULL OR external_id IN (SELECT value FROM json_each($2))) ORDER BY id",
    )
    .bind(workspace_id)
    .bind(&only_json)
    .fetch_all(&mut *conn)
    .await?;
    let mut facts: Vec<(i64, CustomerFacts)> = rows.iter().map(facts_of).collect::<StoreResult<_>>()?;
    let position: HashMap<i64, usize> = facts.iter().enumerate().map(|(i, (id, _))| (*id, i)).collect();
    let ids_json = only.map(|_| serde_json::to_string(&facts.iter().map(|(id, _)| *id).collect::<Vec<_>>()).ok());
    let orders: Vec<(i64, i64, i64)> = sqlx::query_as(
        "SELECT customer_id, ordered_at, amount_minor FROM orders WHERE workspace_id = $1 \
           AND ($2 IS NULL OR customer_id IN (SELECT value FROM json_each($2))) \
         ORDER BY customer_id, ordered_at, id",
    )
    .bind(workspace_id)
    .bind(ids_json.flatten())
    .fetch_all(&mut *conn)
    .await?;
    for (customer_id, ordered_at, amount_minor) in orders {
        if let Some(&index) = position.get(&customer_id) {
            facts[index].1.orders.push(OrderFact { ordered_at: from_millis(ordered_at)?, amount_minor });
        }
    }
    Ok(facts)
}

#[async_trait]
impl ChangeFeed for crate::sqlite::SqliteStore {
    async fn audience_snapshot(&self, workspace_id: i64) -> StoreResult<AudienceSnapshot> {
        let mut tx = self.pool().begin().await?;
        let (mark,): (i64,) =
            sqlx::query_as("SELECT COALESCE(max(id), 0) FROM customer_changes").fetch_one(&mut *tx).await?;
        let customers = facts(&mut tx, workspace_id, None).await?;
        tx.commit().await?;
        Ok(AudienceSnapshot { customers, mark: ChangeMark(mark) })
    }

    async fn audience_changes(&self, workspace_id: i64, since: ChangeMark) -> StoreResult<AudienceSnapshot> {
        let mut tx = self.pool().begin().await?;
        let rows: Vec<(i64, String)> =
            sqlx::query_as("SELECT id, external_ids FROM customer_changes WHERE workspace_id = $1 AND id > $2")
                .bind(workspace_id)
                .bind(since.0)
                .fetch_all(&mut *tx)
                .await?;
        let mark = rows.iter().map(|(id, _)| *id).max().unwrap_or(since.0).max(since.0);
        let mut ids: Vec<String> =
            rows.iter().flat_map(|(_, list)| serde_json::from_str::<Vec<String>>(list).unwrap_or_default()).collect();
        ids.sort_unstable();
        ids.dedup();
        let customers = if ids.is_empty() { Vec::new() } else { facts(&mut tx, workspace_id, Some(&ids)).await? };
        tx.commit().await?;
        Ok(AudienceSnapshot { customers, mark: ChangeMark(mark) })
    }

    async fn prune_changes(&self, before: DateTime<Utc>) -> StoreResult<u64> {
        let result = sqlx::query("DELETE FROM customer_changes WHERE recorded_at < $1")
            .bind(millis(before))
            .execute(self.pool())
            .await?;
        Ok(result.rows_affected())
    }
}
