//! The simulator's inbound side. `POST /admin/inbound` tells it that a customer replied from a number (an
//! SMS "STOP"); it POSTs the reply to `inbound_url`, signed like its receipts, as a real gateway forwards
//! mobile-originated messages. `POST /admin/complaint` tells it that the recipient of a message it accepted
//! reported it as spam; it POSTs the complaint to `complaint_url`, as an e-mail provider's feedback loop
//! reaches the sender. Both answer with the status Converge gave.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use chrono::Utc;
use converge_vendor_wire::{sign, Complaint, InboundMessage, SIGNATURE_HEADER, TIMESTAMP_HEADER};
use serde::{Deserialize, Serialize};

use super::error::ApiError;
use crate::sim::{now_ms, Sim};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Reply {
    from: String,
    text: String,
}

#[derive(Serialize)]
pub(crate) struct Forwarded {
    /// The HTTP status Converge answered the forwarded reply with.
    status: u16,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct ComplaintRequest {
    /// The simulator's id of the message complained about.
    message_id: String,
}

pub(crate) async fn reply(State(sim): State<Arc<Sim>>, body: Bytes) -> Result<Json<Forwarded>, ApiError> {
    let reply: Reply = serde_json::from_slice(&body).map_err(|e| ApiError::from_json(&e))?;
    if reply.from.trim().is_empty() || reply.text.chars().count() > 1_600 {
        return Err(ApiError::unprocessable("from: required; text: at most 1600 characters".to_owned()));
    }
    let message = InboundMessage { from: reply.from, text: reply.text, received_at: now_ms() };
    let payload = serde_json::to_vec(&message).map_err(|e| ApiError::unprocessable(e.to_string()))?;
    forward(&sim, &sim.config.inbound_url, payload, "reply").await
}

pub(crate) async fn complaint(State(sim): State<Arc<Sim>>, body: Bytes) -> Result<Json<Forwarded>, ApiError> {
    let request: ComplaintRequest = serde_json::from_slice(&body).map_err(|e| ApiError::from_json(&e))?;
    let entry = sim
        .ledger
        .get(&request.message_id)
        .ok_or_else(|| ApiError::not_found(format!("no message {}", request.message_id)))?;
    let complaint = Complaint { message_id: entry.id, reference: entry.reference, occurred_at: now_ms() };
    let payload = serde_json::to_vec(&complaint).map_err(|e| ApiError::unprocessable(e.to_string()))?;
    forward(&sim, &sim.config.complaint_url, payload, "complaint").await
}

/// POSTs a signed payload to Converge and reports the status it answered.
async fn forward(sim: &Sim, url: &str, payload: Vec<u8>, what: &str) -> Result<Json<Forwarded>, ApiError> {
    let timestamp = Utc::now().timestamp();
    let client = crate::delivery::client().map_err(|e| ApiError::unprocessable(e.to_string()))?;
    let answer = client
        .post(url)
        .header(reqwest::header::CONTENT_TYPE, "application/json")
        .header(TIMESTAMP_HEADER, timestamp.to_string())
        .header(SIGNATURE_HEADER, sign(&sim.config.signing_secret, timestamp, &payload))
        .body(payload)
        .send()
        .await
        .map_err(|e| {
            ApiError::new(StatusCode::BAD_GATEWAY, "forward_failed", format!("forwarding the {what} failed: {e}"))
        })?;
    Ok(Json(Forwarded { status: answer.status().as_u16() }))
}
