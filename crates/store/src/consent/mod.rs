//! Consent and compliance on both backends: subscriptions with their history, the suppression list, the
//! compliance settings document, and the facts the dispatcher decides each message by (migration 0015).

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use converge_domain::consent::SuppressionAddress;
use converge_domain::{Channel, ConsentSource, CustomerId, MessageId, SubscriptionStatus, WorkspaceId};
use serde::Serialize;

use crate::StoreResult;
pub use erase::Erasure;

mod erase;
mod queries;
pub(crate) mod write;

/// The subject of a subscription: a channel (`email`, `sms`, `whatsapp`) or a topic (`topic:<name>`).
pub fn topic_subject(topic: &str) -> String {
    format!("topic:{topic}")
}

/// One consent state, current or historical.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct SubscriptionRow {
    pub subject: String,
    pub status: SubscriptionStatus,
    pub source: ConsentSource,
    pub changed_at: DateTime<Utc>,
}

/// A consent change to apply: it takes effect only if it is newer than what is recorded for the subject and
/// changes its status (so a redelivered or repeated change adds nothing to the history).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SubscriptionChange {
    pub customer_id: CustomerId,
    pub subject: String,
    pub status: SubscriptionStatus,
    pub source: ConsentSource,
    pub changed_at: DateTime<Utc>,
}

/// An entry of a workspace's suppression list.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct SuppressionRow {
    pub id: i64,
    /// `email` or `phone`.
    pub kind: String,
    pub masked: String,
    pub reason: String,
    pub source: ConsentSource,
    pub created_at: DateTime<Utc>,
    #[serde(skip)]
    pub address_hash: String,
}

/// An address to suppress. Only its hash and masked form are stored (see
/// [`SuppressionAddress`]); the address itself is used to find the customers it matches.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewSuppression {
    pub address: SuppressionAddress,
    pub reason: String,
    pub source: ConsentSource,
}

impl NewSuppression {
    pub fn new(address: SuppressionAddress, reason: &str, source: ConsentSource) -> NewSuppression {
        NewSuppression { address, reason: reason.to_owned(), source }
    }
}

/// What the dispatcher needs to decide a batch of one workspace's messages.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ConsentSnapshot {
    /// Every recorded subscription of the customers asked about.
    pub subscriptions: Vec<(CustomerId, String, SubscriptionStatus)>,
    /// The address hashes asked about that are suppressed.
    pub suppressed: Vec<String>,
    /// Messages accepted for each customer asked about since the window's start (only when a start was given).
    pub sent_since: Vec<(CustomerId, i64)>,
}

/// A `pending` subscription whose confirmation request is to be sent now (claimed: no other node sends it).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PendingConfirmation {
    pub workspace_id: WorkspaceId,
    pub customer_id: CustomerId,
    /// The channel to confirm (`email`, `sms`, `whatsapp`).
    pub subject: String,
    pub email: Option<String>,
    pub phone: Option<String>,
    /// When the pending status was recorded (part of the request's vendor reference).
    pub changed_at: DateTime<Utc>,
}

/// Who a message went to: for a complaint about it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MessageRecipient {
    pub workspace_id: WorkspaceId,
    pub customer_id: CustomerId,
    pub channel: Option<Channel>,
    /// Where it was sent; `None` once the customer was erased.
    pub address: Option<String>,
}

/// Consent, suppression and compliance settings.
#[async_trait]
pub trait Consent: Send + Sync {
    /// The compliance settings document (JSON; the server validates it), if ever stored.
    async fn compliance_settings(&self, workspace_id: WorkspaceId) -> StoreResult<Option<serde_json::Value>>;

    async fn put_compliance_settings(
        &self,
        workspace_id: WorkspaceId,
        settings: &serde_json::Value,
        now: DateTime<Utc>,
    ) -> StoreResult<()>;

    /// A customer's current subscriptions, by subject.
    async fn subscriptions(
        &self,
        workspace_id: WorkspaceId,
        customer_id: CustomerId,
    ) -> StoreResult<Vec<SubscriptionRow>>;

    /// A customer's consent changes, newest first.
    async fn subscription_history(
        &self,
        workspace_id: WorkspaceId,
        customer_id: CustomerId,
        limit: u32,
    ) -> StoreResult<Vec<SubscriptionRow>>;

