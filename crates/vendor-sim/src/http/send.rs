//! `POST /v1/messages` and `POST /v1/messages/batch`, with the send-path chaos.
//!
//! Order of events for one request: `error_rate` is rolled first and, if hit, answers 500/503 having accepted
//! nothing. Otherwise the messages are validated and accepted (idempotently by `reference`), then `slow_ms`
//! delays the answer, then `drop_rate` may close the connection instead of answering — the messages stay
//! accepted, as when a real gateway's answer is lost on the way back.

use std::sync::Arc;
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use serde::Deserialize;

use super::error::ApiError;
use crate::chaos::SendFate;
use crate::ledger::{Accepted, RequestCounters};
use crate::message::{Message, SendRequest};
use crate::server::ConnectionKiller;
use crate::sim::Sim;
use crate::wire::{BatchItem, BatchRequest, BatchResponse, SendResponse, MAX_BATCH};

pub(crate) async fn send_one(
    State(sim): State<Arc<Sim>>,
    killer: Option<Extension<ConnectionKiller>>,
    body: Bytes,
) -> Response {
    let fate = match roll(&sim) {
        Ok(fate) => fate,
        Err(err) => return err.into_response(),
    };
    let response = match accept_one(&sim, &body) {
        Ok(answer) => {
            let status = if answer.duplicate { StatusCode::OK } else { StatusCode::ACCEPTED };
            (status, Json(answer)).into_response()
        }
        Err(err) => err.into_response(),
    };
    finish(&sim, killer, fate, response).await
}

fn accept_one(sim: &Sim, body: &[u8]) -> Result<SendResponse, ApiError> {
    let request: SendRequest = serde_json::from_slice(body).map_err(|e| ApiError::from_json(&e))?;
    let message = request.validate()?;
    let reference = message.reference.clone();
    let accepted = sim.accept(vec![message]);
    let answer = accepted.into_iter().next().ok_or_else(|| ApiError::unprocessable("nothing was accepted"))?;
    Ok(response(answer, reference))
}

pub(crate) async fn send_batch(
    State(sim): State<Arc<Sim>>,
    killer: Option<Extension<ConnectionKiller>>,
    body: Bytes,
) -> Response {
    let fate = match roll(&sim) {
        Ok(fate) => fate,
        Err(err) => return err.into_response(),
    };
    let response = match accept_batch(&sim, &body) {
        Ok(answer) => (StatusCode::ACCEPTED, Json(answer)).into_response(),
        Err(err) => err.into_response(),
    };
    finish(&sim, killer, fate, response).await
}

fn accept_batch(sim: &Sim, body: &[u8]) -> Result<BatchResponse, ApiError> {
    let request: BatchRequest = serde_json::from_slice(body).map_err(|e| ApiError::from_json(&e))?;
    if request.messages.is_empty() || request.messages.len() > MAX_BATCH {
        return Err(ApiError::unprocessable(format!("messages: between 1 and {MAX_BATCH} items")));
    }
    // Each slot is either a rejection already, or waits for its place in the accepted list.
    let mut slots: Vec<Option<BatchItem>> = Vec::with_capacity(request.messages.len());
    let mut valid: Vec<Message> = Vec::with_capacity(request.messages.len());
    for item in request.messages {
        let reference = item.get("reference").and_then(serde_json::Value::as_str).map(str::to_owned);
        let parsed = SendRequest::deserialize(item).map_err(|e| e.to_string());
        match parsed.and_then(|request| request.validate().map_err(|e| e.to_string())) {
            Ok(message) => {
                valid.push(message);
                slots.push(None);
            }
            Err(error) => slots.push(Some(BatchItem::Rejected { reference, error })),
        }
    }
    let references: Vec<String> = valid.iter().map(|message| message.reference.clone()).collect();
    let mut accepted = sim.accept(valid).into_iter().zip(references);
    let results = slots
        .into_iter()
        .map(|slot| match slot {
            Some(rejected) => rejected,
            None => match accepted.next() {
                Some((answer, reference)) => BatchItem::Accepted(response(answer, reference)),
                None => BatchItem::Rejected { reference: None, error: "not accepted".into() },
            },
        })
        .collect();
    Ok(BatchResponse { results })
}

fn response(answer: Accepted, reference: String) -> SendResponse {
    SendResponse { id: answer.id, reference, status: answer.status, duplicate: answer.duplicate }
}

/// Counts the request and decides its chaos fate; an injected error is answered right away.
fn roll(sim: &Sim) -> Result<SendFate, ApiError> {
    RequestCounters::bump(&sim.ledger.requests.send_requests);
    match sim.chaos.send_fate() {
        SendFate::Error(status) => {
            RequestCounters::bump(&sim.ledger.requests.send_errors_injected);
            let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
            Err(ApiError::new(status, "injected_error", "simulated vendor error; nothing was accepted"))
        }
        fate => Ok(fate),
    }
}

/// Applies `slow_ms`, then `drop_rate`: a dropped request never returns, its connection is closed instead.
async fn finish(
    sim: &Sim,
    killer: Option<Extension<ConnectionKiller>>,
    fate: SendFate,
    response: Response,
) -> Response {
    let slow_ms = sim.chaos.slow_ms();
    if slow_ms > 0 {
        tokio::time::sleep(Duration::from_millis(slow_ms)).await;
    }
    if fate == SendFate::Drop {
        if let Some(Extension(killer)) = killer {
            RequestCounters::bump(&sim.ledger.requests.connections_dropped);
            return killer.kill().await;
        }
        tracing::warn!("drop_rate chaos needs the simulator's own server; answering instead");
    }
    response
}
