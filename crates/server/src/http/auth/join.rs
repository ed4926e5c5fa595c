//! Joining from an invitation link, without an OpenID provider: the link's one-time token names one open
//! invitation; its holder sees what it is for (`POST /api/v1/auth/join/preview`) and joins by choosing a
//! name and a password (`POST /api/v1/auth/join`), which makes a local account for the invited address,
//! accepts that invitation (only that one) and signs them in.
//!
//! An address that already has an account does not get a second one, nor a password set by whoever holds
//! the link: its owner signs in as usual and accepts the invitation from their list. The token travels in
//! bodies, never in a URL the server logs; only its SHA-256 is stored.

use axum::extract::State;
use axum::http::HeaderMap;
use axum::Json;
use chrono::{DateTime, Utc};
use converge_domain::{FieldErrors, PersonName, Role};
use converge_store::{Invitation, NewUser, StoreError};
use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::ToSchema;

use super::{audit, sign_in_event, signed_in, Me};
use crate::auth::{password, session};
use crate::http::error::{ApiError, ApiResult, Problem};
use crate::http::extract::Body;
use crate::state::SharedState;

/// The longest token worth hashing: a link's token is 43 characters.
const MAX_TOKEN_CHARS: usize = 128;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct JoinPreviewBody {
    /// The token of the invitation link (`/join?token=…`).
    #[schema(max_length = 128, pattern = "^[^\\x00]*$")]
    pub token: String,
}

/// What an invitation link is for.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct JoinPreview {
    pub workspace_name: String,
    pub workspace_slug: String,
    /// The invited address: the account that joins has it.
    pub email: String,
    pub role: Role,
    pub expires_at: DateTime<Utc>,
    /// An account with this address exists already: sign in and accept the invitation instead of joining
    /// here.
    pub has_account: bool,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct JoinBody {
    #[schema(max_length = 128, pattern = "^[^\\x00]*$")]
    pub token: String,
    /// 10 to 256 characters.
    #[schema(min_length = 10, max_length = 256, pattern = "^[^\\x00]*$")]
    pub password: String,
    #[schema(value_type = Option<converge_domain::PersonName>)]
    pub name: Option<String>,
}

fn unknown_link() -> ApiError {
    ApiError::NotFound("invitation: this link is invalid, used, revoked, replaced or expired".into())
}

/// The open invitation a token names, or 404 (also for a token too long to be one).
async fn open_invitation(state: &SharedState, token: &str, now: DateTime<Utc>) -> ApiResult<Invitation> {
    let token = token.trim();
    if token.is_empty() || token.chars().count() > MAX_TOKEN_CHARS {
        return Err(unknown_link());
    }
    state.store.invitation_by_token(&session::hash_token(token), now).await?.ok_or_else(unknown_link)
}

/// What an invitation link is for (public: the token is the credential).
#[utoipa::path(post, path = "/api/v1/auth/join/preview", tag = "auth", request_body = JoinPreviewBody,
    responses((status = 200, body = JoinPreview), (status = 400, body = Problem),
        (status = 404, body = Problem, description = "The link is invalid, used, revoked, replaced or expired"),
        (status = 413, body = Problem), (status = 415, body = Problem), (status = 422, body = Problem)))]
pub async fn join_preview(
    State(state): State<SharedState>,
    body: Result<Body<JoinPreviewBody>, ApiError>,
) -> ApiResult<Json<JoinPreview>> {
    let Body(body) = body?;
    let invitation = open_invitation(&state, &body.token, Utc::now()).await?;
    let workspace = state.store.workspace(invitation.workspace_id).await?.ok_or_else(unknown_link)?;
    let has_account = state.store.user_by_email(&invitation.email).await?.is_some();
    Ok(Json(JoinPreview {
        workspace_name: workspace.name,
        workspace_slug: workspace.slug,
        email: invitation.email,
        role: invitation.role,
        expires_at: invitation.expires_at,
        has_account,
    }))
}

/// Join from an invitation link with a new local account: name and password; signs you in.
#[utoipa::path(post, path = "/api/v1/auth/join", tag = "auth", request_body = JoinBody,
    responses((status = 200, body = Me, description = "Joined and signed in; `Set-Cookie` carries the session"),
        (status = 400, body = Problem),
        (status = 404, body = Problem, description = "The link is invalid, used, revoked, replaced or expired"),
        (status = 409, body = Problem,
            description = "The invited address has an account: sign in and accept the invitation"),
        (status = 413, body = Problem), (status = 415, body = Problem), (status = 422, body = Problem),
        (status = 503, body = Problem, description = "Busy; retry")))]
pub async fn join(
    State(state): State<SharedState>,
    headers: HeaderMap,
    body: Result<Body<JoinBody>, ApiError>,
) -> ApiResult<(HeaderMap, Json<Me>)> {
    let Body(body) = body?;
    let mut errors = FieldErrors::new();
    if let Err(why) = password::check_policy(&body.password) {
        errors.push("password", why);
    }
    let name = errors.check_optional("name", body.name.as_deref(), PersonName::parse).map(String::from);
    if !errors.is_empty() {
        return Err(ApiError::Invalid(errors));
    }
    let now = Utc::now();
    let invitation = open_invitation(&state, &body.token, now).await?;
    let has_account = || {
        ApiError::Conflict(format!(
            "email: {} already has an account; sign in with it and accept the invitation there",
            invitation.email
        ))
    };
    if state.store.user_by_email(&invitation.email).await?.is_some() {
        return Err(has_account());
    }
    let candidate = body.password;
    let hash = state.password_work.run(move || password::hash(&candidate)).await??;
    let new = NewUser { email: invitation.email.clone(), name, password_hash: Some(hash), email_verified: false };
    let token_hash = session::hash_token(body.token.trim());
    // Account and acceptance in one transaction: a link revoked or used (a second tab) meanwhile makes no
    // account, and an account made meanwhile (say through OpenID Connect) leaves the invitation open.
    let (user, accepted) = match state.store.join_with_new_account(&token_hash, &new, now).await {
        Ok(Some(joined)) => joined,
        Ok(None) => return Err(unknown_link()),
        Err(StoreError::Conflict(_)) => return Err(has_account()),
        Err(other) => return Err(other.into()),
    };
    let details = json!({"role": accepted.role, "via": "link"});
    let mut event =
        sign_in_event("member.invite_accept", Some(user.id), format!("invitation:{}", accepted.id), details);
    event.workspace_id = Some(accepted.workspace_id);
    audit(state.store.as_ref(), event).await;
    signed_in(&state, &headers, user).await
}
