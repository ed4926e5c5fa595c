//! `POST /api/v1/campaigns`: validate everything at once, snapshot the audience, answer 201 (or 200 for a
//! replayed idempotency key).
//!
//! Every check that can fail with a 4xx runs before the store is called, and the store writes the campaign
//! and its audience in one transaction (refusing an empty one), so no 4xx leaves anything behind.

use axum::extract::State;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use chrono::{DateTime, Utc};
use converge_domain::segment::RuleGroup;
use converge_domain::{CampaignName, CampaignStatus, FieldErrors, SegmentId, SendChannel, TemplateId, Topic};
use converge_store::{CampaignRow, NewDraft, StoreError};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::ToSchema;

use super::validate::{validate, validate_draft, CampaignInput};
use super::{campaign_view, CampaignView};
use crate::auth::{Caller, Scope};
use crate::http::error::{ApiError, ApiResult, Problem};
use crate::http::json::{decode, JsonBody};
use crate::state::SharedState;

pub const IDEMPOTENCY_KEY_HEADER: &str = "idempotency-key";
/// Set to `true` on a 200 answering a create whose idempotency key was already used.
pub const IDEMPOTENT_REPLAY_HEADER: &str = "idempotent-replay";
pub use converge_domain::campaign::MAX_IDEMPOTENCY_KEY_CHARS;

/// A campaign to create. Give exactly one of `segment_id` and `rule`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateCampaignBody {
    #[schema(value_type = CampaignName)]
    pub name: Option<String>,
    /// A saved segment of this workspace: its rule, as it is now, selects the audience.
    pub segment_id: Option<SegmentId>,
    /// A react-querybuilder rule selecting the audience.
    #[schema(value_type = Option<RuleGroup>)]
    pub rule: Option<Value>,
    /// `sms`, `email`, `whatsapp`, or `preferred` (each customer's own channel).
    #[schema(value_type = SendChannel)]
    pub channel: Option<String>,
    /// The message, in template syntax (`Hi {{ first_name | default("there") }}`). Give either this or
    /// `template_id`.
    #[schema(schema_with = crate::http::schemas::template)]
    pub template: Option<String>,
    /// A saved template of this workspace (`/api/v1/templates`) to copy: its body becomes the campaign's
    /// template, and `channel`, when left out, is the template's. Later edits of the template do not change
    /// the campaign.
    #[schema(value_type = Option<i64>)]
    pub template_id: Option<TemplateId>,
    /// E-mail (or `preferred`) only: the subject line, a one-line template of at most 200 characters
    /// (default: the campaign's name, or the saved template's subject).
    pub subject: Option<String>,
    /// E-mail (or `preferred`) only: the preview text after the subject, at most 150 characters (default:
    /// the saved template's).
    pub preheader: Option<String>,
    /// RFC 3339; default now. At most 5 minutes in the past and 366 days ahead.
    #[schema(format = DateTime)]
    pub send_at: Option<String>,
    /// Makes retries safe: a second create with the same key returns the first campaign (200). May also be
    /// sent as the `Idempotency-Key` header; when both are given they must be equal.
    #[schema(schema_with = crate::http::schemas::idempotency_key, required = false)]
    pub idempotency_key: Option<String>,
    /// One of the workspace's topics (compliance settings): customers who left it are skipped as
    /// `unsubscribed`.
    #[schema(value_type = Option<Topic>)]
    pub topic: Option<String>,
    /// `draft` saves the campaign without sending: only `name` and `channel` are required, the template is
    /// kept as typed, nobody is snapshotted, and it is edited with `PATCH` and sent with `POST …/launch`.
    /// Default `scheduled`: validated in full, the audience snapshotted now, sent from `send_at`.
    #[schema(value_type = Option<CreateStatus>)]
    pub status: Option<String>,
}

/// The status a campaign is created in.
#[derive(Debug, Deserialize, Serialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum CreateStatus {
    Draft,
    Scheduled,
}

impl CreateCampaignBody {
    fn input(&self) -> CampaignInput {
        CampaignInput {
            name: self.name.clone(),
            segment_id: self.segment_id,
            rule: self.rule.clone(),
            channel: self.channel.clone(),
            template: self.template.clone(),
            template_id: self.template_id,
            subject: self.subject.clone(),
            preheader: self.preheader.clone(),
            send_at: self.send_at.clone(),
            topic: self.topic.clone(),
        }
    }
}

/// A campaign just created (or found by its idempotency key).
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct CampaignCreated {
    #[serde(flatten)]
    pub campaign: CampaignView,
    /// The number of recipients snapshotted (same as `stats.audience`).
    pub audience: i64,
}

