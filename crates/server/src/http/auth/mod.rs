//! Signing in and out: local accounts (e-mail + password), the first owner's setup, who am I, and (in
//! `oidc`) OpenID Connect. Everything ends in a server-side session whose id travels only in an `HttpOnly`
//! cookie; the answer carries the session's CSRF token for the browser to echo.

pub mod invitations;
pub mod join;
pub mod local;
pub mod me;
pub mod oidc;
pub mod oidc_cookie;
pub mod oidc_link;

use std::net::SocketAddr;

use axum::extract::ConnectInfo;
use axum::http::HeaderMap;
use axum::Json;
use chrono::Utc;
use converge_domain::{Role, UserId};
use converge_store::{Actor, NewAuditEntry, Store, User};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::auth::session;
use crate::http::error::{ApiError, ApiResult};
use crate::state::SharedState;

/// A workspace the person belongs to.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct WorkspaceRole {
    pub slug: String,
    pub name: String,
    pub role: Role,
    /// The workspace's currency (ISO 4217): every amount in it is in this currency.
    pub currency: String,
}

/// The signed-in person.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct Me {
    pub id: UserId,
    pub email: String,
    pub name: Option<String>,
    pub email_verified: bool,
    /// Their workspaces, by slug; send `X-Converge-Workspace: <slug>` to act in one (default: the first).
    pub workspaces: Vec<WorkspaceRole>,
    /// Echo it in `X-CSRF-Token` on every request that changes something.
    pub csrf_token: String,
}

/// The client address for throttling and the audit log: the TCP peer, or what a trusted proxy says
/// (`auth.trusted_proxies`; none by default).
pub(crate) fn client_address(
    state: &SharedState,
    connect: Option<&ConnectInfo<SocketAddr>>,
    headers: &HeaderMap,
) -> String {
    state.client_address.of(connect.map(|ConnectInfo(addr)| *addr), headers)
}

/// The signed-in answer: the person, their workspaces and the CSRF token.
pub(crate) async fn me(store: &dyn Store, user: User, csrf_token: String) -> ApiResult<Me> {
    let workspaces = store
        .memberships(user.id)
        .await?
        .into_iter()
        .map(|(ws, role)| WorkspaceRole { slug: ws.slug, name: ws.name, role, currency: ws.currency.code().to_owned() })
        .collect();
    Ok(Me {
        id: user.id,
        email: user.email,
        name: user.name,
        email_verified: user.email_verified,
        workspaces,
        csrf_token,
    })
}

/// Starts a session for `user` (replacing the one the request carried) and answers with its cookie.
pub(crate) async fn signed_in(
    state: &SharedState,
    request_headers: &HeaderMap,
    user: User,
) -> ApiResult<(HeaderMap, Json<Me>)> {
    let policy = state.session_policy();
    let previous = session::session_cookie(request_headers);
    let (id, csrf) = session::start(state.store.as_ref(), user.id, previous.as_deref(), &policy, Utc::now()).await?;
    let mut headers = HeaderMap::new();
    session::set_cookie(&mut headers, &id, &policy);
    Ok((headers, Json(me(state.store.as_ref(), user, csrf).await?)))
}

/// The person the request's session cookie names, with the session (401 without a live session).
pub(crate) async fn session_person(
    state: &SharedState,
    headers: &HeaderMap,
) -> ApiResult<(User, converge_store::SessionRecord)> {
    let cookie = session::session_cookie(headers).ok_or(ApiError::Unauthorized("not signed in"))?;
    let record = session::resolve(state.store.as_ref(), &cookie, &state.session_policy(), Utc::now())
        .await?
        .ok_or(ApiError::Unauthorized("your session has ended; sign in again"))?;
    let user = state.store.user(record.user_id).await?.ok_or(ApiError::Unauthorized("not signed in"))?;
    Ok((user, record))
}

/// Records an audit event, logging (not failing the request) if that fails.
pub(crate) async fn audit(store: &dyn Store, entry: NewAuditEntry) {
    if let Err(err) = store.record_audit(&entry, Utc::now()).await {
        tracing::warn!(error = %err, action = %entry.action, "could not record an audit event");
    }
}

/// An audit entry about a person's own sign-in.
pub(crate) fn sign_in_event(
    action: &str,
    user_id: Option<UserId>,
    target: String,
    details: serde_json::Value,
) -> NewAuditEntry {
    NewAuditEntry { workspace_id: None, actor: Actor { user_id, key_id: None }, action: action.into(), target, details }
}

/// Lower-cased, trimmed e-mail, as every account is stored.
pub(crate) fn normalise_email(email: &str) -> String {
    email.trim().to_lowercase()
}