    /// Applies changes (customers of other workspaces are ignored); returns how many took effect.
    async fn change_subscriptions(&self, workspace_id: WorkspaceId, changes: &[SubscriptionChange])
        -> StoreResult<u64>;

    /// The facts of one workspace's batch: subscriptions of `customers`, which of `address_hashes` are
    /// suppressed, and (with `sent_since`) each customer's messages accepted since then.
    async fn consent_snapshot(
        &self,
        workspace_id: WorkspaceId,
        customers: &[CustomerId],
        address_hashes: &[String],
        sent_since: Option<DateTime<Utc>>,
    ) -> StoreResult<ConsentSnapshot>;

    /// One page of the suppression list, newest first.
    async fn suppressions(
        &self,
        workspace_id: WorkspaceId,
        before_id: Option<i64>,
        limit: u32,
    ) -> StoreResult<Vec<SuppressionRow>>;

    /// Adds an entry (an address already listed keeps its first entry, which is returned); true when added.
    async fn add_suppression(
        &self,
        workspace_id: WorkspaceId,
        entry: &NewSuppression,
        now: DateTime<Utc>,
    ) -> StoreResult<(SuppressionRow, bool)>;

    /// Removes an entry by id; false when the workspace has none with that id.
    async fn delete_suppression(&self, workspace_id: WorkspaceId, id: i64) -> StoreResult<bool>;

    /// Removes the entry of an address if `source` added it (a START reply lifts only a STOP's entry).
    async fn lift_suppression(
        &self,
        workspace_id: WorkspaceId,
        address: &SuppressionAddress,
        source: ConsentSource,
    ) -> StoreResult<bool>;

    /// Adds the addresses of up to `limit` messages that failed for good (queued as their receipt settled
    /// them, see [`ReceiptUpdate::permanent`](crate::ReceiptUpdate::permanent)) to their workspaces'
    /// suppression lists (source `bounce`, the vendor's error as the reason), in one transaction with
    /// taking them off the queue; returns how many were taken.
    async fn settle_bounces(&self, limit: u32, now: DateTime<Utc>) -> StoreResult<u64>;

    /// The key the workspace's unsubscribe links are signed with (32 random bytes as hex, made on first use).
    async fn link_key(&self, workspace_id: WorkspaceId, now: DateTime<Utc>) -> StoreResult<String>;

    /// Claims up to `limit` pending channel subscriptions whose confirmation request has not gone out
    /// (marking it sent at `now`), oldest first.
    async fn claim_confirmations(&self, now: DateTime<Utc>, limit: u32) -> StoreResult<Vec<PendingConfirmation>>;

    /// Gives a claimed confirmation back (its request could not be sent), so a later claim sends it.
    async fn release_confirmation(&self, confirmation: &PendingConfirmation) -> StoreResult<()>;

    /// Holds frequency-cap slots for messages a dispatcher is about to send: of `wanted` (customer, message),
    /// in order, each whose customer has fewer than `cap` messages accepted since `since` plus held by other
    /// sends (holds since `fresh_since`) is granted and held until its dispatch result is recorded. Atomic
    /// per customer across nodes, so concurrent dispatchers never pass a cap together. Returns the granted
    /// messages (a message already held by this caller, e.g. a retried claim, is re-held, not counted twice).
    async fn hold_frequency_cap(
        &self,
        workspace_id: WorkspaceId,
        cap: u32,
        since: DateTime<Utc>,
        fresh_since: DateTime<Utc>,
        now: DateTime<Utc>,
        wanted: &[(CustomerId, MessageId)],
    ) -> StoreResult<Vec<MessageId>>;

    /// The recipient of message `log_id` if it was accepted through `route` under `vendor_message_id` (so a
    /// vendor can only name messages it delivered).
    async fn message_recipient(
        &self,
        log_id: MessageId,
        route: &str,
        vendor_message_id: &str,
    ) -> StoreResult<Option<MessageRecipient>>;

    /// The customers (of any workspace) with this phone number, for inbound replies.
    async fn customers_with_phone(&self, phone: &str) -> StoreResult<Vec<(WorkspaceId, CustomerId)>>;
}
