//! Invitations: an e-mail address and the role it joins with. The person becomes a member only by accepting
//! it themselves (`http::auth::invitations`), signed in with that address, within seven days; signing in
//! alone joins nothing.

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use chrono::{DateTime, Duration, Utc};
use converge_domain::{Email, FieldErrors, InvitationId, Role, UserId};
use converge_store::{Invitation, NewAuditEntry};
use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::ToSchema;

use super::{admin_role, invitation_mail, require_manages};
use crate::auth::{session, Caller};
use crate::http::auth::{audit, normalise_email};
use crate::http::error::{ApiError, ApiResult, Problem};
use crate::http::extract::Body;
use crate::http::path::Path;
use crate::state::SharedState;

/// How long an invitation can be accepted.
pub const INVITATION_DAYS: i64 = 7;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct InvitationBody {
    #[schema(value_type = converge_domain::Email)]
    pub email: String,
    /// owner, admin, member or viewer (you must be able to give this role).
    #[schema(value_type = Role)]
    pub role: String,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct InvitationView {
    pub id: InvitationId,
    pub email: String,
    pub role: Role,
    /// The user who invited, if a person did.
    pub invited_by: Option<UserId>,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    pub accepted_at: Option<DateTime<Utc>>,
    /// `pending`, `accepted` or `expired`.
    pub status: String,
}

/// An invitation just made: its one-time link, shown only now (only its hash is kept; inviting the same
/// address again makes a new link and retires this one), and whether it was e-mailed.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct InvitationCreated {
    #[serde(flatten)]
    pub invitation: InvitationView,
    /// `{public_url}/join?token=…`: the invitee opens it to set a password (or sign in) and join.
    pub link: String,
    /// `sent` (the workspace's SMTP server took it), `not_configured` (the workspace sends e-mail through a
    /// vendor: copy the link) or `failed` (see `email_error`).
    pub email_delivery: String,
    pub email_error: Option<String>,
}

fn invitation_view(i: Invitation, now: DateTime<Utc>) -> InvitationView {
    let status = if i.accepted_at.is_some() {
        "accepted"
    } else if i.expires_at <= now {
        "expired"
    } else {
        "pending"
    };
    InvitationView {
        id: i.id,
        email: i.email,
        role: i.role,
        invited_by: i.invited_by,
        created_at: i.created_at,
        expires_at: i.expires_at,
        accepted_at: i.accepted_at,
        status: status.into(),
    }
}

/// Invite someone by e-mail (replaces an earlier invitation of the same address). Expires in 7 days.
#[utoipa::path(post, path = "/api/v1/workspace/invitations", tag = "workspace", request_body = InvitationBody,
    security(("api_key" = [])),
    responses((status = 201, body = InvitationCreated), (status = 401, body = Problem), (status = 403, body = Problem),
        (status = 422, body = Problem)))]
pub async fn create_invitation(
    State(state): State<SharedState>,
    caller: Caller,
    body: Result<Body<InvitationBody>, ApiError>,
) -> ApiResult<(StatusCode, Json<InvitationCreated>)> {
    let acting = admin_role(&caller)?;
    let Body(body) = body?;
    let mut errors = FieldErrors::default();
    let email = normalise_email(&body.email);
    if let Err(e) = Email::parse(&email) {
        errors.push("email", e);
    }
    let role = Role::parse(&body.role).map_err(|e| errors.push("role", e)).ok();
    let role = match role {
        Some(role) if errors.is_empty() => role,
        _ => return Err(ApiError::Invalid(errors)),
    };
    require_manages(acting, role)?;
    let now = Utc::now();
    let expires_at = now + Duration::days(INVITATION_DAYS);
    let workspace_id = caller.workspace_id();
    let token = session::random_token();
    let token_hash = session::hash_token(&token);
    let invitation = state
        .store
        .create_invitation(workspace_id, &email, role, caller.user_id(), now, expires_at, Some(&token_hash))
        .await?;
    let link = format!("{}/join?token={token}", state.links.base_url());
    let entry = NewAuditEntry {
        workspace_id: Some(workspace_id),
        actor: caller.actor(),
        action: "member.invite".into(),
        target: format!("invitation:{}", invitation.id),
        details: json!({"email": email, "role": role}),
    };
    audit(state.store.as_ref(), entry).await;
    let inviter = match caller.user_id() {
        Some(id) => state.store.user(id).await?.map(|u| u.name.unwrap_or(u.email)),
        None => None,
    };
    let invite = invitation_mail::Invite {
        workspace_id,
        invitation_id: invitation.id.get(),
        to: &email,
        role,
        inviter: inviter.as_deref(),
        link: &link,
        days: INVITATION_DAYS,
    };
    let (email_delivery, email_error) = match invitation_mail::send(&state, invite).await {
        invitation_mail::Mailed::Sent => ("sent", None),
        invitation_mail::Mailed::NotConfigured => ("not_configured", None),
        invitation_mail::Mailed::Failed(why) => ("failed", Some(why)),
    };
    let created = InvitationCreated {
        invitation: invitation_view(invitation, now),
        link,
        email_delivery: email_delivery.into(),
        email_error,
    };
    Ok((StatusCode::CREATED, Json(created)))
}

/// The workspace's invitations, newest first (accepted and expired ones included).
#[utoipa::path(get, path = "/api/v1/workspace/invitations", tag = "workspace", security(("api_key" = [])),
    responses((status = 200, body = Vec<InvitationView>), (status = 401, body = Problem),
        (status = 403, body = Problem)))]
pub async fn list_invitations(
    State(state): State<SharedState>,
    caller: Caller,
) -> ApiResult<Json<Vec<InvitationView>>> {
    admin_role(&caller)?;
    let now = Utc::now();
    let invitations = state.store.invitations(caller.workspace_id()).await?;
    Ok(Json(invitations.into_iter().map(|i| invitation_view(i, now)).collect()))
}

/// Withdraw an invitation (you must be able to give its role).
#[utoipa::path(delete, path = "/api/v1/workspace/invitations/{id}", tag = "workspace",
    params(("id" = i64, Path)), security(("api_key" = [])),
    responses((status = 204), (status = 401, body = Problem), (status = 403, body = Problem),
        (status = 404, body = Problem)))]
pub async fn revoke_invitation(
    State(state): State<SharedState>,
    caller: Caller,
    Path(id): Path<InvitationId>,
) -> ApiResult<StatusCode> {
    let acting = admin_role(&caller)?;
    let workspace_id = caller.workspace_id();
    let invitation = state.store.invitations(workspace_id).await?.into_iter().find(|i| i.id == id);
    let invitation = invitation.ok_or_else(|| ApiError::NotFound("invitation".into()))?;
    require_manages(acting, invitation.role)?;
    if !state.store.revoke_invitation(workspace_id, id).await? {
        return Err(ApiError::NotFound("invitation".into()));
    }
    let entry = NewAuditEntry {
        workspace_id: Some(workspace_id),
        actor: caller.actor(),
        action: "member.invite_revoke".into(),
        target: format!("invitation:{id}"),
        details: json!({"email": invitation.email, "role": invitation.role}),
    };
    audit(state.store.as_ref(), entry).await;
    Ok(StatusCode::NO_CONTENT)
}
