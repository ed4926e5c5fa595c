//! The one interface every delivery channel implements: [`Sender`], its input [`OutboundMessage`] and its
//! per-message answer [`SendOutcome`].

use std::sync::Arc;

use async_trait::async_trait;
use converge_domain::Channel;

/// Who a message is from, as the workspace's profile says (each part optional; a channel's own settings fill
/// what is unset): e-mail's `From` name and address and `Reply-To`, and for SMS the sender id (header) and
/// India's DLT entity and template ids, which carriers there require on every commercial message.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SenderIdentity {
    pub from_name: Option<String>,
    pub from_address: Option<String>,
    pub reply_to: Option<String>,
    pub sms_sender_id: Option<String>,
    pub dlt_entity_id: Option<String>,
    pub dlt_template_id: Option<String>,
}

/// One rendered message, ready to leave Converge.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OutboundMessage {
    /// The `communication_log` row's id. It is the idempotency key at the vendor, so a retry of the same row
    /// must carry the same reference, and two rows must never share one.
    pub reference: String,
    pub channel: Channel,
    /// E.164 phone number for SMS/WhatsApp, e-mail address for e-mail.
    pub to: String,
    /// E-mail only; ignored by SMS/WhatsApp gateways.
    pub subject: Option<String>,
    /// Plain text for SMS/WhatsApp; HTML for e-mail (templates HTML-escape every customer value).
    pub body: String,
    /// The message's signed unsubscribe link, for marketing messages. E-mail carries it as `List-Unsubscribe`
    /// with `List-Unsubscribe-Post: List-Unsubscribe=One-Click` (RFC 8058); the vendor API gets it as a field.
    pub unsubscribe_url: Option<String>,
    /// The brand's sender identity, shared by every message of a workspace.
    pub sender: Option<Arc<SenderIdentity>>,
}

/// What became of one message. The dispatcher stores `Accepted` ids, retries `Retryable` with backoff up to
/// its limit, and marks `Rejected` rows `FAILED` at once.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SendOutcome {
    /// The channel took responsibility for the message. For the vendor this is its message id (delivery
    /// receipts name it); for SMTP, the `Message-ID` header we set.
    Accepted { vendor_message_id: String },
    /// Nothing final is known: transport error, timeout, 5xx, 429, a refused API key or an unreadable answer.
    /// Resending the same reference is safe (see the crate documentation for the exact contract).
    Retryable { error: String },
    /// The channel judged this message itself invalid (a 4xx about its content, an SMTP 5xx): resending it
    /// unchanged cannot succeed.
    Rejected { error: String },
}

impl SendOutcome {
    pub(crate) fn retryable(error: impl Into<String>) -> SendOutcome {
        SendOutcome::Retryable { error: error.into() }
    }

    pub(crate) fn rejected(error: impl Into<String>) -> SendOutcome {
        SendOutcome::Rejected { error: error.into() }
    }

    /// The id to store when the message was accepted.
    pub fn vendor_message_id(&self) -> Option<&str> {
        match self {
            SendOutcome::Accepted { vendor_message_id } => Some(vendor_message_id),
            SendOutcome::Retryable { .. } | SendOutcome::Rejected { .. } => None,
        }
    }
}

/// A delivery channel. Implementations are cheap to clone or share behind an `Arc` and hold no per-call state,
/// so one instance serves every worker task. `async_trait` keeps the trait object-safe: the dispatcher holds
/// `Arc<dyn Sender>` per channel.
#[async_trait]
pub trait Sender: Send + Sync + std::fmt::Debug {
    /// Sends `batch` and answers one outcome per message, in the same order and of the same length, whatever
    /// happens: failures are outcomes, never an early return. An empty batch makes no request.
    ///
    /// How many calls run at once is the caller's business (the dispatcher bounds it with its own
    /// concurrency limit and send rate); a sender does not queue or throttle.
    async fn send(&self, batch: &[OutboundMessage]) -> Vec<SendOutcome>;

    /// Whether the channel later reports each accepted message's fate through delivery receipts. When it
    /// does not (SMTP: a relay that said 250 sends nothing back), the dispatcher marks an accepted message
    /// `SENT` directly instead of leaving it `PENDING` for a receipt that will never come.
    fn receipts_expected(&self) -> bool;
}
