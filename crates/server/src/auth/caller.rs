//! The `Caller` extractor: authenticates `Authorization: Bearer <key>`, applies the key's rate limit, and
//! hands handlers the workspace and scopes.

use axum::extract::FromRequestParts;
use axum::http::header::AUTHORIZATION;
use axum::http::request::Parts;
use converge_domain::Currency;
use converge_store::ApiKeyGrant;

use super::api_key::{hash_key, looks_like_key, Scope};
use crate::http::error::ApiError;
use crate::state::SharedState;

/// An authenticated API caller.
#[derive(Clone, Debug)]
pub struct Caller {
    pub grant: ApiKeyGrant,
    pub currency: Currency,
}

impl Caller {
    pub fn workspace_id(&self) -> i64 {
        self.grant.workspace_id
    }

    /// Fails with 403 unless the key carries `scope` (or `all`).
    pub fn require(&self, scope: Scope) -> Result<(), ApiError> {
        let granted = self.grant.scopes.iter().any(|s| s == scope.as_str() || s == Scope::All.as_str());
        if granted {
            Ok(())
        } else {
            Err(ApiError::Forbidden(format!("this API key lacks the `{}` scope", scope.as_str())))
        }
    }
}

impl FromRequestParts<SharedState> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &SharedState) -> Result<Self, Self::Rejection> {
        let header = parts
            .headers
            .get(AUTHORIZATION)
            .ok_or(ApiError::Unauthorized("send an API key as `Authorization: Bearer <key>`"))?;
        let secret = header
            .to_str()
            .ok()
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
        state.rate_limit.check(grant.key_id).map_err(ApiError::RateLimited)?;
        state.keys.record_use(grant.key_id);
        let currency = Currency::parse(&grant.workspace_currency)
            .map_err(|e| ApiError::Internal(anyhow::anyhow!("workspace currency: {e}")))?;
        Ok(Caller { grant, currency })
    }
}
