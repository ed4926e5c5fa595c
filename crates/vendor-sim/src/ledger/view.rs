//! The ledger as readers see it: over HTTP (`GET /v1/ledger`, `GET /v1/messages/{id}`) and from tests
//! ([`crate::SimHandle::ledger`]). Deserialize is derived too, so Converge's end-to-end tests can parse it.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::message::{Channel, SenderFields};
use converge_vendor_wire::Status;

/// How delivering a message's receipt went.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReceiptState {
    /// No callback URL is configured, so no receipt is sent.
    Disabled,
    /// Not yet decided, queued, in flight, or waiting to be retried.
    Pending,
    /// At least one copy was acknowledged with a 2xx.
    Delivered,
    /// The receiver answered a 4xx (other than 408/429), which is not retried.
    Rejected,
    /// Every attempt failed; the receipt was given up on.
    GaveUp,
}

/// Receipt delivery for one message, all copies together (there are two under `duplicate_receipts` chaos).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReceiptLog {
    pub state: ReceiptState,
    /// HTTP requests that carried this message's receipt, successful or not.
    pub attempts: u32,
    /// Copies acknowledged with a 2xx.
    pub delivered: u32,
    /// The last failure seen, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_error: Option<String>,
}

/// One accepted message and everything that happened to it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LedgerEntry {
    /// Acceptance order, from 0; the ledger's pagination cursor.
    pub seq: u64,
    pub id: String,
    pub reference: String,
    pub to: String,
    pub channel: Channel,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subject: Option<String>,
    pub body: String,
    /// The sender the request named, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sender: Option<SenderFields>,
    pub status: Status,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    pub accepted_at: DateTime<Utc>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub decided_at: Option<DateTime<Utc>>,
    /// Later sends with the same reference, answered with this message instead of a new one.
    pub duplicate_requests: u32,
    pub receipts: ReceiptLog,
}

/// Counters over the whole run (`GET /v1/stats`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Stats {
    /// Distinct messages accepted.
    pub accepted: u64,
    /// Accepted, outcome not yet decided.
    pub queued: u64,
    pub sent: u64,
    pub failed: u64,
    /// Sends whose reference was already known, answered without a new message.
    pub duplicates_requested: u64,
    /// Receipt copies acknowledged with a 2xx.
    pub receipts_delivered: u64,
    /// Receipt copies queued, in flight or waiting for a retry.
    pub receipts_pending: u64,
    /// Receipt copies rejected or given up on.
    pub receipts_failed: u64,
    /// Of `receipts_failed`, those rejected with a non-retryable 4xx.
    pub receipts_rejected: u64,
    /// Callback attempts that failed and were scheduled again (per receipt copy).
    pub receipt_retries: u64,
    /// Callback HTTP requests made.
    pub callback_requests: u64,
    /// Send requests (single or batch) received, including those chaos interfered with.
    pub send_requests: u64,
    /// Send requests answered 5xx by `error_rate` chaos.
    pub send_errors_injected: u64,
    /// Send requests whose connection was dropped by `drop_rate` chaos.
    pub connections_dropped: u64,
}
