//! Liveness, readiness and Prometheus metrics.

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use axum::Json;
use serde::Serialize;
use utoipa::ToSchema;

use crate::http::error::Problem;
use crate::state::SharedState;

#[derive(Debug, Serialize, ToSchema)]
pub struct Readiness {
    pub status: &'static str,
    pub database: &'static str,
    pub queue: &'static str,
}

/// The process is up.
#[utoipa::path(get, path = "/healthz", tag = "operations", responses((status = 200, description = "alive")))]
pub async fn healthz() -> &'static str {
    "ok"
}

/// The database and the queue both answer.
#[utoipa::path(get, path = "/readyz", tag = "operations",
    responses((status = 200, body = Readiness), (status = 503, body = Readiness)))]
pub async fn readyz(State(state): State<SharedState>) -> (StatusCode, Json<Readiness>) {
    let (db, queue) = tokio::join!(state.store.ping(), state.queue.ping());
    if let Err(err) = &db {
        tracing::warn!(error = %err, "readiness: database check failed");
    }
    if let Err(err) = &queue {
        tracing::warn!(error = %err, "readiness: queue check failed");
    }
    let word = |ok: bool| if ok { "ok" } else { "unavailable" };
    let ready = db.is_ok() && queue.is_ok();
    let body = Readiness {
        status: if ready { "ready" } else { "not ready" },
        database: word(db.is_ok()),
        queue: word(queue.is_ok()),
    };
    (if ready { StatusCode::OK } else { StatusCode::SERVICE_UNAVAILABLE }, Json(body))
}

/// Prometheus text exposition. With `metrics.token` set it needs that bearer token; without, it lists no
/// workspace (series labelled by workspace are summed). With `metrics.bind` set it is served there instead.
#[utoipa::path(get, path = "/metrics", tag = "operations",
    responses((status = 200, body = String, description = "Prometheus metrics", content_type = "text/plain"),
        (status = 401, body = Problem, description = "`metrics.token` is set and was not presented"),
        (status = 404, body = Problem, description = "`metrics.bind` is set: metrics are served there")))]
pub async fn metrics(State(state): State<SharedState>, headers: HeaderMap) -> Response {
    crate::http::metrics_access::answer(&state, &headers, crate::http::metrics_access::Listener::Main)
}
