//! Delivery receipts: the signed callback endpoint (401/400/422 refuse and append nothing) and the batch
//! applier (statuses and counters right, idempotent, batched, redelivered, dead-lettered). The applier's
//! half lives in `receipts/applier.rs`, the run against the real simulator in `receipts/simulator.rs`.

mod applier;
mod simulator;

use std::time::Duration;

use chrono::Utc;
use converge_domain::segment::{Catalogue, Rule};
use converge_domain::{CampaignId, CampaignStatus, Channel, Currency, SendChannel, WorkspaceId};
use converge_server::state::streams::{RECEIPTS, RECEIPTS_GROUP};
use converge_server::workers::receipts::ReceiptApplier;
use converge_store::{CampaignStats, ClaimedDelivery, DispatchOutcome, NewCampaign};
use converge_vendor_sim::{sign, SIGNATURE_HEADER, TIMESTAMP_HEADER};
use serde_json::{json, Value};

use crate::both_modes;
use crate::helpers::{customer, fields, problem, Mode, TestApp};

pub const PATH: &str = "/api/v1/delivery-receipts";

/// A running campaign of `n` customers, claimed; the first `accepted` of them accepted by the vendor as
/// `vm-{log_id}`.
pub struct Campaign {
    pub ws: WorkspaceId,
    pub id: CampaignId,
    pub claimed: Vec<ClaimedDelivery>,
}

impl Campaign {
    pub async fn start(app: &TestApp, n: usize, accepted: usize) -> Campaign {
        let customers: Vec<Value> = (0..n).map(|i| customer(&format!("C{i}"))).collect();
        let r = app.post_json("/api/v1/customers/batch", &app.key, &json!({ "items": customers })).await;
        assert_eq!(r.status(), 202);
        app.drain().await;
        let store = &app.state.store;
        let ws = app.workspace_id("default").await;
        let rule_json = json!({"combinator": "and", "rules": []});
        let rule = Rule::parse(&rule_json, &Catalogue::builtin(), &Currency::parse("INR").unwrap()).unwrap();
        let now = Utc::now();
        let new = NewCampaign {
            name: "Receipts".into(),
            channel: SendChannel::Sms,
            template: "Hi {{ first_name }}".into(),
            segment_id: None,
            rule_json,
            rule,
            send_at: now,
            idempotency_key: None,
            request_fingerprint: None,
            topic: None,
            subject: None,
            preheader: None,
        };
        let (campaign, _) = store.create_campaign(ws, &new, now).await.unwrap();
        let running =
            store.set_campaign_status(ws, campaign.id, &[CampaignStatus::Scheduled], CampaignStatus::Running, now);
        assert!(running.await.unwrap().is_some());
        let claimed =
            store.claim_deliveries("test-dispatcher", 1000, chrono::Duration::seconds(60), now).await.unwrap();
        assert_eq!(claimed.len(), n);
        let campaign = Campaign { ws, id: campaign.id, claimed };
        if accepted > 0 {
            let ids: Vec<String> = campaign.claimed[..accepted].iter().map(vendor_id).collect();
            campaign.accept(app, &campaign.claimed[..accepted], &ids).await;
        }
        campaign
    }

    /// Records the vendor's acceptance of `deliveries` under `vendor_ids`.
    pub async fn accept(&self, app: &TestApp, deliveries: &[ClaimedDelivery], vendor_ids: &[String]) {
        let results: Vec<_> = deliveries
            .iter()
            .zip(vendor_ids)
            .map(|(d, id)| {
                d.result(DispatchOutcome::Accepted {
                    vendor_message_id: id.clone(),
                    route: "default".into(),
                    channel: Channel::Sms,
                    address: d.phone.clone().unwrap_or_default(),
                    message: "Hi".into(),
                })
            })
            .collect();
        let summary = app.state.store.record_dispatch(&results, Utc::now()).await.unwrap();
        assert_eq!(summary.recorded, results.len() as u64);
    }

