//! Members of the caller's workspace: list them, change a role, remove someone.

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use chrono::{DateTime, Utc};
use converge_domain::{Role, UserId, WorkspaceId};
use converge_store::{Member, NewAuditEntry};
use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::ToSchema;

use super::{admin_role, parse_role, require_manages};
use crate::auth::{Caller, Scope};
use crate::http::auth::audit;
use crate::http::error::{ApiError, ApiResult, Problem};
use crate::http::extract::Body;
use crate::http::path::Path;
use crate::state::SharedState;

/// A member of the workspace.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct MemberView {
    pub user_id: UserId,
    pub email: String,
    pub name: Option<String>,
    pub role: Role,
    pub joined_at: DateTime<Utc>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RoleBody {
    /// owner, admin, member or viewer.
    #[schema(value_type = Role)]
    pub role: String,
}

fn member_view(m: Member) -> MemberView {
    MemberView { user_id: m.user.id, email: m.user.email, name: m.user.name, role: m.role, joined_at: m.joined_at }
}

/// The member's current role, 404 if they are not in the workspace.
async fn current_role(state: &SharedState, workspace_id: WorkspaceId, user_id: UserId) -> ApiResult<Role> {
    state.store.member_role(workspace_id, user_id).await?.ok_or_else(|| ApiError::NotFound("member".into()))
}

/// 409 if `role` is an owner's and they are the last one.
async fn keep_an_owner(state: &SharedState, workspace_id: WorkspaceId, role: Role, what: &str) -> ApiResult<()> {
    if role == Role::Owner && state.store.count_owners(workspace_id).await? <= 1 {
        return Err(ApiError::Conflict(format!(
            "the workspace's last owner cannot be {what}; make someone else owner first"
        )));
    }
    Ok(())
}

/// The workspace's members, by e-mail (any member may list them).
#[utoipa::path(get, path = "/api/v1/workspace/members", tag = "workspace", security(("api_key" = [])),
    responses((status = 200, body = Vec<MemberView>), (status = 401, body = Problem), (status = 403, body = Problem)))]
pub async fn list_members(State(state): State<SharedState>, caller: Caller) -> ApiResult<Json<Vec<MemberView>>> {
    caller.require(Scope::Read)?;
    let members = state.store.members(caller.workspace_id()).await?;
    Ok(Json(members.into_iter().map(member_view).collect()))
}

/// Change a member's role. The caller must manage both the current and the new role; the last owner cannot
/// be demoted.
#[utoipa::path(patch, path = "/api/v1/workspace/members/{user_id}", tag = "workspace",
    params(("user_id" = i64, Path)), request_body = RoleBody, security(("api_key" = [])),
    responses((status = 200, body = MemberView), (status = 401, body = Problem), (status = 403, body = Problem),
        (status = 404, body = Problem), (status = 409, body = Problem, description = "The last owner"),
        (status = 422, body = Problem)))]
pub async fn change_role(
    State(state): State<SharedState>,
    caller: Caller,
    Path(user_id): Path<UserId>,
    body: Result<Body<RoleBody>, ApiError>,
) -> ApiResult<Json<MemberView>> {
    let acting = admin_role(&caller)?;
    let Body(body) = body?;
    let role = parse_role("role", &body.role)?;
    let workspace_id = caller.workspace_id();
    let current = current_role(&state, workspace_id, user_id).await?;
    require_manages(acting, current)?;
    require_manages(acting, role)?;
    if role != current {
        if role != Role::Owner {
            keep_an_owner(&state, workspace_id, current, "demoted").await?;
        }
        state.store.put_member(workspace_id, user_id, role, Utc::now()).await?;
        let entry = NewAuditEntry {
            workspace_id: Some(workspace_id),
            actor: caller.actor(),
            action: "member.role_change".into(),
            target: format!("user:{user_id}"),
            details: json!({"from": current, "to": role}),
        };
        audit(state.store.as_ref(), entry).await;
    }
    let member = state.store.members(workspace_id).await?.into_iter().find(|m| m.user.id == user_id);
    Ok(Json(member_view(member.ok_or_else(|| ApiError::NotFound("member".into()))?)))
}

/// Remove a member from the workspace (their account stays). The API keys they created in it are revoked with
/// them (a key must not outlive its creator's access). The last owner cannot be removed.
#[utoipa::path(delete, path = "/api/v1/workspace/members/{user_id}", tag = "workspace",
    params(("user_id" = i64, Path)), security(("api_key" = [])),
    responses((status = 204), (status = 401, body = Problem), (status = 403, body = Problem),
        (status = 404, body = Problem), (status = 409, body = Problem, description = "The last owner")))]
pub async fn remove_member(
    State(state): State<SharedState>,
    caller: Caller,
    Path(user_id): Path<UserId>,
) -> ApiResult<StatusCode> {
    let acting = admin_role(&caller)?;
    let workspace_id = caller.workspace_id();
    let current = current_role(&state, workspace_id, user_id).await?;
    require_manages(acting, current)?;
    keep_an_owner(&state, workspace_id, current, "removed").await?;
    let Some(revoked) = state.store.remove_member(workspace_id, user_id, Utc::now()).await? else {
        return Err(ApiError::NotFound("member".into()));
    };
    for key_id in &revoked {
        state.keys.invalidate_key(*key_id);
    }
    let entry = NewAuditEntry {
        workspace_id: Some(workspace_id),
        actor: caller.actor(),
        action: "member.remove".into(),
        target: format!("user:{user_id}"),
        details: json!({"role": current, "revoked_api_keys": revoked}),
    };
    audit(state.store.as_ref(), entry).await;
    Ok(StatusCode::NO_CONTENT)
}
