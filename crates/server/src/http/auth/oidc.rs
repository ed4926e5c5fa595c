//! Signing in with an OpenID provider: `GET …/oidc/{provider}/login` sends the browser to the provider with a
//! fresh `state`, `nonce` and PKCE challenge (kept server-side, hashed by state, single use, 10 minutes);
//! `GET …/oidc/{provider}/callback` takes that flow back exactly once, exchanges the code, verifies the ID
//! token (`crate::auth::oidc`), and signs the person in.
//!
//! Who may enter: a verified e-mail is required; a person already linked or already a member signs in; a
//! new person needs an open invitation for that address or a workspace that admits their e-mail domain.
//! Accounts are linked by `(issuer, subject)`; an existing account with the same verified e-mail is linked
//! on first provider sign-in.

use axum::extract::{Query, State};
use axum::http::header::{ACCEPT, LOCATION};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use chrono::{Duration, Utc};
use converge_store::{LoginFlow, NewUser, StoreError, User};
use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::{IntoParams, ToSchema};

use super::{audit, normalise_email, sign_in_event};
use crate::auth::oidc::{OidcError, VerifiedIdentity};
use crate::auth::session;
use crate::http::error::{ApiError, ApiResult, Problem};
use crate::http::path::Path;
use crate::state::SharedState;

/// How long a started sign-in may take at the provider.
const FLOW_LIFETIME_MINUTES: i64 = 10;

/// A provider people can sign in with.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct ProviderView {
    pub name: String,
    pub display_name: String,
    /// Send the browser here to sign in.
    pub login_url: String,
}

/// The sign-in options: every configured OpenID provider (local accounts are always available).
#[utoipa::path(get, path = "/api/v1/auth/providers", tag = "auth", responses((status = 200, body = [ProviderView])))]
pub async fn providers(State(state): State<SharedState>) -> Json<Vec<ProviderView>> {
    let views = state
        .oidc
        .list()
        .map(|(name, display_name)| ProviderView {
            name: name.to_owned(),
            display_name: display_name.to_owned(),
            login_url: format!("/api/v1/auth/oidc/{name}/login"),
        })
        .collect();
    Json(views)
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct LoginParams {
    /// A path of this site to return to afterwards (default `/`).
    pub return_to: Option<String>,
}

/// Start signing in with a provider: redirects to it.
#[utoipa::path(get, path = "/api/v1/auth/oidc/{provider}/login", tag = "auth", operation_id = "oidc_login",
    params(("provider" = String, Path), LoginParams),
    responses((status = 303, description = "To the provider's sign-in page"), (status = 404, body = Problem),
        (status = 503, body = Problem, description = "The provider cannot be reached")))]
pub async fn login(
    State(state): State<SharedState>,
    Path(provider): Path<String>,
    Query(params): Query<LoginParams>,
) -> ApiResult<(StatusCode, HeaderMap)> {
    let client = discovered(&state, &provider).await?;
    let begin = client.begin();
    let now = Utc::now();
    let flow = LoginFlow {
        provider: provider.clone(),
        nonce: begin.nonce,
        pkce_verifier: begin.pkce_verifier,
        return_to: safe_return_to(params.return_to.as_deref()),
        created_at: now,
        expires_at: now + Duration::minutes(FLOW_LIFETIME_MINUTES),
    };
    state.store.put_login_flow(&session::hash_token(&begin.state), &flow).await?;
    Ok((StatusCode::SEE_OTHER, location(begin.authorize_url.as_str())?))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CallbackParams {
    pub code: Option<String>,
    pub state: Option<String>,
    /// RFC 9207: the issuer that answered.
    pub iss: Option<String>,
    pub error: Option<String>,
}

/// The provider's redirect back: verifies everything, signs in, redirects to where the sign-in started.
#[utoipa::path(get, path = "/api/v1/auth/oidc/{provider}/callback", tag = "auth",
    params(("provider" = String, Path), CallbackParams),
    responses((status = 303, description = "Signed in; `Set-Cookie` carries the session"),
        (status = 400, body = Problem, description = "Unknown, used or expired `state`"),
        (status = 401, body = Problem, description = "The provider refused, or the ID token failed a check"),
        (status = 403, body = Problem, description = "Unverified e-mail, or not invited")))]
