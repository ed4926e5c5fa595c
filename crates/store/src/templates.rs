//! Saved message templates, on both backends (migration 0018).

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use converge_domain::template::{TemplateDraft, STARTERS};
use converge_domain::{Channel, TemplateId, WorkspaceId};
use serde::Serialize;
use sqlx::Row;

use crate::backend::per_backend;
use crate::codec::At;
use crate::error::conflict_on_unique;
use crate::StoreResult;

const COLUMNS: &str = "id, name, channel, body, subject, preheader, starter, created_at, updated_at";

/// A stored template.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct TemplateRow {
    pub id: TemplateId,
    pub name: String,
    pub channel: Channel,
    pub body: String,
    pub subject: Option<String>,
    pub preheader: Option<String>,
    /// One of the starters Converge gave the workspace.
    pub starter: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// Named, per-channel message templates.
#[async_trait]
pub trait Templates: Send + Sync {
    /// Gives the workspace the starter templates, once ever (a starter deleted later stays deleted; one
    /// whose name a member took already is skipped).
    async fn seed_starter_templates(&self, workspace_id: WorkspaceId, now: DateTime<Utc>) -> StoreResult<()>;

    /// A workspace's templates, by channel then name.
    async fn list_templates(&self, workspace_id: WorkspaceId) -> StoreResult<Vec<TemplateRow>>;

    async fn template(&self, workspace_id: WorkspaceId, id: TemplateId) -> StoreResult<Option<TemplateRow>>;

    /// [`StoreError::Conflict`](crate::StoreError::Conflict) if the workspace has one with that name.
    async fn create_template(
        &self,
        workspace_id: WorkspaceId,
        draft: &TemplateDraft,
        now: DateTime<Utc>,
    ) -> StoreResult<TemplateRow>;

    /// Replaces a template; `None` if there is none with that id.
    async fn update_template(
        &self,
        workspace_id: WorkspaceId,
        id: TemplateId,
        draft: &TemplateDraft,
        now: DateTime<Utc>,
    ) -> StoreResult<Option<TemplateRow>>;

    /// Deletes a template; false if there was none.
    async fn delete_template(&self, workspace_id: WorkspaceId, id: TemplateId) -> StoreResult<bool>;
}

per_backend! {
    fn template_row(row: &DbRow) -> StoreResult<TemplateRow> {
        Ok(TemplateRow {
            id: row.try_get("id")?,
            name: row.try_get("name")?,
            channel: row.try_get("channel")?,
            body: row.try_get("body")?,
            subject: row.try_get("subject")?,
            preheader: row.try_get("preheader")?,
            starter: row.try_get("starter")?,
            created_at: row.try_get::<At, _>("created_at")?.0,
            updated_at: row.try_get::<At, _>("updated_at")?.0,
        })
    }

    #[async_trait]
    impl Templates for BackendStore {
        async fn seed_starter_templates(&self, workspace_id: WorkspaceId, now: DateTime<Utc>) -> StoreResult<()> {
            // Every listing asks; only the first ever needs the write lock.
            let seeded: Option<bool> =
                sqlx::query_scalar("SELECT templates_seeded_at IS NOT NULL FROM workspaces WHERE id = $1")
                    .bind(workspace_id)
                    .fetch_optional(self.pool())
                    .await?;
            if seeded != Some(false) {
                return Ok(());
            }
            let mut tx = self.pool().begin_with(BACKEND.begin_write()).await?;
            let claimed = sqlx::query(
                "UPDATE workspaces SET templates_seeded_at = $2 WHERE id = $1 AND templates_seeded_at IS NULL",
            )
            .bind(workspace_id)
            .bind(At(now))
            .execute(&mut *tx)
            .await?;
            if claimed.rows_affected() == 0 {
                return Ok(());
            }
            for starter in STARTERS {
                sqlx::query(
                    "INSERT INTO templates (workspace_id, name, channel, body, subject, preheader, starter, created_at, \
                                            updated_at) VALUES ($1, $2, $3, $4, $5, $6, true, $7, $7) \
                     ON CONFLICT (workspace_id, name) DO NOTHING",
                )
                .bind(workspace_id)
                .bind(starter.name)
                .bind(starter.channel.as_str())
                .bind(starter.body)
                .bind(starter.subject)
                .bind(starter.preheader)
                .bind(At(now))
                .execute(&mut *tx)
                .await?;
            }
            tx.commit().await?;
            Ok(())
        }

        async fn list_templates(&self, workspace_id: WorkspaceId) -> StoreResult<Vec<TemplateRow>> {
            let sql = format!("SELECT {COLUMNS} FROM templates WHERE workspace_id = $1 ORDER BY channel, name, id");
            let rows = sqlx::query(&sql).bind(workspace_id).fetch_all(self.pool()).await?;
            rows.iter().map(template_row).collect()
        }

        async fn template(&self, workspace_id: WorkspaceId, id: TemplateId) -> StoreResult<Option<TemplateRow>> {
            let sql = format!("SELECT {COLUMNS} FROM templates WHERE workspace_id = $1 AND id = $2");
            let row = sqlx::query(&sql).bind(workspace_id).bind(id).fetch_optional(self.pool()).await?;
            row.as_ref().map(template_row).transpose()
        }

        async fn create_template(
            &self,
            workspace_id: WorkspaceId,
            draft: &TemplateDraft,
            now: DateTime<Utc>,
        ) -> StoreResult<TemplateRow> {
            let sql = format!(
                "INSERT INTO templates (workspace_id, name, channel, body, subject, preheader, created_at, updated_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $7) RETURNING {COLUMNS}"
            );
            let row = sqlx::query(&sql)
                .bind(workspace_id)
                .bind(&draft.name)
                .bind(draft.channel.as_str())
                .bind(&draft.body)
                .bind(&draft.subject)
                .bind(&draft.preheader)
                .bind(At(now))
                .fetch_one(self.pool())
                .await
                .map_err(|e| conflict_on_unique(e, "a template with this name"))?;
            template_row(&row)
        }

        async fn update_template(
            &self,
            workspace_id: WorkspaceId,
            id: TemplateId,
            draft: &TemplateDraft,
            now: DateTime<Utc>,
        ) -> StoreResult<Option<TemplateRow>> {
            let sql = format!(
                "UPDATE templates SET name = $3, channel = $4, body = $5, subject = $6, preheader = $7, updated_at = $8 \
                 WHERE workspace_id = $1 AND id = $2 RETURNING {COLUMNS}"
            );
            let row = sqlx::query(&sql)
                .bind(workspace_id)
                .bind(id)
                .bind(&draft.name)
                .bind(draft.channel.as_str())
                .bind(&draft.body)
                .bind(&draft.subject)
                .bind(&draft.preheader)
                .bind(At(now))
                .fetch_optional(self.pool())
                .await
                .map_err(|e| conflict_on_unique(e, "a template with this name"))?;
            row.as_ref().map(template_row).transpose()
        }

        async fn delete_template(&self, workspace_id: WorkspaceId, id: TemplateId) -> StoreResult<bool> {
            let result = sqlx::query("DELETE FROM templates WHERE workspace_id = $1 AND id = $2")
                .bind(workspace_id)
                .bind(id)
                .execute(self.pool())
                .await?;
            Ok(result.rows_affected() == 1)
        }
    }
}
