//! Request and response bodies of the HTTP API, public so Converge's vendor client parses exactly what the
//! simulator writes.

use serde::{Deserialize, Serialize};

use crate::ledger::{LedgerEntry, Status};

/// Most messages in one `POST /v1/messages/batch`.
pub const MAX_BATCH: usize = 1_000;

/// The answer to an accepted send: 202 for a new message, 200 with `duplicate: true` for a known reference.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SendResponse {
    pub id: String,
    pub reference: String,
    pub status: Status,
    pub duplicate: bool,
}

/// `POST /v1/messages/batch` body. Items are parsed one by one, so one malformed item fails alone.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct BatchRequest {
    pub messages: Vec<serde_json::Value>,
}

/// One item of a batch answer, in request order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum BatchItem {
    Accepted(SendResponse),
    /// The item was invalid and not accepted; `reference` is echoed when the item had a string one.
    Rejected {
        reference: Option<String>,
        error: String,
    },
}

/// `POST /v1/messages/batch` answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BatchResponse {
    pub results: Vec<BatchItem>,
}

/// `GET /v1/ledger` answer. Pass `next` as `after` to read on; `null` when the end was reached.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LedgerPage {
    pub entries: Vec<LedgerEntry>,
    pub next: Option<u64>,
}

/// Every error answer: a stable machine code and a sentence for people.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorBody {
    pub error: String,
    pub message: String,
}
