//! The signed-in person's own invitations: see the open ones addressed to their e-mail, accept one (they
//! become a member with the invited role) or decline it. Joining a workspace always takes this explicit
//! answer: signing in never accepts an invitation by itself. Session only (an API key has no person behind
//! it); accepting and declining need the session's CSRF token. An invitation addressed to someone else is
//! answered 404, as if it did not exist.

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::Json;
use chrono::{DateTime, Utc};
use converge_domain::{InvitationId, Role, UserId, WorkspaceId};
use converge_store::NewAuditEntry;
use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::ToSchema;

use super::{audit, session_person, WorkspaceRole};
use crate::auth::check_csrf;
use crate::http::error::{ApiError, ApiResult, Problem};
use crate::http::path::Path;
use crate::state::SharedState;

/// An open invitation addressed to the signed-in person.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct MyInvitation {
    pub id: InvitationId,
    /// The workspace it invites to, by slug.
    pub workspace: String,
    pub workspace_name: String,
    pub role: Role,
    pub expires_at: DateTime<Utc>,
}

/// The open invitations addressed to the signed-in person's e-mail, oldest first.
#[utoipa::path(get, path = "/api/v1/auth/invitations", tag = "auth",
    responses((status = 200, body = Vec<MyInvitation>), (status = 401, body = Problem)))]
pub async fn my_invitations(
    State(state): State<SharedState>,
    headers: HeaderMap,
) -> ApiResult<Json<Vec<MyInvitation>>> {
    let (user, _) = session_person(&state, &headers).await?;
    let mut answer = Vec::new();
    for invitation in state.store.open_invitations(&user.email, Utc::now()).await? {
        let Some(workspace) = state.store.workspace(invitation.workspace_id).await? else { continue };
        answer.push(MyInvitation {
            id: invitation.id,
            workspace: workspace.slug,
            workspace_name: workspace.name,
            role: invitation.role,
            expires_at: invitation.expires_at,
        });
    }
    Ok(Json(answer))
}

fn no_such_invitation() -> ApiError {
    ApiError::NotFound("invitation".into())
}

/// Accept an invitation addressed to you: you join its workspace with its role (a higher role you already
/// have there stays).
#[utoipa::path(post, path = "/api/v1/auth/invitations/{id}/accept", tag = "auth", params(("id" = i64, Path)),
    responses((status = 200, body = WorkspaceRole, description = "The workspace joined, with your role there"),
        (status = 401, body = Problem), (status = 403, body = Problem, description = "No CSRF token"),
        (status = 404, body = Problem, description = "No open invitation with this id addressed to you")))]
pub async fn accept_invitation(
    State(state): State<SharedState>,
    Path(id): Path<InvitationId>,
    headers: HeaderMap,
) -> ApiResult<Json<WorkspaceRole>> {
    let (user, session) = session_person(&state, &headers).await?;
    check_csrf(&headers, &state, &session.csrf_token)?;
    let (workspace_id, role) =
        state.store.accept_invitation(id, &user.email, user.id, Utc::now()).await?.ok_or_else(no_such_invitation)?;
    let workspace = state.store.workspace(workspace_id).await?.ok_or_else(no_such_invitation)?;
    answered(&state, workspace_id, user.id, id, "member.invite_accept", json!({"role": role})).await;
    Ok(Json(WorkspaceRole {
        slug: workspace.slug,
        name: workspace.name,
        role,
        currency: workspace.currency.code().to_owned(),
    }))
}

/// Decline an invitation addressed to you: it is withdrawn.
#[utoipa::path(post, path = "/api/v1/auth/invitations/{id}/decline", tag = "auth", params(("id" = i64, Path)),
    responses((status = 204, description = "Declined"), (status = 401, body = Problem),
        (status = 403, body = Problem, description = "No CSRF token"),
        (status = 404, body = Problem, description = "No open invitation with this id addressed to you")))]
pub async fn decline_invitation(
    State(state): State<SharedState>,
    Path(id): Path<InvitationId>,
    headers: HeaderMap,
) -> ApiResult<StatusCode> {
    let (user, session) = session_person(&state, &headers).await?;
    check_csrf(&headers, &state, &session.csrf_token)?;
    let workspace_id =
        state.store.decline_invitation(id, &user.email, Utc::now()).await?.ok_or_else(no_such_invitation)?;
    answered(&state, workspace_id, user.id, id, "member.invite_decline", json!({})).await;
    Ok(StatusCode::NO_CONTENT)
}

async fn answered(
    state: &SharedState,
    workspace_id: WorkspaceId,
    user_id: UserId,
    id: InvitationId,
    action: &str,
    details: serde_json::Value,
) {
    let entry = NewAuditEntry {
        workspace_id: Some(workspace_id),
        actor: converge_store::Actor { user_id: Some(user_id), key_id: None },
        action: action.into(),
        target: format!("invitation:{id}"),
        details,
    };
    audit(state.store.as_ref(), entry).await;
}
