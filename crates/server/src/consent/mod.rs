//! Consent at the server: compliance settings as used, signed unsubscribe links, the dispatcher's per-batch
//! gate, and the changes people make (unsubscribe link, preferences page, SMS replies).

pub mod compliance;
pub mod gate;
pub mod links;

pub use gate::Gate;

use converge_domain::{Channel, Compliance};

/// The vendor reference of messages Converge sends outside campaigns (a STOP's confirmation): their
/// receipts are accepted and settle nothing.
pub const TRANSACTIONAL_REFERENCE_PREFIX: &str = "reply.";

/// The message as it goes out: an SMS ends with the workspace's opt-out line (TRAI and carrier rules), unless
/// it already says how to stop.
pub fn with_opt_out_line(body: String, channel: Channel, compliance: &Compliance) -> String {
    match &compliance.sms_opt_out_line {
        Some(line) if channel == Channel::Sms && !body.to_uppercase().contains("STOP") => format!("{body}\n{line}"),
        _ => body,
    }
}
pub use links::{LinkSigner, LinkToken, Links};
