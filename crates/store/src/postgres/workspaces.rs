//! Workspaces and API keys on Postgres.

use converge_domain::Currency;
use sqlx::PgPool;

use crate::error::conflict_on_unique;
use crate::{ApiKeyGrant, ApiKeyInfo, NewApiKey, StoreResult, Workspace};

type WorkspaceTuple = (i64, String, String, String, chrono::DateTime<chrono::Utc>);

fn workspace((id, slug, name, currency, created_at): WorkspaceTuple) -> Workspace {
    Workspace { id, slug, name, currency, created_at }
}

pub(super) async fn create_workspace(
    pool: &PgPool,
    slug: &str,
    name: &str,
    currency: &Currency,
) -> StoreResult<Workspace> {
    let row: WorkspaceTuple = sqlx::query_as(
        "INSERT INTO workspaces (slug, name, currency) VALUES ($1, $2, $3) \
         RETURNING id, slug, name, currency, created_at",
    )
    .bind(slug)
    .bind(name)
    .bind(currency.code())
    .fetch_one(pool)
    .await
    .map_err(|e| conflict_on_unique(e, "workspace"))?;
    Ok(workspace(row))
}

pub(super) async fn workspace_by_slug(pool: &PgPool, slug: &str) -> StoreResult<Option<Workspace>> {
    let row: Option<WorkspaceTuple> =
        sqlx::query_as("SELECT id, slug, name, currency, created_at FROM workspaces WHERE slug = $1")
            .bind(slug)
            .fetch_optional(pool)
            .await?;
    Ok(row.map(workspace))
}

pub(super) async fn workspace_by_id(pool: &PgPool, id: i64) -> StoreResult<Option<Workspace>> {
    let row: Option<WorkspaceTuple> =
        sqlx::query_as("SELECT id, slug, name, currency, created_at FROM workspaces WHERE id = $1")
            .bind(id)
            .fetch_optional(pool)
            .await?;
    Ok(row.map(workspace))
}

pub(super) async fn create_api_key(pool: &PgPool, key: &NewApiKey) -> StoreResult<ApiKeyInfo> {
    let (id, created_at): (i64, chrono::DateTime<chrono::Utc>) = sqlx::query_as(
        "INSERT INTO api_keys (workspace_id, prefix, key_hash, scopes, label) VALUES ($1, $2, $3, $4, $5) \
         RETURNING id, created_at",
    )
    .bind(key.workspace_id)
    .bind(&key.prefix)
    .bind(&key.key_hash)
    .bind(key.scopes.join(","))
    .bind(&key.label)
    .fetch_one(pool)
    .await
    .map_err(|e| conflict_on_unique(e, "api key"))?;
    Ok(ApiKeyInfo {
        id,
        workspace_id: key.workspace_id,
        prefix: key.prefix.clone(),
        scopes: key.scopes.clone(),
        label: key.label.clone(),
        created_at,
    })
}

pub(super) async fn api_key_by_hash(pool: &PgPool, hash: &[u8]) -> StoreResult<Option<ApiKeyGrant>> {
    let row: Option<(i64, i64, String, String, String)> = sqlx::query_as(
        "SELECT k.id, w.id, w.slug, w.currency, k.scopes FROM api_keys k \
         JOIN workspaces w ON w.id = k.workspace_id WHERE k.key_hash = $1 AND k.revoked_at IS NULL",
    )
    .bind(hash)
    .fetch_optional(pool)
    .await?;
    Ok(row.map(|(key_id, workspace_id, workspace_slug, workspace_currency, scopes)| ApiKeyGrant {
        key_id,
        workspace_id,
        workspace_slug,
        workspace_currency,
        scopes: crate::model::split_scopes(&scopes),
    }))
}