    /// The campaign's counters, after asserting they equal its log counted row by row.
    pub async fn stats(&self, app: &TestApp) -> CampaignStats {
        let store = &app.state.store;
        let row = store.campaign(self.ws, self.id).await.unwrap().unwrap();
        assert_eq!(row.stats, store.campaign_log_counts(self.ws, self.id).await.unwrap(), "counters equal the log");
        row.stats
    }

    /// Each message's status and error, in log order.
    pub async fn statuses(&self, app: &TestApp) -> Vec<(String, Option<String>)> {
        let rows = app.state.store.campaign_log(self.ws, self.id, None, None, 10_000).await.unwrap();
        rows.into_iter().map(|r| (r.status.as_str().to_owned(), r.error)).collect()
    }
}

pub fn vendor_id(d: &ClaimedDelivery) -> String {
    format!("vm-{}", d.log_id)
}

pub fn reference(d: &ClaimedDelivery) -> String {
    format!("{}.{}", d.log_id, d.generation)
}

/// One receipt as the vendor writes it, for `d` accepted as [`vendor_id`].
pub fn receipt(d: &ClaimedDelivery, status: &str) -> Value {
    let mut r = json!({"message_id": vendor_id(d), "reference": reference(d), "status": status,
        "occurred_at": Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true)});
    if status == "FAILED" {
        r["error"] = json!("handset unreachable");
    }
    r
}

/// POSTs `body` signed with `secret` at unix time `ts`.
pub async fn post_signed_at(app: &TestApp, body: &[u8], secret: &str, ts: i64) -> reqwest::Response {
    post_bytes_signed_at(app, PATH, body, secret, ts).await
}

/// POSTs `body` to the receipt endpoint `path`, signed with `secret` now.
pub async fn post_signed_to(app: &TestApp, path: &str, body: &Value, secret: &str) -> reqwest::Response {
    let bytes = serde_json::to_vec(body).unwrap();
    post_bytes_signed_at(app, path, &bytes, secret, Utc::now().timestamp()).await
}

async fn post_bytes_signed_at(app: &TestApp, path: &str, body: &[u8], secret: &str, ts: i64) -> reqwest::Response {
    app.client
        .post(app.url(path))
        .header("content-type", "application/json")
        .header(TIMESTAMP_HEADER, ts.to_string())
        .header(SIGNATURE_HEADER, sign(secret, ts, body))
        .body(body.to_vec())
        .send()
        .await
        .unwrap()
}

/// POSTs `body` signed as the vendor would, now.
pub async fn post_signed(app: &TestApp, body: &Value) -> reqwest::Response {
    let bytes = serde_json::to_vec(body).unwrap();
    post_signed_at(app, &bytes, app.state.signing_secret.expose(), Utc::now().timestamp()).await
}

/// An applier on the app's store and queue, quick to give up waiting.
pub fn applier(app: &TestApp, consumer: &str) -> ReceiptApplier {
    ReceiptApplier {
        store: app.state.store.clone(),
        queue: app.state.queue.clone(),
        consumer: consumer.into(),
        batch: 1000,
        flush: Duration::from_millis(100),
        max_deliveries: app.state.settings.ingest.max_deliveries,
        reclaim_idle: Duration::from_millis(app.state.settings.ingest.reclaim_idle_ms),
        block: Duration::from_millis(20),
    }
}

/// Entries in the receipt stream (appended and not yet acknowledged).
pub async fn stream_length(app: &TestApp) -> u64 {
    app.state.queue.stats(RECEIPTS, RECEIPTS_GROUP).await.unwrap().length
}

both_modes!(
    forged_unsigned_and_stale_requests_are_401_and_append_nothing,
    malformed_json_is_400_and_bad_fields_are_422_naming_the_receipt,
    an_unknown_reference_refuses_the_whole_request,
    a_full_receipt_stream_answers_503,
    the_endpoint_is_documented_without_an_api_key,
);

