//! Audience snapshots and change sets on Postgres, each read in one REPEATABLE READ transaction so the
//! facts and the watermark describe the same instant.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use sqlx::PgPool;

use super::facts::postgres::facts;
use super::{AudienceSnapshot, ChangeMark};
use crate::ChangeFeed;
use crate::StoreResult;
use converge_domain::WorkspaceId;

async fn begin_snapshot(pool: &PgPool) -> StoreResult<(sqlx::Transaction<'static, sqlx::Postgres>, ChangeMark)> {
    let mut tx = pool.begin().await?;
    sqlx::query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY").execute(&mut *tx).await?;
    let (xmin,): (i64,) =
        sqlx::query_as("SELECT pg_snapshot_xmin(pg_current_snapshot())::text::bigint").fetch_one(&mut *tx).await?;
    Ok((tx, ChangeMark(xmin)))
}

#[async_trait]
impl ChangeFeed for crate::postgres::PgStore {
    async fn audience_snapshot(&self, workspace_id: WorkspaceId) -> StoreResult<AudienceSnapshot> {
        let (mut tx, mark) = begin_snapshot(self.pool()).await?;
        let customers = facts(&mut tx, workspace_id, None).await?;
        tx.commit().await?;
        Ok(AudienceSnapshot { customers, mark })
    }

    /// One statement (one snapshot) reads both the watermark and the changed customers, so the common case — no
    /// changes — costs a single round trip. The facts are then read in a second statement, possibly seeing newer
    /// data than the first: harmless, because anything that changed after the first snapshot's xmin is fetched
    /// again at the next catch-up, and everything committed before this call is included.
    async fn audience_changes(&self, workspace_id: WorkspaceId, since: ChangeMark) -> StoreResult<AudienceSnapshot> {
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
