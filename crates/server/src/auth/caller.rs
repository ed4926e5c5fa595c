//! The `Caller` extractor: who is calling and in which workspace. Machines send an API key
//! (`Authorization: Bearer <key>`, scoped to one workspace); people send their session cookie, choose a
//! workspace with `X-Converge-Workspace: <slug>` (default: their first by slug) and act with their role
//! there. Either way handlers ask one question, [`Caller::require`].
//!
//! Browser requests that change state must echo the session's CSRF token in `X-CSRF-Token`, and when they
//! carry an `Origin` it must be this server's. API-key requests are not exposed to CSRF (browsers never add
//! the header on their own).
//!
//! Answers are the same everywhere: no credentials → 401, a workspace the person is not in → 404 (it is
//! not theirs to know about), a role or scope that does not allow the action → 403.

use axum::extract::FromRequestParts;
use axum::http::header::{AUTHORIZATION, HOST, ORIGIN};
use axum::http::request::Parts;
use axum::http::{HeaderMap, Method};
use chrono::Utc;
use converge_domain::{ApiKeyId, Currency, Role, Scope, UserId, WorkspaceId};
use converge_store::Workspace;

use super::api_key::{hash_key, looks_like_key};
use super::rate_limit::RateKey;
use super::session::{self, constant_time_eq, CSRF_HEADER};
use crate::http::error::ApiError;
use crate::state::SharedState;

/// The header a signed-in person names the workspace they act in with.
pub const WORKSPACE_HEADER: &str = "x-converge-workspace";

/// How the caller proved who they are.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Principal {
    Key { key_id: ApiKeyId, scopes: Vec<Scope> },
    User { user_id: UserId, role: Role },
}

/// An authenticated caller acting in one workspace.
#[derive(Clone, Debug)]
pub struct Caller {
    workspace_id: WorkspaceId,
    pub workspace_slug: String,
    pub currency: Currency,
    pub principal: Principal,
}

impl Caller {
    pub fn workspace_id(&self) -> WorkspaceId {
        self.workspace_id
    }

    /// The signed-in person's id (`None` for an API key).
    pub fn user_id(&self) -> Option<UserId> {
        match self.principal {
            Principal::User { user_id, .. } => Some(user_id),
            Principal::Key { .. } => None,
        }
    }

    /// Who did it, for the audit log.
    pub fn actor(&self) -> converge_store::Actor {
        match self.principal {
            Principal::User { user_id, .. } => converge_store::Actor { user_id: Some(user_id), key_id: None },
            Principal::Key { key_id, .. } => converge_store::Actor { user_id: None, key_id: Some(key_id) },
        }
    }

    /// Fails with 403 unless the key carries `scope` (or `all`), or the person's role allows it.
    pub fn require(&self, scope: Scope) -> Result<(), ApiError> {
        match &self.principal {
            Principal::Key { scopes, .. } => {
                if scopes.iter().any(|&s| s == scope || s == Scope::All) {
                    Ok(())
                } else {
                    Err(ApiError::Forbidden(format!("this API key lacks the `{}` scope", scope.as_str())))
                }
            }
            Principal::User { role, .. } => {
                if role.allows(scope.permission()) {
                    Ok(())
                } else {
                    Err(ApiError::Forbidden(format!("your role ({role}) does not allow this")))
                }
            }
        }
    }

    /// The person's role (`None` for an API key).
    pub fn role(&self) -> Option<Role> {
        match self.principal {
            Principal::User { role, .. } => Some(role),
            Principal::Key { .. } => None,
        }
    }
}

impl FromRequestParts<SharedState> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &SharedState) -> Result<Self, Self::Rejection> {
        if parts.headers.contains_key(AUTHORIZATION) {
            return from_api_key(parts, state).await;
        }
        if let Some(cookie) = session::session_cookie(&parts.headers) {
            return from_session(parts, state, &cookie).await;
        }
        Err(ApiError::Unauthorized("sign in, or send an API key as `Authorization: Bearer <key>`"))
    }
}

