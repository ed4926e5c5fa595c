//! Campaign rows and what the delivery pipeline exchanges with the store.

use chrono::{DateTime, Utc};
use converge_domain::segment::Rule;
use converge_domain::{
    CampaignId, CampaignStatus, Channel, CustomerId, DeliveryStatus, MessageId, ReceiptStatus, SegmentId, SendChannel,
    Topic, WorkspaceId,
};
use serde::Serialize;

/// A campaign to create. The audience is snapshotted from `rule` at creation, so what a preview counted is
/// what is sent; templates are rendered per recipient at dispatch.
#[derive(Clone, Debug)]
pub struct NewCampaign {
    pub name: String,
    pub channel: SendChannel,
    /// The message template as the user wrote it (validated by the caller).
    pub template: String,
    /// The saved segment the audience came from, if any (its rule is copied into `rule_json`/`rule`).
    pub segment_id: Option<SegmentId>,
    /// The rule JSON as sent or as the segment held it, stored for display.
    pub rule_json: serde_json::Value,
    /// `rule_json` parsed with the workspace's currency: it selects the recipients.
    pub rule: Rule,
    /// When dispatch may start (the caller defaults it to now).
    pub send_at: DateTime<Utc>,
    /// A client's key: creating again with the same key in the same workspace returns the first campaign.
    pub idempotency_key: Option<String>,
    /// What the request carrying `idempotency_key` looked like (a hash of its body), so a later request with
    /// the same key but another body can be told apart from a retry.
    pub request_fingerprint: Option<String>,
    /// The topic the campaign is about: customers who left it are skipped as unsubscribed.
    pub topic: Option<Topic>,
    /// E-mail: the subject line template (the campaign's name when `None`) and the preheader.
    pub subject: Option<String>,
    pub preheader: Option<String>,
}

/// What a draft or a not-yet-started campaign holds besides its status and counters: every field an edit may
/// change (the caller merges a patch into the stored values and validates the whole).
#[derive(Clone, Debug, PartialEq)]
pub struct CampaignFields {
    pub name: String,
    pub channel: SendChannel,
    /// The message template; empty while a draft has none yet.
    pub template: String,
    pub segment_id: Option<SegmentId>,
    /// The audience rule as sent or as the segment held it; JSON `null` while a draft has no audience yet.
    pub rule_json: serde_json::Value,
    /// When dispatch may start (a draft's planned time; launching checks it again).
    pub send_at: DateTime<Utc>,
    pub topic: Option<Topic>,
    pub subject: Option<String>,
    pub preheader: Option<String>,
}

/// A draft to save: its fields, and the client's idempotency key as on [`NewCampaign`].
#[derive(Clone, Debug)]
pub struct NewDraft {
    pub fields: CampaignFields,
    pub idempotency_key: Option<String>,
    pub request_fingerprint: Option<String>,
}

/// A change to a campaign that has not started: its fields replaced by `fields`, its status moved from
/// `from` to `to` (draft → draft when a draft is edited, draft → scheduled when it is launched, scheduled →
/// scheduled when a scheduled campaign is edited).
#[derive(Clone, Debug)]
pub struct CampaignEdit {
    /// The status the caller read: the edit applies only while the campaign is still in it.
    pub from: CampaignStatus,
    pub to: CampaignStatus,
    pub fields: CampaignFields,
    /// Replaces the audience snapshot with the customers this rule selects now: a draft being launched, or a
    /// scheduled campaign that never ran whose audience changed.
    pub snapshot: Option<Rule>,
}

impl NewCampaign {
    /// The editable fields of this campaign.
    pub fn fields(&self) -> CampaignFields {
        CampaignFields {
            name: self.name.clone(),
            channel: self.channel,
            template: self.template.clone(),
            segment_id: self.segment_id,
            rule_json: self.rule_json.clone(),
            send_at: self.send_at,
            topic: self.topic.clone(),
            subject: self.subject.clone(),
            preheader: self.preheader.clone(),
        }
    }
}

