//! Local accounts: sign in with e-mail and password, sign out, and the first owner's setup from the one-time
//! link printed at first start (or `converge admin create`).
//!
//! A wrong password and an unknown account get the same answer in the same time (a dummy argon2 hash is
//! verified for unknown accounts). Repeated failures cool off the account and the client address (429; the rule
//! is in `auth::throttle`), and failures show in the audit log of the account's workspaces.

use std::net::SocketAddr;

use axum::extract::{ConnectInfo, State};
use axum::http::{HeaderMap, StatusCode};
use axum::Extension;
use axum::Json;
use chrono::Utc;
use converge_domain::{FieldErrors, PersonName, Role};
use converge_store::{NewUser, StoreError, User};
use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::ToSchema;

use super::{audit, client_address, normalise_email, sign_in_event, signed_in, Me};
use crate::auth::{check_csrf, password, session};
use crate::http::error::{ApiError, ApiResult, Problem};
use crate::http::extract::Body;
use crate::state::SharedState;

const WRONG_CREDENTIALS: &str = "wrong e-mail or password";
/// The longest e-mail address an account can have (`converge_domain::Email`).
const MAX_EMAIL_CHARS: usize = 254;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LoginBody {
    #[schema(max_length = 254, pattern = "^[^\\x00]*$")]
    pub email: String,
    #[schema(max_length = 256, pattern = "^[^\\x00]*$")]
    pub password: String,
}

/// Sign in with e-mail and password. Sets the session cookie.
#[utoipa::path(post, path = "/api/v1/auth/login", tag = "auth", request_body = LoginBody,
    responses((status = 200, body = Me, description = "Signed in; `Set-Cookie` carries the session"),
        (status = 401, body = Problem, description = "Wrong e-mail or password (the same answer for both)"),
        (status = 422, body = Problem), (status = 429, body = Problem, description = "Too many failures; wait"),
        (status = 503, body = Problem, description = "Too many passwords being checked; retry after `Retry-After`")))]
pub async fn login(
    State(state): State<SharedState>,
    connect: Option<Extension<ConnectInfo<SocketAddr>>>,
    headers: HeaderMap,
    body: Result<Body<LoginBody>, ApiError>,
) -> ApiResult<(HeaderMap, Json<Me>)> {
    let Body(body) = body?;
    let email = normalise_email(&body.email);
    // No account can have a longer address or password; refusing them here keeps megabyte-long strings out of
    // the throttle's memory, the audit log and argon2.
    if email.chars().count() > MAX_EMAIL_CHARS {
        return Err(ApiError::invalid("email", format!("must be at most {MAX_EMAIL_CHARS} characters")));
    }
    if body.password.chars().count() > password::MAX_PASSWORD_CHARS {
        let why = format!("must be at most {} characters", password::MAX_PASSWORD_CHARS);
        return Err(ApiError::invalid("password", why));
    }
    let address = client_address(&state, connect.as_ref().map(|Extension(info)| info), &headers);
    // The failure is counted before the password is checked, so parallel guesses cannot all get through.
    let reservation = state.login_throttle.reserve(&email, &address).map_err(ApiError::RateLimited)?;
    let found = state.store.user_by_email(&email).await?;
    let stored_hash = found.as_ref().and_then(|(_, hash)| hash.clone());
    let candidate = body.password;
    // The outcome is settled where the hash is checked, so a client that hangs up mid-check still pays.
    let matches = state
        .password_work
        .run(move || {
            let matches = password::verify(&candidate, stored_hash.as_deref());
            if matches {
                reservation.succeeded();
            } else {
                reservation.failed();
            }
            matches
        })
        .await?;
    let details = json!({"method": "password", "address": address});
    let user = match found {
        Some((user, _)) if matches => user,
        other => {
            // In the background: a known account (one entry per workspace) must not answer slower than an
            // unknown one (one entry).
            let (state, user) = (state.clone(), other.map(|(user, _)| user));
            tokio::spawn(async move { audit_failure(&state, &email, user, details).await });
            return Err(ApiError::Unauthorized(WRONG_CREDENTIALS));
        }
    };
    state.store.record_login(user.id, user.email_verified, Utc::now()).await?;
    audit(state.store.as_ref(), sign_in_event("auth.login", Some(user.id), format!("user:{}", user.id), details)).await;
    signed_in(&state, &headers, user).await
}

/// Records a failed sign-in: in the audit log of each workspace the account belongs to (its admins see
/// someone guessing), and once without a workspace for an unknown account. Never the password.
async fn audit_failure(state: &SharedState, email: &str, user: Option<User>, details: serde_json::Value) {
    let Some(user) = user else {
        let event = sign_in_event("auth.login_failed", None, format!("email:{email}"), details);
        return audit(state.store.as_ref(), event).await;
    };
    let workspaces = match state.store.memberships(user.id).await {
        Ok(workspaces) => workspaces,
        Err(err) => {
            tracing::warn!(error = %err, "could not list the workspaces of a failed sign-in");
            Vec::new()
        }
    };
    if workspaces.is_empty() {
        let event = sign_in_event("auth.login_failed", None, format!("user:{}", user.id), details);
        return audit(state.store.as_ref(), event).await;
    }
    for (workspace, _) in workspaces {
        let mut event = sign_in_event("auth.login_failed", None, format!("user:{}", user.id), details.clone());
        event.workspace_id = Some(workspace.id);
        audit(state.store.as_ref(), event).await;
    }
}

