//! The delivery receipt wire format, shared with Converge's receipt endpoint so both ends parse the same thing.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::outcome::Outcome;

/// One message's outcome as reported to the callback URL.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Receipt {
    /// The vendor's id, as answered when the message was accepted.
    pub message_id: String,
    /// The client's reference, as sent.
    pub reference: String,
    pub status: Outcome,
    /// Why the message failed; absent when it was sent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// When the outcome happened (millisecond precision).
    pub occurred_at: DateTime<Utc>,
}

/// The body of every callback request: one or more receipts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReceiptBatch {
    pub receipts: Vec<Receipt>,
}