/// A campaign's messages by status. On a [`CampaignRow`] these are its counters; from
/// [`CampaignLog::campaign_log_counts`](crate::CampaignLog::campaign_log_counts) they are counted from the log itself, and the two always agree.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct CampaignStats {
    /// Every recipient snapshotted: the sum of the four statuses.
    pub audience: i64,
    pub pending: i64,
    pub sent: i64,
    pub failed: i64,
    pub skipped: i64,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct CampaignRow {
    pub id: CampaignId,
    pub workspace_id: WorkspaceId,
    pub name: String,
    pub channel: SendChannel,
    pub template: String,
    pub segment_id: Option<SegmentId>,
    pub rule: serde_json::Value,
    pub status: CampaignStatus,
    pub send_at: DateTime<Utc>,
    pub idempotency_key: Option<String>,
    /// See [`NewCampaign::request_fingerprint`]; `None` for campaigns created before migration 0014.
    #[serde(skip)]
    pub request_fingerprint: Option<String>,
    pub topic: Option<Topic>,
    /// E-mail: the subject line template (the campaign's name when `None`) and the preheader.
    pub subject: Option<String>,
    pub preheader: Option<String>,
    pub stats: CampaignStats,
    pub created_at: DateTime<Utc>,
    /// The last change of status (counters move without touching it, so it does not churn per receipt).
    pub updated_at: DateTime<Utc>,
    /// When it first started running.
    pub launched_at: Option<DateTime<Utc>>,
    /// When it reached completed or cancelled (cleared if a retry reopens it).
    pub completed_at: Option<DateTime<Utc>>,
}

/// One message a dispatcher claimed: everything needed to resolve the address, render the template and
/// call the vendor without another query.
#[derive(Clone, Debug, PartialEq)]
pub struct ClaimedDelivery {
    pub log_id: MessageId,
    pub campaign_id: CampaignId,
    pub workspace_id: WorkspaceId,
    pub channel: SendChannel,
    pub template: String,
    pub customer_id: CustomerId,
    pub external_id: String,
    pub name: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub city: Option<String>,
    pub attributes: serde_json::Value,
    pub preferred_channel: Option<Channel>,
    pub total_spend: i64,
    pub order_count: i64,
    /// Claims of this message in its current generation, this one included (1 on the first try).
    pub attempts: i32,
    /// Bumped by [`Lifecycle::retry_failed`](crate::Lifecycle::retry_failed). Put `{log_id}.{generation}` (or similar) in the vendor's
    /// idempotency reference: re-sends after a lost answer dedupe at the vendor, a user's retry does not.
    pub generation: i32,
    /// The claim is the caller's until then; afterwards another worker may claim the message again.
    pub claimed_until: DateTime<Utc>,
}

impl ClaimedDelivery {
    /// The result of dispatching this claim, fenced by its attempt and generation.
    pub fn result(&self, outcome: DispatchOutcome) -> DispatchResult {
        DispatchResult { log_id: self.log_id, attempts: self.attempts, generation: self.generation, outcome }
    }
}

/// What happened when a worker dispatched a claimed message. `attempts` and `generation` are the claim's
/// (use [`ClaimedDelivery::result`]): a result from a claim that expired and was taken over is ignored,
/// except `Accepted`, which is a fact about the vendor and is always kept.
#[derive(Clone, Debug, PartialEq)]
pub struct DispatchResult {
    pub log_id: MessageId,
    pub attempts: i32,
    pub generation: i32,
    pub outcome: DispatchOutcome,
}

#[derive(Clone, Debug, PartialEq)]
pub enum DispatchOutcome {
    /// The vendor took the message; it stays PENDING until the vendor's receipt. `route` names the channel
    /// configuration it went through: only a receipt that came through the same route can settle it.
    Accepted { vendor_message_id: String, route: String, channel: Channel, address: String, message: String },
    /// Not sent (e.g. no address for the channel): SKIPPED with the reason.
    Skipped { reason: String },
    /// A transient failure: the claim is released and the message is due again at `next_attempt_at`.
    Retry { error: String, next_attempt_at: DateTime<Utc> },
    /// Not now (quiet hours): the claim is released, the message is due again at `until`, and this claim does
    /// not count as an attempt. `reason` is shown in the log meanwhile.
    Deferred { reason: String, until: DateTime<Utc> },
    /// Given up (the last attempt failed, or a permanent error): FAILED with the reason.
    Failed { error: String },
}