/// Create a campaign (scope `campaigns`). Its audience is snapshotted now; messages go out from `send_at`.
#[utoipa::path(post, path = "/api/v1/campaigns", tag = "campaigns", request_body = CreateCampaignBody,
    params(("Idempotency-Key" = Option<String>, Header,
        description = "Same as the body's `idempotency_key`; if both are given they must be equal")),
    security(("api_key" = [])),
    responses(
        (status = 201, body = CampaignCreated, description = "Created; `Location` names it"),
        (status = 200, body = CampaignCreated,
            description = "The idempotency key was used before: that campaign, with `Idempotent-Replay: true`"),
        (status = 400, body = Problem), (status = 401, body = Problem), (status = 403, body = Problem),
        (status = 413, body = Problem), (status = 415, body = Problem),
        (status = 422, body = Problem,
            description = "Invalid fields, an audience nobody matches (on `segment_id` or `rule`), or an idempotency key already used with another body")))]
#[tracing::instrument(skip_all, fields(workspace_id = caller.workspace_id().get()))]
pub async fn create_campaign(
    State(state): State<SharedState>,
    caller: Caller,
    headers: HeaderMap,
    body: Result<JsonBody, ApiError>,
) -> ApiResult<Response> {
    caller.require(Scope::Campaigns)?;
    let bytes = body?.0;
    let body: CreateCampaignBody = decode(&bytes)?;
    let fingerprint = request_fingerprint(&bytes);
    let now = Utc::now();
    // A replay is answered with the campaign its key made, before validating again: a retried "send now"
    // would otherwise be refused once its `send_at` fell more than a few minutes behind.
    let mut key_errors = FieldErrors::new();
    if let Some(key) = idempotency_key(&headers, body.idempotency_key.clone(), &mut key_errors) {
        if let Some(row) = state.store.campaign_by_idempotency_key(caller.workspace_id(), &key).await? {
            return replay(row, &fingerprint);
        }
    }
    let mut errors = FieldErrors::new();
    let key = idempotency_key(&headers, body.idempotency_key.clone(), &mut errors);
    let draft = match body.status.as_deref().map(str::trim) {
        None | Some("scheduled") => false,
        Some("draft") => true,
        Some(_) => {
            errors.push("status", "must be draft or scheduled (the default)");
            false
        }
    };
    if !errors.is_empty() {
        return Err(ApiError::Invalid(errors));
    }
    if draft {
        return create_draft(&state, &caller, body.input(), key, fingerprint, now).await;
    }
    let (mut new, audience_field) = validate(&state, &caller, body.input(), key, now).await?;
    new.request_fingerprint = new.idempotency_key.as_ref().map(|_| fingerprint.clone());
    let (row, created) = match state.store.create_campaign(caller.workspace_id(), &new, now).await {
        Ok(done) => done,
        Err(StoreError::EmptyAudience) => {
            return Err(ApiError::invalid(audience_field, "the audience is empty: no customer matches"))
        }
        Err(other) => return Err(other.into()),
    };
    if !created {
        return replay(row, &fingerprint);
    }
    metrics::counter!("converge_campaigns_created_total", "channel" => new.channel.as_str()).increment(1);
    tracing::info!(campaign_id = row.id.get(), audience = row.stats.audience, "campaign created");
    let row = launched(&state, &caller, row, now).await?;
    Ok(created_response(row))
}

/// Saves a draft: 201, or the replay of an earlier create with the same idempotency key.
async fn create_draft(
    state: &SharedState,
    caller: &Caller,
    input: CampaignInput,
    idempotency_key: Option<String>,
    fingerprint: String,
    now: DateTime<Utc>,
) -> ApiResult<Response> {
    if let Some(key) = &idempotency_key {
        let mut errors = FieldErrors::new();
        errors.check("idempotency_key", converge_domain::campaign::parse_idempotency_key(key));
        if !errors.is_empty() {
            return Err(ApiError::Invalid(errors));
        }
    }
    let fields = validate_draft(state, caller, input, now).await?;
    let request_fingerprint = idempotency_key.as_ref().map(|_| fingerprint.clone());
    let new = NewDraft { fields, idempotency_key, request_fingerprint };
    let (row, created) = state.store.create_draft(caller.workspace_id(), &new, now).await?;
    if !created {
        return replay(row, &fingerprint);
    }
    tracing::info!(campaign_id = row.id.get(), "draft saved");
    Ok(created_response(row))
}

