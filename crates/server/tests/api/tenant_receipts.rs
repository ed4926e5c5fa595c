//! The attack on delivery receipts, as an attacker would run it: two workspaces, each pointing its SMS channel
//! at its own vendor; the attacker's (fake) vendor answers with exactly the ids the victim's vendor gives, and
//! the attacker then signs receipts for the victim's messages. The victim's campaign must still be recorded and
//! complete, and none of the attacker's receipts may settle (or even name) a victim's message.

use converge_domain::CampaignId;
use std::time::Duration;

use converge_server::config::{Secret, DEV_SIGNING_SECRET};
use converge_server::Application;
use serde_json::{json, Value};

use crate::both_modes;
use crate::fake_vendor::{receipt, FakeVendor, Taken};
use crate::helpers::{customer, test_settings, Mode, TestApp};
use crate::receipts::post_signed_to;

both_modes!(
    an_attackers_vendor_cannot_block_or_settle_another_workspaces_messages,
    a_replayed_receipt_request_is_accepted_and_changes_nothing,
);

const VICTIM_SECRET: &str = "victim-vendor-secret-0001";
const ATTACKER_SECRET: &str = "attacker-vendor-secret-01";

/// Points every vendor channel of the key's workspace at `vendor`, signing with `secret`; the receipt URL.
async fn use_vendor(app: &TestApp, key: &str, vendor: &FakeVendor, secret: &str) -> String {
    let channel = json!({"kind": "vendor", "base_url": vendor.base_url(), "api_key": "k", "signing_secret": secret});
    let body = json!({"sms": channel, "whatsapp": channel, "email": channel});
    let response = app.client.put(app.url("/api/v1/settings/channels")).bearer_auth(key).json(&body).send().await;
    let response = response.unwrap();
    assert_eq!(response.status(), 200);
    let view: Value = response.json().await.unwrap();
    let url = view["receipt_urls"]["sms"].as_str().unwrap().to_owned();
    assert!(url.starts_with("/api/v1/delivery-receipts/rt_"), "a route of its own: {url}");
    url
}

/// Three customers and a running SMS campaign to all of them in the key's workspace; the campaign id.
async fn campaign(app: &TestApp, key: &str, prefix: &str) -> i64 {
    let items: Vec<Value> = (0..3).map(|i| customer(&format!("{prefix}{i}"))).collect();
    assert_eq!(app.post_json("/api/v1/customers/batch", key, &json!({ "items": items })).await.status(), 202);
    app.drain().await;
    let body = json!({"name": prefix, "channel": "sms", "rule": {"combinator": "and", "rules": []},
        "template": "Hi {{ first_name }}"});
    let created = app.post_json("/api/v1/campaigns", key, &body).await;
    assert_eq!(created.status(), 201);
    created.json::<Value>().await.unwrap()["id"].as_i64().unwrap()
}

async fn stats(app: &TestApp, key: &str, id: i64) -> Value {
    let campaign: Value = app.get(&format!("/api/v1/campaigns/{id}"), key).await.json().await.unwrap();
    campaign["stats"].clone()
}

fn batch(messages: &[Taken], status: &str) -> Value {
    json!({"receipts": messages.iter().map(|m| receipt(m, status)).collect::<Vec<_>>()})
}

