//! Middleware in front of the handlers: the simulated outage and bearer-key authentication.

use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use super::error::ApiError;
use crate::sim::Sim;
use converge_vendor_wire::constant_time_eq;

/// During `outage_until` every request is answered 503 with `Retry-After`, before authentication, as a real
/// gateway's load balancer would.
pub(crate) async fn outage(State(sim): State<Arc<Sim>>, request: Request, next: Next) -> Response {
    let now = chrono::Utc::now();
    let until = sim.chaos.get().outage_until.filter(|until| now < *until);
    let Some(until) = until else { return next.run(request).await };
    let seconds = (until - now).num_seconds().max(1);
    let mut response =
        ApiError::new(StatusCode::SERVICE_UNAVAILABLE, "outage", format!("simulated outage until {until}"))
            .into_response();
    if let Ok(value) = HeaderValue::from_str(&seconds.to_string()) {
        response.headers_mut().insert(header::RETRY_AFTER, value);
    }
    response
}

/// Requires `Authorization: Bearer <api_key>`; compared in constant time.
pub(crate) async fn authenticate(State(sim): State<Arc<Sim>>, request: Request, next: Next) -> Response {
    let presented = request
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.strip_prefix("Bearer "))
        .map(str::trim);
    match presented {
        Some(key) if constant_time_eq(key.as_bytes(), sim.config.api_key.as_bytes()) => next.run(request).await,
        _ => ApiError::unauthorized().into_response(),
    }
}
