//! Workspaces and API keys on SQLite.

use converge_domain::Currency;
use sqlx::SqlitePool;

use super::{from_millis, millis};
use crate::error::conflict_on_unique;
use crate::{ApiKeyGrant, ApiKeyInfo, NewApiKey, StoreResult, Workspace};

pub(super) async fn create_workspace(
    pool: &SqlitePool,
    slug: &str,
    name: &str,
    currency: &Currency,
) -> StoreResult<Workspace> {
    let now = chrono::Utc::now();
    let (id,): (i64,) = sqlx::query_as(
        "INSERT INTO workspaces (slug, name, currency, created_at) VALUES ($1, $2, $3, $4) RETURNING id",
    )
    .bind(slug)
    .bind(name)
    .bind(currency.code())
    .bind(millis(now))
    .fetch_one(pool)
    .await
    .map_err(|e| conflict_on_unique(e, "workspace"))?;
    Ok(Workspace {
        id,
        slug: slug.to_owned(),
        name: name.to_owned(),
        currency: currency.code().to_owned(),
        created_at: from_millis(millis(now))?,
    })
}

pub(super) async fn workspace_by_slug(pool: &SqlitePool, slug: &str) -> StoreResult<Option<Workspace>> {
    let row: Option<(i64, String, String, String, i64)> =
        sqlx::query_as("SELECT id, slug, name, currency, created_at FROM workspaces WHERE slug = $1")
            .bind(slug)
            .fetch_optional(pool)
            .await?;
    row.map(|(id, slug, name, currency, created_at)| {
        Ok(Workspace { id, slug, name, currency, created_at: from_millis(created_at)? })
    })
    .transpose()
}

pub(super) async fn workspace_by_id(pool: &SqlitePool, id: i64) -> StoreResult<Option<Workspace>> {
    let row: Option<(i64, String, String, String, i64)> =
        sqlx::query_as("SELECT id, slug, name, currency, created_at FROM workspaces WHERE id = $1")
            .bind(id)
            .fetch_optional(pool)
            .await?;
    row.map(|(id, slug, name, currency, created_at)| {
        Ok(Workspace { id, slug, name, currency, created_at: from_millis(created_at)? })
    })
    .transpose()
}

pub(super) async fn create_api_key(pool: &SqlitePool, key: &NewApiKey) -> StoreResult<ApiKeyInfo> {
    let now = chrono::Utc::now();
    let (id,): (i64,) = sqlx::query_as(
        "INSERT INTO api_keys (workspace_id, prefix, key_hash, scopes, label, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
    )
    .bind(key.workspace_id)
    .bind(&key.prefix)
    .bind(&key.key_hash)
    .bind(key.scopes.join(","))
    .bind(&key.label)
    .bind(millis(now))
    .fetch_one(pool)
    .await
    .map_err(|e| conflict_on_unique(e, "api key"))?;
    Ok(ApiKeyInfo {
        id,
        workspace_id: key.workspace_id,
        prefix: key.prefix.clone(),
        scopes: key.scopes.clone(),
        label: key.label.clone(),
        created_at: from_millis(millis(now))?,
    })
}

pub(super) async fn api_key_by_hash(pool: &SqlitePool, hash: &[u8]) -> StoreResult<Option<ApiKeyGrant>> {
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
