//! Linking a provider account to the signed-in person: `POST /api/v1/auth/oidc/{provider}/link` (session and
//! CSRF token required) starts a flow that names that person and answers with the provider's URL for the
//! browser to open; the shared callback then links the provider account it gets back to them (and signs
//! nobody in). This is how a person with a local account adds a provider without any e-mail matching: they
//! prove both accounts, one after the other, in the same browser.

use axum::extract::State;
use axum::http::HeaderMap;
use axum::Json;
use chrono::{Duration, Utc};
use converge_store::LoginFlow;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::oidc::{audit_link, discovered, forbidden, link_or_refuse, safe_return_to, start_flow};
use super::session_person;
use crate::auth::check_csrf;
use crate::auth::oidc::VerifiedIdentity;
use crate::http::error::{ApiError, ApiResult, Problem};
use crate::http::path::Path;
use crate::state::SharedState;
use converge_domain::UserId;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct LinkParams {
    /// A path of this site to return to afterwards (default `/`).
    pub return_to: Option<String>,
}

/// Where to send the browser to link the provider account.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct LinkStart {
    pub authorize_url: String,
}

/// Start linking a provider account to the signed-in person: answers the provider URL to open (in this
/// browser: the answer also sets the sign-in's state cookie).
#[utoipa::path(post, path = "/api/v1/auth/oidc/{provider}/link", tag = "auth", operation_id = "oidc_link",
    params(("provider" = String, Path), LinkParams),
    responses((status = 200, body = LinkStart, description = "Open `authorize_url`; `Set-Cookie` binds the flow to \
            this browser"),
        (status = 401, body = Problem), (status = 403, body = Problem, description = "No CSRF token"),
        (status = 404, body = Problem), (status = 503, body = Problem, description = "The provider cannot be reached")))]
pub async fn start_link(
    State(state): State<SharedState>,
    Path(provider): Path<String>,
    axum::extract::Query(params): axum::extract::Query<LinkParams>,
    headers: HeaderMap,
) -> ApiResult<(HeaderMap, Json<LinkStart>)> {
    let (user, session) = session_person(&state, &headers).await?;
    check_csrf(&headers, &state, &session.csrf_token)?;
    let client = discovered(&state, &provider).await?;
    let begin = client.begin();
    let now = Utc::now();
    let flow = LoginFlow {
        provider: provider.clone(),
        nonce: begin.nonce,
        pkce_verifier: begin.pkce_verifier,
        return_to: safe_return_to(params.return_to.as_deref()),
        created_at: now,
        expires_at: now + Duration::minutes(super::oidc::FLOW_LIFETIME_MINUTES),
        link_user_id: Some(user.id),
    };
    let cookie = start_flow(&state, &provider, &begin.state, &flow).await?;
    Ok((cookie, Json(LinkStart { authorize_url: begin.authorize_url.to_string() })))
}

/// The callback of a link flow: the browser must still be signed in as the person who started it.
pub(crate) async fn link(
    state: &SharedState,
    provider: &str,
    identity: &VerifiedIdentity,
    user_id: UserId,
    headers: &HeaderMap,
) -> ApiResult<()> {
    let signed_in = session_person(state, headers).await.ok().map(|(user, _)| user.id);
    if signed_in != Some(user_id) {
        return Err(ApiError::Unauthorized("sign in again as the person who started linking"));
    }
    if let Some(owner) = state.store.user_by_identity(&identity.issuer, &identity.subject).await? {
        if owner.id != user_id {
            return Err(forbidden(identity, "this provider account belongs to someone else"));
        }
    }
    link_or_refuse(state, identity, user_id).await?;
    audit_link(state, provider, user_id, "signed_in").await;
    Ok(())
}
