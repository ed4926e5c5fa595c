//! The HTTP API's bodies: the protocol's own (from `converge-vendor-wire`, shared with Converge's vendor
//! client) and the simulator's extras, such as its ledger.

use serde::{Deserialize, Serialize};

pub use converge_vendor_wire::{BatchItem, BatchRequest, BatchResponse, ErrorBody, SendResponse, MAX_BATCH};

use crate::ledger::LedgerEntry;

/// `GET /v1/ledger` answer. Pass `next` as `after` to read on; `null` when the end was reached.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LedgerPage {
    pub entries: Vec<LedgerEntry>,
    pub next: Option<u64>,
}
