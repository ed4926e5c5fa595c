//! Reading the ledger: one message, pages of the whole ledger, run-wide counters.

use std::sync::Arc;

use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::Json;
use serde::Deserialize;

use super::error::ApiError;
use crate::ledger::{LedgerEntry, Stats};
use crate::sim::Sim;
use crate::wire::LedgerPage;

/// Page size when the client names none.
const DEFAULT_LIMIT: usize = 1_000;
/// Largest page, so one request never copies the whole ledger under its lock.
const MAX_LIMIT: usize = 10_000;

pub(crate) async fn message(
    State(sim): State<Arc<Sim>>,
    Path(id): Path<String>,
) -> Result<Json<LedgerEntry>, ApiError> {
    sim.ledger.get(&id).map(Json).ok_or_else(|| ApiError::not_found(format!("no message {id}")))
}

#[derive(Debug, Deserialize)]
pub(crate) struct LedgerQuery {
    after: Option<u64>,
    limit: Option<usize>,
}

pub(crate) async fn ledger(
    State(sim): State<Arc<Sim>>,
    query: Result<Query<LedgerQuery>, QueryRejection>,
) -> Result<Json<LedgerPage>, ApiError> {
    let Query(query) = query.map_err(|e| ApiError::new(StatusCode::BAD_REQUEST, "bad_query", e.body_text()))?;
    let limit = query.limit.unwrap_or(DEFAULT_LIMIT);
    if !(1..=MAX_LIMIT).contains(&limit) {
        return Err(ApiError::unprocessable(format!("limit: between 1 and {MAX_LIMIT}")));
    }
    let entries = sim.ledger.page(query.after, limit);
    let next = if entries.len() == limit { entries.last().map(|entry| entry.seq) } else { None };
    Ok(Json(LedgerPage { entries, next }))
}

pub(crate) async fn stats(State(sim): State<Arc<Sim>>) -> Json<Stats> {
    Json(sim.ledger.stats())
}
