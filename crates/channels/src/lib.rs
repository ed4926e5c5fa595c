//! # Delivery channels
//!
//! How a rendered campaign message leaves Converge. The dispatch workers hand batches of
//! [`OutboundMessage`]s to a [`Sender`] and store one [`SendOutcome`] per message:
//!
//! - [`VendorHttpSender`]: the messaging vendor's batch API over HTTP (SMS, WhatsApp and e-mail; the vendor
//!   simulator in the embedded default). Delivery receipts follow later.
//! - [`SmtpSender`]: e-mail through an SMTP relay. No receipts: accepted means `SENT`.
//! - [`ChannelSettings`]: which of the two each channel of a workspace uses, and [`ChannelSenders`], the
//!   senders built from them.
//!
//! What must not live here: claiming rows, retry timing and backoff, rate limits, concurrency limits,
//! template rendering or any storage. A sender sends what it is given, once per call, and reports.
//!
//! ## The at-least-once contract
//!
//! A [`SendOutcome::Retryable`] means "we do not know": the request may never have left, or the vendor may
//! have accepted it and the answer was lost (a dropped connection, a timeout while it was slow). The
//! dispatcher therefore resends the *same* `reference` (the `communication_log` id) until it gets
//! `Accepted` or `Rejected`, or its retry limit marks the row `FAILED`.
//!
//! - **Vendor (idempotent by `reference`): a message reaches a recipient at most once.** A resend of a
//!   reference the vendor already holds creates nothing; it is answered `Accepted` with the *original*
//!   vendor message id (and `"duplicate": true`), so the row ends up with the same id whichever attempt's
//!   answer arrived. This holds across worker crashes (`kill -9`) too, as long as a re-claimed row keeps its
//!   reference. The vendor may *see* a reference several times; it sends it once. The one case that is not
//!   covered is a vendor that forgets references (the simulator keeps them until it restarts; real
//!   gateways keep idempotency keys for a window, commonly 24 h or more): a retry after that window sends
//!   again.
//! - **A vendor that does not honour references** would send a second copy for every retried request that
//!   had in fact reached it: after a dropped connection or timeout once the request was written, after a
//!   5xx returned *after* accepting, or after a worker crash between the vendor's acceptance and storing the
//!   id. Such a vendor must not be used with this client unless duplicates are acceptable.
//! - **A `Rejected` message is never resent**, and an `Accepted` one is never sent again by the dispatcher.
//! - **SMTP has no idempotency key.** A retry after a connection lost between our end of `DATA` and the
//!   relay's `250` (or a worker crash in that window) can deliver a second copy. Each attempt carries its own
//!   `Message-ID` and the same `X-Converge-Reference` header, so copies can be told apart and traced. The
//!   window is one network round trip per message; every other failure happens before the relay took the
//!   message.
//!
//! ## Errors
//!
//! `Retryable` is transport errors, timeouts, 5xx, 429 and anything we cannot read (for the vendor also a
//! refused API key or a wrong URL, which an operator fixes); `Rejected` is the channel judging the message
//! itself (a per-item validation error or 400/413/422 from the vendor, an SMTP 5xx other than an
//! authentication failure). Error texts are for people (they end up in the log row's `error`) and never
//! contain a credential.

mod secret;
mod sender;
mod senders;
mod settings;
mod smtp;
mod vendor;

pub use secret::Secret;
pub use sender::{OutboundMessage, SendOutcome, Sender, SenderIdentity};
pub use senders::{ChannelSenders, RoutedSender};
pub use settings::{
    ChannelConfig, ChannelSettings, InvalidSettings, SettingsIssue, SmtpConfig, SmtpTls, VendorConfig, REDACTED,
};
pub use smtp::SmtpSender;
pub use vendor::{usable_id as usable_vendor_id, VendorHttpSender, MAX_VENDOR_ID_BYTES};

/// Why a sender could not be built from its settings.
#[derive(Debug, thiserror::Error)]
pub enum BuildError {
    #[error(transparent)]
    Invalid(#[from] InvalidSettings),
    #[error("{0}")]
    Config(String),
    #[error("building the HTTP client failed: {0}")]
    Http(#[source] reqwest::Error),
    #[error("preparing SMTP TLS failed: {0}")]
    Smtp(#[source] lettre::transport::smtp::Error),
    #[error(transparent)]
    Egress(#[from] converge_egress::EgressError),
}

/// The route of every message sent through the node's default vendor: receipts for them are posted to
/// `/api/v1/delivery-receipts` and signed with the node's `vendor.signing_secret`.
pub const DEFAULT_ROUTE: &str = "default";

/// The route of e-mail sent over SMTP: no receipts come from outside (the dispatcher writes them itself), and
/// no receipt endpoint exists for it.
pub const SMTP_ROUTE: &str = "smtp";

/// An error and its causes on one line (`connect failed: connection refused`), for log rows and logs:
/// reqwest's and lettre's top-level messages alone rarely say what went wrong.
pub(crate) fn error_chain(err: &(dyn std::error::Error + 'static)) -> String {
    let mut text = err.to_string();
    let mut source = err.source();
    // Bounded: causes chains are short, and a cyclic one must not loop forever.
    for _ in 0..8 {
        let Some(cause) = source else { break };
        let line = cause.to_string();
        if !text.contains(&line) {
            text.push_str(": ");
            text.push_str(&line);
        }
        source = cause.source();
    }
    text
}
