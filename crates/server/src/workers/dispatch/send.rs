//! Sending prepared messages: grouped by workspace and channel, cut into vendor-sized requests, sent
//! concurrently within the node's request slots and the workspace's send rate, and mapped to results.

use std::time::Duration;

use chrono::Utc;
use converge_channels::{OutboundMessage, RoutedSender, SendOutcome};
use converge_domain::{ReceiptStatus, WorkspaceId};
use converge_store::{DispatchOutcome, DispatchResult};
use rand::Rng;
use tokio::task::JoinSet;

use super::prepare::Ready;
use super::Dispatcher;
use crate::delivery::ReceiptEntry;

/// What sending produced: one result per message, and receipts for channels that report none themselves.
#[derive(Default)]
pub struct Sent {
    pub results: Vec<DispatchResult>,
    pub receipts: Vec<ReceiptEntry>,
}

/// Vendor requests in flight; each yields the messages it carried, what the channel said, and the sender
/// (with its route) that carried them.
pub(super) type Requests = JoinSet<(Vec<Ready>, Vec<SendOutcome>, RoutedSender)>;

impl Dispatcher {
    /// Starts the vendor requests for `ready`: results known at once (a workspace whose senders cannot be
    /// built) are returned, the rest arrive through the returned set, one request at a time, so each can be
    /// recorded as soon as it is answered.
    pub(super) async fn start_sending(&self, ready: Vec<Ready>) -> (Sent, Requests) {
        let mut groups: Vec<((WorkspaceId, converge_domain::Channel), Vec<Ready>)> = Vec::new();
        for item in ready {
            let key = (item.claim.workspace_id, item.channel);
            match groups.iter_mut().find(|(k, _)| *k == key) {
                Some((_, items)) => items.push(item),
                None => groups.push((key, vec![item])),
            }
        }
        let mut sent = Sent::default();
        let mut requests = JoinSet::new();
        for ((workspace_id, channel), items) in groups {
            let sender = match self.senders.for_workspace(self.store.as_ref(), workspace_id).await {
                Ok(senders) => senders.for_channel(channel).clone(),
                Err(err) => {
                    let error = format!("cannot send: {err}");
                    sent.results.extend(items.iter().map(|item| self.retry_or_fail(item, &error)));
                    continue;
                }
            };
            let mut items = items;
            while !items.is_empty() {
                let rest = items.split_off(items.len().min(self.send_batch.max(1)));
                let chunk = std::mem::replace(&mut items, rest);
                let (sender, slots, rate) = (sender.clone(), self.slots.clone(), self.rate.clone());
                requests.spawn(async move {
                    // The semaphore is never closed; without a permit we still send (unbounded beats stuck).
                    let _permit = slots.acquire_owned().await.ok();
                    rate.acquire(workspace_id, chunk.len()).await;
                    let messages: Vec<OutboundMessage> = chunk.iter().map(|item| item.message.clone()).collect();
                    let outcomes = sender.sender.send(&messages).await;
                    (chunk, outcomes, sender)
                });
            }
        }
        (sent, requests)
    }

    /// The results of one answered request.
    pub(super) fn answered(&self, chunk: Vec<Ready>, outcomes: Vec<SendOutcome>, sender: &RoutedSender) -> Sent {
        let mut sent = Sent::default();
        self.collect(&mut sent, chunk, outcomes, sender);
        sent
    }

    fn collect(&self, sent: &mut Sent, chunk: Vec<Ready>, outcomes: Vec<SendOutcome>, sender: &RoutedSender) {
        let now = Utc::now();
        let mut outcomes = outcomes.into_iter();
        for item in chunk {
            let outcome = outcomes
                .next()
                .unwrap_or(SendOutcome::Retryable { error: "the channel answered fewer results than sent".into() });
            let result = match outcome {
                SendOutcome::Accepted { vendor_message_id } => {
                    if !sender.sender.receipts_expected() {
                        sent.receipts.push(ReceiptEntry {
                            log_id: item.claim.log_id,
                            route: sender.route.to_string(),
                            vendor_message_id: vendor_message_id.clone(),
                            status: ReceiptStatus::Sent,
                            error: None,
                            permanent: false,
                            at: now,
                        });
                    }
                    item.claim.result(DispatchOutcome::Accepted {
                        vendor_message_id,
                        route: sender.route.to_string(),
                        channel: item.channel,
                        address: item.message.to,
                        message: item.message.body,
                    })
                }
                SendOutcome::Retryable { error } => self.retry_or_fail(&item, &error),
                SendOutcome::Rejected { error } => item.claim.result(DispatchOutcome::Failed { error }),
            };
            sent.results.push(result);
        }
    }

    /// A transient failure: due again after a backoff, or FAILED once the attempts are used up.
    fn retry_or_fail(&self, item: &Ready, error: &str) -> DispatchResult {
        let attempts = item.claim.attempts.max(1) as u32;
        if attempts >= self.max_attempts {
            let error = format!("{error} (gave up after {attempts} attempts)");
            return item.claim.result(DispatchOutcome::Failed { error });
        }
        let next_attempt_at = Utc::now() + backoff(attempts, self.retry_base, self.retry_max);
        item.claim.result(DispatchOutcome::Retry { error: error.to_owned(), next_attempt_at })
    }
}

/// `base · 2^(attempts−1)`, capped at `max`, then ±20% jitter so a vendor outage's retries spread out.
pub fn backoff(attempts: u32, base: Duration, max: Duration) -> chrono::Duration {
    let exponential = base.saturating_mul(1u32 << attempts.saturating_sub(1).min(20)).min(max);
    let jitter = rand::thread_rng().gen_range(0.8..=1.2);
    let millis = (exponential.as_millis() as f64 * jitter) as i64;
    chrono::Duration::milliseconds(millis.max(1))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_caps_and_jitters() {
        let (base, max) = (Duration::from_secs(1), Duration::from_secs(10));
        for _ in 0..50 {
            let first = backoff(1, base, max).num_milliseconds();
            assert!((800..=1200).contains(&first), "{first}");
            let third = backoff(3, base, max).num_milliseconds();
            assert!((3200..=4800).contains(&third), "{third}");
            let late = backoff(30, base, max).num_milliseconds();
            assert!((8000..=12000).contains(&late), "{late}");
        }
    }
}
