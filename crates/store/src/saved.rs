//! Saved segments, on both backends.

use chrono::{DateTime, Utc};
use sqlx::Row;

use crate::backend::per_backend;
use crate::codec::At;
use crate::error::conflict_on_unique;
use crate::{SavedSegment, SegmentWrite, StoreResult};

const COLUMNS: &str = "id, name, description, rule, last_count, last_counted_at, created_at, updated_at";

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

    pub(crate) async fn create(pool: &Pool, workspace_id: i64, write: &SegmentWrite) -> StoreResult<SavedSegment> {
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
            .fetch_one(pool)
            .await
            .map_err(|e| conflict_on_unique(e, "a segment with this name"))?;
        segment(&row)
    }

    pub(crate) async fn list(pool: &Pool, workspace_id: i64) -> StoreResult<Vec<SavedSegment>> {
        let sql = format!("SELECT {COLUMNS} FROM segments WHERE workspace_id = $1 ORDER BY updated_at DESC, id DESC");
        let rows = sqlx::query(&sql).bind(workspace_id).fetch_all(pool).await?;
        rows.iter().map(segment).collect()
    }

    pub(crate) async fn one(pool: &Pool, workspace_id: i64, id: i64) -> StoreResult<Option<SavedSegment>> {
        let sql = format!("SELECT {COLUMNS} FROM segments WHERE workspace_id = $1 AND id = $2");
        let row = sqlx::query(&sql).bind(workspace_id).bind(id).fetch_optional(pool).await?;
        row.as_ref().map(segment).transpose()
    }

    pub(crate) async fn update(
        pool: &Pool,
        workspace_id: i64,
        id: i64,
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
            .fetch_optional(pool)
            .await
            .map_err(|e| conflict_on_unique(e, "a segment with this name"))?;
        row.as_ref().map(segment).transpose()
    }

    pub(crate) async fn delete(pool: &Pool, workspace_id: i64, id: i64) -> StoreResult<bool> {
        let result = sqlx::query("DELETE FROM segments WHERE workspace_id = $1 AND id = $2")
            .bind(workspace_id)
            .bind(id)
            .execute(pool)
            .await?;
        Ok(result.rows_affected() == 1)
    }

    pub(crate) async fn record_count(
        pool: &Pool,
        workspace_id: i64,
        id: i64,
        count: i64,
        at: DateTime<Utc>,
    ) -> StoreResult<()> {
        sqlx::query("UPDATE segments SET last_count = $3, last_counted_at = $4 WHERE workspace_id = $1 AND id = $2")
            .bind(workspace_id)
            .bind(id)
            .bind(count)
            .bind(At(at))
            .execute(pool)
            .await?;
        Ok(())
    }
}
