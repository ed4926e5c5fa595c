//! Background workers: each is a step function (one unit of work, returning what it did) plus a loop that
//! calls it until shutdown. Tests drive the step functions directly instead of sleeping.
//!
//! What must not live here: HTTP concerns. Workers talk to the store and the queue only.

pub mod confirmations;
pub mod dispatch;
pub mod ingest;
pub mod receipts;
pub mod scheduler;