/// Runs the receipt applier until `n` receipts were applied or a second went by; how many were.
async fn apply(app: &TestApp, n: u64) -> u64 {
    let applier = converge_server::startup::receipt_applier(&app.state, "attack-test");
    let mut applied = 0;
    for _ in 0..50 {
        applied += applier.step().await.unwrap().outcome.applied;
        if applied >= n {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    applied
}

async fn an_attackers_vendor_cannot_block_or_settle_another_workspaces_messages(mode: Mode) {
    let Some(app) = TestApp::spawn(mode).await else { return };
    let victim = app.key.clone();
    let attacker = app.create_key("acme", &["all"]).await;
    let victims_vendor = FakeVendor::start("vm-").await;
    let attackers_vendor = FakeVendor::start("vm-").await;
    let victim_route = use_vendor(&app, &victim, &victims_vendor, VICTIM_SECRET).await;
    let attacker_route = use_vendor(&app, &attacker, &attackers_vendor, ATTACKER_SECRET).await;
    assert_ne!(victim_route, attacker_route);
    let dispatcher = converge_server::startup::dispatcher(&app.state, "attack-test");

    // The attacker's messages go first and take the ids vm-1..vm-3 ...
    campaign(&app, &attacker, "A").await;
    assert_eq!(dispatcher.step().await.unwrap().accepted, 3);
    // ... which the victim's vendor then answers too: all three are recorded (before, one unique violation
    // aborted the victim's whole dispatch step, every time).
    let victims = campaign(&app, &victim, "V").await;
    let report = dispatcher.step().await.unwrap();
    assert_eq!((report.claimed, report.accepted, report.unrecorded), (3, 3, 0), "{report:?}");
    let victim_messages = victims_vendor.taken();
    let attacker_messages = attackers_vendor.taken();
    let ids = |m: &[Taken]| m.iter().map(|t| t.id.clone()).collect::<Vec<_>>();
    assert_eq!(ids(&victim_messages), ids(&attacker_messages), "the same ids on both sides");

    // The attacker signs receipts for the victim's messages: through its own route they name messages of
    // another workspace (422, nothing kept); through the node's route or the victim's its secret is wrong.
    let forged = batch(&victim_messages, "FAILED");
    let through_own = post_signed_to(&app, &attacker_route, &forged, ATTACKER_SECRET).await;
    assert_eq!(through_own.status(), 422);
    for path in ["/api/v1/delivery-receipts", victim_route.as_str()] {
        assert_eq!(post_signed_to(&app, path, &forged, ATTACKER_SECRET).await.status(), 401, "{path}");
    }
    // Its own receipts, naming its own messages by the shared ids, settle only its own messages.
    let own = post_signed_to(&app, &attacker_route, &batch(&attacker_messages, "FAILED"), ATTACKER_SECRET).await;
    assert_eq!(own.status(), 202);
    assert_eq!(apply(&app, 3).await, 3);
    assert_eq!(
        stats(&app, &victim, victims).await,
        json!({"audience": 3, "pending": 3, "sent": 0, "failed": 0,
        "skipped": 0})
    );

    // The victim's vendor reports; the victim's campaign completes with its own outcomes.
    let genuine = post_signed_to(&app, &victim_route, &batch(&victim_messages, "SENT"), VICTIM_SECRET).await;
    assert_eq!(genuine.status(), 202);
    assert_eq!(apply(&app, 3).await, 3);
    let scheduler = converge_server::startup::scheduler(&app.state);
    assert!(scheduler.tick().await.unwrap().completed.contains(&CampaignId::new(victims)));
    assert_eq!(
        stats(&app, &victim, victims).await,
        json!({"audience": 3, "pending": 0, "sent": 3, "failed": 0,
        "skipped": 0})
    );
}

async fn a_replayed_receipt_request_is_accepted_and_changes_nothing(mode: Mode) {
    let Some(app) = TestApp::spawn(mode).await else { return };
    let vendor = FakeVendor::start("vm-").await;
    let route = use_vendor(&app, &app.key, &vendor, VICTIM_SECRET).await;
    let id = campaign(&app, &app.key, "R").await;
    let dispatcher = converge_server::startup::dispatcher(&app.state, "replay-test");
    assert_eq!(dispatcher.step().await.unwrap().accepted, 3);
    let messages = vendor.taken();
    let sent = batch(&messages[..1], "SENT");
    assert_eq!(post_signed_to(&app, &route, &sent, VICTIM_SECRET).await.status(), 202);
    assert_eq!(apply(&app, 1).await, 1);
    // The same signed receipt again (a replay, or the vendor's own retry), then a contradicting one.
    assert_eq!(post_signed_to(&app, &route, &sent, VICTIM_SECRET).await.status(), 202);
    let contradicting = batch(&messages[..1], "FAILED");
    assert_eq!(post_signed_to(&app, &route, &contradicting, VICTIM_SECRET).await.status(), 202);
    assert_eq!(apply(&app, 1).await, 0, "a settled message stays as its first receipt left it");
    assert_eq!(
        stats(&app, &app.key, id).await,
        json!({"audience": 3, "pending": 2, "sent": 1, "failed": 0,
        "skipped": 0})
    );
}

/// Anyone who knows the development default could forge the node's receipts: production mode will not start
/// with it unless the operator says so in as many words.
#[tokio::test]
async fn production_refuses_the_development_signing_secret() {
    let dir = tempfile::tempdir().unwrap();
    let Some((mut settings, _db)) = test_settings(Mode::Production, dir.path()).await else { return };
    settings.vendor.signing_secret = Some(Secret::new(DEV_SIGNING_SECRET));
    let refused = Application::build(settings.clone()).await.err().expect("production refuses the default secret");
    assert!(format!("{refused:#}").contains("development default"), "{refused:#}");
    settings.vendor.allow_insecure_signing_secret = true;
    assert!(Application::build(settings).await.is_ok(), "allowed in as many words");
}
