//! Audiences: the field catalogue the rule builder renders, exact live previews, and saved segments.
//!
//! Rules arrive as react-querybuilder JSON and are parsed against the workspace's catalogue (built-in
//! fields plus its custom attributes) into a typed [`Rule`]; a bad rule is a 422 whose `errors` name the
//! JSON path of each problem (`rule.rules[1].value`). Previews are exact: see [`crate::indexes`].

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use chrono::{DateTime, Utc};
use converge_domain::segment::{Catalogue, FieldView, Rule, RuleGroup, MAX_CONDITIONS, MAX_DEPTH};
use converge_domain::{FieldErrors, SegmentDescription, SegmentId, SegmentName, WorkspaceId};
use converge_store::{SavedSegment, SegmentWrite};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::ToSchema;

use super::customers::{customer_view, CustomerView};
use super::error::{ApiError, ApiResult, Problem};
use crate::auth::{Caller, Scope};
use crate::http::extract::{AudienceSource, Body};
use crate::http::path::Path;
use crate::indexes::Source;
use crate::state::SharedState;

const DEFAULT_SAMPLE: u32 = 10;

/// What the rule builder needs to render: fields with their operators, and the rules of the format.
#[derive(Debug, Serialize, ToSchema)]
pub struct SegmentFields {
    pub fields: Vec<FieldView>,
    /// `and` and `or`; a group may also set `"not": true`.
    pub combinators: Vec<&'static str>,
    /// What an empty group means: an empty `and` matches everyone, an empty `or` no one.
    pub empty_and: &'static str,
    pub empty_or: &'static str,
    pub max_depth: usize,
    pub max_conditions: usize,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PreviewRequest {
    /// A react-querybuilder rule; or give `segment_id` to preview a saved segment (and record its size).
    #[schema(value_type = Option<RuleGroup>)]
    pub rule: Option<Value>,
    pub segment_id: Option<SegmentId>,
    /// How many matching customers to return (0 to 50, default 10).
    #[schema(maximum = 50)]
    pub sample_size: Option<u32>,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct PreviewResponse {
    /// Exactly the customers a campaign launched now would reach.
    pub count: u64,
    pub sample: Vec<CustomerView>,
    #[schema(value_type = String)]
    pub source: Source,
    pub evaluated_at: DateTime<Utc>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SegmentBody {
    #[schema(value_type = SegmentName)]
    pub name: String,
    #[serde(default)]
    #[schema(value_type = Option<SegmentDescription>)]
    pub description: Option<String>,
    #[schema(value_type = RuleGroup)]
    pub rule: Value,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct SegmentView {
    pub id: SegmentId,
    pub name: String,
    pub description: String,
    #[schema(value_type = Object)]
    pub rule: Value,
    /// The segment's size when last counted (at save or preview).
    pub size: Option<i64>,
    pub size_counted_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct SegmentList {
    pub items: Vec<SegmentView>,
}

fn segment_view(s: SavedSegment) -> SegmentView {
    SegmentView {
        id: s.id,
        name: s.name,
        description: s.description,
        rule: s.rule,
        size: s.last_count,
        size_counted_at: s.last_counted_at,
        created_at: s.created_at,
        updated_at: s.updated_at,
    }
}

async fn catalogue(state: &SharedState, workspace_id: WorkspaceId) -> ApiResult<Catalogue> {
    Ok(state.catalogues.get(&state.store, workspace_id).await?)
}

/// Parses a rule for `caller`'s workspace; errors are reported under `rule`.
pub(crate) async fn parse_rule(state: &SharedState, caller: &Caller, json: &Value) -> ApiResult<Rule> {
    let catalogue = catalogue(state, caller.workspace_id()).await?;
    Rule::parse(json, &catalogue, &caller.currency).map_err(ApiError::Invalid)
}

/// The segmentable fields of this workspace.
#[utoipa::path(get, path = "/api/v1/segment-fields", tag = "segments", security(("api_key" = [])),
    responses((status = 200, body = SegmentFields), (status = 401, body = Problem), (status = 403, body = Problem)))]
pub async fn segment_fields(State(state): State<SharedState>, caller: Caller) -> ApiResult<Json<SegmentFields>> {
    caller.require(Scope::Read)?;
    let catalogue = catalogue(&state, caller.workspace_id()).await?;
    Ok(Json(SegmentFields {
        fields: catalogue.views(),
        combinators: vec!["and", "or"],
        empty_and: "everyone",
        empty_or: "no one",
        max_depth: MAX_DEPTH,
        max_conditions: MAX_CONDITIONS,
    }))
}

/// The exact audience of a rule, with a sample.
#[utoipa::path(post, path = "/api/v1/segments/preview", tag = "segments", request_body = PreviewRequest,
    security(("api_key" = [])),
    responses((status = 200, body = PreviewResponse), (status = 401, body = Problem), (status = 403, body = Problem),
        (status = 422, body = Problem)))]
pub async fn preview(
    State(state): State<SharedState>,
    caller: Caller,
    body: Result<Body<PreviewRequest>, ApiError>,
) -> ApiResult<Json<PreviewResponse>> {
    caller.require(Scope::Read)?;
    let Body(request) = body?;
    let sample_size = request.sample_size.unwrap_or(DEFAULT_SAMPLE);
    if sample_size > 50 {
        return Err(ApiError::invalid("sample_size", "must be between 0 and 50"));
    }
    let source = AudienceSource::of(request.segment_id, request.rule)?;
    let (json, saved) = source.rule_json(state.store.as_ref(), caller.workspace_id()).await?;
    let rule = parse_rule(&state, &caller, &json).await?;
    let now = Utc::now();
    let preview = state.audiences.preview(&state.store, caller.workspace_id(), &rule, now, sample_size).await?;
    if let Some(id) = saved {
        state.store.record_segment_count(caller.workspace_id(), id, preview.count as i64, now).await?;
    }
    metrics::counter!("converge_segment_previews_total", "source" => format!("{:?}", preview.source)).increment(1);
    Ok(Json(PreviewResponse {
        count: preview.count,
        sample: preview.sample.into_iter().map(|c| customer_view(c, &caller.currency)).collect(),
        source: preview.source,
        evaluated_at: now,
    }))
}

/// Validates a segment body and counts its audience.
async fn segment_write(state: &SharedState, caller: &Caller, body: SegmentBody) -> ApiResult<SegmentWrite> {
    let mut errors = FieldErrors::default();
    let name = errors.check("name", SegmentName::parse(&body.name));
    let description =
        errors.check("description", SegmentDescription::parse(body.description.as_deref().unwrap_or_default()));
    let rule = match parse_rule(state, caller, &body.rule).await {
        Ok(rule) => Some(rule),
        Err(ApiError::Invalid(rule_errors)) => {
            errors.0.extend(rule_errors.0);
            None
        }
        Err(other) => return Err(other),
    };
    let (name, description, rule) = match (name, description, rule) {
        (Some(name), Some(description), Some(rule)) if errors.is_empty() => {
            (String::from(name), String::from(description), rule)
        }
        _ => return Err(ApiError::Invalid(errors)),
    };
    let now = Utc::now();
    let preview = state.audiences.preview(&state.store, caller.workspace_id(), &rule, now, 0).await?;
    Ok(SegmentWrite { name, description, rule: body.rule, count: Some((preview.count as i64, now)) })
}

/// Saved segments, most recently changed first.
#[utoipa::path(get, path = "/api/v1/segments", tag = "segments", security(("api_key" = [])),
    responses((status = 200, body = SegmentList), (status = 401, body = Problem), (status = 403, body = Problem)))]
