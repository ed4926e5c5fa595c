//! # The messaging vendor's wire protocol
//!
//! What Converge and a messaging vendor say to each other over HTTP: the send and batch answers
//! ([`SendResponse`], [`BatchResponse`], [`ErrorBody`]), delivery receipts ([`ReceiptBatch`]), customers'
//! replies ([`InboundMessage`]) and their signatures ([`sign`], [`verify`]). Converge's vendor client (`converge-channels`), its receipt endpoint
//! (`converge-server`) and the simulator (`converge-vendor-sim`, which documents the whole API) all parse and
//! write exactly these types, so the two ends cannot drift apart; and the client needs nothing of the
//! simulator's server to speak the protocol.

mod receipt;
mod send;
mod signature;

pub use receipt::{Complaint, InboundMessage, Outcome, Receipt, ReceiptBatch, MAX_RECEIPT_BATCH};
pub use send::{BatchItem, BatchRequest, BatchResponse, ErrorBody, SendResponse, Status, MAX_BATCH};
pub use signature::{
    constant_time_eq, sign, verify, SignatureError, DEFAULT_TOLERANCE, SIGNATURE_HEADER, TIMESTAMP_HEADER,
};
