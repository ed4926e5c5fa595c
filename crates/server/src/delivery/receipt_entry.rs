//! [`ReceiptEntry`]: one delivery receipt as it travels through the `receipts` stream, from the receipt
//! endpoint (vendor receipts) or a dispatcher (channels without receipts, such as SMTP, whose acceptance is
//! the outcome) to the batch applier. It names its message by log id and carries the route it came through:
//! the store applies it only to that message, and only if the message went out through that route.

use chrono::{DateTime, Utc};
use converge_domain::{MessageId, ReceiptStatus};
use converge_store::ReceiptUpdate;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReceiptEntry {
    pub log_id: MessageId,
    pub route: String,
    pub vendor_message_id: String,
    pub status: ReceiptStatus,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// The vendor said the failure is for good (see `converge_vendor_wire::Receipt::permanent`).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub permanent: bool,
    pub at: DateTime<Utc>,
}

impl ReceiptEntry {
    pub fn to_bytes(&self) -> Vec<u8> {
        // Serialising a struct of strings, integers and a timestamp cannot fail.
        serde_json::to_vec(self).unwrap_or_default()
    }

    /// Entries written before routes existed (no `log_id`/`route`) do not decode: the applier dead-letters them.
    pub fn from_bytes(bytes: &[u8]) -> Result<ReceiptEntry, serde_json::Error> {
        serde_json::from_slice(bytes)
    }

    pub fn into_update(self) -> ReceiptUpdate {
        ReceiptUpdate {
            log_id: self.log_id,
            route: self.route,
            vendor_message_id: self.vendor_message_id,
            status: self.status,
            error: self.error,
            at: self.at,
            permanent: self.permanent,
        }
    }
}
