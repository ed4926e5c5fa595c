//! What the dispatcher knows about a batch's recipients before it sends: per workspace, its compliance
//! settings, the recipients' subscriptions, which of their addresses are suppressed, how many marketing
//! messages each got within the frequency cap's window, and the key their unsubscribe links are signed with.
//! Read once per batch (at most four queries per workspace), so consent is decided when a message is sent,
//! not when its campaign was launched: a STOP that arrives mid-campaign stops the rest.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Duration, Utc};
use converge_domain::consent::{decide, ConsentFacts, SuppressionAddress, Verdict};
use converge_domain::{Channel, Compliance, CustomerId, SubscriptionStatus, Topic, WorkspaceId};
use converge_store::{topic_subject, ClaimedDelivery, Store};

use super::links::{LinkSigner, Links};

pub struct Gate {
    pub compliance: Compliance,
    pub signer: LinkSigner,
    /// Per customer, each recorded subject and its status (a handful at most: searched, not hashed).
    subscriptions: HashMap<CustomerId, Vec<(String, SubscriptionStatus)>>,
    suppressed: HashSet<String>,
    sent: HashMap<CustomerId, u32>,
}

/// Who a message would go to: the customer and their addresses.
#[derive(Clone, Copy, Debug)]
pub struct Recipient<'a> {
    pub customer_id: CustomerId,
    pub email: Option<&'a str>,
    pub phone: Option<&'a str>,
}

impl<'a> From<&'a ClaimedDelivery> for Recipient<'a> {
    fn from(claim: &'a ClaimedDelivery) -> Self {
        Recipient { customer_id: claim.customer_id, email: claim.email.as_deref(), phone: claim.phone.as_deref() }
    }
}

impl Gate {
    /// Loads the facts of `recipients` (all of `workspace_id`).
    pub async fn load(
        store: &dyn Store,
        links: &Links,
        workspace_id: WorkspaceId,
        recipients: &[Recipient<'_>],
        now: DateTime<Utc>,
    ) -> anyhow::Result<Gate> {
        let compliance = super::compliance::load(store, workspace_id).await?;
        let mut customers: Vec<CustomerId> = recipients.iter().map(|c| c.customer_id).collect();
        customers.sort_unstable();
        customers.dedup();
        let mut hashes: Vec<String> = recipients
            .iter()
            .flat_map(|c| {
                let email = c.email.map(|e| SuppressionAddress::of_email(e).key().0);
                let phone = c.phone.map(|p| SuppressionAddress::of_phone(p).key().0);
                email.into_iter().chain(phone)
            })
            .collect();
        hashes.sort_unstable();
        hashes.dedup();
        let since = compliance.frequency_cap.map(|cap| now - Duration::days(i64::from(cap.days)));
        let snapshot = store.consent_snapshot(workspace_id, &customers, &hashes, since).await?;
        let signer = links.signer(store, workspace_id).await?;
        Ok(Gate {
            compliance,
            signer,
            subscriptions: snapshot.subscriptions.into_iter().fold(
                HashMap::new(),
                |mut by_customer, (c, s, status)| {
                    by_customer.entry(c).or_insert_with(Vec::new).push((s, status));
                    by_customer
                },
            ),
            suppressed: snapshot.suppressed.into_iter().collect(),
            sent: snapshot.sent_since.into_iter().map(|(c, n)| (c, u32::try_from(n).unwrap_or(u32::MAX))).collect(),
        })
    }

    /// The verdict for a message to `customer_id` (in `timezone`, their own if they have one) going out on
    /// `channel` to `address`. A message allowed through counts toward its customer's cap at once, so two
    /// messages to one customer in one batch cannot both slip under it.
    pub fn admit(
        &mut self,
        customer_id: CustomerId,
        timezone: Option<&str>,
        channel: Channel,
        address: &str,
        topic: Option<&Topic>,
        now: DateTime<Utc>,
    ) -> Verdict {
        let key = SuppressionAddress::of_channel(channel, address).key();
        let facts = ConsentFacts {
            status: self.status(customer_id, channel.as_str()),
            topic_unsubscribed: topic.is_some_and(|topic| {
                self.status(customer_id, &topic_subject(topic.as_str())) == Some(SubscriptionStatus::Unsubscribed)
            }),
            suppressed: self.suppressed.contains(&key.0),
            sent_in_window: self.sent.get(&customer_id).copied().unwrap_or(0),
            timezone,
        };
        let verdict = decide(&self.compliance, channel, &facts, now);
        if verdict == Verdict::Send {
            *self.sent.entry(customer_id).or_insert(0) += 1;
        }
        verdict
    }

    fn status(&self, customer_id: CustomerId, subject: &str) -> Option<SubscriptionStatus> {
        self.subscriptions.get(&customer_id)?.iter().find(|(s, _)| s == subject).map(|(_, status)| *status)
    }

    /// A test gate: these settings, nothing recorded, a fixed link key.
    #[cfg(test)]
    pub fn fixed(compliance: Compliance) -> Gate {
        Gate {
            compliance,
            signer: LinkSigner::fixed("https://crm.test"),
            subscriptions: HashMap::new(),
            suppressed: HashSet::new(),
            sent: HashMap::new(),
        }
    }
}
