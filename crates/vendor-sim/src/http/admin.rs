//! `GET`/`PUT /admin/chaos`: read and replace the chaos settings at run time.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::State;
use axum::Json;

use super::error::ApiError;
use crate::chaos::Chaos;
use crate::sim::Sim;

pub(crate) async fn get_chaos(State(sim): State<Arc<Sim>>) -> Json<Chaos> {
    Json(sim.chaos.get())
}

/// Replaces every setting: fields left out are turned off, unknown fields are refused (a typo must not
/// silently leave chaos off).
pub(crate) async fn put_chaos(State(sim): State<Arc<Sim>>, body: Bytes) -> Result<Json<Chaos>, ApiError> {
    let chaos: Chaos = serde_json::from_slice(&body).map_err(|e| ApiError::from_json(&e))?;
    chaos.validate().map_err(ApiError::unprocessable)?;
    tracing::info!(?chaos, "chaos settings replaced");
    sim.chaos.set(chaos.clone());
    Ok(Json(chaos))
}
