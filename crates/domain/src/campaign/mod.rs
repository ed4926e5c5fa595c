//! Campaign rules as pure state machines: the campaign's own [`CampaignStatus`], each message's
//! [`DeliveryStatus`] (forward-only, so at-least-once receipts have an exactly-once effect), and the choice
//! of channel and address per recipient ([`resolve`]); a campaign's fields as the client sends them parse into
//! a [`CampaignDraft`] (every problem named by field) and its template compiles per channel ([`CampaignTemplates`]).
//!
//! The store and workers apply these rules in SQL and loops; the functions here are the reference they are
//! tested against. What must not live here: database access, HTTP, timers or clock reads (times are
//! arguments).

mod channel;
mod delivery;
mod draft;
mod status;
mod templates;

pub use channel::{resolve, Address, SendChannel, SkipReason, FALLBACK_ORDER};
pub use delivery::{DeliveryStatus, ReceiptStatus};
pub use draft::{
    check_draft_template, parse_idempotency_key, parse_send_at, required_channel, required_name, CampaignDraft,
    DraftInput, MAX_IDEMPOTENCY_KEY_CHARS,
};
pub use status::{CampaignEvent, CampaignStatus, TransitionError};
pub use templates::CampaignTemplates;

#[cfg(test)]
mod tests;
