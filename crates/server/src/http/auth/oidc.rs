//! Signing in with an OpenID provider: `GET …/oidc/{provider}/login` sends the browser to the provider with a
//! fresh `state`, `nonce` and PKCE challenge (kept server-side, hashed by state, single use, 10 minutes) and
//! binds the flow to that browser with a state cookie (`oidc_cookie`); `GET …/oidc/{provider}/callback`
//! requires that cookie, takes the flow back exactly once, exchanges the code, verifies the ID token
//! (`crate::auth::oidc`), and signs the person in (or, for a flow started by `oidc_link`, links the provider
//! account to the signed-in person).
//!
//! Who may enter: a verified e-mail is required. Accounts are linked by `(issuer, subject)`, never by e-mail
//! alone: a provider account already linked signs its person in. A first sign-in whose e-mail belongs to an
//! existing account is refused (409) unless the provider is configured with `link_existing_accounts`; the
//! person links the provider while signed in instead. A new person gets an account if they have an open
//! invitation (which they then accept themselves) or their e-mail domain is *verified* by a workspace (then
//! they join it with the domain's role).

use axum::extract::{Query, State};
use axum::http::header::{ACCEPT, LOCATION};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use chrono::{Duration, Utc};
use converge_store::{Actor, LoginFlow, NewAuditEntry, NewUser, StoreError, User};
use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::{IntoParams, ToSchema};

use super::{audit, normalise_email, oidc_cookie, oidc_link, sign_in_event};
use crate::auth::oidc::{OidcError, VerifiedIdentity};
use crate::auth::session;
use crate::http::error::{ApiError, ApiResult, Problem};
use crate::http::path::Path;
use crate::state::SharedState;
use converge_domain::{UserId, WorkspaceId};

/// How long a started sign-in may take at the provider.
pub(crate) const FLOW_LIFETIME_MINUTES: i64 = 10;

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
    responses((status = 303, description = "To the provider's sign-in page; `Set-Cookie` binds the sign-in to this \
            browser"), (status = 404, body = Problem),
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
        link_user_id: None,
    };
    let headers = start_flow(&state, &provider, &begin.state, &flow).await?;
    let mut answer = location(begin.authorize_url.as_str())?;
    answer.extend(headers);
    Ok((StatusCode::SEE_OTHER, answer))
}

/// Stores the flow and answers with the cookie binding it to this browser.
pub(crate) async fn start_flow(
    state: &SharedState,
    provider: &str,
    raw_state: &str,
    flow: &LoginFlow,
) -> ApiResult<HeaderMap> {
    state.store.put_login_flow(&session::hash_token(raw_state), flow).await?;
    let mut headers = HeaderMap::new();
    oidc_cookie::set(&mut headers, provider, raw_state, FLOW_LIFETIME_MINUTES * 60, state.session_policy().secure);
    Ok(headers)
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
    responses((status = 303, description = "Signed in (or the provider linked); `Set-Cookie` carries the session"),
        (status = 400, body = Problem, description = "Unknown, used or expired `state`, or a browser without the \
            sign-in's state cookie"),
        (status = 401, body = Problem, description = "The provider refused, or the ID token failed a check"),
        (status = 403, body = Problem, description = "Unverified e-mail, or not invited"),
        (status = 409, body = Problem, description = "An account with this e-mail exists and is not linked to \
            this provider account: sign in to it and link the provider")))]
pub async fn callback(
    State(state): State<SharedState>,
    Path(provider): Path<String>,
    Query(params): Query<CallbackParams>,
    headers: HeaderMap,
) -> Response {
    let browser = prefers_html(&headers);
    // The flow this browser started is used up whatever the outcome: drop its cookie. A callback from
    // another browser leaves that browser's own sign-in alone.
    let mut clear = HeaderMap::new();
    let bound = params.state.as_deref().is_some_and(|raw| oidc_cookie::matches(&headers, raw));
    if bound && state.oidc.list().any(|(name, _)| name == provider) {
        oidc_cookie::clear(&mut clear, &provider, state.session_policy().secure);
    }
    let answer = match finish(&state, &provider, params, &headers).await {
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
    };
    // Appended, not merged: a `(HeaderMap, Response)` tuple would replace the session's own Set-Cookie.
    let mut answer = answer;
    for (name, value) in &clear {
        answer.headers_mut().append(name, value.clone());
    }
    answer
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
    if !oidc_cookie::matches(headers, raw_state) {
        // Not the browser that started this sign-in: a login CSRF attempt, or cookies blocked. The flow is
        // left alone, so the real browser can still finish it.
        return Err(ApiError::BadRequest(
            "this sign-in was started in another browser (or cookies are blocked); start again here".into(),
        ));
    }
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
    if let Some(user_id) = flow.link_user_id {
        oidc_link::link(state, provider, &identity, user_id, headers).await?;
        return Ok((StatusCode::SEE_OTHER, location(&flow.return_to)?));
    }
    let user = admit(state, provider, &identity).await?;
    let details = json!({"method": "oidc", "provider": provider});
    audit(state.store.as_ref(), sign_in_event("auth.login", Some(user.id), format!("user:{}", user.id), details)).await;
    let policy = state.session_policy();
    let previous = session::session_cookie(headers);
    let (id, _csrf) = session::start(state.store.as_ref(), user.id, previous.as_deref(), &policy, Utc::now()).await?;
    let mut answer = location(&flow.return_to)?;
    session::set_cookie(&mut answer, &id, &policy);
    Ok((StatusCode::SEE_OTHER, answer))
}

