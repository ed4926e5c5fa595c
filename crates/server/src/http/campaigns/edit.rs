//! `PATCH /api/v1/campaigns/{id}`: edit a draft or a scheduled campaign. The patch is merged into what is
//! stored and the whole is validated again — leniently for a draft, in full for a scheduled campaign — so an
//! edit can never leave a campaign that a create would have refused. Any other status is a 409 naming
//! `status`; a scheduled campaign that has already sent (paused, then rescheduled) keeps its audience.

use axum::extract::State;
use axum::Json;
use chrono::Utc;
use converge_domain::segment::RuleGroup;
use converge_domain::{CampaignId, CampaignName, CampaignStatus, SegmentId, SendChannel, TemplateId, Topic};
use converge_store::{CampaignEdit, CampaignRow, StoreError};
use serde::Deserialize;
use serde_json::Value;
use utoipa::ToSchema;

use super::validate::{validate, validate_draft, CampaignInput};
use super::{campaign_view, load, CampaignView};
use crate::auth::{Caller, Scope};
use crate::http::error::{ApiError, ApiResult, Problem};
use crate::http::extract::Body;
use crate::http::path::Path;
use crate::state::SharedState;

/// The fields to change; those left out keep their value. An empty `subject`, `preheader` or `topic` clears
/// it. Giving `segment_id` or `rule` replaces the audience (the other is dropped).
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EditCampaignBody {
    #[schema(value_type = Option<CampaignName>)]
    pub name: Option<String>,
    pub segment_id: Option<SegmentId>,
    #[schema(value_type = Option<RuleGroup>)]
    pub rule: Option<Value>,
    #[schema(value_type = Option<SendChannel>)]
    pub channel: Option<String>,
    #[schema(schema_with = crate::http::schemas::template)]
    pub template: Option<String>,
    /// Copy a saved template (its body, and its subject and preheader unless given).
    #[schema(value_type = Option<i64>)]
    pub template_id: Option<TemplateId>,
    pub subject: Option<String>,
    pub preheader: Option<String>,
    #[schema(format = DateTime)]
    pub send_at: Option<String>,
    #[schema(value_type = Option<Topic>)]
    pub topic: Option<String>,
}

impl EditCampaignBody {
    /// Whether the patch replaces the audience.
    fn names_audience(&self) -> bool {
        self.segment_id.is_some() || self.rule.is_some()
    }

    /// The stored campaign with this patch applied.
    fn merged(self, row: &CampaignRow) -> CampaignInput {
        let mut input = CampaignInput::of(row);
        let channel_changed = self.channel.as_deref().is_some_and(|c| c != row.channel.as_str());
        if channel_changed || self.template_id.is_some() {
            // A subject belongs to e-mail and to the template it came with: a new channel or template starts
            // without the old one unless the patch gives it.
            input.subject = None;
            input.preheader = None;
        }
        if self.names_audience() {
            input.segment_id = self.segment_id;
            input.rule = self.rule;
        }
        if self.template_id.is_some() {
            input.template = None;
            input.template_id = self.template_id;
        }
        let keep = |given: Option<String>, stored: &mut Option<String>| {
            if given.is_some() {
                *stored = given;
            }
        };
        keep(self.name, &mut input.name);
        keep(self.channel, &mut input.channel);
        keep(self.template, &mut input.template);
        keep(self.subject, &mut input.subject);
        keep(self.preheader, &mut input.preheader);
        keep(self.send_at, &mut input.send_at);
        keep(self.topic, &mut input.topic);
        input
    }
}

/// The 409 for a campaign whose status does not allow an edit.
fn not_editable(status: CampaignStatus) -> ApiError {
    ApiError::Conflict(format!(
        "status: the campaign is {status}; only a draft or a scheduled campaign can be edited (pause does not \
         make it editable; duplicate it to start a new draft)"
    ))
}

/// Edit a draft or a scheduled campaign (scope `campaigns`).
#[utoipa::path(patch, path = "/api/v1/campaigns/{id}", tag = "campaigns", params(("id" = i64, Path)),
    request_body = EditCampaignBody, security(("api_key" = [])),
    responses((status = 200, body = CampaignView), (status = 400, body = Problem), (status = 401, body = Problem),
        (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 409, body = Problem,
            description = "The campaign is running, paused, completed or cancelled, or has already sent and its audience cannot change"),
        (status = 413, body = Problem), (status = 415, body = Problem),
        (status = 422, body = Problem, description = "Invalid fields, or a new audience nobody matches")))]
#[tracing::instrument(skip_all, fields(workspace_id = caller.workspace_id().get(), campaign_id = id.get()))]
pub async fn edit_campaign(
    State(state): State<SharedState>,
    caller: Caller,
    Path(id): Path<CampaignId>,
    body: Result<Body<EditCampaignBody>, ApiError>,
) -> ApiResult<Json<CampaignView>> {
    caller.require(Scope::Campaigns)?;
    let Body(body) = body?;
    let row = load(&state, &caller, id).await?;
    let now = Utc::now();
    let replaces_audience = body.names_audience();
    let edit = match row.status {
        CampaignStatus::Draft => {
            let fields = validate_draft(&state, &caller, body.merged(&row), now).await?;
            CampaignEdit { from: CampaignStatus::Draft, to: CampaignStatus::Draft, fields, snapshot: None }
        }
        CampaignStatus::Scheduled => {
            if replaces_audience && row.launched_at.is_some() {
                return Err(ApiError::Conflict(
                    "segment_id: the campaign has already sent messages, so its audience cannot change".into(),
                ));
            }
            let (new, _) = validate(&state, &caller, body.merged(&row), None, now).await?;
            let snapshot = replaces_audience.then(|| new.rule.clone());
            let mut fields = new.fields();
            if !replaces_audience {
                // The snapshot stays, so the rule shown stays the one it was taken with (a saved segment's
                // rule may have changed since).
                fields.rule_json = row.rule.clone();
                fields.segment_id = row.segment_id;
            }
            CampaignEdit { from: CampaignStatus::Scheduled, to: CampaignStatus::Scheduled, fields, snapshot }
        }
        other => return Err(not_editable(other)),
    };
    let audience_field = if edit.fields.segment_id.is_some() { "segment_id" } else { "rule" };
    match state.store.edit_campaign(caller.workspace_id(), id, &edit, now).await {
        Ok(Some(row)) => {
            tracing::info!(status = %row.status, "campaign edited");
            Ok(Json(campaign_view(row)))
        }
        // Moved on meanwhile (the scheduler started it, or another edit launched it).
        Ok(None) => Err(not_editable(load(&state, &caller, id).await?.status)),
        Err(StoreError::EmptyAudience) => {
            Err(ApiError::invalid(audience_field, "the audience is empty: no customer matches"))
        }
        Err(other) => Err(other.into()),
    }
}