/// 201 with the campaign and its `Location`.
pub(crate) fn created_response(row: CampaignRow) -> Response {
    let location = HeaderValue::from_str(&format!("/api/v1/campaigns/{}", row.id)).ok();
    let body = CampaignCreated { audience: row.stats.audience, campaign: campaign_view(row) };
    let mut response = (StatusCode::CREATED, Json(body)).into_response();
    if let Some(location) = location {
        response.headers_mut().insert(header::LOCATION, location);
    }
    response
}

/// A campaign just scheduled (created, or a draft launched): audited, and started at once when it is due
/// rather than at the scheduler's next tick. If the scheduler (or a pause) got there first the compare-and-set
/// refuses, and the campaign is read back as it is.
pub(crate) async fn launched(
    state: &SharedState,
    caller: &Caller,
    row: CampaignRow,
    now: DateTime<Utc>,
) -> ApiResult<CampaignRow> {
    let event = converge_store::NewAuditEntry {
        workspace_id: Some(caller.workspace_id()),
        actor: caller.actor(),
        action: "campaign.launch".into(),
        target: format!("campaign:{}", row.id),
        details: serde_json::json!({"name": row.name, "audience": row.stats.audience, "channel": row.channel,
            "send_at": row.send_at}),
    };
    crate::http::auth::audit(state.store.as_ref(), event).await;
    if row.send_at > now {
        return Ok(row);
    }
    let started = state
        .store
        .set_campaign_status(caller.workspace_id(), row.id, &[CampaignStatus::Scheduled], CampaignStatus::Running, now)
        .await?;
    Ok(match started {
        Some(started) => started,
        None => state.store.campaign(caller.workspace_id(), row.id).await?.unwrap_or(row),
    })
}

/// The 200 answering a create whose idempotency key was already used with this same body; a 422 when the key
/// came with another body (the IETF idempotency-key draft: reusing a key for a different request is an error,
/// never a silent replay of the first one).
fn replay(row: converge_store::CampaignRow, fingerprint: &str) -> ApiResult<Response> {
    if row.request_fingerprint.as_deref().is_some_and(|stored| stored != fingerprint) {
        return Err(ApiError::invalid(
            "idempotency_key",
            "was already used for a different request; send the same body to retry, or use a new key",
        ));
    }
    let body = CampaignCreated { audience: row.stats.audience, campaign: campaign_view(row) };
    let mut response = (StatusCode::OK, Json(body)).into_response();
    response.headers_mut().insert(IDEMPOTENT_REPLAY_HEADER, HeaderValue::from_static("true"));
    Ok(response)
}

/// SHA-256 of the body as one JSON value (objects in key order, white space dropped) without its
/// `idempotency_key`, so a retry matches whether it carries the key in the header or the body, and any change
/// of what it asks for does not.
pub fn request_fingerprint(body: &[u8]) -> String {
    use sha2::Digest;
    let canonical = match serde_json::from_slice::<Value>(body) {
        Ok(Value::Object(mut fields)) => {
            fields.remove("idempotency_key");
            Value::Object(fields).to_string().into_bytes()
        }
        _ => body.to_vec(),
    };
    hex::encode(sha2::Sha256::digest(canonical))
}

/// The key from the body or the `Idempotency-Key` header (equal if both are given); the draft checks its
/// shape.
fn idempotency_key(headers: &HeaderMap, from_body: Option<String>, errors: &mut FieldErrors) -> Option<String> {
    let from_header = match headers.get(IDEMPOTENCY_KEY_HEADER).map(|v| v.to_str()) {
        None => None,
        Some(Ok(value)) => Some(value.to_owned()),
        Some(Err(_)) => {
            errors.push("idempotency_key", "the Idempotency-Key header must be visible ASCII");
            return None;
        }
    };
    let key = match (from_body, from_header) {
        (Some(body), Some(header)) if body != header => {
            errors.push("idempotency_key", "differs from the Idempotency-Key header; send one or make them equal");
            return None;
        }
        (Some(key), _) | (None, Some(key)) => key,
        (None, None) => return None,
    };
    Some(key)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn idempotency_key_from_body_or_header_must_agree() {
        let mut headers = HeaderMap::new();
        let mut errors = FieldErrors::new();
        assert_eq!(idempotency_key(&headers, Some("k1".into()), &mut errors), Some("k1".into()));
        headers.insert(IDEMPOTENCY_KEY_HEADER, HeaderValue::from_static("k1"));
        assert_eq!(idempotency_key(&headers, None, &mut errors), Some("k1".into()));
        assert_eq!(idempotency_key(&headers, Some("k1".into()), &mut errors), Some("k1".into()));
        assert!(errors.is_empty());
        assert_eq!(idempotency_key(&headers, Some("k2".into()), &mut errors), None);
        assert_eq!(errors.len(), 1);
    }
}
