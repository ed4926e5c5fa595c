//! Launching and duplicating: `POST /api/v1/campaigns/{id}/launch` sends a draft (checked in full, its
//! audience snapshotted then) now or at a given time, or brings a scheduled campaign forward to now;
//! `POST /api/v1/campaigns/{id}/duplicate` starts a new draft from any campaign.

use axum::extract::State;
use axum::response::Response;
use axum::Json;
use chrono::{DateTime, Utc};
use converge_domain::{CampaignId, CampaignStatus};
use converge_store::{CampaignEdit, CampaignFields, NewDraft, StoreError};
use serde::Deserialize;
use utoipa::ToSchema;

use super::create::{created_response, launched, CampaignCreated};
use super::validate::{validate, CampaignInput};
use super::{campaign_view, load, CampaignView};
use crate::auth::{Caller, Scope};
use crate::http::error::{ApiError, ApiResult, Problem};
use crate::http::extract::Body;
use crate::http::path::Path;
use crate::state::SharedState;

/// When to send.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LaunchBody {
    /// RFC 3339; default: the draft's planned time if it is still ahead, else now. At most 5 minutes in the
    /// past and 366 days ahead.
    #[schema(format = DateTime)]
    pub send_at: Option<String>,
}

/// The send time a launch asks for, as the validation reads it.
fn send_at(body: &LaunchBody, planned: DateTime<Utc>, now: DateTime<Utc>) -> String {
    match &body.send_at {
        Some(given) => given.clone(),
        None => planned.max(now).to_rfc3339(),
    }
}

/// Launch a draft, or send a scheduled campaign now (scope `campaigns`).
#[utoipa::path(post, path = "/api/v1/campaigns/{id}/launch", tag = "campaigns", params(("id" = i64, Path)),
    request_body = LaunchBody, security(("api_key" = [])),
    responses((status = 200, body = CampaignView, description = "Scheduled, or running when due"),
        (status = 400, body = Problem), (status = 401, body = Problem), (status = 403, body = Problem),
        (status = 404, body = Problem),
        (status = 409, body = Problem, description = "Not a draft or a scheduled campaign"),
        (status = 413, body = Problem), (status = 415, body = Problem),
        (status = 422, body = Problem,
            description = "The draft is incomplete or invalid (each field named), or its audience is empty")))]
#[tracing::instrument(skip_all, fields(workspace_id = caller.workspace_id().get(), campaign_id = id.get()))]
pub async fn launch_campaign(
    State(state): State<SharedState>,
    caller: Caller,
    Path(id): Path<CampaignId>,
    body: Result<Body<LaunchBody>, ApiError>,
) -> ApiResult<Json<CampaignView>> {
    caller.require(Scope::Campaigns)?;
    let Body(body) = body?;
    let row = load(&state, &caller, id).await?;
    let now = Utc::now();
    let (snapshot, field) = match row.status {
        CampaignStatus::Draft => (true, "rule"),
        CampaignStatus::Scheduled => (false, "send_at"),
        other => {
            return Err(ApiError::Conflict(format!(
                "status: the campaign is {other}; only a draft or a scheduled campaign can be launched"
            )))
        }
    };
    let mut input = CampaignInput::of(&row);
    input.send_at = Some(match row.status {
        CampaignStatus::Draft => send_at(&body, row.send_at, now),
        _ => body.send_at.clone().unwrap_or_else(|| now.to_rfc3339()),
    });
    if snapshot && input.segment_id.is_none() && input.rule.is_none() {
        return Err(ApiError::invalid("rule", "the draft has no audience yet: give it a segment_id or a rule"));
    }
    let (new, audience_field) = validate(&state, &caller, input, None, now).await?;
    let edit = CampaignEdit {
        from: row.status,
        to: CampaignStatus::Scheduled,
        fields: new.fields(),
        snapshot: snapshot.then(|| new.rule.clone()),
    };
    let field = if snapshot { audience_field } else { field };
    let edited = match state.store.edit_campaign(caller.workspace_id(), id, &edit, now).await {
        Ok(Some(edited)) => edited,
        Ok(None) => {
            let status = load(&state, &caller, id).await?.status;
            return Err(ApiError::Conflict(format!("status: the campaign is {status}; it cannot be launched")));
        }
        Err(StoreError::EmptyAudience) => {
            return Err(ApiError::invalid(field, "the audience is empty: no customer matches"))
        }
        Err(other) => return Err(other.into()),
    };
    tracing::info!(audience = edited.stats.audience, "campaign launched");
    let row = launched(&state, &caller, edited, now).await?;
    Ok(Json(campaign_view(row)))
}

/// Start a new draft from a campaign (scope `campaigns`): its message, audience (the segment, or the rule as
/// sent), topic and channel, named "… (copy)". Any campaign can be duplicated, whatever its status.
#[utoipa::path(post, path = "/api/v1/campaigns/{id}/duplicate", tag = "campaigns", params(("id" = i64, Path)),
    security(("api_key" = [])),
    responses((status = 201, body = CampaignCreated, description = "The new draft; `Location` names it"),
        (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem)))]
#[tracing::instrument(skip_all, fields(workspace_id = caller.workspace_id().get(), campaign_id = id.get()))]
pub async fn duplicate_campaign(
    State(state): State<SharedState>,
    caller: Caller,
    Path(id): Path<CampaignId>,
) -> ApiResult<Response> {
    caller.require(Scope::Campaigns)?;
    let row = load(&state, &caller, id).await?;
    let now = Utc::now();
    let fields = CampaignFields {
        name: copy_name(&row.name),
        channel: row.channel,
        template: row.template.clone(),
        segment_id: row.segment_id,
        rule_json: row.rule.clone(),
        send_at: now,
        topic: row.topic.clone(),
        subject: row.subject.clone(),
        preheader: row.preheader.clone(),
    };
    let new = NewDraft { fields, idempotency_key: None, request_fingerprint: None };
    let (draft, _) = state.store.create_draft(caller.workspace_id(), &new, now).await?;
    tracing::info!(draft_id = draft.id.get(), "campaign duplicated");
    Ok(created_response(draft))
}

/// `name (copy)`, shortened to fit a campaign name (200 characters).
fn copy_name(name: &str) -> String {
    const SUFFIX: &str = " (copy)";
    let room = 200 - SUFFIX.chars().count();
    let kept: String = name.chars().take(room).collect();
    format!("{}{SUFFIX}", kept.trim_end())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_copy_is_named_so_and_still_fits() {
        assert_eq!(copy_name("Diwali"), "Diwali (copy)");
        let long = "x".repeat(200);
        let copy = copy_name(&long);
        assert_eq!(copy.chars().count(), 200);
        assert!(copy.ends_with(" (copy)"));
        assert!(converge_domain::CampaignName::parse(&copy).is_ok());
    }

    #[test]
    fn a_draft_launches_at_its_planned_time_or_now() {
        let now: DateTime<Utc> = "2026-05-01T10:00:00Z".parse().unwrap();
        let later: DateTime<Utc> = "2026-05-02T10:00:00Z".parse().unwrap();
        let earlier: DateTime<Utc> = "2026-04-01T10:00:00Z".parse().unwrap();
        assert_eq!(send_at(&LaunchBody::default(), later, now), later.to_rfc3339());
        assert_eq!(send_at(&LaunchBody::default(), earlier, now), now.to_rfc3339());
        let given = LaunchBody { send_at: Some("2026-06-01T00:00:00Z".into()) };
        assert_eq!(send_at(&given, later, now), "2026-06-01T00:00:00Z");
    }
}