pub async fn list_segments(State(state): State<SharedState>, caller: Caller) -> ApiResult<Json<SegmentList>> {
    caller.require(Scope::Read)?;
    let items = state.store.list_segments(caller.workspace_id()).await?;
    Ok(Json(SegmentList { items: items.into_iter().map(segment_view).collect() }))
}

/// Save a segment (scope `campaigns`); its size is counted now.
#[utoipa::path(post, path = "/api/v1/segments", tag = "segments", request_body = SegmentBody,
    security(("api_key" = [])),
    responses((status = 201, body = SegmentView), (status = 401, body = Problem), (status = 403, body = Problem),
        (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn create_segment(
    State(state): State<SharedState>,
    caller: Caller,
    body: Result<Body<SegmentBody>, ApiError>,
) -> ApiResult<(StatusCode, Json<SegmentView>)> {
    caller.require(Scope::Campaigns)?;
    let Body(body) = body?;
    let write = segment_write(&state, &caller, body).await?;
    let saved = state.store.create_segment(caller.workspace_id(), &write).await?;
    Ok((StatusCode::CREATED, Json(segment_view(saved))))
}

/// One saved segment.
#[utoipa::path(get, path = "/api/v1/segments/{id}", tag = "segments", params(("id" = i64, Path)),
    security(("api_key" = [])),
    responses((status = 200, body = SegmentView), (status = 401, body = Problem), (status = 403, body = Problem),
        (status = 404, body = Problem)))]
pub async fn get_segment(
    State(state): State<SharedState>,
    caller: Caller,
    Path(id): Path<SegmentId>,
) -> ApiResult<Json<SegmentView>> {
    caller.require(Scope::Read)?;
    let saved = state.store.segment(caller.workspace_id(), id).await?;
    Ok(Json(segment_view(saved.ok_or_else(|| ApiError::NotFound("segment".into()))?)))
}

/// Replace a saved segment (scope `campaigns`).
#[utoipa::path(put, path = "/api/v1/segments/{id}", tag = "segments", params(("id" = i64, Path)),
    request_body = SegmentBody, security(("api_key" = [])),
    responses((status = 200, body = SegmentView), (status = 401, body = Problem), (status = 403, body = Problem),
        (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn update_segment(
    State(state): State<SharedState>,
    caller: Caller,
    Path(id): Path<SegmentId>,
    body: Result<Body<SegmentBody>, ApiError>,
) -> ApiResult<Json<SegmentView>> {
    caller.require(Scope::Campaigns)?;
    let Body(body) = body?;
    if state.store.segment(caller.workspace_id(), id).await?.is_none() {
        return Err(ApiError::NotFound("segment".into()));
    }
    let write = segment_write(&state, &caller, body).await?;
    let saved = state.store.update_segment(caller.workspace_id(), id, &write).await?;
    Ok(Json(segment_view(saved.ok_or_else(|| ApiError::NotFound("segment".into()))?)))
}

/// Delete a saved segment (scope `campaigns`).
#[utoipa::path(delete, path = "/api/v1/segments/{id}", tag = "segments", params(("id" = i64, Path)),
    security(("api_key" = [])),
    responses((status = 204), (status = 401, body = Problem), (status = 403, body = Problem),
        (status = 404, body = Problem)))]
pub async fn delete_segment(
    State(state): State<SharedState>,
    caller: Caller,
    Path(id): Path<SegmentId>,
) -> ApiResult<StatusCode> {
    caller.require(Scope::Campaigns)?;
    if state.store.delete_segment(caller.workspace_id(), id).await? {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(ApiError::NotFound("segment".into()))
    }
}
