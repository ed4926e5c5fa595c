//! Saved segments, on both backends.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use sqlx::Row;

use crate::backend::per_backend;
use crate::codec::At;
use crate::error::conflict_on_unique;
use crate::{SavedSegment, SegmentWrite, StoreResult};
use converge_domain::{SegmentId, WorkspaceId};

const COLUMNS: &str = "id, name, description, rule, last_count, last_counted_at, created_at, updated_at";

/// Saved segments: named rules with their last count.
#[async_trait]
pub trait SavedSegments: Send + Sync {
    /// Saves a segment; [`StoreError::Conflict`](crate::StoreError::Conflict) if the workspace has one with that name.
    async fn create_segment(&self, workspace_id: WorkspaceId, write: &SegmentWrite) -> StoreResult<SavedSegment>;

    /// A workspace's saved segments, most recently changed first.
    async fn list_segments(&self, workspace_id: WorkspaceId) -> StoreResult<Vec<SavedSegment>>;

    async fn segment(&self, workspace_id: WorkspaceId, id: SegmentId) -> StoreResult<Option<SavedSegment>>;

    /// Replaces a segment's name, description, rule and count; `None` if there is no such segment.
    async fn update_segment(
        &self,
        workspace_id: WorkspaceId,
        id: SegmentId,
        write: &SegmentWrite,
    ) -> StoreResult<Option<SavedSegment>>;

    /// Deletes a segment; false if there was none.
    async fn delete_segment(&self, workspace_id: WorkspaceId, id: SegmentId) -> StoreResult<bool>;

    /// Records the size a segment had at `at`.
    async fn record_segment_count(
        &self,
        workspace_id: WorkspaceId,
        id: SegmentId,
        count: i64,
        at: DateTime<Utc>,
    ) -> StoreResult<()>;
}

per_backend! {
    fn segment(row: &DbRow) -> StoreResult<SavedSegment> {
        Ok(SavedSegment {
            id: row.try_get("id")?,
            name: row.try_get("name")?,
            description: row.try_get("description")?,
            rule: row.try_get("rule")?,
            last_count: row.try_get("last_count")?,
            last_counted_at: row.try_get::<Option<At>, _>("last_counted_at")?.map(DateTime::from),
            created_at: row.try_get::<At, _>("created_at")?.0,
            updated_at: row.try_get::<At, _>("updated_at")?.0,
        })
    }

    #[async_trait]
    impl SavedSegments for BackendStore {
        async fn create_segment(&self, workspace_id: WorkspaceId, write: &SegmentWrite) -> StoreResult<SavedSegment> {
            let sql = format!(
                "INSERT INTO segments (workspace_id, name, description, rule, last_count, last_counted_at, created_at, \
                                       updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $7) RETURNING {COLUMNS}"
            );
            let row = sqlx::query(&sql)
                .bind(workspace_id)
                .bind(&write.name)
                .bind(&write.description)
                .bind(&write.rule)
                .bind(write.count.map(|(n, _)| n))
                .bind(write.count.map(|(_, at)| At(at)))
                .bind(At(Utc::now()))
                .fetch_one(self.pool())
                .await
                .map_err(|e| conflict_on_unique(e, "a segment with this name"))?;
            segment(&row)
        }

        async fn list_segments(&self, workspace_id: WorkspaceId) -> StoreResult<Vec<SavedSegment>> {
            let sql = format!("SELECT {COLUMNS} FROM segments WHERE workspace_id = $1 ORDER BY updated_at DESC, id DESC");
            let rows = sqlx::query(&sql).bind(workspace_id).fetch_all(self.pool()).await?;
            rows.iter().map(segment).collect()
        }

        async fn segment(&self, workspace_id: WorkspaceId, id: SegmentId) -> StoreResult<Option<SavedSegment>> {
            let sql = format!("SELECT {COLUMNS} FROM segments WHERE workspace_id = $1 AND id = $2");
            let row = sqlx::query(&sql).bind(workspace_id).bind(id).fetch_optional(self.pool()).await?;
            row.as_ref().map(segment).transpose()
        }

        async fn update_segment(
            &self,
            workspace_id: WorkspaceId,
            id: SegmentId,
            write: &SegmentWrite,
        ) -> StoreResult<Option<SavedSegment>> {
            let sql = format!(
                "UPDATE segments SET name = $3, description = $4, rule = $5, last_count = $6, last_counted_at = $7, \
                    updated_at = $8 WHERE workspace_id = $1 AND id = $2 RETURNING {COLUMNS}"
            );
            let row = sqlx::query(&sql)
                .bind(workspace_id)
                .bind(id)
                .bind(&write.name)
                .bind(&write.description)
                .bind(&write.rule)
                .bind(write.count.map(|(n, _)| n))
                .bind(write.count.map(|(_, at)| At(at)))
                .bind(At(Utc::now()))
                .fetch_optional(self.pool())
                .await
                .map_err(|e| conflict_on_unique(e, "a segment with this name"))?;
            row.as_ref().map(segment).transpose()
        }

        async fn delete_segment(&self, workspace_id: WorkspaceId, id: SegmentId) -> StoreResult<bool> {
            let result = sqlx::query("DELETE FROM segments WHERE workspace_id = $1 AND id = $2")
                .bind(workspace_id)
                .bind(id)
                .execute(self.pool())
                .await?;
            Ok(result.rows_affected() == 1)
        }

        async fn record_segment_count(
            &self,
            workspace_id: WorkspaceId,
            id: SegmentId,
            count: i64,
            at: DateTime<Utc>,
        ) -> StoreResult<()> {
            sqlx::query("UPDATE segments SET last_count = $3, last_counted_at = $4 WHERE workspace_id = $1 AND id = $2")
                .bind(workspace_id)
                .bind(id)
                .bind(count)
                .bind(At(at))
                .execute(self.pool())
                .await?;
            Ok(())
        }
    }
}