async fn from_api_key(parts: &Parts, state: &SharedState) -> Result<Caller, ApiError> {
    let secret = parts
        .headers
        .get(AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer ").or_else(|| v.strip_prefix("bearer ")))
        .map(str::trim)
        .ok_or(ApiError::Unauthorized("the Authorization header must be `Bearer <key>`"))?;
    if !looks_like_key(secret) {
        return Err(ApiError::Unauthorized("the API key is invalid or revoked"));
    }
    let grant = state
        .keys
        .lookup(state.store.as_ref(), hash_key(secret))
        .await?
        .ok_or(ApiError::Unauthorized("the API key is invalid or revoked"))?;
    state.rate_limit.check(RateKey::Key(grant.key_id)).map_err(ApiError::RateLimited)?;
    state.keys.record_use(grant.key_id);
    Ok(Caller {
        workspace_id: grant.workspace_id,
        workspace_slug: grant.workspace_slug,
        currency: grant.workspace_currency,
        principal: Principal::Key { key_id: grant.key_id, scopes: grant.scopes },
    })
}

async fn from_session(parts: &Parts, state: &SharedState, cookie: &str) -> Result<Caller, ApiError> {
    let policy = state.session_policy();
    let session = session::resolve(state.store.as_ref(), cookie, &policy, Utc::now())
        .await?
        .ok_or(ApiError::Unauthorized("your session has ended; sign in again"))?;
    if changes_state(&parts.method) {
        check_csrf(&parts.headers, state, &session.csrf_token)?;
    }
    state.rate_limit.check(RateKey::User(session.user_id)).map_err(ApiError::RateLimited)?;
    let memberships = state.store.memberships(session.user_id).await?;
    // A header that is present but unreadable (not visible ASCII) is refused, never taken as "not sent".
    let wanted = match parts.headers.get(WORKSPACE_HEADER) {
        None => None,
        Some(value) => Some(value.to_str().map(str::trim).map_err(|_| {
            ApiError::BadRequest(format!("the {WORKSPACE_HEADER} header must be a workspace slug in plain ASCII"))
        })?),
    };
    let (workspace, role): (Workspace, Role) = match wanted {
        Some(slug) => memberships.into_iter().find(|(ws, _)| ws.slug == slug),
        None => memberships.into_iter().next(),
    }
    .ok_or_else(|| ApiError::NotFound("workspace".into()))?;
    Ok(Caller {
        workspace_id: workspace.id,
        currency: workspace.currency,
        workspace_slug: workspace.slug,
        principal: Principal::User { user_id: session.user_id, role },
    })
}

fn changes_state(method: &Method) -> bool {
    !matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS)
}

/// The session's token in `X-CSRF-Token`, and an `Origin` (when sent) naming this server.
pub(crate) fn check_csrf(headers: &HeaderMap, state: &SharedState, expected: &str) -> Result<(), ApiError> {
    let refused = || ApiError::Forbidden("cross-site request refused: send the session's X-CSRF-Token".into());
    let token = headers.get(CSRF_HEADER).and_then(|v| v.to_str().ok()).ok_or_else(refused)?;
    if !constant_time_eq(token, expected) {
        return Err(refused());
    }
    if let Some(origin) = headers.get(ORIGIN).and_then(|v| v.to_str().ok()) {
        let host = headers.get(HOST).and_then(|v| v.to_str().ok()).unwrap_or_default();
        if !same_origin(origin, host, state.settings.auth.public_url.as_deref()) {
            return Err(ApiError::Forbidden("cross-site request refused: the Origin is not this server".into()));
        }
    }
    Ok(())
}

/// `origin` is the configured public URL's origin, or `http(s)://<host>` of the request.
fn same_origin(origin: &str, host: &str, public_url: Option<&str>) -> bool {
    let origin = origin.trim_end_matches('/');
    if let Some(public) = public_url {
        let public = public.trim_end_matches('/');
        return match public.split_once("://") {
            Some((scheme, rest)) => {
                rest.split('/').next().is_some_and(|authority| origin == format!("{scheme}://{authority}"))
            }
            None => false,
        };
    }
    !host.is_empty() && (origin == format!("http://{host}") || origin == format!("https://{host}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origins_must_be_this_server() {
        assert!(same_origin("http://127.0.0.1:8080", "127.0.0.1:8080", None));
        assert!(!same_origin("http://evil.example", "127.0.0.1:8080", None));
        assert!(!same_origin("http://127.0.0.1:8080", "", None));
        assert!(same_origin("https://crm.brand.in", "10.0.0.5:8080", Some("https://crm.brand.in/")));
        assert!(!same_origin("http://crm.brand.in", "crm.brand.in", Some("https://crm.brand.in")));
    }
}
