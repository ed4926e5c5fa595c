//! Workspaces and API keys, on both backends.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use converge_domain::{ApiKeyId, Currency, Scope, WorkspaceId, WorkspaceProfile};

use crate::backend::per_backend;
use crate::codec::{At, Ids};
use crate::error::conflict_on_unique;
use crate::model::split_scopes;
use crate::{ApiKeyGrant, ApiKeyRow, NewApiKey, StoreResult, Workspace};

type WorkspaceTuple = (WorkspaceId, String, String, Currency, At, serde_json::Value);

const COLUMNS: &str = "id, slug, name, currency, created_at, profile";

pub(crate) fn workspace((id, slug, name, currency, created_at, profile): WorkspaceTuple) -> StoreResult<Workspace> {
    let profile = serde_json::from_value(profile)
        .map_err(|err| crate::StoreError::Corrupt(format!("workspace {id}: profile: {err}")))?;
    Ok(Workspace { id, slug, name, currency, created_at: created_at.0, profile })
}

/// Workspaces and their API keys.
#[async_trait]
pub trait Workspaces: Send + Sync {
    /// Creates a workspace; [`StoreError::Conflict`](crate::StoreError::Conflict) if the slug is taken.
    async fn create_workspace(&self, slug: &str, name: &str, currency: &Currency) -> StoreResult<Workspace>;

    async fn workspace_by_slug(&self, slug: &str) -> StoreResult<Option<Workspace>>;

    async fn workspace(&self, id: WorkspaceId) -> StoreResult<Option<Workspace>>;

    /// Changes a workspace's display name (if given) and profile; `None` when there is no such workspace.
    async fn update_workspace_profile(
        &self,
        id: WorkspaceId,
        name: Option<&str>,
        profile: &WorkspaceProfile,
    ) -> StoreResult<Option<Workspace>>;

    /// Stores a new API key (its hash, never the key).
    async fn create_api_key(&self, key: &NewApiKey) -> StoreResult<ApiKeyRow>;

    /// Finds a non-revoked key by the hash of the presented secret.
    async fn api_key_by_hash(&self, hash: &[u8]) -> StoreResult<Option<ApiKeyGrant>>;

    /// Records that keys were used (written in batches, not per request).
    async fn touch_api_keys(&self, ids: &[ApiKeyId], at: DateTime<Utc>) -> StoreResult<()>;
}

per_backend! {

    #[async_trait]
    impl Workspaces for BackendStore {
        async fn create_workspace(&self, slug: &str, name: &str, currency: &Currency) -> StoreResult<Workspace> {
            let sql = format!(
                "INSERT INTO workspaces (slug, name, currency, created_at) VALUES ($1, $2, $3, $4) RETURNING {COLUMNS}"
            );
            let row: WorkspaceTuple = sqlx::query_as(&sql)
            .bind(slug)
            .bind(name)
            .bind(currency.code())
            .bind(At(Utc::now()))
            .fetch_one(self.pool())
            .await
            .map_err(|e| conflict_on_unique(e, "workspace"))?;
            workspace(row)
        }

        async fn workspace_by_slug(&self, slug: &str) -> StoreResult<Option<Workspace>> {
            let sql = format!("SELECT {COLUMNS} FROM workspaces WHERE slug = $1");
            let row: Option<WorkspaceTuple> = sqlx::query_as(&sql).bind(slug).fetch_optional(self.pool()).await?;
            row.map(workspace).transpose()
        }

        async fn workspace(&self, id: WorkspaceId) -> StoreResult<Option<Workspace>> {
            let sql = format!("SELECT {COLUMNS} FROM workspaces WHERE id = $1");
            let row: Option<WorkspaceTuple> = sqlx::query_as(&sql).bind(id).fetch_optional(self.pool()).await?;
            row.map(workspace).transpose()
        }

        async fn update_workspace_profile(
            &self,
            id: WorkspaceId,
            name: Option<&str>,
            profile: &WorkspaceProfile,
        ) -> StoreResult<Option<Workspace>> {
            let document = serde_json::to_value(profile)
                .map_err(|err| crate::StoreError::Corrupt(format!("workspace profile: {err}")))?;
            let sql = format!(
                "UPDATE workspaces SET name = COALESCE($2, name), profile = $3 WHERE id = $1 RETURNING {COLUMNS}"
            );
            let row: Option<WorkspaceTuple> =
                sqlx::query_as(&sql).bind(id).bind(name).bind(document).fetch_optional(self.pool()).await?;
            row.map(workspace).transpose()
        }

        async fn create_api_key(&self, key: &NewApiKey) -> StoreResult<ApiKeyRow> {
            let (id, created_at): (ApiKeyId, At) = sqlx::query_as(
                "INSERT INTO api_keys (workspace_id, prefix, key_hash, scopes, label, created_at, created_by) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id, created_at",
            )
            .bind(key.workspace_id)
            .bind(&key.prefix)
            .bind(&key.key_hash)
            .bind(Scope::format_list(&key.scopes))
            .bind(&key.label)
            .bind(At(Utc::now()))
            .bind(key.created_by)
            .fetch_one(self.pool())
            .await
            .map_err(|e| conflict_on_unique(e, "api key"))?;
            Ok(ApiKeyRow {
                id,
                workspace_id: key.workspace_id,
                prefix: key.prefix.clone(),
                scopes: key.scopes.clone(),
                label: key.label.clone(),
                created_at: created_at.0,
                last_used_at: None,
                revoked_at: None,
                created_by: key.created_by,
            })
        }

        async fn api_key_by_hash(&self, hash: &[u8]) -> StoreResult<Option<ApiKeyGrant>> {
            let row: Option<(ApiKeyId, WorkspaceId, String, Currency, String)> = sqlx::query_as(
                "SELECT k.id, w.id, w.slug, w.currency, k.scopes FROM api_keys k \
                 JOIN workspaces w ON w.id = k.workspace_id WHERE k.key_hash = $1 AND k.revoked_at IS NULL",
            )
            .bind(hash)
            .fetch_optional(self.pool())
            .await?;
            let Some((key_id, workspace_id, workspace_slug, workspace_currency, scopes)) = row else { return Ok(None) };
            Ok(Some(ApiKeyGrant {
                key_id,
                workspace_id,
                workspace_slug,
                workspace_currency,
                scopes: split_scopes(&scopes)?,
            }))
        }

        /// Records that keys were used (the caller batches these, not one per request).
        async fn touch_api_keys(&self, ids: &[ApiKeyId], at: DateTime<Utc>) -> StoreResult<()> {
            let sql = format!("UPDATE api_keys SET last_used_at = $2 WHERE {}", BACKEND.any("id", "$1"));
            sqlx::query(&sql).bind(Ids(ids)).bind(At(at)).execute(self.pool()).await?;
            Ok(())
        }
    }
}
