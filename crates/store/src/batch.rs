//! Backend-neutral preparation of an ingest batch: the same folding rules on both databases.
//!
//! A stream batch may name one customer several times and carry the same order twice (client retries,
//! redelivery). Folding here keeps each SQL statement free of duplicate keys, which Postgres requires for
//! set-based upserts, and gives both backends one definition of "which write wins".

use std::collections::BTreeMap;

use chrono::{DateTime, SubsecRound, Utc};
use converge_domain::{
    ConsentSource, CustomerId, CustomerRecord, IngestEnvelope, IngestEvent, OrderRecord, SubscriptionStatus,
    WorkspaceId,
};

/// The most attribute keys a customer keeps. A payload is checked against it at the edge; a merge is checked
/// here, on the merged result, because upserts queue: a profile write whose attribute patch would leave more
/// keys than this keeps the stored attributes as they are (its other fields still apply).
pub(crate) const MAX_ATTRIBUTE_KEYS: i64 = converge_domain::Attributes::MAX_KEYS as i64;

/// Key of a customer across workspaces.
pub(crate) type CustomerKey = (WorkspaceId, String);

/// A profile write after folding every upsert of the same customer in the batch.
#[derive(Debug, Clone)]
pub(crate) struct ProfileWrite {
    pub workspace_id: WorkspaceId,
    pub external_id: String,
    pub received_at: DateTime<Utc>,
    pub name: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub city: Option<String>,
    pub gender: Option<String>,
    pub preferred_channel: Option<String>,
    pub created_at: Option<DateTime<Utc>>,
    /// RFC 7396 merge patch for `attributes`: a key set to null is removed.
    pub attributes_patch: serde_json::Map<String, serde_json::Value>,
}

#[derive(Debug, Clone)]
pub(crate) struct OrderWrite {
    pub workspace_id: WorkspaceId,
    pub external_id: String,
    pub customer_external_id: String,
    pub amount_minor: i64,
    pub currency: String,
    pub status: String,
    pub channel: Option<String>,
    pub items: serde_json::Value,
    pub ordered_at: DateTime<Utc>,
    pub received_at: DateTime<Utc>,
}

/// A customer row that must exist before profiles and orders are written.
#[derive(Debug, Clone)]
pub(crate) struct CustomerSeed {
    pub workspace_id: WorkspaceId,
    pub external_id: String,
    pub created_at: DateTime<Utc>,
    /// When the earliest record of this batch naming the customer was received (the day a new row counts on).
    pub received_at: DateTime<Utc>,
}

/// A consent change an upsert carried (not folded: each is applied in time order, so the history keeps every
/// change; the write itself ignores one that is older than what is recorded, or changes nothing).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct SubscriptionWrite {
    pub workspace_id: WorkspaceId,
    pub external_id: String,
    pub received_at: DateTime<Utc>,
    pub channel: &'static str,
    pub status: SubscriptionStatus,
    pub source: ConsentSource,
}

#[derive(Debug, Default)]
pub(crate) struct PreparedBatch {
    /// Sorted by customer, then time.
    pub subscriptions: Vec<SubscriptionWrite>,
    pub seeds: Vec<CustomerSeed>,
    pub profiles: Vec<ProfileWrite>,
    pub orders: Vec<OrderWrite>,
    /// Orders dropped because the same order appeared earlier in this batch.
    pub orders_repeated: u64,
}

/// Folds a batch into duplicate-free writes, each list sorted by key so that concurrent transactions lock
/// rows in the same order.
///
/// Timestamps are truncated to whole milliseconds here, so both backends store the same instants (SQLite keeps
/// milliseconds, Postgres would keep microseconds) and segment rules, which compare milliseconds, give the
/// same answer on either.
pub(crate) fn prepare(batch: &[IngestEnvelope]) -> PreparedBatch {
    let mut profiles: BTreeMap<CustomerKey, ProfileWrite> = BTreeMap::new();
    let mut orders: BTreeMap<CustomerKey, OrderWrite> = BTreeMap::new();
    let mut seeds: BTreeMap<CustomerKey, CustomerSeed> = BTreeMap::new();
    let mut orders_repeated = 0;
    let mut subscriptions = Vec::new();
    for envelope in batch {
        match &envelope.event {
            IngestEvent::Customer(customer) => {
                subscriptions.extend(customer.subscriptions.iter().map(|(channel, status)| SubscriptionWrite {
                    workspace_id: envelope.workspace_id,
                    external_id: customer.external_id.as_str().to_owned(),
                    received_at: envelope.received_at.trunc_subsecs(3),
                    channel: channel.as_str(),
                    status,
                    source: customer.subscription_source,
                }));
                let write = profile_write(envelope.workspace_id, envelope.received_at, customer);
                let key = (write.workspace_id, write.external_id.clone());
                seed(&mut seeds, &key, write.created_at.unwrap_or(write.received_at), write.received_at);
                match profiles.get_mut(&key) {
                    Some(existing) => fold_profile(existing, write),
                    None => {
                        profiles.insert(key, write);
                    }
                }
            }
            IngestEvent::Order(order) => {
                let write = order_write(envelope.workspace_id, envelope.received_at, order);
                let customer = (write.workspace_id, write.customer_external_id.clone());
                seed(&mut seeds, &customer, write.received_at, write.received_at);
                let key = (write.workspace_id, write.external_id.clone());
                match orders.entry(key) {
                    std::collections::btree_map::Entry::Occupied(_) => orders_repeated += 1,
                    std::collections::btree_map::Entry::Vacant(slot) => {
                        slot.insert(write);
                    }
                }
            }
        }
    }
    subscriptions.sort_by(|a, b| {
        (a.workspace_id, &a.external_id, a.received_at).cmp(&(b.workspace_id, &b.external_id, b.received_at))
    });
    PreparedBatch {
        subscriptions,
        seeds: seeds.into_values().collect(),
        profiles: profiles.into_values().collect(),
        orders: orders.into_values().collect(),
        orders_repeated,
    }
}

