//! Request and response bodies of sending: what a vendor answers to `POST /v1/messages` and
//! `POST /v1/messages/batch`, and its error body.

use serde::{Deserialize, Serialize};

/// Most messages in one `POST /v1/messages/batch`.
pub const MAX_BATCH: usize = 1_000;

/// Where a message stands. `queued` until the vendor knows its outcome, then the outcome, spelled as in
/// receipts and in Converge's `communication_log`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Status {
    #[serde(rename = "queued")]
    Queued,
    #[serde(rename = "SENT")]
    Sent,
    #[serde(rename = "FAILED")]
    Failed,
}

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

/// Every error answer: a stable machine code and a sentence for people.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorBody {
    pub error: String,
    pub message: String,
}
