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
use converge_domain::segment::{Rule, RuleGroup};
use converge_domain::{
    CampaignDraft, CampaignName, CampaignStatus, DraftInput, FieldErrors, SegmentId, SendChannel, TemplateId, Topic,
};
use converge_store::{NewCampaign, StoreError};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::ToSchema;

use super::{campaign_view, CampaignView};
use crate::auth::{Caller, Scope};
use crate::http::error::{ApiError, ApiResult, Problem};
use crate::http::extract::AudienceSource;
use crate::http::json::{decode, JsonBody};
use crate::http::segments::parse_rule;
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
}

/// A campaign just created (or found by its idempotency key).
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct CampaignCreated {
    #[serde(flatten)]
    pub campaign: CampaignView,
    /// The number of recipients snapshotted (same as `stats.audience`).
    pub audience: i64,
}

/// Where the audience comes from, once validated.
enum Audience {
    Segment { id: SegmentId, rule_json: Value, rule: Rule },
    Rule { rule_json: Value, rule: Rule },
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
    let (mut new, audience_field) = validate(&state, &caller, &headers, body, now).await?;
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
    let event = converge_store::NewAuditEntry {
        workspace_id: Some(caller.workspace_id()),
        actor: caller.actor(),
        action: "campaign.launch".into(),
        target: format!("campaign:{}", row.id),
        details: serde_json::json!({"name": row.name, "audience": row.stats.audience, "channel": row.channel,
            "send_at": row.send_at}),
    };
    crate::http::auth::audit(state.store.as_ref(), event).await;
    // Due already: start it now rather than wait for the scheduler's next tick. If the scheduler (or a
    // pause) got there first the compare-and-set refuses, and the campaign is read back as it is.
    let row = if row.send_at <= now {
        let started = state
            .store
            .set_campaign_status(
                caller.workspace_id(),
                row.id,
                &[CampaignStatus::Scheduled],
                CampaignStatus::Running,
                now,
            )
            .await?;
        match started {
            Some(started) => started,
            None => state.store.campaign(caller.workspace_id(), row.id).await?.unwrap_or(row),
        }
    } else {
        row
    };
    let location = HeaderValue::from_str(&format!("/api/v1/campaigns/{}", row.id)).ok();
    let body = CampaignCreated { audience: row.stats.audience, campaign: campaign_view(row) };
    let mut response = (StatusCode::CREATED, Json(body)).into_response();
    if let Some(location) = location {
        response.headers_mut().insert(header::LOCATION, location);
    }
    Ok(response)
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

/// The campaign's template and channel: as given, or copied from the saved template `template_id` names
/// (whose channel is the campaign's unless another one is given, which must then be the template's).
/// What a campaign's message is made of before validation: body, channel, subject and preheader.
struct Message {
    template: Option<String>,
    channel: Option<String>,
    subject: Option<String>,
    preheader: Option<String>,
}

/// The message as given, completed from the saved template `template_id` names: its body, its channel
/// unless one is given (which must then be the template's), and its subject and preheader unless given.
async fn message(
    state: &SharedState,
    caller: &Caller,
    body: &CreateCampaignBody,
    errors: &mut FieldErrors,
) -> ApiResult<Message> {
    let given = || Message {
        template: body.template.clone(),
        channel: body.channel.clone(),
        subject: body.subject.clone(),
        preheader: body.preheader.clone(),
    };
    let Some(id) = body.template_id else { return Ok(given()) };
    if body.template.is_some() {
        errors.push("template_id", "give either template or template_id, not both");
        return Ok(given());
    }
    let Some(saved) = state.store.template(caller.workspace_id(), id).await? else {
        errors.push("template_id", "no template of this workspace has this id");
        return Ok(Message { template: None, ..given() });
    };
    let channel = match body.channel.as_deref() {
        None => Some(saved.channel.as_str().to_owned()),
        Some(given) if given == saved.channel.as_str() => Some(given.to_owned()),
        Some(given) => {
            errors.push("template_id", format!("is a {} template; the campaign's channel is {given}", saved.channel));
            Some(given.to_owned())
        }
    };
    Ok(Message {
        template: Some(saved.body),
        channel,
        subject: body.subject.clone().or(saved.subject),
        preheader: body.preheader.clone().or(saved.preheader),
    })
}

/// The checked subject and preheader: only for campaigns that may send e-mail.
fn email_extras(message: &Message, errors: &mut FieldErrors) -> (Option<String>, Option<String>) {
    let email = matches!(message.channel.as_deref(), Some("email" | "preferred"));
    let mut checked =
        |field: &str, value: &Option<String>, check: fn(&str, &mut FieldErrors) -> Option<String>| match value
            .as_deref()
            .filter(|v| !v.trim().is_empty())
        {
            Some(_) if !email => {
                errors.push(field, "only campaigns that send e-mail (email or preferred) have one");
                None
            }
            Some(text) => check(text, errors),
            None => None,
        };
    let subject = checked("subject", &message.subject, converge_domain::template::check_subject);
    let preheader = checked("preheader", &message.preheader, converge_domain::template::check_preheader);
    (subject, preheader)
}

/// Checks every field and collects every problem; returns the campaign to create and the field an empty
/// audience is reported on.
async fn validate(
    state: &SharedState,
    caller: &Caller,
    headers: &HeaderMap,
    body: CreateCampaignBody,
    now: DateTime<Utc>,
) -> ApiResult<(NewCampaign, &'static str)> {
    let mut errors = FieldErrors::new();
    let message = message(state, caller, &body, &mut errors).await?;
    let (subject, preheader) = email_extras(&message, &mut errors);
    let idempotency_key = idempotency_key(headers, body.idempotency_key, &mut errors);
    let input = DraftInput {
        name: body.name.as_deref(),
        channel: message.channel.as_deref(),
        template: message.template.as_deref(),
        send_at: body.send_at.as_deref(),
        idempotency_key: idempotency_key.as_deref(),
    };
    let draft = CampaignDraft::parse(input, now, &mut errors);
    let topic = match body.topic.as_deref() {
        None => None,
        Some(raw) => {
            let compliance = crate::consent::compliance::load(state.store.as_ref(), caller.workspace_id()).await?;
            match Topic::parse(raw) {
                Ok(topic) if compliance.topics.contains(&topic) => Some(topic),
                Ok(_) if compliance.topics.is_empty() => {
                    errors.push("topic", "the workspace has no topics (add them in the compliance settings)");
                    None
                }
                Ok(_) => {
                    let known: Vec<&str> = compliance.topics.iter().map(Topic::as_str).collect();
                    errors.push("topic", format!("must be one of the workspace's topics: {}", known.join(", ")));
                    None
                }
                Err(message) => {
                    errors.push("topic", message);
                    None
                }
            }
        }
    };
    let audience = audience(state, caller, body.segment_id, body.rule, &mut errors).await?;
    match (draft, audience) {
        (Some(draft), Some(audience)) if errors.is_empty() => {
            let (segment_id, rule_json, rule, field) = match audience {
                Audience::Segment { id, rule_json, rule } => (Some(id), rule_json, rule, "segment_id"),
                Audience::Rule { rule_json, rule } => (None, rule_json, rule, "rule"),
            };
            let new = NewCampaign {
                name: draft.name.into(),
                channel: draft.channel,
                template: draft.template,
                segment_id,
                rule_json,
                rule,
                send_at: draft.send_at,
                idempotency_key: draft.idempotency_key,
                request_fingerprint: None,
                topic,
                subject,
                preheader,
            };
            Ok((new, field))
        }
        _ => Err(ApiError::Invalid(errors)),
    }
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

/// Exactly one of `segment_id` (a segment of this workspace) and `rule`, parsed with the workspace's
/// catalogue. Field problems go to `errors`; only infrastructure failures are returned as errors.
async fn audience(
    state: &SharedState,
    caller: &Caller,
    segment_id: Option<SegmentId>,
    rule: Option<Value>,
    errors: &mut FieldErrors,
) -> ApiResult<Option<Audience>> {
    let named =
        async { AudienceSource::of(segment_id, rule)?.rule_json(state.store.as_ref(), caller.workspace_id()).await };
    let named = named.await;
    let (json, segment) = match named {
        Ok(named) => named,
        Err(ApiError::Invalid(source_errors)) => {
            errors.extend(source_errors);
            return Ok(None);
        }
        Err(other) => return Err(other),
    };
    match parse_rule(state, caller, &json).await {
        Ok(rule) => Ok(Some(match segment {
            Some(id) => Audience::Segment { id, rule_json: json, rule },
            None => Audience::Rule { rule_json: json, rule },
        })),
        Err(ApiError::Invalid(rule_errors)) => {
            match segment {
                // The stored rule no longer fits the catalogue (an attribute it used is gone, say): the
                // segment is what the client named, so that is the field to report.
                Some(_) => errors.push(
                    "segment_id",
                    format!("the segment's rule is no longer valid ({rule_errors}); edit the segment first"),
                ),
                None => errors.extend(rule_errors),
            }
            Ok(None)
        }
        Err(other) => Err(other),
    }
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
