//! Campaign delivery support shared by the dispatch workers and the HTTP edge: which senders a workspace
//! uses ([`WorkspaceSenders`]), templates and recipient values ([`render`]), and the receipt stream's entry
//! ([`ReceiptEntry`]). The workers themselves live in `workers/` (dispatch, receipts, scheduler).

pub mod rate;
pub mod receipt_entry;
pub mod render;
pub mod routes;
pub mod senders;
pub mod signing;
pub mod timelines;

pub use rate::SendRate;
pub use receipt_entry::ReceiptEntry;
pub use render::Brand;
pub use senders::{SendersError, WorkspaceSenders, SENDERS_TTL};
pub use timelines::Timelines;
