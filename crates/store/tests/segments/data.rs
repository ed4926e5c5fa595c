//! Random customer and order data for the segment property test: nulls, Unicode whose lowercase differs
//! by locale or changes length (`İ`, `ß`, `Σ`), `%`, `_`, `\`, quotes, attributes of mixed JSON types, exact
//! and huge numbers, customers with no orders and orders with no profile, and timestamps that sit exactly on
//! the day boundaries the rules use.

use chrono::{DateTime, Duration, Utc};
use converge_domain::{CustomerInput, IngestEnvelope, IngestEvent, OrderInput, WorkspaceId};
use proptest::prelude::*;
use serde_json::{json, Map, Value};

use super::support::inr;

/// The rules' `now`; data lies around it (up to 20 hours after, as clients may send).
pub fn now() -> DateTime<Utc> {
    "2025-06-01T12:00:00Z".parse().unwrap()
}

pub const NAMES: &[&str] = &[
    "Ünïcödé",
    "ÜNÏCÖDÉ",
    "İstanbul Özdemir",
    "ß",
    "Straße",
    "STRASSE",
    "100% Real_Name",
    "back\\slash",
    "O'Brien",
    "\"quoted\"",
    "ΟΔΥΣΣΕΥΣ",
    "plain",
    "PLAIN Name",
    "a_b",
    "a%b",
];
pub const CITIES: &[&str] =
    &["Pune", "PUNE", "İstanbul", "istanbul", "Köln", "KÖLN", "São Paulo", "%", "_", "\\", "O'Fallon", "ß", "SS"];
pub const EMAILS: &[&str] = &["Ünï@Example.in", "x_y@ex.in", "pct%@ex.in", "o'brien@ex.in", "Back\\Slash@EX.in"];
pub const PHONES: &[&str] = &["+919876543210", "9876543210", "+14155550100"];
pub const TIERS: &[&str] = &["Gold", "GOLD", "gold ", "Ünï", "%", "a_b", "'; DROP TABLE customers; --", ""];

/// A JSON number or a stray value of another type, for the numeric attributes.
pub fn number_values() -> Vec<Value> {
    let texts =
        ["0", "7", "-3", "2.5", "2.50", "1e3", "1000", "99999999999999999999", "9007199254740993", "0.1", "-0.5"];
    let mut values: Vec<Value> = texts.iter().map(|t| Value::Number(serde_json::from_str(t).unwrap())).collect();
    values.extend([json!("10"), json!(true)]);
    values
}

/// A timestamp `days` days (and `hours`, `ms`) before [`now`]: boundaries that rules hit exactly.
pub fn instant(days: i64, hours: i64, ms: i64) -> DateTime<Utc> {
    now() - Duration::days(days) - Duration::hours(hours) + Duration::milliseconds(ms)
}

/// Day offsets from [`now`] that data and rules share, so that boundaries (exactly 30 days ago, the 90-day
/// window's edge, …) are hit often.
pub const DAYS: &[i64] = &[0, 1, 2, 29, 30, 31, 89, 90, 91, 364, 365, 366, 700];

/// An instant near one of the [`DAYS`] boundaries: on it, a millisecond either side, an hour before, or
/// 20 hours after.
pub fn instant_strategy() -> impl Strategy<Value = DateTime<Utc>> {
    (
        prop::sample::select(DAYS),
        prop::sample::select(vec![0i64, 0, 1, -20]),
        prop::sample::select(vec![0i64, 0, 1, -1, 999]),
    )
        .prop_map(|(d, h, ms)| instant(d, h, ms))
}

#[derive(Clone, Debug)]
pub struct Customer {
    /// First profile upsert; `None` makes an order-only (bare) customer.
    pub profile: Option<Value>,
    /// A later partial upsert (changes some fields, removes or retypes attributes).
    pub update: Option<Value>,
    pub orders: Vec<(DateTime<Utc>, u32)>,
}

fn pick(pool: &'static [&'static str]) -> impl Strategy<Value = Option<String>> {
    prop::option::of(prop::sample::select(pool).prop_map(str::to_owned))
}

fn attributes() -> impl Strategy<Value = Map<String, Value>> {
    (
        prop::option::of(prop::sample::select(TIERS)),
        prop::option::of(prop::sample::select(number_values())),
        prop::option::of(prop_oneof![any::<bool>().prop_map(Value::from), Just(json!("true"))]),
        prop::option::of(prop_oneof![Just(json!("x")), Just(json!(5)), Just(json!(false))]),
    )
        .prop_map(|(tier, score, vip, mixed)| {
            let mut map = Map::new();
            let entries = [("tier", tier.map(Value::from)), ("score", score), ("vip", vip), ("mixed", mixed)];
            for (key, value) in entries {
                if let Some(value) = value {
                    map.insert(key.to_owned(), value);
                }
            }
            map
        })
}

