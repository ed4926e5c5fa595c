//! The workspace's audit log: who changed what, newest first, paged by id.

use axum::extract::{Query, State};
use axum::Json;
use chrono::{DateTime, Utc};
use converge_store::AuditEntry;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::{IntoParams, ToSchema};

use super::error::{ApiResult, Problem};
use super::extract::{query_number, query_rejection, Page};
use crate::auth::{Caller, Scope};
use crate::state::SharedState;
use converge_domain::{ApiKeyId, AuditEntryId, UserId};

const DEFAULT_PAGE: u32 = 50;
const MAX_PAGE: u32 = 200;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct AuditParams {
    /// The `next_before` of the previous page.
    #[param(value_type = Option<i64>)]
    pub before: Option<String>,
    /// Page size, 1 to 200 (default 50).
    #[param(value_type = Option<u32>, minimum = 1, maximum = 200)]
    pub limit: Option<String>,
}

/// Who did it: a person, an API key, or Converge itself (both null).
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct ActorView {
    pub user_id: Option<UserId>,
    pub key_id: Option<ApiKeyId>,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct AuditEntryView {
    pub id: AuditEntryId,
    /// A dotted verb such as `api_key.create` or `member.role_change`.
    pub action: String,
    /// What it was done to, such as `user:12` or `api_key:3`.
    pub target: String,
    #[schema(value_type = Object)]
    pub details: Value,
    pub at: DateTime<Utc>,
    pub actor: ActorView,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct AuditPage {
    pub items: Vec<AuditEntryView>,
    /// Pass as `before` for the next (older) page; null on the last page.
    pub next_before: Option<AuditEntryId>,
}

fn entry_view(e: AuditEntry) -> AuditEntryView {
    AuditEntryView {
        id: e.id,
        action: e.action,
        target: e.target,
        details: e.details,
        at: e.at,
        actor: ActorView { user_id: e.actor.user_id, key_id: e.actor.key_id },
    }
}

/// The workspace's audit log, newest first.
#[utoipa::path(get, path = "/api/v1/audit", tag = "workspace", params(AuditParams), security(("api_key" = [])),
    responses((status = 200, body = AuditPage), (status = 401, body = Problem), (status = 403, body = Problem),
        (status = 422, body = Problem)))]
pub async fn audit_log(
    State(state): State<SharedState>,
    caller: Caller,
    params: Result<Query<AuditParams>, axum::extract::rejection::QueryRejection>,
) -> ApiResult<Json<AuditPage>> {
    caller.require(Scope::All)?;
    let Query(params) = params.map_err(query_rejection)?;
    let page = Page::parse(params.limit.as_deref(), DEFAULT_PAGE, MAX_PAGE)?;
    let before = query_number::<AuditEntryId>("before", params.before.as_deref())?;
    let mut entries = state.store.audit_log(caller.workspace_id(), before, page.fetch()).await?;
    let next_before = page.split(&mut entries, |e| e.id);
    Ok(Json(AuditPage { items: entries.into_iter().map(entry_view).collect(), next_before }))
}
