//! The workspace's suppression list: `GET/POST /api/v1/suppressions`, `DELETE /api/v1/suppressions/{id}`.
//! Addresses are kept as a hash (to match) and a masked form (to show): an entry cannot be read back as the
//! address, and it outlives the customer's erasure.

use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::Json;
use chrono::{DateTime, Utc};
use converge_domain::consent::SuppressionAddress;
use converge_domain::{ConsentSource, FieldErrors};
use converge_store::{NewSuppression, SuppressionRow};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::auth::{Caller, Scope};
use crate::http::customers::{decode_cursor, encode_cursor};
use crate::http::error::{ApiError, ApiResult, Problem};
use crate::http::extract::{query_rejection, Page};
use crate::http::json::{decode, JsonBody};
use crate::http::path::Path;
use crate::state::SharedState;

const DEFAULT_PAGE: u32 = 50;
const MAX_PAGE: u32 = 200;
const MAX_REASON_CHARS: usize = 200;

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct SuppressionView {
    pub id: i64,
    /// `email` or `phone`.
    pub kind: String,
    /// The address with most of it hidden, e.g. `p****@example.in`, `+91******3210`.
    pub masked: String,
    pub reason: String,
    /// `admin` (added here), `reply` (a STOP), `bounce` (a permanent failure or complaint), …
    pub source: ConsentSource,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct SuppressionPage {
    pub items: Vec<SuppressionView>,
    pub next_cursor: Option<String>,
}

/// An address never to send marketing to.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewSuppressionBody {
    /// An e-mail address, or a phone number in E.164 form (`+` and country code).
    #[schema(example = "+919876543210")]
    pub address: String,
    /// Why (1 to 200 characters); default "added by the workspace".
    pub reason: Option<String>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct SuppressionParams {
    /// The `next_cursor` of the previous page.
    pub cursor: Option<String>,
    /// Page size, 1 to 200 (default 50).
    #[param(value_type = Option<u32>, minimum = 1, maximum = 200)]
    pub limit: Option<String>,
}

fn view(row: SuppressionRow) -> SuppressionView {
    SuppressionView {
        id: row.id,
        kind: row.kind,
        masked: row.masked,
        reason: row.reason,
        source: row.source,
        created_at: row.created_at,
    }
}

/// A suppression entry for `address` (already parsed).
pub(crate) fn entry(address: &SuppressionAddress, reason: &str, source: ConsentSource) -> NewSuppression {
    NewSuppression::new(address.clone(), reason, source)
}

/// The suppression list, newest first (scope `read`).
#[utoipa::path(get, path = "/api/v1/suppressions", tag = "compliance", params(SuppressionParams),
    security(("api_key" = [])),
    responses((status = 200, body = SuppressionPage), (status = 401, body = Problem), (status = 403, body = Problem),
        (status = 422, body = Problem)))]
pub async fn list_suppressions(
    State(state): State<SharedState>,
    caller: Caller,
    params: Result<Query<SuppressionParams>, axum::extract::rejection::QueryRejection>,
) -> ApiResult<Json<SuppressionPage>> {
    caller.require(Scope::Read)?;
    let Query(params) = params.map_err(query_rejection)?;
    let page = Page::parse(params.limit.as_deref(), DEFAULT_PAGE, MAX_PAGE)?;
    let before = params.cursor.as_deref().map(decode_cursor).transpose()?;
    let mut rows = state.store.suppressions(caller.workspace_id(), before, page.fetch()).await?;
    let next_cursor = page.split(&mut rows, |row| encode_cursor(row.id));
    Ok(Json(SuppressionPage { items: rows.into_iter().map(view).collect(), next_cursor }))
}

/// Suppress an address (scope `campaigns`): no marketing message goes to it from now on, whichever customer
/// holds it. An address already listed answers its existing entry (200).
#[utoipa::path(post, path = "/api/v1/suppressions", tag = "compliance", request_body = NewSuppressionBody,
    security(("api_key" = [])),
    responses((status = 201, body = SuppressionView), (status = 200, body = SuppressionView),
        (status = 400, body = Problem), (status = 401, body = Problem), (status = 403, body = Problem),
        (status = 415, body = Problem), (status = 422, body = Problem)))]
pub async fn add_suppression(
    State(state): State<SharedState>,
    caller: Caller,
    body: Result<JsonBody, ApiError>,
) -> ApiResult<(StatusCode, Json<SuppressionView>)> {
    caller.require(Scope::Campaigns)?;
    let body: NewSuppressionBody = decode(&body?.0)?;
    let mut errors = FieldErrors::new();
    let address = errors.check("address", SuppressionAddress::parse(&body.address));
    let reason = body.reason.map(|r| r.trim().to_owned()).unwrap_or_else(|| "added by the workspace".to_owned());
    if reason.is_empty() || reason.chars().count() > MAX_REASON_CHARS || reason.chars().any(char::is_control) {
        errors.push("reason", format!("must be 1 to {MAX_REASON_CHARS} characters without control characters"));
    }
    let Some(address) = address.filter(|_| errors.is_empty()) else {
        return Err(ApiError::Invalid(errors));
    };
    let now = Utc::now();
    let new = entry(&address, &reason, ConsentSource::Admin);
    let (row, created) = state.store.add_suppression(caller.workspace_id(), &new, now).await?;
    let event = converge_store::NewAuditEntry {
        workspace_id: Some(caller.workspace_id()),
        actor: caller.actor(),
        action: "suppression.add".into(),
        target: format!("suppression:{}", row.id),
        details: serde_json::json!({"masked": row.masked, "reason": row.reason}),
    };
    crate::http::auth::audit(state.store.as_ref(), event).await;
    Ok((if created { StatusCode::CREATED } else { StatusCode::OK }, Json(view(row))))
}

/// Remove an entry (scope `campaigns`): the address may receive marketing again, as its consent allows.
#[utoipa::path(delete, path = "/api/v1/suppressions/{id}", tag = "compliance",
    params(("id" = i64, Path, description = "The entry's id")), security(("api_key" = [])),
    responses((status = 204, description = "Removed"), (status = 401, body = Problem), (status = 403, body = Problem),
        (status = 404, body = Problem)))]
pub async fn delete_suppression(
    State(state): State<SharedState>,
    caller: Caller,
    Path(id): Path<i64>,
) -> ApiResult<StatusCode> {
    caller.require(Scope::Campaigns)?;
    if !state.store.delete_suppression(caller.workspace_id(), id).await? {
        return Err(ApiError::NotFound("suppression".into()));
    }
    let event = converge_store::NewAuditEntry {
        workspace_id: Some(caller.workspace_id()),
        actor: caller.actor(),
        action: "suppression.remove".into(),
        target: format!("suppression:{id}"),
        details: serde_json::json!({}),
    };
    crate::http::auth::audit(state.store.as_ref(), event).await;
    Ok(StatusCode::NO_CONTENT)
}
