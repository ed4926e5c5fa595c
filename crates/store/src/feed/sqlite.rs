//! Audience snapshots and change sets on SQLite, each read in one read transaction (WAL gives it a stable
//! snapshot). Writers are serialised, so change ids grow in commit order and the watermark is an id.

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use super::facts::sqlite::facts;
use super::{AudienceSnapshot, ChangeMark};
use crate::codec::millis;
use crate::ChangeFeed;
use crate::StoreResult;
use converge_domain::WorkspaceId;

#[async_trait]
impl ChangeFeed for crate::sqlite::SqliteStore {
    async fn audience_snapshot(&self, workspace_id: WorkspaceId) -> StoreResult<AudienceSnapshot> {
        let mut tx = self.pool().begin().await?;
        let (mark,): (i64,) =
            sqlx::query_as("SELECT COALESCE(max(id), 0) FROM customer_changes").fetch_one(&mut *tx).await?;
        let customers = facts(&mut tx, workspace_id, None).await?;
        tx.commit().await?;
        Ok(AudienceSnapshot { customers, mark: ChangeMark(mark) })
    }

    async fn audience_changes(&self, workspace_id: WorkspaceId, since: ChangeMark) -> StoreResult<AudienceSnapshot> {
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