async fn forged_unsigned_and_stale_requests_are_401_and_append_nothing(mode: Mode) {
    let Some(app) = TestApp::spawn(mode).await else { return };
    let c = Campaign::start(&app, 1, 1).await;
    let body = serde_json::to_vec(&json!({"receipts": [receipt(&c.claimed[0], "SENT")]})).unwrap();
    let secret = app.state.signing_secret.expose().to_owned();
    let now = Utc::now().timestamp();
    let max_age = app.state.settings.vendor.receipt_max_age_secs as i64;
    let unsigned = app.client.post(app.url(PATH)).header("content-type", "application/json").body(body.clone());
    let cases = [
        ("no headers", unsigned),
        ("no signature", app.client.post(app.url(PATH)).header(TIMESTAMP_HEADER, now.to_string()).body(body.clone())),
        (
            "a malformed signature",
            app.client
                .post(app.url(PATH))
                .header(TIMESTAMP_HEADER, now.to_string())
                .header(SIGNATURE_HEADER, "v1=zz")
                .body(body.clone()),
        ),
        (
            "a signature of another body",
            app.client
                .post(app.url(PATH))
                .header(TIMESTAMP_HEADER, now.to_string())
                .header(SIGNATURE_HEADER, sign(&secret, now, b"{\"receipts\": []}"))
                .body(body.clone()),
        ),
    ];
    for (what, request) in cases {
        let response = request.send().await.unwrap();
        assert_eq!(response.status(), 401, "{what}");
        assert_eq!(problem(response).await["status"], 401, "{what}");
    }
    let wrong = post_signed_at(&app, &body, "not the secret", now).await;
    assert_eq!(wrong.status(), 401);
    let old = post_signed_at(&app, &body, &secret, now - max_age - 60).await;
    assert_eq!(old.status(), 401);
    assert!(problem(old).await["detail"].as_str().unwrap().contains("too old"));
    let future = post_signed_at(&app, &body, &secret, now + max_age + 60).await;
    assert_eq!(future.status(), 401);
    assert!(problem(future).await["detail"].as_str().unwrap().contains("future"));
    assert_eq!(stream_length(&app).await, 0, "nothing refused was appended");
    // The same body, correctly signed, is accepted.
    let ok = post_signed_at(&app, &body, &secret, now).await;
    assert_eq!(ok.status(), 202);
    assert_eq!(ok.json::<Value>().await.unwrap(), json!({"accepted": 1}));
    assert_eq!(stream_length(&app).await, 1);
}

async fn malformed_json_is_400_and_bad_fields_are_422_naming_the_receipt(mode: Mode) {
    let Some(app) = TestApp::spawn(mode).await else { return };
    let c = Campaign::start(&app, 2, 2).await;
    let secret = app.state.signing_secret.expose().to_owned();
    let not_json = post_signed_at(&app, b"{\"receipts\": [", &secret, Utc::now().timestamp()).await;
    assert_eq!(not_json.status(), 400);
    assert_eq!(problem(not_json).await["status"], 400);

    let good = receipt(&c.claimed[0], "SENT");
    let mut bad = receipt(&c.claimed[1], "DELIVERED");
    bad["message_id"] = json!("");
    let mut worse = good.clone();
    worse["reference"] = json!("abc");
    worse["occurred_at"] = json!("yesterday");
    worse["error"] = json!("x".repeat(1001));
    let mut missing = good.clone();
    missing.as_object_mut().unwrap().remove("occurred_at");
    let r = post_signed(&app, &json!({"receipts": [good, bad, worse, missing]})).await;
    assert_eq!(r.status(), 422);
    assert_eq!(
        fields(&problem(r).await),
        [
            "receipts[1].status",
            "receipts[2].reference",
            "receipts[2].error",
            "receipts[2].occurred_at",
            "receipts[3].occurred_at"
        ]
    );
    let mut empty_id = receipt(&c.claimed[0], "SENT");
    empty_id["message_id"] = json!("");
    let r = post_signed(&app, &empty_id).await;
    assert_eq!(fields(&problem(r).await), ["receipts[0].message_id"], "a single receipt is a batch of one");

    // Outcomes from year 1, year 9999, a month ago or a day ahead are not a vendor's: refused, not stored.
    let days_ago = |days: i64| (Utc::now() - chrono::Duration::days(days)).to_rfc3339();
    for when in ["0001-01-01T00:00:00Z".to_owned(), "9999-12-31T23:59:59Z".to_owned(), days_ago(31), days_ago(-1)] {
        let mut odd = receipt(&c.claimed[0], "SENT");
        odd["occurred_at"] = json!(when);
        let r = post_signed(&app, &odd).await;
        assert_eq!(r.status(), 422, "{when}");
        assert_eq!(fields(&problem(r).await), ["receipts[0].occurred_at"], "{when}");
    }

    let too_many: Vec<Value> = (0..1001).map(|_| receipt(&c.claimed[0], "SENT")).collect();
    for (body, field) in [
        (json!({"receipts": []}), "receipts"),
        (json!({"receipts": too_many}), "receipts"),
        (json!({"receipts": {"message_id": "m"}}), "receipts"),
        (json!([receipt(&c.claimed[0], "SENT")]), "body"),
    ] {
        let r = post_signed(&app, &body).await;
        assert_eq!(r.status(), 422);
        assert_eq!(fields(&problem(r).await), [field]);
    }
    assert_eq!(stream_length(&app).await, 0);
}

