//! Campaigns and delivery on both backends: the audience snapshot, idempotent creation, claiming, dispatch
//! results, receipts, the life cycle and the log. After every step the campaign's counters must equal the
//! log counted directly ([`check`]). Postgres runs when reachable and is mandatory with `CI=true`.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // a test (or a bench tool) says what it expects by panicking

#[allow(dead_code)]
#[path = "../support/mod.rs"]
mod support;

mod bench;
mod consent;
mod dispatch;
mod drafts;
mod insights;
mod launch;
mod lifecycle;
mod receipts;
mod templates;

use chrono::{DateTime, Duration, Utc};
use converge_domain::segment::{Catalogue, Rule};
use converge_domain::{CampaignId, Channel, MessageId, ReceiptStatus, SendChannel, WorkspaceId};
use converge_store::{
    CampaignRow, ClaimedDelivery, DispatchOutcome, DispatchResult, LogRow, NewCampaign, ReceiptUpdate, Store,
};
use serde_json::{json, Value};
use support::{customer, inr, Backend};

/// Runs each listed `async fn(&dyn Store)` once per backend, like the conformance suite.
macro_rules! on_both_backends {
    ($($name:ident),* $(,)?) => {
        mod sqlite { $( #[tokio::test] async fn $name() { if let Some(b) = crate::Backend::sqlite().await { super::$name(b.store()).await } } )* }
        mod postgres { $( #[tokio::test] async fn $name() { if let Some(b) = crate::Backend::postgres().await { super::$name(b.store()).await } } )* }
    };
}
pub(crate) use on_both_backends;

/// The tests' clock: a whole millisecond, since SQLite stores milliseconds.
pub fn t0() -> DateTime<Utc> {
    "2026-03-01T10:00:00Z".parse().unwrap()
}

pub fn secs(n: i64) -> Duration {
    Duration::seconds(n)
}

pub const LEASE: i64 = 60;

/// A workspace with customers `C1..=Cn`: even ones live in Pune, every one has a phone, odd ones an e-mail.
pub async fn seed(store: &dyn Store, slug: &str, n: usize) -> WorkspaceId {
    let ws = store.create_workspace(slug, slug, &inr()).await.unwrap().id;
    let batch: Vec<_> = (1..=n)
        .map(|i| {
            let mut body = json!({"external_id": format!("C{i}"), "name": format!("Person {i}"),
                "city": if i % 2 == 0 { "Pune" } else { "Goa" }, "phone": format!("+91981234{i:04}"),
                "attributes": {"tier": "gold"}});
            if i % 2 == 1 {
                body["email"] = json!(format!("c{i}@example.in"));
            }
            customer(ws, Utc::now(), body)
        })
        .collect();
    store.apply_ingest(&batch).await.unwrap();
    ws
}

pub fn everyone() -> Value {
    json!({"combinator": "and", "rules": []})
}

pub fn in_pune() -> Value {
    json!({"combinator": "and", "rules": [{"field": "city", "operator": "=", "value": "pune"}]})
}

pub fn parse(rule: &Value) -> Rule {
    Rule::parse(rule, &Catalogue::builtin(), &inr()).unwrap()
}

pub fn new_campaign(rule: Value, key: Option<&str>, send_at: DateTime<Utc>) -> NewCampaign {
    NewCampaign {
        name: "Spring sale".into(),
        channel: SendChannel::Sms,
        template: "Hi {{ first_name | default(\"there\") }}".into(),
        segment_id: None,
        rule: parse(&rule),
        rule_json: rule,
        send_at,
        idempotency_key: key.map(str::to_owned),
        request_fingerprint: key.map(|_| "fingerprint".to_owned()),
        topic: None,
        subject: None,
        preheader: None,
    }
}

/// A campaign of everyone, due at `t0` and started.
pub async fn running(store: &dyn Store, ws: WorkspaceId) -> CampaignId {
    let (campaign, _) = store.create_campaign(ws, &new_campaign(everyone(), None, t0()), t0()).await.unwrap();
    assert!(store.start_due_campaigns(t0()).await.unwrap().contains(&campaign.id));
    campaign.id
}

/// The campaign, after asserting that its counters equal its log counted row by row.
pub async fn check(store: &dyn Store, ws: WorkspaceId, id: CampaignId) -> CampaignRow {
    let row = store.campaign(ws, id).await.unwrap().unwrap();
    let counted = store.campaign_log_counts(ws, id).await.unwrap();
    assert_eq!(row.stats, counted, "counters must equal the log on {}", store.backend().as_str());
    row
}

pub async fn log(store: &dyn Store, ws: WorkspaceId, id: CampaignId) -> Vec<LogRow> {
    store.campaign_log(ws, id, None, None, 100_000).await.unwrap()
}

pub async fn claim(store: &dyn Store, worker: &str, at: DateTime<Utc>) -> Vec<ClaimedDelivery> {
    store.claim_deliveries(worker, 1000, secs(LEASE), at).await.unwrap()
}

/// The route the tests' messages go through (the node's default vendor).
pub const ROUTE: &str = "default";

pub fn accepted(delivery: &ClaimedDelivery, vendor_id: &str) -> DispatchResult {
    accepted_via(delivery, ROUTE, vendor_id)
}

/// An acceptance through `route`.
pub fn accepted_via(delivery: &ClaimedDelivery, route: &str, vendor_id: &str) -> DispatchResult {
    delivery.result(DispatchOutcome::Accepted {
        vendor_message_id: vendor_id.into(),
        route: route.into(),
        channel: Channel::Sms,
        address: delivery.phone.clone().unwrap_or_default(),
        message: format!("Hi {}", delivery.name.clone().unwrap_or_default()),
    })
}

/// A receipt for message `log_id` through [`ROUTE`].
pub fn receipt(log_id: MessageId, vendor_id: &str, status: ReceiptStatus, at: DateTime<Utc>) -> ReceiptUpdate {
    receipt_via(log_id, ROUTE, vendor_id, status, at)
}

/// A receipt for message `log_id` that came through `route`.
pub fn receipt_via(
    log_id: MessageId,
    route: &str,
    vendor_id: &str,
    status: ReceiptStatus,
    at: DateTime<Utc>,
) -> ReceiptUpdate {
    let error = (status == ReceiptStatus::Failed).then(|| "handset unreachable".to_owned());
    ReceiptUpdate {
        log_id,
        route: route.into(),
        vendor_message_id: vendor_id.into(),
        status,
        error,
        at,
        permanent: false,
    }
}
