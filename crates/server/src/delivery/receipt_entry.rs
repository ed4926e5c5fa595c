//! [`ReceiptEntry`]: one delivery receipt as it travels through the `receipts` stream, from the receipt
//! endpoint (vendor receipts) or a dispatcher (channels without receipts, such as SMTP, whose acceptance is
//! the outcome) to the batch applier.

use chrono::{DateTime, Utc};
use converge_domain::ReceiptStatus;
use converge_store::ReceiptUpdate;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReceiptEntry {
    pub vendor_message_id: String,
    pub status: ReceiptStatus,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    pub at: DateTime<Utc>,
}

impl ReceiptEntry {
    pub fn to_bytes(&self) -> Vec<u8> {
        // Serialising a struct of strings and a timestamp cannot fail.
        serde_json::to_vec(self).unwrap_or_default()
    }

    pub fn from_bytes(bytes: &[u8]) -> Result<ReceiptEntry, serde_json::Error> {
        serde_json::from_slice(bytes)
    }

    pub fn into_update(self) -> ReceiptUpdate {
        ReceiptUpdate { vendor_message_id: self.vendor_message_id, status: self.status, error: self.error, at: self.at }
    }
}