/// Sign out: ends the session and clears the cookie. Needs the session's CSRF token (and, when an `Origin` is
/// sent, this server's).
#[utoipa::path(post, path = "/api/v1/auth/logout", tag = "auth",
    responses((status = 204, description = "Signed out"), (status = 403, body = Problem)))]
pub async fn logout(State(state): State<SharedState>, headers: HeaderMap) -> ApiResult<(StatusCode, HeaderMap)> {
    let policy = state.session_policy();
    let mut answer = HeaderMap::new();
    session::clear_cookie(&mut answer, &policy);
    let Some(cookie) = session::session_cookie(&headers) else { return Ok((StatusCode::NO_CONTENT, answer)) };
    let Some(record) = session::resolve(state.store.as_ref(), &cookie, &policy, Utc::now()).await? else {
        return Ok((StatusCode::NO_CONTENT, answer));
    };
    // The same rule as every state-changing request: the session's token, and this server's Origin if sent.
    check_csrf(&headers, &state, &record.csrf_token)?;
    state.store.delete_session(&session::hash_token(&cookie)).await?;
    let event = sign_in_event("auth.logout", Some(record.user_id), format!("user:{}", record.user_id), json!({}));
    audit(state.store.as_ref(), event).await;
    Ok((StatusCode::NO_CONTENT, answer))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SetupBody {
    /// The token of the one-time setup link.
    #[schema(pattern = "^[^\\x00]*$")]
    pub token: String,
    #[schema(value_type = converge_domain::Email)]
    pub email: String,
    /// 10 to 256 characters.
    #[schema(min_length = 10, max_length = 256, pattern = "^[^\\x00]*$")]
    pub password: String,
    #[schema(value_type = Option<converge_domain::PersonName>)]
    pub name: Option<String>,
}

/// Create the first owner from the one-time setup link (refused once anyone exists).
#[utoipa::path(post, path = "/api/v1/auth/setup", tag = "auth", request_body = SetupBody,
    responses((status = 200, body = Me, description = "The owner exists and is signed in"),
        (status = 403, body = Problem, description = "The link is invalid, used or expired, or setup is done"),
        (status = 422, body = Problem), (status = 503, body = Problem, description = "Busy; retry")))]
pub async fn setup(
    State(state): State<SharedState>,
    headers: HeaderMap,
    body: Result<Body<SetupBody>, ApiError>,
) -> ApiResult<(HeaderMap, Json<Me>)> {
    let Body(body) = body?;
    let email = normalise_email(&body.email);
    let mut errors = FieldErrors::new();
    if converge_domain::Email::parse(&email).is_err() {
        errors.push("email", "is not an e-mail address");
    }
    if let Err(why) = password::check_policy(&body.password) {
        errors.push("password", why);
    }
    let name = errors.check_optional("name", body.name.as_deref(), PersonName::parse).map(String::from);
    if !errors.is_empty() {
        return Err(ApiError::Invalid(errors));
    }
    let refused = || ApiError::Forbidden("this setup link is invalid, used or expired".into());
    if state.store.count_users().await? > 0 {
        return Err(ApiError::Forbidden("setup is done: sign in instead".into()));
    }
    let now = Utc::now();
    if !state.store.use_setup_token(&session::hash_token(body.token.trim()), now).await? {
        return Err(refused());
    }
    let candidate = body.password;
    let hash = state.password_work.run(move || password::hash(&candidate)).await??;
    let new = NewUser { email, name, password_hash: Some(hash), email_verified: false };
    let user = match state.store.create_user(&new, now).await {
        Ok(user) => user,
        Err(StoreError::Conflict(_)) => return Err(refused()),
        Err(other) => return Err(other.into()),
    };
    let workspace = state
        .store
        .workspace_by_slug(&state.settings.default_workspace)
        .await?
        .ok_or_else(|| ApiError::Internal(anyhow::anyhow!("the default workspace is missing")))?;
    state.store.put_member(workspace.id, user.id, Role::Owner, now).await?;
    let event = sign_in_event("auth.setup", Some(user.id), format!("user:{}", user.id), json!({"role": "owner"}));
    audit(state.store.as_ref(), event).await;
    signed_in(&state, &headers, user).await
}

/// Whether the first owner still has to be created.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct SetupStatus {
    /// True until someone exists: the sign-in page then sends people to the setup page (which needs the
    /// one-time link printed at the first start).
    pub required: bool,
}

/// Whether setup is pending (public: it says nothing once anyone exists).
#[utoipa::path(get, path = "/api/v1/auth/setup", tag = "auth", responses((status = 200, body = SetupStatus)))]
pub async fn setup_status(State(state): State<SharedState>) -> ApiResult<Json<SetupStatus>> {
    Ok(Json(SetupStatus { required: state.store.count_users().await? == 0 }))
}
