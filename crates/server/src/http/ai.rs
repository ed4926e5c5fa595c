//! The AI assistants over HTTP: message suggestions, text → audience rule, campaign summary.
//!
//! Handlers validate input (every bad field named, nothing stored), gather what the assistant may know —
//! the workspace's catalogue and city names, a campaign's aggregate figures from the store — and return its
//! checked answer with the provider that gave it and a `notice` when the configured provider's answer was
//! not (fully) used. No customer record is read here, so none can reach a model.

use axum::extract::State;
use axum::Json;
use converge_ai::{
    AiError, AudienceBrief, CampaignFacts, GroupFacts, MessageBrief, ReasonCount, MAX_OBJECTIVE_CHARS, MAX_TEXT_CHARS,
};
use converge_domain::segment::Rule;
use converge_domain::{CampaignId, FieldErrors, SendChannel};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::ToSchema;

use super::campaigns::{load, require_read};
use super::error::{ApiError, ApiResult, Problem};
use crate::auth::{Caller, Scope};
use crate::http::extract::Body;
use crate::state::SharedState;

/// Reasons and cities a summary lists at most.
const SUMMARY_GROUPS: u32 = 10;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MessageSuggestionsBody {
    /// What the campaign wants, e.g. "win back customers who have not shopped in 6 months with 20% off"
    /// (1 to 500 characters).
    #[schema(schema_with = crate::http::schemas::objective)]
    pub objective: Option<String>,
    /// `sms`, `email`, `whatsapp` or `preferred`: decides the length limit (one SMS for `sms`/`preferred`).
    #[schema(value_type = SendChannel)]
    pub channel: Option<String>,
    /// The audience (react-querybuilder rule), validated like a preview's; it shapes the wording.
    #[schema(value_type = Option<converge_domain::segment::RuleGroup>)]
    pub rule: Option<Value>,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct MessageSuggestion {
    /// A message template, ready to use as a campaign's `template`.
    pub text: String,
    /// `friendly`, `urgent`, `exclusive`, or a model's own word.
    pub tone: String,
    /// Who wrote this one: `builtin`, `gemini` or `openai`.
    pub provider: String,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct MessageSuggestions {
    /// Three distinct variants, each passing the template checks and the channel's length.
    pub suggestions: Vec<MessageSuggestion>,
    /// Whose answer this mostly is: `builtin`, `gemini` or `openai`.
    pub provider: String,
    /// Present when the configured provider failed or some of its variants were replaced.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub notice: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SegmentFromTextBody {
    /// A description of the audience, e.g. "people who haven't shopped in 6 months and spent over ₹5K"
    /// (1 to 500 characters).
    #[schema(schema_with = crate::http::schemas::audience_text)]
    pub text: Option<String>,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct SegmentFromText {
    /// A rule in react-querybuilder JSON, validated against this workspace's field catalogue.
    #[schema(value_type = Object)]
    pub rule: Value,
    /// What the rule selects, in plain English (written by Converge from the rule).
    pub explanation: String,
    pub provider: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub notice: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CampaignSummaryBody {
    /// A campaign of this workspace.
    #[schema(value_type = i64)]
    pub campaign_id: Option<CampaignId>,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct CampaignSummary {
    pub campaign_id: CampaignId,
    /// Two to six sentences; every figure in it is one of `figures`.
    pub summary: String,
    /// From a fixed vocabulary: win-back, high value, new customers, loyal, local, delivery issues,
    /// reachability gap, strong delivery, in progress.
    pub tags: Vec<String>,
    pub next_step: String,
    /// The figures computed by Converge: counts by status, rates in percent, failure and skip reasons,
    /// breakdowns by city and by spend band (current city and spend of each recipient).
    #[schema(value_type = Object)]
    pub figures: Value,
    pub provider: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub notice: Option<String>,
}

fn count(task: &'static str, provider: &str, fallback: bool) {
    metrics::counter!("converge_ai_requests_total", "task" => task, "provider" => provider.to_owned(),
        "notice" => if fallback { "yes" } else { "no" })
    .increment(1);
}

/// A required text field: trimmed, 1 to `max` characters, no control characters but line breaks.
fn text_field(errors: &mut FieldErrors, field: &str, raw: Option<String>, max: usize) -> Option<String> {
    let text = raw.unwrap_or_default().trim().to_owned();
    let length = text.chars().count();
    if length == 0 || length > max {
        errors.push(field, format!("must be 1 to {max} characters; got {length}"));
        return None;
    }
    if text.chars().any(|c| c.is_control() && c != '\n' && c != '\r' && c != '\t') {
        errors.push(field, "must not contain control characters");
        return None;
    }
    Some(text)
}

/// Three message variants for a campaign (scope `campaigns`).
#[utoipa::path(post, path = "/api/v1/ai/message-suggestions", tag = "ai", request_body = MessageSuggestionsBody,
    security(("api_key" = [])),
    responses((status = 200, body = MessageSuggestions), (status = 400, body = Problem), (status = 401, body = Problem),
        (status = 403, body = Problem), (status = 415, body = Problem), (status = 422, body = Problem)))]
#[tracing::instrument(skip_all, fields(workspace_id = caller.workspace_id().get()))]
pub async fn message_suggestions(
    State(state): State<SharedState>,
    caller: Caller,
    body: Result<Body<MessageSuggestionsBody>, ApiError>,
) -> ApiResult<Json<MessageSuggestions>> {
    caller.require(Scope::Campaigns)?;
    let Body(body) = body?;
    let mut errors = FieldErrors::new();
    let objective = text_field(&mut errors, "objective", body.objective, MAX_OBJECTIVE_CHARS);
    let channel = match body.channel.as_deref().map(SendChannel::parse) {
        Some(Ok(channel)) => Some(channel),
        Some(Err(message)) => errors.check("channel", Err(message)),
        None => errors.check("channel", Err("is required: sms, email, whatsapp or preferred".to_owned())),
    };
    let catalogue = state.catalogues.get(&state.store, caller.workspace_id()).await?;
    let audience = match &body.rule {
        Some(json) => match Rule::parse(json, &catalogue, &caller.currency) {
            Ok(_) => Some(converge_ai::text_rule::explain(json, &catalogue, &caller.currency)),
            Err(rule_errors) => {
                errors.extend(rule_errors);
                None
            }
        },
        None => None,
    };
    let (Some(objective), Some(channel), true) = (objective, channel, errors.is_empty()) else {
        return Err(ApiError::Invalid(errors));
    };
    let brand = state.store.workspace(caller.workspace_id()).await?.map(|ws| ws.name).unwrap_or_default();
    let brief = MessageBrief { objective, channel, rule: body.rule, audience, brand };
    let answered = state.ai.assistant.message_suggestions(brief).await;
    count("message_suggestions", &answered.provider, answered.notice.is_some());
    Ok(Json(MessageSuggestions {
        suggestions: answered
            .value
            .into_iter()
            .map(|s| MessageSuggestion { text: s.text, tone: s.tone, provider: s.provider })
            .collect(),
        provider: answered.provider,
        notice: answered.notice,
    }))
}

/// Turn a description into an audience rule of this workspace (scope `campaigns`). The rule is validated
/// against the field catalogue; text that cannot be expressed is a 422 on `text` saying why.
#[utoipa::path(post, path = "/api/v1/ai/segment-from-text", tag = "ai", request_body = SegmentFromTextBody,
    security(("api_key" = [])),
    responses((status = 200, body = SegmentFromText), (status = 400, body = Problem), (status = 401, body = Problem),
        (status = 403, body = Problem), (status = 415, body = Problem),
        (status = 422, body = Problem, description = "Bad input, or a text that cannot be turned into a valid rule")))]
#[tracing::instrument(skip_all, fields(workspace_id = caller.workspace_id().get()))]
pub async fn segment_from_text(
    State(state): State<SharedState>,
    caller: Caller,
    body: Result<Body<SegmentFromTextBody>, ApiError>,
) -> ApiResult<Json<SegmentFromText>> {
    caller.require(Scope::Campaigns)?;
    let Body(body) = body?;
    let mut errors = FieldErrors::new();
    let Some(text) = text_field(&mut errors, "text", body.text, MAX_TEXT_CHARS) else {
        return Err(ApiError::Invalid(errors));
    };
    let catalogue = state.catalogues.get(&state.store, caller.workspace_id()).await?;
    let cities = state.ai.cities(&state.store, caller.workspace_id()).await?;
    let brief = AudienceBrief { text, catalogue, cities: cities.as_ref().clone(), currency: caller.currency };
    match state.ai.assistant.segment_from_text(brief).await {
        Ok(answered) => {
            count("segment_from_text", &answered.provider, answered.notice.is_some());
            Ok(Json(SegmentFromText {
                rule: answered.value.rule,
                explanation: answered.value.explanation,
                provider: answered.provider,
                notice: answered.notice,
            }))
        }
        Err(AiError::Refused(why)) => {
            count("segment_from_text", "refused", false);
            Err(ApiError::invalid("text", why))
        }
    }
}

/// A plain-English summary of a campaign's results, with tags and a next step (scope `read` or
/// `campaigns`). Every figure is computed by Converge; a model only words them.
#[utoipa::path(post, path = "/api/v1/ai/campaign-summary", tag = "ai", request_body = CampaignSummaryBody,
    security(("api_key" = [])),
    responses((status = 200, body = CampaignSummary), (status = 400, body = Problem), (status = 401, body = Problem),
        (status = 403, body = Problem), (status = 404, body = Problem), (status = 415, body = Problem),
        (status = 422, body = Problem)))]
