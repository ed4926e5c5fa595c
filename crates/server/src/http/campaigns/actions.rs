//! Lifecycle commands: pause, resume, cancel and "retry failed" (scope `campaigns`).
//!
//! Each is one compare-and-set in the store, guarded by the domain's transition table, so two concurrent
//! commands cannot both win. When the store refuses, the campaign is read again to tell "no such campaign"
//! (404) from "not in a status that allows it" (409, naming the status).

use axum::extract::State;
use axum::Json;
use chrono::Utc;
use converge_domain::{CampaignId, CampaignStatus};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::{campaign_view, load, CampaignView};
use crate::auth::{Caller, Scope};
use crate::http::error::{ApiError, ApiResult, Problem};
use crate::http::path::Path;
use crate::state::SharedState;

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct RetryFailed {
    /// How many FAILED messages became PENDING again.
    pub retried: u64,
    pub campaign: CampaignView,
}

/// Moves the campaign from one of `from` to `to`, or answers 404/409. `done` says what the command does,
/// as a past participle (`paused`, `resumed`, `cancelled`).
async fn transition(
    state: &SharedState,
    caller: &Caller,
    id: CampaignId,
    done: &str,
    from: &[CampaignStatus],
    to: CampaignStatus,
) -> ApiResult<Json<CampaignView>> {
    let now = Utc::now();
    match state.store.set_campaign_status(caller.workspace_id(), id, from, to, now).await? {
        Some(row) => {
            tracing::info!(campaign_id = id.get(), status = %row.status, "campaign {done}");
            Ok(Json(campaign_view(row)))
        }
        None => {
            let row = load(state, caller, id).await?;
            Err(ApiError::Conflict(format!("the campaign is {}: it cannot be {done}", row.status)))
        }
    }
}

/// Stop sending (scheduled or running → paused); pending messages wait.
#[utoipa::path(post, path = "/api/v1/campaigns/{id}/pause", tag = "campaigns", params(("id" = i64, Path)),
    security(("api_key" = [])),
    responses((status = 200, body = CampaignView), (status = 401, body = Problem), (status = 403, body = Problem),
        (status = 404, body = Problem), (status = 409, body = Problem, description = "Not scheduled or running")))]
pub async fn pause_campaign(
    State(state): State<SharedState>,
    caller: Caller,
    Path(id): Path<CampaignId>,
) -> ApiResult<Json<CampaignView>> {
    caller.require(Scope::Campaigns)?;
    let from = [CampaignStatus::Scheduled, CampaignStatus::Running];
    transition(&state, &caller, id, "paused", &from, CampaignStatus::Paused).await
}

/// Continue a paused campaign: running, or scheduled again if its send time is still ahead.
#[utoipa::path(post, path = "/api/v1/campaigns/{id}/resume", tag = "campaigns", params(("id" = i64, Path)),
    security(("api_key" = [])),
    responses((status = 200, body = CampaignView), (status = 401, body = Problem), (status = 403, body = Problem),
        (status = 404, body = Problem), (status = 409, body = Problem, description = "Not paused")))]
pub async fn resume_campaign(
    State(state): State<SharedState>,
    caller: Caller,
    Path(id): Path<CampaignId>,
) -> ApiResult<Json<CampaignView>> {
    caller.require(Scope::Campaigns)?;
    let row = load(&state, &caller, id).await?;
    let to = if row.send_at > Utc::now() { CampaignStatus::Scheduled } else { CampaignStatus::Running };
    transition(&state, &caller, id, "resumed", &[CampaignStatus::Paused], to).await
}

/// Stop for good (scheduled, running or paused → cancelled); waiting messages are skipped.
#[utoipa::path(post, path = "/api/v1/campaigns/{id}/cancel", tag = "campaigns", params(("id" = i64, Path)),
    security(("api_key" = [])),
    responses((status = 200, body = CampaignView), (status = 401, body = Problem), (status = 403, body = Problem),
        (status = 404, body = Problem),
        (status = 409, body = Problem, description = "Already completed or cancelled")))]
pub async fn cancel_campaign(
    State(state): State<SharedState>,
    caller: Caller,
    Path(id): Path<CampaignId>,
) -> ApiResult<Json<CampaignView>> {
    caller.require(Scope::Campaigns)?;
    let from = [CampaignStatus::Scheduled, CampaignStatus::Running, CampaignStatus::Paused];
    transition(&state, &caller, id, "cancelled", &from, CampaignStatus::Cancelled).await
}

/// Send the FAILED messages again: they become PENDING, due now (a completed campaign runs again).
#[utoipa::path(post, path = "/api/v1/campaigns/{id}/retry-failed", tag = "campaigns", params(("id" = i64, Path)),
    security(("api_key" = [])),
    responses((status = 200, body = RetryFailed), (status = 401, body = Problem), (status = 403, body = Problem),
        (status = 404, body = Problem), (status = 409, body = Problem, description = "The campaign is cancelled")))]
pub async fn retry_failed(
    State(state): State<SharedState>,
    caller: Caller,
    Path(id): Path<CampaignId>,
) -> ApiResult<Json<RetryFailed>> {
    caller.require(Scope::Campaigns)?;
    match state.store.retry_failed(caller.workspace_id(), id, Utc::now()).await? {
        Some(retried) => {
            tracing::info!(campaign_id = id.get(), retried, "failed messages retried");
            let row = load(&state, &caller, id).await?;
            Ok(Json(RetryFailed { retried, campaign: campaign_view(row) }))
        }
        None => {
            let row = load(&state, &caller, id).await?;
            Err(ApiError::Conflict(format!("the campaign is {}: its messages cannot be retried", row.status)))
        }
    }
}
