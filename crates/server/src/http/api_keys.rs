//! API keys of the caller's workspace: list (never a secret or hash), create (the key is shown once),
//! revoke. A revoked key stops working on this node at once and on other nodes within the key cache's TTL.

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use chrono::{DateTime, Utc};
use converge_domain::{ApiKeyId, ApiKeyLabel, FieldErrors, UserId};
use converge_store::{ApiKeyRow, NewApiKey, NewAuditEntry};
use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::ToSchema;

use super::auth::audit;
use super::error::{ApiError, ApiResult, Problem};
use crate::auth::{Caller, GeneratedKey, Scope};
use crate::http::extract::Body;
use crate::http::path::Path;
use crate::state::SharedState;

/// An API key as listed.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct ApiKeyView {
    pub id: ApiKeyId,
    /// The key's first characters, to tell keys apart.
    pub prefix: String,
    pub scopes: Vec<Scope>,
    pub label: String,
    pub created_at: DateTime<Utc>,
    /// Updated in batches, so it may lag by a minute.
    pub last_used_at: Option<DateTime<Utc>>,
    pub revoked_at: Option<DateTime<Utc>>,
    /// The user who created it (none for keys made with the CLI or by another key).
    pub created_by: Option<UserId>,
}

/// A new key: the only time its secret is shown.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct CreatedApiKey {
    #[serde(flatten)]
    pub view: ApiKeyView,
    /// Send as `Authorization: Bearer <key>`. Store it now: it cannot be shown again.
    pub key: String,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ApiKeyBody {
    /// Any of ingest, read, campaigns, all.
    #[schema(schema_with = crate::http::schemas::api_key_scopes)]
    pub scopes: Vec<String>,
    /// What the key is for (at most 100 characters).
    #[serde(default)]
    #[schema(value_type = Option<ApiKeyLabel>, required = false)]
    pub label: Option<String>,
}

fn key_view(k: ApiKeyRow) -> ApiKeyView {
    ApiKeyView {
        id: k.id,
        prefix: k.prefix,
        scopes: k.scopes,
        label: k.label,
        created_at: k.created_at,
        last_used_at: k.last_used_at,
        revoked_at: k.revoked_at,
        created_by: k.created_by,
    }
}

/// The workspace's API keys, newest first, revoked ones included.
#[utoipa::path(get, path = "/api/v1/api-keys", tag = "workspace", security(("api_key" = [])),
    responses((status = 200, body = Vec<ApiKeyView>), (status = 401, body = Problem), (status = 403, body = Problem)))]
pub async fn list_api_keys(State(state): State<SharedState>, caller: Caller) -> ApiResult<Json<Vec<ApiKeyView>>> {
    caller.require(Scope::All)?;
    let keys = state.store.api_keys(caller.workspace_id()).await?;
    Ok(Json(keys.into_iter().map(key_view).collect()))
}

/// Create an API key. The answer carries the key itself, this once.
#[utoipa::path(post, path = "/api/v1/api-keys", tag = "workspace", request_body = ApiKeyBody,
    security(("api_key" = [])),
    responses((status = 201, body = CreatedApiKey), (status = 401, body = Problem), (status = 403, body = Problem),
        (status = 422, body = Problem)))]
pub async fn create_api_key(
    State(state): State<SharedState>,
    caller: Caller,
    body: Result<Body<ApiKeyBody>, ApiError>,
) -> ApiResult<(StatusCode, Json<CreatedApiKey>)> {
    caller.require(Scope::All)?;
    let Body(body) = body?;
    let mut errors = FieldErrors::default();
    let mut scopes: Vec<Scope> = Vec::new();
    for (i, raw) in body.scopes.iter().enumerate() {
        match Scope::parse(raw) {
            Ok(scope) if !scopes.contains(&scope) => scopes.push(scope),
            Ok(_) => {}
            Err(e) => errors.push(format!("scopes[{i}]"), e),
        }
    }
    if body.scopes.is_empty() {
        errors.push("scopes", "at least one scope is required");
    }
    let label = errors.check("label", ApiKeyLabel::parse(body.label.as_deref().unwrap_or_default()));
    let Some(label) = label.filter(|_| errors.is_empty()) else { return Err(ApiError::Invalid(errors)) };
    let key = GeneratedKey::generate();
    let info = state
        .store
        .create_api_key(&NewApiKey {
            workspace_id: caller.workspace_id(),
            prefix: key.prefix.clone(),
            key_hash: key.hash.clone(),
            scopes,
            label: label.into(),
            created_by: caller.user_id(),
        })
        .await?;
    let entry = NewAuditEntry {
        workspace_id: Some(caller.workspace_id()),
        actor: caller.actor(),
        action: "api_key.create".into(),
        target: format!("api_key:{}", info.id),
        details: json!({"prefix": info.prefix, "scopes": info.scopes, "label": info.label}),
    };
    audit(state.store.as_ref(), entry).await;
    let created = CreatedApiKey { view: key_view(info), key: key.secret };
    Ok((StatusCode::CREATED, Json(created)))
}

/// Revoke an API key: it stops working at once on this server, everywhere within a minute.
#[utoipa::path(delete, path = "/api/v1/api-keys/{id}", tag = "workspace", params(("id" = i64, Path)),
    security(("api_key" = [])),
    responses((status = 204), (status = 401, body = Problem), (status = 403, body = Problem),
        (status = 404, body = Problem, description = "No such key, or already revoked")))]
pub async fn revoke_api_key(
    State(state): State<SharedState>,
    caller: Caller,
    Path(id): Path<ApiKeyId>,
) -> ApiResult<StatusCode> {
    caller.require(Scope::All)?;
    let workspace_id = caller.workspace_id();
    if !state.store.revoke_api_key(workspace_id, id, Utc::now()).await? {
        return Err(ApiError::NotFound("API key".into()));
    }
    state.keys.invalidate_key(id);
    let prefix = state.store.api_keys(workspace_id).await?.into_iter().find(|k| k.id == id).map(|k| k.prefix);
    let entry = NewAuditEntry {
        workspace_id: Some(workspace_id),
        actor: caller.actor(),
        action: "api_key.revoke".into(),
        target: format!("api_key:{id}"),
        details: json!({"prefix": prefix}),
    };
    audit(state.store.as_ref(), entry).await;
    Ok(StatusCode::NO_CONTENT)
}