#[tracing::instrument(skip_all, fields(workspace_id = caller.workspace_id().get()))]
pub async fn campaign_summary(
    State(state): State<SharedState>,
    caller: Caller,
    body: Result<Body<CampaignSummaryBody>, ApiError>,
) -> ApiResult<Json<CampaignSummary>> {
    require_read(&caller)?;
    let Body(body) = body?;
    let id = body.campaign_id.ok_or_else(|| ApiError::invalid("campaign_id", "is required"))?;
    let row = load(&state, &caller, id).await?;
    let (bounds, labels) = converge_ai::spend_bands(&caller.currency);
    let breakdown = state.store.campaign_breakdown(caller.workspace_id(), id, &bounds, SUMMARY_GROUPS).await?;
    let group = |label: String, s: converge_store::CampaignStats| {
        GroupFacts::new(label, s.sent, s.failed, s.skipped, s.pending)
    };
    let facts = CampaignFacts::new(
        row.id,
        row.name,
        row.channel.as_str().to_owned(),
        row.status.as_str().to_owned(),
        (row.stats.sent, row.stats.failed, row.stats.skipped, row.stats.pending),
        ReasonCount::screened(breakdown.failure_reasons),
        ReasonCount::screened(breakdown.skip_reasons),
        breakdown
            .by_city
            .into_iter()
            .map(|(city, stats)| group(city.unwrap_or_else(|| "no city".to_owned()), stats))
            .collect(),
        labels.into_iter().zip(breakdown.by_spend_band).map(|(label, stats)| group(label, stats)).collect(),
        row.rule,
    );
    let figures = serde_json::to_value(&facts).map_err(anyhow::Error::from)?;
    let answered = state.ai.assistant.campaign_summary(facts).await;
    count("campaign_summary", &answered.provider, answered.notice.is_some());
    Ok(Json(CampaignSummary {
        campaign_id: id,
        summary: answered.value.summary,
        tags: answered.value.tags,
        next_step: answered.value.next_step,
        figures,
        provider: answered.provider,
        notice: answered.notice,
    }))
}
