//! The HTTP API: routes, middleware and handlers. Nothing here holds state; it all goes through [`Sim`].

mod admin;
mod error;
mod guard;
mod inbound;
mod read;
mod send;

use std::sync::Arc;

use axum::extract::DefaultBodyLimit;
use axum::middleware::from_fn_with_state;
use axum::routing::{get, post};
use axum::{Json, Router};
use serde_json::{json, Value};

use crate::sim::Sim;

/// Largest request body: a full batch of 1,000 messages with long e-mail bodies fits.
const MAX_BODY_BYTES: usize = 64 * 1024 * 1024;

/// All routes. `/admin/chaos` sits outside the outage so an outage can be ended early.
pub(crate) fn router(sim: Arc<Sim>) -> Router {
    let v1 = Router::new()
        .route("/v1/messages", post(send::send_one))
        .route("/v1/messages/batch", post(send::send_batch))
        .route("/v1/messages/{id}", get(read::message))
        .route("/v1/ledger", get(read::ledger))
        .route("/v1/stats", get(read::stats))
        .route_layer(from_fn_with_state(sim.clone(), guard::authenticate));
    let admin = Router::new()
        .route("/admin/chaos", get(admin::get_chaos).put(admin::put_chaos))
        .route("/admin/inbound", post(inbound::reply))
        .route("/admin/complaint", post(inbound::complaint))
        .route_layer(from_fn_with_state(sim.clone(), guard::authenticate));
    Router::new()
        .route("/healthz", get(healthz))
        .merge(v1)
        .layer(from_fn_with_state(sim.clone(), guard::outage))
        .merge(admin)
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .with_state(sim)
}

async fn healthz() -> Json<Value> {
    Json(json!({"status": "ok"}))
}
