//! Consent at the server: compliance settings as used, signed unsubscribe links, the dispatcher's per-batch
//! gate, and the changes people make (unsubscribe link, preferences page, SMS replies).

pub mod compliance;
pub mod gate;
pub mod links;

pub use gate::Gate;

use converge_domain::{Channel, Compliance, IngestEvent, SubscriptionStatus, WorkspaceId};
use converge_store::Store;

/// The vendor reference of messages Converge sends outside campaigns (a STOP's confirmation): their
/// receipts are accepted and settle nothing.
pub const TRANSACTIONAL_REFERENCE_PREFIX: &str = "tx.";

/// Double opt-in at the edge: where the workspace confirms new subscriptions on a channel, a `subscribed`
/// that an upsert or import carries is recorded as `pending` (the store never lets `pending` replace a
/// confirmed `subscribed`), and the confirmation worker sends the customer a link to confirm. The settings
/// are read only for batches that subscribe someone.
pub async fn double_opt_in(
    store: &dyn Store,
    workspace_id: WorkspaceId,
    events: &mut [(String, IngestEvent)],
) -> anyhow::Result<()> {
    let subscribes = |event: &IngestEvent| match event {
        IngestEvent::Customer(record) => record.subscriptions.iter().any(|(_, s)| s == SubscriptionStatus::Subscribed),
        IngestEvent::Order(_) => false,
    };
    if !events.iter().any(|(_, event)| subscribes(event)) {
        return Ok(());
    }
    let compliance = compliance::load(store, workspace_id).await?;
    for (_, event) in events.iter_mut() {
        if let IngestEvent::Customer(record) = event {
            for (channel, status) in record.subscriptions.0.iter_mut() {
                if *status == SubscriptionStatus::Subscribed && compliance.double_opt_in(Channel::from(*channel)) {
                    *status = SubscriptionStatus::Pending;
                }
            }
        }
    }
    Ok(())
}

/// Text made safe inside HTML (the hosted page, the confirmation e-mail): `& < > " '` escaped.
pub fn html_escape(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;").replace('\'', "&#39;")
}

/// The message as it goes out: an SMS ends with the workspace's opt-out line (TRAI and carrier rules), unless
/// it already says how to stop.
pub fn with_opt_out_line(body: String, channel: Channel, compliance: &Compliance) -> String {
    match &compliance.sms_opt_out_line {
        Some(line) if channel == Channel::Sms && !body.to_uppercase().contains("STOP") => format!("{body}\n{line}"),
        _ => body,
    }
}
pub use links::{LinkSigner, LinkToken, Links};
