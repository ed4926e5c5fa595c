//! Workspaces and API keys, on both backends.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use converge_domain::Currency;

use crate::backend::per_backend;
use crate::codec::{At, Ids};
use crate::error::conflict_on_unique;
use crate::{ApiKeyGrant, ApiKeyInfo, NewApiKey, StoreResult, Workspace};

type WorkspaceTuple = (i64, String, String, String, At);

fn workspace((id, slug, name, currency, created_at): WorkspaceTuple) -> Workspace {
    Workspace { id, slug, name, currency, created_at: created_at.0 }
}

/// Workspaces and their API keys.
#[async_trait]
pub trait Workspaces: Send + Sync {
    /// Creates a workspace; [`StoreError::Conflict`](crate::StoreError::Conflict) if the slug is taken.
    async fn create_workspace(&self, slug: &str, name: &str, currency: &Currency) -> StoreResult<Workspace>;

    async fn workspace_by_slug(&self, slug: &str) -> StoreResult<Option<Workspace>>;

    async fn workspace(&self, id: i64) -> StoreResult<Option<Workspace>>;

    /// Stores a new API key (its hash, never the key).
    async fn create_api_key(&self, key: &NewApiKey) -> StoreResult<ApiKeyInfo>;

    /// Finds a non-revoked key by the hash of the presented secret.
    async fn api_key_by_hash(&self, hash: &[u8]) -> StoreResult<Option<ApiKeyGrant>>;

    /// Records that keys were used (written in batches, not per request).
    async fn touch_api_keys(&self, ids: &[i64], at: DateTime<Utc>) -> StoreResult<()>;
}

per_backend! {

    #[async_trait]
    impl Workspaces for BackendStore {
        async fn create_workspace(&self, slug: &str,
            name: &str,
            currency: &Currency,
        ) -> StoreResult<Workspace> {
            let row: WorkspaceTuple = sqlx::query_as(
                "INSERT INTO workspaces (slug, name, currency, created_at) VALUES ($1, $2, $3, $4) \
                 RETURNING id, slug, name, currency, created_at",
            )
            .bind(slug)
            .bind(name)
            .bind(currency.code())
            .bind(At(Utc::now()))
            .fetch_one(self.pool())
            .await
            .map_err(|e| conflict_on_unique(e, "workspace"))?;
            Ok(workspace(row))
        }

        async fn workspace_by_slug(&self, slug: &str) -> StoreResult<Option<Workspace>> {
            let row: Option<WorkspaceTuple> =
                sqlx::query_as("SELECT id, slug, name, currency, created_at FROM workspaces WHERE slug = $1")
                    .bind(slug)
                    .fetch_optional(self.pool())
                    .await?;
            Ok(row.map(workspace))
        }

        async fn workspace(&self, id: i64) -> StoreResult<Option<Workspace>> {
            let row: Option<WorkspaceTuple> =
                sqlx::query_as("SELECT id, slug, name, currency, created_at FROM workspaces WHERE id = $1")
                    .bind(id)
                    .fetch_optional(self.pool())
                    .await?;
            Ok(row.map(workspace))
        }

        async fn create_api_key(&self, key: &NewApiKey) -> StoreResult<ApiKeyInfo> {
            let (id, created_at): (i64, At) = sqlx::query_as(
                "INSERT INTO api_keys (workspace_id, prefix, key_hash, scopes, label, created_at) \
                 VALUES ($1, $2, $3, $4, $5, $6) RETURNING id, created_at",
            )
            .bind(key.workspace_id)
            .bind(&key.prefix)
            .bind(&key.key_hash)
            .bind(key.scopes.join(","))
            .bind(&key.label)
            .bind(At(Utc::now()))
            .fetch_one(self.pool())
            .await
            .map_err(|e| conflict_on_unique(e, "api key"))?;
            Ok(ApiKeyInfo {
                id,
                workspace_id: key.workspace_id,
                prefix: key.prefix.clone(),
                scopes: key.scopes.clone(),
                label: key.label.clone(),
                created_at: created_at.0,
            })
        }

        async fn api_key_by_hash(&self, hash: &[u8]) -> StoreResult<Option<ApiKeyGrant>> {
            let row: Option<(i64, i64, String, String, String)> = sqlx::query_as(
                "SELECT k.id, w.id, w.slug, w.currency, k.scopes FROM api_keys k \
                 JOIN workspaces w ON w.id = k.workspace_id WHERE k.key_hash = $1 AND k.revoked_at IS NULL",
            )
            .bind(hash)
            .fetch_optional(self.pool())
            .await?;
            Ok(row.map(|(key_id, workspace_id, workspace_slug, workspace_currency, scopes)| ApiKeyGrant {
                key_id,
                workspace_id,
                workspace_slug,
                workspace_currency,
                scopes: crate::model::split_scopes(&scopes),
            }))
        }

        /// Records that keys were used (the caller batches these, not one per request).
        async fn touch_api_keys(&self, ids: &[i64], at: DateTime<Utc>) -> StoreResult<()> {
            let sql = format!("UPDATE api_keys SET last_used_at = $2 WHERE {}", BACKEND.any("id", "$1"));
            sqlx::query(&sql).bind(Ids(ids)).bind(At(at)).execute(self.pool()).await?;
            Ok(())
        }
    }
}