fn seed(
    seeds: &mut BTreeMap<CustomerKey, CustomerSeed>,
    key: &CustomerKey,
    created_at: DateTime<Utc>,
    received_at: DateTime<Utc>,
) {
    seeds
        .entry(key.clone())
        .and_modify(|s| {
            s.created_at = s.created_at.min(created_at);
            s.received_at = s.received_at.min(received_at);
        })
        .or_insert_with(|| CustomerSeed { workspace_id: key.0, external_id: key.1.clone(), created_at, received_at });
}

fn profile_write(workspace_id: WorkspaceId, received_at: DateTime<Utc>, c: &CustomerRecord) -> ProfileWrite {
    let attributes_patch = match c.attributes.to_json() {
        serde_json::Value::Object(map) => map,
        _ => serde_json::Map::new(),
    };
    ProfileWrite {
        workspace_id,
        external_id: c.external_id.as_str().to_owned(),
        received_at: received_at.trunc_subsecs(3),
        name: c.name.as_ref().map(|v| v.as_str().to_owned()),
        email: c.email.as_ref().map(|v| v.as_str().to_owned()),
        phone: c.phone.as_ref().map(|v| v.as_str().to_owned()),
        city: c.city.as_ref().map(|v| v.as_str().to_owned()),
        gender: c.gender.map(|v| v.as_str().to_owned()),
        preferred_channel: c.preferred_channel.map(|v| v.as_str().to_owned()),
        created_at: c.created_at.map(|at| at.trunc_subsecs(3)),
        attributes_patch,
    }
}

/// Applies `later` over `earlier` as if both were written one after the other; the newer write wins
/// field by field, and an older one received later is applied under the newer one.
fn fold_profile(earlier: &mut ProfileWrite, later: ProfileWrite) {
    let (mut base, top) =
        if later.received_at >= earlier.received_at { (earlier.clone(), later) } else { (later, earlier.clone()) };
    base.received_at = top.received_at;
    base.name = top.name.or(base.name);
    base.email = top.email.or(base.email);
    base.phone = top.phone.or(base.phone);
    base.city = top.city.or(base.city);
    base.gender = top.gender.or(base.gender);
    base.preferred_channel = top.preferred_channel.or(base.preferred_channel);
    base.created_at = top.created_at.or(base.created_at);
    for (key, value) in top.attributes_patch {
        base.attributes_patch.insert(key, value);
    }
    *earlier = base;
}

fn order_write(workspace_id: WorkspaceId, received_at: DateTime<Utc>, o: &OrderRecord) -> OrderWrite {
    OrderWrite {
        workspace_id,
        external_id: o.external_id.as_str().to_owned(),
        customer_external_id: o.customer_external_id.as_str().to_owned(),
        amount_minor: o.amount.minor(),
        currency: o.currency.code().to_owned(),
        status: o.status.as_str().to_owned(),
        channel: o.channel.clone(),
        items: serde_json::to_value(&o.items).unwrap_or(serde_json::Value::Array(Vec::new())),
        ordered_at: o.ordered_at.trunc_subsecs(3),
        received_at: received_at.trunc_subsecs(3),
    }
}

/// Per-customer increments from the orders an insert actually wrote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct AggregateDelta {
    pub customer_id: CustomerId,
    pub spend: i64,
    pub orders: i64,
    pub last_order_at: DateTime<Utc>,
}

/// Sums inserted `(customer_id, amount_minor, ordered_at)` rows per customer, sorted by customer id.
pub(crate) fn aggregate(inserted: &[(CustomerId, i64, DateTime<Utc>)]) -> Vec<AggregateDelta> {
    let mut by_customer: BTreeMap<CustomerId, AggregateDelta> = BTreeMap::new();
    for &(customer_id, amount, at) in inserted {
        let delta = by_customer.entry(customer_id).or_insert(AggregateDelta {
            customer_id,
            spend: 0,
            orders: 0,
            last_order_at: at,
        });
        delta.spend = converge_domain::Money::capped_total(delta.spend, amount);
        delta.orders += 1;
        delta.last_order_at = delta.last_order_at.max(at);
    }
    by_customer.into_values().collect()
}