fn profile() -> impl Strategy<Value = Value> {
    let enums = (
        prop::option::of(prop::sample::select(vec!["female", "male", "non_binary", "other", "unknown"])),
        prop::option::of(prop::sample::select(vec!["sms", "email", "whatsapp"])),
    );
    // Consent per channel (a segment field, read from the subscriptions table): each recorded or not.
    let status = || prop::option::of(prop::sample::select(vec!["subscribed", "unsubscribed", "pending"]));
    let consent = (status(), status(), status()).prop_map(|(email, sms, whatsapp)| {
        let mut map = Map::new();
        for (channel, status) in [("email", email), ("sms", sms), ("whatsapp", whatsapp)] {
            if let Some(status) = status {
                map.insert(channel.to_owned(), json!(status));
            }
        }
        map
    });
    let contact = (pick(NAMES), pick(EMAILS), pick(PHONES), pick(CITIES));
    (contact, enums, prop::option::of(instant_strategy()), attributes(), consent).prop_map(
        |((name, email, phone, city), (gender, channel), created_at, attributes, consent)| {
            json!({
                "name": name, "email": email, "phone": phone, "city": city, "gender": gender,
                "preferred_channel": channel, "created_at": created_at.map(|at| at.to_rfc3339()),
                "attributes": attributes, "subscriptions": consent,
            })
        },
    )
}

fn update() -> impl Strategy<Value = Value> {
    (pick(CITIES), pick(NAMES), prop::option::of(prop::sample::select(TIERS)), any::<bool>(), any::<bool>()).prop_map(
        |(city, name, tier, drop_score, retype_vip)| {
            let mut attributes = Map::new();
            if let Some(tier) = tier {
                attributes.insert("tier".into(), json!(tier));
            }
            if drop_score {
                attributes.insert("score".into(), Value::Null);
            }
            if retype_vip {
                attributes.insert("vip".into(), json!(3));
            }
            json!({"city": city, "name": name, "attributes": attributes})
        },
    )
}

pub fn customers() -> impl Strategy<Value = Vec<Customer>> {
    let customer = (
        prop::option::weighted(0.85, profile()),
        prop::option::weighted(0.3, update()),
        prop::collection::vec((instant_strategy(), 0u32..20_000), 0..4),
    )
        .prop_map(|(profile, update, orders)| Customer { update: profile.as_ref().and(update), profile, orders });
    prop::collection::vec(customer, 2..16)
}

fn envelope(workspace_id: WorkspaceId, received_at: DateTime<Utc>, event: IngestEvent) -> IngestEnvelope {
    IngestEnvelope { workspace_id, received_at, event }
}

/// The ingest batches that store `customers` in `workspace_id`: profiles and orders, then the updates.
pub fn batches(workspace_id: WorkspaceId, customers: &[Customer]) -> (Vec<IngestEnvelope>, Vec<IngestEnvelope>) {
    let validate_now = Utc::now();
    let received = instant(1000, 0, 0);
    let (mut first, mut second) = (Vec::new(), Vec::new());
    for (index, customer) in customers.iter().enumerate() {
        let external_id = format!("C{index:02}");
        let record = |body: &Value| {
            let mut body = body.clone();
            body["external_id"] = json!(external_id);
            let body: Map<String, Value> = body
                .as_object()
                .unwrap()
                .iter()
                .filter(|(_, v)| !v.is_null())
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect();
            let input: CustomerInput = serde_json::from_value(Value::Object(body)).unwrap();
            IngestEvent::Customer(input.validate(validate_now).unwrap())
        };
        if let Some(profile) = &customer.profile {
            first.push(envelope(workspace_id, received, record(profile)));
        }
        if let Some(update) = &customer.update {
            second.push(envelope(workspace_id, received + Duration::hours(1), record(update)));
        }
        for (n, (ordered_at, amount)) in customer.orders.iter().enumerate() {
            let input: OrderInput = serde_json::from_value(json!({
                "external_id": format!("O{index:02}-{n}"), "customer_external_id": external_id,
                "amount": format!("{}.{:02}", amount / 100, amount % 100), "ordered_at": ordered_at.to_rfc3339(),
            }))
            .unwrap();
            let order = input.validate(validate_now, &inr()).unwrap();
            first.push(envelope(workspace_id, received + Duration::milliseconds(n as i64), IngestEvent::Order(order)));
        }
    }
    (first, second)
}
