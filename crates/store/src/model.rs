//! Rows and inputs exchanged with the store.

use chrono::{DateTime, Utc};
use converge_domain::{
    ApiKeyId, CampaignId, Channel, Currency, CustomerId, Gender, MessageId, OrderId, Scope, SegmentId, UserId,
    WorkspaceId, WorkspaceProfile,
};
use serde::Serialize;

use crate::{StoreError, StoreResult};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Postgres,
    Sqlite,
}

impl Backend {
    pub fn as_str(self) -> &'static str {
        match self {
            Backend::Postgres => "postgres",
            Backend::Sqlite => "sqlite",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Workspace {
    pub id: WorkspaceId,
    pub slug: String,
    pub name: String,
    pub currency: Currency,
    pub created_at: DateTime<Utc>,
    /// Brand, postal address, default country, senders (migration 0017).
    pub profile: WorkspaceProfile,
}

impl Workspace {
    /// What `{{ brand }}` renders: the brand name, else the display name.
    pub fn brand(&self) -> &str {
        self.profile.brand(&self.name)
    }
}

/// A key to store: the caller generated the secret and keeps it; only its hash comes here.
#[derive(Clone, Debug)]
pub struct NewApiKey {
    pub workspace_id: WorkspaceId,
    pub prefix: String,
    pub key_hash: Vec<u8>,
    pub scopes: Vec<Scope>,
    pub label: String,
    /// The person who created it (none for the CLI or another key).
    pub created_by: Option<UserId>,
}

/// What a presented key grants: the workspace it belongs to and its scopes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ApiKeyGrant {
    pub key_id: ApiKeyId,
    pub workspace_id: WorkspaceId,
    pub workspace_slug: String,
    pub workspace_currency: Currency,
    pub scopes: Vec<Scope>,
}

/// What one [`Ingest::apply_ingest`](crate::Ingest::apply_ingest) call changed.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct IngestOutcome {
    /// Customer profiles written (inserted or updated).
    pub customers_upserted: u64,
    /// Profile upserts skipped because a newer one was already stored.
    pub customers_stale: u64,
    /// Orders inserted by this call.
    pub orders_inserted: u64,
    /// Orders whose external id was already stored (redelivery or a client retry).
    pub orders_duplicate: u64,
}

/// Paging and search for the customer list.
#[derive(Clone, Debug, Default)]
pub struct CustomerQuery {
    /// Case-insensitive text matched against name, e-mail, city and external id, and, when it is written like
    /// a phone number (digits with spaces, dashes, dots, brackets or a `+`), its digits against the phone.
    pub search: Option<String>,
    /// Only customers with an id below this one (the previous page's last id); [`CustomerSort::Newest`] only.
    pub before_id: Option<CustomerId>,
    /// The order; ties broken by id.
    pub sort: CustomerSort,
    /// Rows of the sorted list to skip (the other sorts page by offset).
    pub offset: u32,
    pub limit: u32,
}

/// How a customer list is ordered.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum CustomerSort {
    /// Newest first (by id): pages by keyset, stable under inserts.
    #[default]
    Newest,
    /// Highest total spend first.
    Spend,
    /// Most recent order first; customers without orders last.
    LastOrder,
    /// By name, A to Z; customers without a name last.
    Name,
}

impl CustomerSort {
    /// The `ORDER BY` clause (the same words on both backends).
    pub(crate) fn order_by(self) -> &'static str {
        match self {
            CustomerSort::Newest => "id DESC",
            CustomerSort::Spend => "total_spend DESC, id DESC",
            CustomerSort::LastOrder => "last_order_at IS NULL, last_order_at DESC, id DESC",
            CustomerSort::Name => "name_fold IS NULL, name_fold ASC, id ASC",
        }
    }
}

