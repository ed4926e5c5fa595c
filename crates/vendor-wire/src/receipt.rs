//! Delivery receipts: what a vendor POSTs to Converge's receipt endpoint once it knows a message's outcome.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// Most receipts in one callback request: Converge's receipt endpoint takes at most this many.
pub const MAX_RECEIPT_BATCH: usize = 1_000;

/// A message's final state as reported in receipts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Outcome {
    #[serde(rename = "SENT")]
    Sent,
    #[serde(rename = "FAILED")]
    Failed,
}

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
    /// A failure that will not change on a retry (the number is on a do-not-disturb registry or does not
    /// exist, the mailbox does not exist, the recipient blocked the sender): Converge never sends to the
    /// address again.
    #[serde(default, skip_serializing_if = "is_false")]
    pub permanent: bool,
    /// When the outcome happened (millisecond precision).
    pub occurred_at: DateTime<Utc>,
}

fn is_false(flag: &bool) -> bool {
    !*flag
}

/// What a vendor POSTs to Converge's inbound endpoint when a customer replies to a message (an SMS "STOP").
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InboundMessage {
    /// The sender's number, E.164.
    pub from: String,
    pub text: String,
    pub received_at: DateTime<Utc>,
}

/// What a vendor POSTs to Converge's complaint endpoint when a recipient reports a delivered message as spam
/// (an e-mail provider's feedback loop, or a carrier's spam report for an SMS).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Complaint {
    /// The vendor's id of the message complained about.
    pub message_id: String,
    /// The client's reference of that message, as sent.
    pub reference: String,
    /// When the recipient complained.
    pub occurred_at: DateTime<Utc>,
}

/// The body of every callback request: one or more receipts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReceiptBatch {
    pub receipts: Vec<Receipt>,
}