/// The person the verified identity names, if they may enter: linked already; or, under
/// `link_existing_accounts`, the account with the same verified e-mail (then linked); or a new account for
/// someone with an open invitation or a verified domain. Verified domains join their workspaces here;
/// invitations wait for the person to accept them.
async fn admit(state: &SharedState, provider: &str, identity: &VerifiedIdentity) -> ApiResult<User> {
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
            Some((user, _)) if state.oidc.links_existing_accounts(provider) => {
                link_or_refuse(state, identity, user.id).await?;
                audit_link(state, provider, user.id, "link_existing_accounts").await;
                user
            }
            Some(_) => {
                tracing::info!(provider, "OpenID sign-in refused: the e-mail belongs to an unlinked account");
                return Err(ApiError::Conflict(format!(
                    "an account with {email} already exists and is not linked to this {provider} account: sign in \
                     to it and link {provider} from your account"
                )));
            }
            None if invited || !by_domain.is_empty() => {
                let new = NewUser {
                    email: email.clone(),
                    name: identity.name.clone(),
                    password_hash: None,
                    email_verified: true,
                };
                let user = match store.create_user(&new, now).await {
                    Ok(user) => user,
                    // Created at the same moment by a parallel callback: theirs links, ours must match it.
                    Err(StoreError::Conflict(_)) => {
                        match store.user_by_identity(&identity.issuer, &identity.subject).await? {
                            Some(user) => user,
                            None => return Err(not_invited(&email)),
                        }
                    }
                    Err(other) => return Err(other.into()),
                };
                link_or_refuse(state, identity, user.id).await?;
                user
            }
            None => return Err(not_invited(&email)),
        },
    };
    for (workspace_id, role) in by_domain {
        if store.member_role(workspace_id, user.id).await?.is_none() {
            store.put_member(workspace_id, user.id, role, now).await?;
            let entry = NewAuditEntry {
                workspace_id: Some(workspace_id),
                actor: Actor { user_id: Some(user.id), key_id: None },
                action: "member.join_by_domain".into(),
                target: format!("user:{}", user.id),
                details: json!({"domain": domain, "role": role}),
            };
            audit(store, entry).await;
        }
    }
    // Someone with invitations only may enter to answer them.
    if store.memberships(user.id).await?.is_empty() && store.open_invitations(&user.email, now).await?.is_empty() {
        return Err(not_invited(&email));
    }
    store.record_login(user.id, true, now).await?;
    Ok(user)
}

/// Links the identity to `user_id`; 403 if that provider account is linked to someone else.
pub(crate) async fn link_or_refuse(state: &SharedState, identity: &VerifiedIdentity, user_id: UserId) -> ApiResult<()> {
    match state.store.link_identity(&identity.issuer, &identity.subject, user_id, Utc::now()).await {
        Ok(()) => Ok(()),
        Err(StoreError::Conflict(_)) => Err(forbidden(identity, "this provider account belongs to someone else")),
        Err(other) => Err(other.into()),
    }
}

/// Records that a provider account was linked to a person (`how`: the rule that allowed it), in the audit log
/// of each of their workspaces, where their admins can see it.
pub(crate) async fn audit_link(state: &SharedState, provider: &str, user_id: UserId, how: &str) {
    let store = state.store.as_ref();
    let mut workspaces: Vec<Option<WorkspaceId>> = match store.memberships(user_id).await {
        Ok(list) => list.into_iter().map(|(ws, _)| Some(ws.id)).collect(),
        Err(err) => {
            tracing::warn!(error = %err, "could not list a person's workspaces for the audit log");
            Vec::new()
        }
    };
    if workspaces.is_empty() {
        workspaces.push(None);
    }
    for workspace_id in workspaces {
        let entry = NewAuditEntry {
            workspace_id,
            actor: Actor { user_id: Some(user_id), key_id: None },
            action: "auth.identity_link".into(),
            target: format!("user:{user_id}"),
            details: json!({"provider": provider, "how": how}),
        };
        audit(store, entry).await;
    }
}

pub(crate) async fn discovered(state: &SharedState, provider: &str) -> ApiResult<crate::auth::oidc::OidcClient> {
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

pub(crate) fn forbidden(identity: &VerifiedIdentity, why: &str) -> ApiError {
    tracing::info!(issuer = %identity.issuer, reason = why, "OpenID sign-in refused");
    ApiError::Forbidden(why.to_owned())
}

fn not_invited(email: &str) -> ApiError {
    ApiError::Forbidden(format!("{email} is not invited to any workspace: ask an owner to invite you"))
}

/// A local path to return to: must start with one `/` (no `//host`, no scheme, no backslash tricks).
pub(crate) fn safe_return_to(raw: Option<&str>) -> String {
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

pub(crate) fn location(url: &str) -> ApiResult<HeaderMap> {
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
