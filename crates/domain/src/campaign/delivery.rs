//! [`DeliveryStatus`]: one message's status in `communication_log`, which only ever moves forward.
//!
//! ```text
//!  PENDING ──receipt / worker──▶ SENT | FAILED          SKIPPED (no address, set by the worker)
//!  FAILED ──retry() (a user's explicit "retry failed")──▶ PENDING
//! ```
//!
//! Receipts arrive at least once and in any order, so applying one must be idempotent: only a PENDING row
//! takes a receipt, and the first receipt applied wins. The store encodes the same rule as
//! `UPDATE … WHERE status = 'PENDING'` (equivalently `rank() < new rank`), so a batch of duplicates and
//! late receipts is harmless.

use std::fmt;

use serde::{Deserialize, Serialize};

/// A message's delivery status, stored and serialized in upper case (`PENDING`, …).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum DeliveryStatus {
    /// Waiting to be sent, or sent and waiting for the vendor's receipt.
    Pending,
    /// The vendor reported the message delivered.
    Sent,
    /// The vendor reported a failure, or sending failed after every retry.
    Failed,
    /// Never sent: the customer has no address for the channel.
    Skipped,
}

/// The outcome a vendor's delivery receipt reports; a receipt can only report these two.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ReceiptStatus {
    Sent,
    Failed,
}

impl From<ReceiptStatus> for DeliveryStatus {
    fn from(receipt: ReceiptStatus) -> DeliveryStatus {
        match receipt {
            ReceiptStatus::Sent => DeliveryStatus::Sent,
            ReceiptStatus::Failed => DeliveryStatus::Failed,
        }
    }
}

impl DeliveryStatus {
    /// Every status, in lifecycle order.
    pub const ALL: [DeliveryStatus; 4] =
        [DeliveryStatus::Pending, DeliveryStatus::Sent, DeliveryStatus::Failed, DeliveryStatus::Skipped];

    /// Parses `PENDING`, `SENT`, `FAILED` or `SKIPPED`, ignoring case and surrounding whitespace (query
    /// filters arrive in either case).
    pub fn parse(raw: &str) -> Result<DeliveryStatus, String> {
        let word = raw.trim().to_ascii_uppercase();
        DeliveryStatus::ALL
            .into_iter()
            .find(|status| status.as_str() == word)
            .ok_or_else(|| "must be one of PENDING, SENT, FAILED, SKIPPED".to_owned())
    }

    /// The upper-case name, as stored and serialized.
    pub fn as_str(self) -> &'static str {
        match self {
            DeliveryStatus::Pending => "PENDING",
            DeliveryStatus::Sent => "SENT",
            DeliveryStatus::Failed => "FAILED",
            DeliveryStatus::Skipped => "SKIPPED",
        }
    }

    /// Progress order: 0 for PENDING, 1 for every final status. A status may only be replaced by one of
    /// higher rank, so the final statuses never replace each other: the first outcome recorded stays.
    pub fn rank(self) -> u8 {
        match self {
            DeliveryStatus::Pending => 0,
            DeliveryStatus::Sent | DeliveryStatus::Failed | DeliveryStatus::Skipped => 1,
        }
    }

    /// SENT, FAILED and SKIPPED: only [`DeliveryStatus::retry`] leaves one of them (FAILED).
    pub fn is_final(self) -> bool {
        self.rank() > DeliveryStatus::Pending.rank()
    }

    /// The status after a forward move to `to` (by a receipt or the dispatch worker), or `None` when the move
    /// would not go forward and must be ignored.
    pub fn advance(self, to: DeliveryStatus) -> Option<DeliveryStatus> {
        (to.rank() > self.rank()).then_some(to)
    }

    /// The status after a vendor receipt, or `None` when the receipt must be ignored: a duplicate, a late
    /// receipt for a message that already has an outcome, or one for a skipped message.
    pub fn apply_receipt(current: DeliveryStatus, receipt: ReceiptStatus) -> Option<DeliveryStatus> {
        current.advance(receipt.into())
    }

    /// The one backward move: a user's explicit "retry failed" puts a FAILED message back to PENDING; any
    /// other status gives `None`. The store must, in the same update, reset `attempts`, clear the error, and
    /// clear the vendor message id, so a late receipt for the failed attempt matches no row and cannot
    /// overwrite the retry's outcome.
    pub fn retry(self) -> Option<DeliveryStatus> {
        (self == DeliveryStatus::Failed).then_some(DeliveryStatus::Pending)
    }
}

impl ReceiptStatus {
    /// Parses `SENT` or `FAILED`, ignoring case and surrounding whitespace.
    pub fn parse(raw: &str) -> Result<ReceiptStatus, String> {
        match raw.trim().to_ascii_uppercase().as_str() {
            "SENT" => Ok(ReceiptStatus::Sent),
            "FAILED" => Ok(ReceiptStatus::Failed),
            _ => Err("must be SENT or FAILED".to_owned()),
        }
    }

    /// The upper-case name, as serialized.
    pub fn as_str(self) -> &'static str {
        DeliveryStatus::from(self).as_str()
    }
}

impl fmt::Display for DeliveryStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Display for ReceiptStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}