/// The digits of a search written like a phone number (at least three, and nothing but digits, spaces and
/// `+ - . ( )`), as a LIKE pattern over stored E.164 numbers; `None` for any other text.
pub(crate) fn phone_pattern(text: &str) -> Option<String> {
    let phone_like = text.chars().all(|c| c.is_ascii_digit() || matches!(c, ' ' | '+' | '-' | '.' | '(' | ')'));
    let digits: String = text.chars().filter(char::is_ascii_digit).collect();
    (phone_like && digits.len() >= 3).then(|| format!("%{digits}%"))
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct CustomerRow {
    pub id: CustomerId,
    pub external_id: String,
    pub name: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub city: Option<String>,
    pub gender: Option<Gender>,
    pub preferred_channel: Option<Channel>,
    pub attributes: serde_json::Value,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// False while only orders have named this customer and its profile has not arrived.
    pub has_profile: bool,
    pub total_spend: i64,
    pub order_count: i64,
    pub visits: i64,
    pub last_order_at: Option<DateTime<Utc>>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct OrderRow {
    pub id: OrderId,
    pub external_id: String,
    pub amount_minor: i64,
    pub currency: String,
    pub status: String,
    pub channel: Option<String>,
    pub items: serde_json::Value,
    pub ordered_at: DateTime<Utc>,
    pub received_at: DateTime<Utc>,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Counts {
    pub customers: i64,
    pub orders: i64,
}

/// What ingestion added to a workspace on one UTC day (the day the records were received).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct IngestDay {
    pub day: chrono::NaiveDate,
    /// Customer rows created (by a profile, or by an order naming an unknown customer).
    pub customers_created: i64,
    /// Orders recorded (redeliveries and retries of stored orders excluded).
    pub orders_recorded: i64,
    /// The sum of those orders' amounts, in the workspace currency's minor units.
    pub revenue_minor: i64,
}

impl From<(chrono::NaiveDate, i64, i64, i64)> for IngestDay {
    fn from((day, customers_created, orders_recorded, revenue_minor): (chrono::NaiveDate, i64, i64, i64)) -> Self {
        IngestDay { day, customers_created, orders_recorded, revenue_minor }
    }
}

/// One message a customer was sent (or was to be sent): a campaign's log row seen from the customer.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct CustomerMessage {
    pub log_id: MessageId,
    pub campaign_id: CampaignId,
    pub campaign_name: String,
    pub status: converge_domain::DeliveryStatus,
    pub channel: Option<converge_domain::Channel>,
    pub message: Option<String>,
    pub error: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub completed_at: Option<DateTime<Utc>>,
}

/// Scopes are stored as one comma-separated column (`ingest,read`).
pub(crate) fn split_scopes(stored: &str) -> StoreResult<Vec<Scope>> {
    stored.split(',').filter(|s| !s.is_empty()).map(|s| Scope::parse(s).map_err(StoreError::Corrupt)).collect()
}

/// A `LIKE` pattern matching `text` anywhere, case-folded, with `%`, `_` and `\` in it matched literally
/// (both dialects are given `ESCAPE '\'`).
pub(crate) fn like_pattern(text: &str) -> String {
    let mut pattern = String::with_capacity(text.len() + 2);
    pattern.push('%');
    for ch in text.to_lowercase().chars() {
        if matches!(ch, '%' | '_' | '\\') {
            pattern.push('\\');
        }
        pattern.push(ch);
    }
    pattern.push('%');
    pattern
}

/// A saved segment as stored.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct SavedSegment {
    pub id: SegmentId,
    pub name: String,
    pub description: String,
    /// The rule JSON as the user sent it (validated when saved).
    pub rule: serde_json::Value,
    pub last_count: Option<i64>,
    pub last_counted_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// What creating or replacing a saved segment writes.
#[derive(Clone, Debug)]
pub struct SegmentWrite {
    pub name: String,
    pub description: String,
    pub rule: serde_json::Value,
    /// The size just computed for this rule, and when.
    pub count: Option<(i64, DateTime<Utc>)>,
}
