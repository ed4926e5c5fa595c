//! `GET /api/v1/auth/me`: the signed-in person, their workspaces and the session's CSRF token.

use axum::extract::State;
use axum::http::HeaderMap;
use axum::Json;
use chrono::Utc;

use super::Me;
use crate::auth::session;
use crate::http::error::{ApiError, ApiResult, Problem};
use crate::state::SharedState;

/// Who is signed in (session cookie only; API keys have no person behind them).
#[utoipa::path(get, path = "/api/v1/auth/me", tag = "auth",
    responses((status = 200, body = Me), (status = 401, body = Problem)))]
pub async fn get_me(State(state): State<SharedState>, headers: HeaderMap) -> ApiResult<Json<Me>> {
    let unauthorized = ApiError::Unauthorized("not signed in");
    let cookie = session::session_cookie(&headers).ok_or(unauthorized)?;
    let record = session::resolve(state.store.as_ref(), &cookie, &state.session_policy(), Utc::now())
        .await?
        .ok_or(ApiError::Unauthorized("your session has ended; sign in again"))?;
    let user = state.store.user(record.user_id).await?.ok_or(ApiError::Unauthorized("not signed in"))?;
    Ok(Json(super::me(state.store.as_ref(), user, record.csrf_token).await?))
}