pub async fn callback(
    State(state): State<SharedState>,
    Path(provider): Path<String>,
    Query(params): Query<CallbackParams>,
    headers: HeaderMap,
) -> Response {
    let browser = prefers_html(&headers);
    match finish(&state, &provider, params, &headers).await {
        Ok(done) => done.into_response(),
        // A person in a browser gets the sign-in page with the reason, not a JSON document.
        Err(err) if browser => {
            let detail = err.into_detail();
            let query: String = openidconnect::url::form_urlencoded::Serializer::new(String::new())
                .append_pair("error", &detail)
                .finish();
            let mut headers = HeaderMap::new();
            match HeaderValue::from_str(&format!("/sign-in?{query}")) {
                Ok(value) => {
                    headers.insert(LOCATION, value);
                    (StatusCode::SEE_OTHER, headers).into_response()
                }
                Err(_) => ApiError::Internal(anyhow::anyhow!("unusable sign-in error")).into_response(),
            }
        }
        Err(err) => err.into_response(),
    }
}

/// A browser's navigation asks for HTML first; API clients ask for JSON or anything.
fn prefers_html(headers: &HeaderMap) -> bool {
    headers
        .get(ACCEPT)
        .and_then(|v| v.to_str().ok())
        .and_then(|accept| accept.split(',').next())
        .is_some_and(|first| first.trim().starts_with("text/html"))
}

async fn finish(
    state: &SharedState,
    provider: &str,
    params: CallbackParams,
    headers: &HeaderMap,
) -> ApiResult<(StatusCode, HeaderMap)> {
    let invalid_state = || ApiError::BadRequest("this sign-in is unknown, used or expired; start again".into());
    let raw_state = params.state.as_deref().filter(|s| !s.is_empty() && s.len() <= 512).ok_or_else(invalid_state)?;
    let flow = state
        .store
        .take_login_flow(&session::hash_token(raw_state), Utc::now())
        .await?
        .filter(|flow| flow.provider == provider)
        .ok_or_else(invalid_state)?;
    if let Some(error) = params.error.as_deref() {
        let error: String = error.chars().filter(|c| c.is_ascii_graphic()).take(64).collect();
        return Err(refused(state, provider, format!("the provider refused the sign-in ({error})")).await);
    }
    let code = params.code.as_deref().filter(|c| !c.is_empty()).ok_or_else(invalid_state)?;
    let client = discovered(state, provider).await?;
    let identity = match client.check_callback_issuer(params.iss.as_deref()) {
        Ok(()) => client.finish(code, &flow.pkce_verifier, &flow.nonce).await,
        Err(err) => Err(err),
    };
    let identity = match identity {
        Ok(identity) => identity,
        Err(err) => return Err(refused(state, provider, err.to_string()).await),
    };
    let user = admit(state, &identity).await?;
    let details = json!({"method": "oidc", "provider": provider});
    audit(state.store.as_ref(), sign_in_event("auth.login", Some(user.id), format!("user:{}", user.id), details)).await;
    let policy = state.session_policy();
    let previous = session::session_cookie(headers);
    let (id, _csrf) = session::start(state.store.as_ref(), user.id, previous.as_deref(), &policy, Utc::now()).await?;
    let mut answer = location(&flow.return_to)?;
    session::set_cookie(&mut answer, &id, &policy);
    Ok((StatusCode::SEE_OTHER, answer))
}