/// What [`Dispatch::record_dispatch`](crate::Dispatch::record_dispatch) did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct DispatchSummary {
    /// Results written.
    pub recorded: u64,
    /// Results ignored: stale claims, messages already final or already accepted, repeated log ids.
    pub ignored: u64,
    /// Parked receipts (that had arrived before their `Accepted`) applied on the way.
    pub receipts_applied: u64,
}

/// A vendor's delivery receipt, as the receipt applier hands it to the store. It settles a message only if all
/// three of `log_id`, `route` and `vendor_message_id` match what the dispatcher recorded for it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReceiptUpdate {
    /// The message, from the reference the vendor echoes (`{log_id}.{generation}`).
    pub log_id: MessageId,
    /// The delivery route the receipt came through (whose signing secret verified it).
    pub route: String,
    pub vendor_message_id: String,
    pub status: ReceiptStatus,
    pub error: Option<String>,
    /// When the vendor says the outcome happened (becomes the message's `completed_at`).
    pub at: DateTime<Utc>,
    /// A FAILED the vendor calls permanent: the message is marked (never retried) and its address queued for
    /// the suppression list ([`Consent::settle_bounces`](crate::Consent::settle_bounces)) as it settles.
    pub permanent: bool,
}

/// What one [`Receipts::apply_receipts`](crate::Receipts::apply_receipts) batch did; the three add up to the batch's length.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ReceiptOutcome {
    /// Receipts that moved a PENDING message to SENT or FAILED.
    pub applied: u64,
    /// Receipts for a message that already had an outcome, repeated within the batch, or naming a message
    /// that was accepted through another route or under another vendor id.
    pub ignored_duplicates_or_late: u64,
    /// Receipts for a message whose acceptance is not recorded yet: parked until it is.
    pub unknown: u64,
}

/// One row of a campaign's log, with the customer's external id and name.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct LogRow {
    pub id: MessageId,
    pub customer_id: CustomerId,
    pub customer_external_id: String,
    pub customer_name: Option<String>,
    pub status: DeliveryStatus,
    pub attempts: i32,
    /// The channel, address and rendered message, set when the vendor accepted the message.
    pub channel: Option<Channel>,
    pub address: Option<String>,
    pub message: Option<String>,
    pub vendor_message_id: Option<String>,
    /// Why it failed or was skipped, or the last transient error while it is retried.
    pub error: Option<String>,
    pub next_attempt_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// When the vendor accepted it.
    pub dispatched_at: Option<DateTime<Utc>>,
    /// When it reached its final status (the receipt's time for SENT/FAILED by receipt).
    pub completed_at: Option<DateTime<Utc>>,
}

/// Outcomes completed in one time bucket of a campaign's timeline.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct TimelinePoint {
    pub bucket_start: DateTime<Utc>,
    pub sent: i64,
    pub failed: i64,
}

/// A workspace's own delivery route: receipts posted to `/api/v1/delivery-receipts/{route}` must be signed with
/// `signing_secret` and may only settle messages sent through this route.
#[derive(Clone, PartialEq, Eq)]
pub struct DeliveryRoute {
    pub route: String,
    pub workspace_id: WorkspaceId,
    pub signing_secret: String,
}

impl std::fmt::Debug for DeliveryRoute {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DeliveryRoute")
            .field("route", &self.route)
            .field("workspace_id", &self.workspace_id)
            .field("signing_secret", &"[redacted]")
            .finish()
    }
}

/// A route to keep with a workspace's channel settings (see [`ChannelSettings::put_channel_settings`](crate::ChannelSettings::put_channel_settings)).
#[derive(Clone, PartialEq, Eq)]
pub struct NewDeliveryRoute {
    pub route: String,
    pub signing_secret: String,
}

impl std::fmt::Debug for NewDeliveryRoute {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NewDeliveryRoute").field("route", &self.route).field("signing_secret", &"[redacted]").finish()
    }
}
