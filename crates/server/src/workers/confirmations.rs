//! The double opt-in worker: sends each `pending` subscription's confirmation request — a message on the
//! channel to confirm, with a signed link to the hosted page (`/u/{token}` with message id 0), where a POST
//! confirms (`subscribed`, source `preferences`). A GET only shows the page, so a mail scanner that fetches
//! the link confirms nothing.
//!
//! Claimed in the store before sending (one node sends each request); a request the channel could not take
//! now is given back and sent on a later step; one it refused for good, or for a customer with no address on
//! the channel, stays claimed and is logged. The vendor reference is derived from the subscription's pending
//! change, so a re-sent request dedupes at the vendor.

use std::sync::Arc;
use std::time::Duration;

use chrono::Utc;
use converge_channels::{OutboundMessage, SendOutcome};
use converge_domain::{Channel, MessageId};
use converge_store::{PendingConfirmation, Store};
use tokio_util::sync::CancellationToken;

use crate::consent::{LinkToken, Links, TRANSACTIONAL_REFERENCE_PREFIX};
use crate::delivery::WorkspaceSenders;

/// Requests claimed per step.
const BATCH: u32 = 100;

#[derive(Clone)]
pub struct Confirmer {
    pub store: Arc<dyn Store>,
    pub senders: Arc<WorkspaceSenders>,
    pub links: Arc<Links>,
    pub interval: Duration,
}

/// What one step did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct ConfirmReport {
    pub claimed: usize,
    pub sent: usize,
    /// Given back for a later step (the channel could not take it now).
    pub retried: usize,
    /// No address on the channel, or refused by it for good.
    pub dropped: usize,
}

impl Confirmer {
    pub async fn step(&self) -> anyhow::Result<ConfirmReport> {
        let claimed = self.store.claim_confirmations(Utc::now(), BATCH).await?;
        let mut report = ConfirmReport { claimed: claimed.len(), ..ConfirmReport::default() };
        for pending in claimed {
            match self.send(&pending).await {
                Ok(true) => report.sent += 1,
                Ok(false) => report.dropped += 1,
                Err(err) => {
                    tracing::warn!(error = format!("{err:#}"), "a confirmation request could not be sent yet");
                    self.store.release_confirmation(&pending).await?;
                    report.retried += 1;
                }
            }
        }
        Ok(report)
    }

    /// `Ok(true)` sent, `Ok(false)` cannot be sent (dropped), `Err` try again later.
    async fn send(&self, pending: &PendingConfirmation) -> anyhow::Result<bool> {
        let Ok(channel) = Channel::parse(&pending.subject) else { return Ok(false) };
        let address = match channel {
            Channel::Email => pending.email.clone(),
            Channel::Sms | Channel::Whatsapp => pending.phone.clone(),
        };
        let Some(to) = address else {
            tracing::info!(customer_id = pending.customer_id.get(), %channel, "no address to confirm a subscription");
            return Ok(false);
        };
        let (brand, sender) = match self.store.workspace(pending.workspace_id).await? {
            Some(workspace) => (workspace.brand().to_owned(), crate::delivery::render::sender_identity(&workspace)),
            None => return Ok(false),
        };
        let token = LinkToken {
            workspace_id: pending.workspace_id,
            customer_id: pending.customer_id,
            message_id: MessageId::new(0),
            channel,
        };
        let url = self.links.signer(self.store.as_ref(), pending.workspace_id).await?.unsubscribe_url(&token);
        let (subject, body) = message(channel, &brand, &url);
        let reference = format!(
            "{TRANSACTIONAL_REFERENCE_PREFIX}confirm.{}.{}.{}.{}",
            pending.workspace_id,
            pending.customer_id,
            channel,
            pending.changed_at.timestamp_millis()
        );
        let message = OutboundMessage { reference, channel, to, subject, body, unsubscribe_url: Some(url), sender };
        let senders = self.senders.for_workspace(self.store.as_ref(), pending.workspace_id).await?;
        let outcome = senders.for_channel(channel).sender.send(std::slice::from_ref(&message)).await;
        match outcome.into_iter().next() {
            Some(SendOutcome::Accepted { .. }) => Ok(true),
            Some(SendOutcome::Rejected { error }) => {
                tracing::warn!(%error, "the channel refused a confirmation request");
                Ok(false)
            }
            Some(SendOutcome::Retryable { error }) => anyhow::bail!("the channel could not take it now: {error}"),
            None => anyhow::bail!("the channel answered nothing"),
        }
    }

    pub async fn run(self, stop: CancellationToken) {
        loop {
            tokio::select! {
                _ = stop.cancelled() => return,
                _ = tokio::time::sleep(self.interval) => {}
            }
            if let Err(err) = self.step().await {
                tracing::warn!(error = format!("{err:#}"), "confirmation step failed");
            }
        }
    }
}

/// The request: for e-mail a subject and an HTML body (the brand escaped), else one line of text.
fn message(channel: Channel, brand: &str, url: &str) -> (Option<String>, String) {
    match channel {
        Channel::Email => {
            let name = crate::consent::html_escape(brand);
            let body = format!(
                "<p>Please confirm that you want to hear from {name}.</p>\
                 <p><a href=\"{url}\">Confirm my subscription</a></p>\
                 <p>If you did not ask for this, ignore this message: nothing will be sent to you.</p>"
            );
            (Some(format!("Please confirm your subscription to {brand}")), body)
        }
        Channel::Sms | Channel::Whatsapp => (None, format!("Confirm you want messages from {brand}: {url}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requests_name_the_brand_and_link_the_page() {
        let (subject, body) = message(Channel::Email, "Tom & <Jerry>", "https://crm.in/u/1.2.0.e.x");
        assert_eq!(subject.as_deref(), Some("Please confirm your subscription to Tom & <Jerry>"));
        assert!(body.contains("Tom &amp; &lt;Jerry&gt;") && body.contains("href=\"https://crm.in/u/1.2.0.e.x\""));
        let (subject, body) = message(Channel::Sms, "Acme", "https://crm.in/u/1.2.0.s.x");
        assert_eq!((subject, body.as_str()), (None, "Confirm you want messages from Acme: https://crm.in/u/1.2.0.s.x"));
    }
}