/// The person the verified identity names, if they may enter: linked already, or a known account with the
/// same verified e-mail (then linked), or a new account admitted by an invitation or an allowed domain.
async fn admit(state: &SharedState, identity: &VerifiedIdentity) -> ApiResult<User> {
    let store = state.store.as_ref();
    let now = Utc::now();
    let email = match identity.verified_email() {
        Ok(email) => normalise_email(email),
        Err(OidcError::EmailMissing) => return Err(forbidden(identity, "the provider shared no e-mail address")),
        Err(_) => return Err(forbidden(identity, "the provider has not verified your e-mail address")),
    };
    let domain = email.rsplit_once('@').map(|(_, d)| d.to_owned()).unwrap_or_default();
    let by_domain = store.workspaces_for_domain(&domain).await?;
    let invited = !store.open_invitations(&email, now).await?.is_empty();
    let user = match store.user_by_identity(&identity.issuer, &identity.subject).await? {
        Some(user) => user,
        None => match store.user_by_email(&email).await? {
            Some((user, _)) => user,
            None if invited || !by_domain.is_empty() => {
                let new = NewUser {
                    email: email.clone(),
                    name: identity.name.clone(),
                    password_hash: None,
                    email_verified: true,
                };
                match store.create_user(&new, now).await {
                    Ok(user) => user,
                    // Created at the same moment by a parallel callback.
                    Err(StoreError::Conflict(_)) => {
                        store.user_by_email(&email).await?.map(|(user, _)| user).ok_or_else(|| not_invited(&email))?
                    }
                    Err(other) => return Err(other.into()),
                }
            }
            None => return Err(not_invited(&email)),
        },
    };
    match store.link_identity(&identity.issuer, &identity.subject, user.id, now).await {
        Ok(()) => {}
        Err(StoreError::Conflict(_)) => {
            return Err(forbidden(identity, "this provider account belongs to someone else"))
        }
        Err(other) => return Err(other.into()),
    }
    store.accept_invitations(&email, user.id, now).await?;
    for (workspace_id, role) in by_domain {
        if store.member_role(workspace_id, user.id).await?.is_none() {
            store.put_member(workspace_id, user.id, role, now).await?;
        }
    }
    if store.memberships(user.id).await?.is_empty() {
        return Err(not_invited(&email));
    }
    store.record_login(user.id, true, now).await?;
    Ok(user)
}

async fn discovered(state: &SharedState, provider: &str) -> ApiResult<crate::auth::oidc::OidcClient> {
    match state.oidc.client(provider).await {
        None => Err(ApiError::NotFound("sign-in provider".into())),
        Some(Ok(client)) => Ok(client),
        Some(Err(err)) => {
            tracing::warn!(provider, error = %err, "OpenID provider unavailable");
            Err(ApiError::Unavailable {
                detail: "the sign-in provider cannot be reached; try again shortly".into(),
                retry_after: std::time::Duration::from_secs(30),
            })
        }
    }
}

async fn refused(state: &SharedState, provider: &str, why: String) -> ApiError {
    tracing::info!(provider, reason = %why, "OpenID sign-in refused");
    let details = json!({"method": "oidc", "provider": provider, "reason": why});
    audit(state.store.as_ref(), sign_in_event("auth.login_failed", None, format!("provider:{provider}"), details))
        .await;
    ApiError::Unauthorized("the sign-in could not be verified; start again")
}

fn forbidden(identity: &VerifiedIdentity, why: &str) -> ApiError {
    tracing::info!(issuer = %identity.issuer, reason = why, "OpenID sign-in refused");
    ApiError::Forbidden(why.to_owned())
}

fn not_invited(email: &str) -> ApiError {
    ApiError::Forbidden(format!("{email} is not invited to any workspace: ask an owner to invite you"))
}

/// A local path to return to: must start with one `/` (no `//host`, no scheme, no backslash tricks).
fn safe_return_to(raw: Option<&str>) -> String {
    match raw {
        Some(path)
            if path.starts_with('/')
                && !path.starts_with("//")
                && !path.contains('\\')
                && path.len() <= 512
                && path.chars().all(|c| !c.is_control()) =>
        {
            path.to_owned()
        }
        _ => "/".to_owned(),
    }
}

fn location(url: &str) -> ApiResult<HeaderMap> {
    let mut headers = HeaderMap::new();
    let value = HeaderValue::from_str(url).map_err(|_| ApiError::Internal(anyhow::anyhow!("unusable redirect")))?;
    headers.insert(LOCATION, value);
    Ok(headers)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn return_to_is_a_local_path() {
        assert_eq!(safe_return_to(Some("/campaigns/3")), "/campaigns/3");
        for bad in ["//evil.example", "https://evil.example", "/\\evil", "campaigns", "/a\nb"] {
            assert_eq!(safe_return_to(Some(bad)), "/", "{bad:?}");
        }
        assert_eq!(safe_return_to(None), "/");
    }
}
