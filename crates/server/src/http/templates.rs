//! Saved message templates: `GET/POST /api/v1/templates`, `GET/PUT/DELETE /api/v1/templates/{id}`. Named,
//! per channel (e-mail ones with a subject line and a preheader), checked exactly as a campaign's template
//! is, and reused by campaigns (`template_id` on create copies the template, so later edits never change a
//! campaign already made). The first listing gives a workspace its starters, three per channel.

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use chrono::{DateTime, Utc};
use converge_domain::template::TemplateInput;
use converge_domain::{Channel, TemplateId};
use converge_store::TemplateRow;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::campaigns::require_read;
use super::error::{ApiError, ApiResult, Problem};
use crate::auth::{Caller, Scope};
use crate::http::extract::Body;
use crate::http::path::Path;
use crate::state::SharedState;

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct TemplateView {
    pub id: TemplateId,
    pub name: String,
    pub channel: Channel,
    pub body: String,
    /// E-mail only.
    pub subject: Option<String>,
    /// E-mail only.
    pub preheader: Option<String>,
    /// One of the starters every workspace gets.
    pub starter: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct TemplateList {
    pub items: Vec<TemplateView>,
}

fn view(row: TemplateRow) -> TemplateView {
    TemplateView {
        id: row.id,
        name: row.name,
        channel: row.channel,
        body: row.body,
        subject: row.subject,
        preheader: row.preheader,
        starter: row.starter,
        created_at: row.created_at,
        updated_at: row.updated_at,
    }
}

/// The workspace's templates, by channel then name (scope `read` or `campaigns`).
#[utoipa::path(get, path = "/api/v1/templates", tag = "campaigns", security(("api_key" = [])),
    responses((status = 200, body = TemplateList), (status = 401, body = Problem), (status = 403, body = Problem)))]
pub async fn list_templates(State(state): State<SharedState>, caller: Caller) -> ApiResult<Json<TemplateList>> {
    require_read(&caller)?;
    state.store.seed_starter_templates(caller.workspace_id(), Utc::now()).await?;
    let items = state.store.list_templates(caller.workspace_id()).await?;
    Ok(Json(TemplateList { items: items.into_iter().map(view).collect() }))
}

/// Save a template (scope `campaigns`). Template problems are 422s with line and column; a name the
/// workspace already uses is 409.
#[utoipa::path(post, path = "/api/v1/templates", tag = "campaigns", request_body = TemplateInput,
    security(("api_key" = [])),
    responses((status = 201, body = TemplateView), (status = 400, body = Problem), (status = 401, body = Problem),
        (status = 403, body = Problem), (status = 409, body = Problem), (status = 413, body = Problem),
        (status = 415, body = Problem), (status = 422, body = Problem)))]
pub async fn create_template(
    State(state): State<SharedState>,
    caller: Caller,
    body: Result<Body<TemplateInput>, ApiError>,
) -> ApiResult<(StatusCode, Json<TemplateView>)> {
    caller.require(Scope::Campaigns)?;
    let Body(input) = body?;
    let draft = input.validate().map_err(ApiError::Invalid)?;
    // Starters first, so a member's own template and a starter never race for a name later.
    state.store.seed_starter_templates(caller.workspace_id(), Utc::now()).await?;
    let saved = state.store.create_template(caller.workspace_id(), &draft, Utc::now()).await?;
    Ok((StatusCode::CREATED, Json(view(saved))))
}

/// One template (scope `read` or `campaigns`).
#[utoipa::path(get, path = "/api/v1/templates/{id}", tag = "campaigns", params(("id" = i64, Path)),
    security(("api_key" = [])),
    responses((status = 200, body = TemplateView), (status = 401, body = Problem), (status = 403, body = Problem),
        (status = 404, body = Problem)))]
pub async fn get_template(
    State(state): State<SharedState>,
    caller: Caller,
    Path(id): Path<TemplateId>,
) -> ApiResult<Json<TemplateView>> {
    require_read(&caller)?;
    let row = state.store.template(caller.workspace_id(), id).await?;
    Ok(Json(view(row.ok_or_else(|| ApiError::NotFound("template".into()))?)))
}

/// Replace a template (scope `campaigns`). Campaigns made from it keep the copy they took.
#[utoipa::path(put, path = "/api/v1/templates/{id}", tag = "campaigns", params(("id" = i64, Path)),
    request_body = TemplateInput, security(("api_key" = [])),
    responses((status = 200, body = TemplateView), (status = 400, body = Problem), (status = 401, body = Problem),
        (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem),
        (status = 413, body = Problem), (status = 415, body = Problem), (status = 422, body = Problem)))]
pub async fn update_template(
    State(state): State<SharedState>,
    caller: Caller,
    Path(id): Path<TemplateId>,
    body: Result<Body<TemplateInput>, ApiError>,
) -> ApiResult<Json<TemplateView>> {
    caller.require(Scope::Campaigns)?;
    let Body(input) = body?;
    if state.store.template(caller.workspace_id(), id).await?.is_none() {
        return Err(ApiError::NotFound("template".into()));
    }
    let draft = input.validate().map_err(ApiError::Invalid)?;
    let saved = state.store.update_template(caller.workspace_id(), id, &draft, Utc::now()).await?;
    Ok(Json(view(saved.ok_or_else(|| ApiError::NotFound("template".into()))?)))
}

/// Delete a template (scope `campaigns`). Campaigns made from it keep their copy.
#[utoipa::path(delete, path = "/api/v1/templates/{id}", tag = "campaigns", params(("id" = i64, Path)),
    security(("api_key" = [])),
    responses((status = 204), (status = 401, body = Problem), (status = 403, body = Problem),
        (status = 404, body = Problem)))]
pub async fn delete_template(
    State(state): State<SharedState>,
    caller: Caller,
    Path(id): Path<TemplateId>,
) -> ApiResult<StatusCode> {
    caller.require(Scope::Campaigns)?;
    if state.store.delete_template(caller.workspace_id(), id).await? {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(ApiError::NotFound("template".into()))
    }
}
