//! Campaign rules as pure state machines: the campaign's own [`CampaignStatus`], each message's
//! [`DeliveryStatus`] (forward-only, so at-least-once receipts have an exactly-once effect), and the choice
//! of channel and address per recipient ([`resolve`]).
//!
//! The store and workers apply these rules in SQL and loops; the functions here are the reference they are
//! tested against. What must not live here: database access, HTTP, timers or clock reads (times are
//! arguments).

mod channel;
mod delivery;
mod status;

pub use channel::{resolve, Address, SendChannel, SkipReason, FALLBACK_ORDER};
pub use delivery::{DeliveryStatus, ReceiptStatus};
pub use status::{CampaignEvent, CampaignStatus, TransitionError};

#[cfg(test)]
mod tests;
