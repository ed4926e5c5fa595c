//! `GET/PATCH /api/v1/workspace`: the workspace as its customers see it — display name, brand name (what
//! `{{ brand }}` renders), postal address (the footer of marketing e-mail), default country (national phone
//! numbers), time zone, logo, and the senders the channels use. Reading needs any member (scope `read`),
//! changing it the admin permission. The time zone is the compliance settings' `timezone`, one value in one
//! place, changed here or there.

use axum::extract::State;
use axum::Json;
use chrono::Utc;
use converge_domain::{EmailSender, ProfilePatch, SmsSender};
use converge_store::{NewAuditEntry, Workspace};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::admin_role;
use crate::auth::{Caller, Scope};
use crate::http::auth::audit;
use crate::http::error::{ApiError, ApiResult, Problem};
use crate::http::json::{decode, JsonBody};
use crate::state::SharedState;

/// A workspace's profile.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct WorkspaceBody {
    pub id: i64,
    pub slug: String,
    /// The display name members see.
    pub name: String,
    /// What `{{ brand }}` renders; `null` while unset (messages then use `name`, and the launch dialog warns).
    pub brand_name: Option<String>,
    /// The brand's postal address (`{{ postal_address }}`, the footer of marketing e-mail).
    pub postal_address: Option<String>,
    /// ISO 3166-1 alpha-2: the country of phone numbers given without a country code.
    pub default_country: Option<String>,
    /// The workspace's IANA time zone (also the compliance settings' `timezone`).
    pub timezone: String,
    pub logo_url: Option<String>,
    /// ISO 4217, fixed at creation.
    pub currency: String,
    pub email_sender: Option<EmailSender>,
    pub sms_sender: Option<SmsSender>,
}

fn body(workspace: Workspace, timezone: String) -> WorkspaceBody {
    let profile = workspace.profile;
    WorkspaceBody {
        id: workspace.id.get(),
        slug: workspace.slug,
        name: workspace.name,
        brand_name: profile.brand_name,
        postal_address: profile.postal_address,
        default_country: profile.default_country,
        timezone,
        logo_url: profile.logo_url,
        currency: workspace.currency.code().to_owned(),
        email_sender: profile.email_sender,
        sms_sender: profile.sms_sender,
    }
}

async fn current(state: &SharedState, caller: &Caller) -> ApiResult<Workspace> {
    state.store.workspace(caller.workspace_id()).await?.ok_or_else(|| ApiError::NotFound("workspace".into()))
}

/// The caller's workspace and its profile (scope `read`).
#[utoipa::path(get, path = "/api/v1/workspace", tag = "workspace", security(("api_key" = [])),
    responses((status = 200, body = WorkspaceBody), (status = 401, body = Problem), (status = 403, body = Problem)))]
pub async fn get_workspace(State(state): State<SharedState>, caller: Caller) -> ApiResult<Json<WorkspaceBody>> {
    caller.require(Scope::Read)?;
    let workspace = current(&state, &caller).await?;
    let compliance = crate::consent::compliance::load(state.store.as_ref(), caller.workspace_id()).await?;
    Ok(Json(body(workspace, compliance.timezone.name().to_owned())))
}

/// Change the profile (admin): each key present changes that field, `null` clears it (not `name` or
/// `timezone`), a sender object replaces that sender. Every problem is a 422 naming its field; nothing is
/// changed then.
#[utoipa::path(patch, path = "/api/v1/workspace", tag = "workspace", request_body = ProfilePatch,
    security(("api_key" = [])),
    responses((status = 200, body = WorkspaceBody), (status = 400, body = Problem), (status = 401, body = Problem),
        (status = 403, body = Problem), (status = 413, body = Problem), (status = 415, body = Problem),
        (status = 422, body = Problem)))]
pub async fn patch_workspace(
    State(state): State<SharedState>,
    caller: Caller,
    body_json: Result<JsonBody, ApiError>,
) -> ApiResult<Json<WorkspaceBody>> {
    admin_role(&caller)?;
    let raw = body_json?.0;
    let patch: ProfilePatch = decode(&raw)?;
    let workspace = current(&state, &caller).await?;
    let patched = patch.apply(&workspace.profile).map_err(ApiError::Invalid)?;
    let mut compliance = crate::consent::compliance::load(state.store.as_ref(), caller.workspace_id()).await?;
    if let Some(zone) = patched.timezone {
        if zone != compliance.timezone {
            compliance.timezone = zone;
            let document = serde_json::to_value(&compliance).map_err(|err| ApiError::Internal(err.into()))?;
            state.store.put_compliance_settings(caller.workspace_id(), &document, Utc::now()).await?;
        }
    }
    let updated = state
        .store
        .update_workspace_profile(caller.workspace_id(), patched.name.as_deref(), &patched.profile)
        .await?
        .ok_or_else(|| ApiError::NotFound("workspace".into()))?;
    let event = NewAuditEntry {
        workspace_id: Some(caller.workspace_id()),
        actor: caller.actor(),
        action: "workspace.profile".into(),
        target: format!("workspace:{}", caller.workspace_id()),
        details: serde_json::from_slice(&raw).unwrap_or(serde_json::Value::Null),
    };
    audit(state.store.as_ref(), event).await;
    Ok(Json(body(updated, compliance.timezone.name().to_owned())))
}