async fn an_unknown_reference_refuses_the_whole_request(mode: Mode) {
    let Some(app) = TestApp::spawn(mode).await else { return };
    let c = Campaign::start(&app, 1, 1).await;
    let mut unknown = receipt(&c.claimed[0], "SENT");
    unknown["reference"] = json!(format!("{}.0", c.claimed[0].log_id.get() + 1_000_000));
    let r = post_signed(&app, &unknown).await;
    assert_eq!(r.status(), 422);
    let body = problem(r).await;
    assert_eq!(fields(&body), ["receipts[0].reference"]);
    assert_eq!(body["errors"][0]["message"], "no such message");
    let r = post_signed(&app, &json!({"receipts": [unknown, receipt(&c.claimed[0], "SENT")]})).await;
    assert_eq!(r.status(), 422);
    assert_eq!(fields(&problem(r).await), ["receipts[0].reference"]);
    let r = post_signed(&app, &json!({"receipts": [receipt(&c.claimed[0], "SENT"), unknown]})).await;
    assert_eq!(fields(&problem(r).await), ["receipts[1].reference"]);
    assert_eq!(stream_length(&app).await, 0, "all or nothing");
    // A reference without a generation names the message too.
    let mut bare = receipt(&c.claimed[0], "SENT");
    bare["reference"] = json!(c.claimed[0].log_id.to_string());
    assert_eq!(post_signed(&app, &bare).await.status(), 202);
}

async fn a_full_receipt_stream_answers_503(mode: Mode) {
    let Some(app) = TestApp::spawn_with(mode, |s| s.ingest.stream_cap = 1).await else { return };
    let c = Campaign::start(&app, 1, 1).await;
    assert_eq!(post_signed(&app, &receipt(&c.claimed[0], "SENT")).await.status(), 202);
    let refused = post_signed(&app, &receipt(&c.claimed[0], "SENT")).await;
    assert_eq!(refused.status(), 503, "the vendor retries a 503");
    assert!(refused.headers().get("retry-after").is_some());
    assert_eq!(stream_length(&app).await, 1);
}

async fn the_endpoint_is_documented_without_an_api_key(mode: Mode) {
    let Some(app) = TestApp::spawn(mode).await else { return };
    let spec: Value = app.client.get(app.url("/api/openapi.json")).send().await.unwrap().json().await.unwrap();
    let op = &spec["paths"][PATH]["post"];
    assert!(op.is_object(), "documented");
    assert!(op.get("security").is_none(), "no API key");
    let headers: Vec<&str> = op["parameters"].as_array().unwrap().iter().filter_map(|p| p["name"].as_str()).collect();
    assert_eq!(headers, [TIMESTAMP_HEADER, SIGNATURE_HEADER]);
}
