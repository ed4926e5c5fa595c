//! Sending single messages and batches, validation, authentication and reading the ledger.

use converge_vendor_sim::wire::{BatchItem, ErrorBody};
use converge_vendor_sim::{Channel, LedgerEntry, Status};
use serde_json::json;

use crate::support::{sms, TestSim};

#[tokio::test]
async fn a_single_send_is_accepted_with_a_vendor_id_and_recorded() {
    let sim = TestSim::start_with(|c| c.callback_url = String::new()).await;
    let message =
        json!({"to": "asha@example.in", "channel": "email", "subject": "Hi", "body": "20% off", "reference": "log-1"});
    let response = sim.post("/v1/messages", &message).await.unwrap();
    assert_eq!(response.status(), 202);
    let answer: converge_vendor_sim::wire::SendResponse = response.json().await.unwrap();
    assert!(answer.id.starts_with("msg_"));
    assert_eq!((answer.reference.as_str(), answer.status, answer.duplicate), ("log-1", Status::Queued, false));

    let entry: LedgerEntry = sim.get(&format!("/v1/messages/{}", answer.id)).await.json().await.unwrap();
    assert_eq!(entry.reference, "log-1");
    assert_eq!(entry.channel, Channel::Email);
    assert_eq!(entry.subject.as_deref(), Some("Hi"));
    assert_eq!(entry.body, "20% off");
    assert_eq!(sim.get("/v1/messages/msg_unknown").await.status(), 404);
}

#[tokio::test]
async fn a_batch_accepts_good_items_and_rejects_bad_ones_alone() {
    let sim = TestSim::start().await;
    let messages = vec![
        sms("b-1"),
        json!({"to": "12345", "channel": "sms", "body": "x", "reference": "b-2"}),
        json!({"channel": "sms", "body": "x", "reference": "b-3"}),
        json!("not an object"),
        sms("b-5"),
    ];
    let answer = sim.send_batch(messages).await;
    assert_eq!(answer.results.len(), 5);
    let BatchItem::Accepted(first) = &answer.results[0] else { panic!("{:?}", answer.results[0]) };
    assert_eq!(first.reference, "b-1");
    let BatchItem::Rejected { reference, error } = &answer.results[1] else { panic!() };
    assert_eq!((reference.as_deref(), error.starts_with("to:")), (Some("b-2"), true));
    assert!(matches!(&answer.results[2], BatchItem::Rejected { error, .. } if error.contains("missing field `to`")));
    assert!(matches!(&answer.results[3], BatchItem::Rejected { reference: None, .. }));
    assert!(matches!(&answer.results[4], BatchItem::Accepted(a) if a.reference == "b-5"));

    sim.wait_settled().await;
    let references: Vec<String> = sim.handle.ledger().into_iter().map(|e| e.reference).collect();
    assert_eq!(references, ["b-1", "b-5"]);
}

#[tokio::test]
async fn invalid_input_is_refused_with_a_reason() {
    let sim = TestSim::start().await;
    let bad_phone =
        sim.post("/v1/messages", &json!({"to": "98", "channel": "sms", "body": "x", "reference": "r"})).await;
    let bad_phone = bad_phone.unwrap();
    assert_eq!(bad_phone.status(), 422);
    let body: ErrorBody = bad_phone.json().await.unwrap();
    assert_eq!(body.error, "validation");
    assert!(body.message.starts_with("to:"), "{}", body.message);

    let not_json = sim.http.post(sim.url("/v1/messages")).bearer_auth("test_key").body("{").send().await.unwrap();
    assert_eq!(not_json.status(), 400);
    let too_many: Vec<_> = (0..1_001).map(|i| sms(&format!("r{i}"))).collect();
    let response = sim.post("/v1/messages/batch", &json!({ "messages": too_many })).await.unwrap();
    assert_eq!(response.status(), 422);
    let empty = sim.post("/v1/messages/batch", &json!({ "messages": [] })).await.unwrap();
    assert_eq!(empty.status(), 422);
    assert!(sim.handle.ledger().is_empty());
}

#[tokio::test]
async fn the_api_needs_the_key_but_health_does_not() {
    let sim = TestSim::start().await;
    let none = sim.http.post(sim.url("/v1/messages")).json(&sms("r")).send().await.unwrap();
    assert_eq!(none.status(), 401);
    assert_eq!(none.headers().get("www-authenticate").unwrap(), "Bearer");
    let wrong = sim.http.get(sim.url("/v1/stats")).bearer_auth("wrong").send().await.unwrap();
    assert_eq!(wrong.status(), 401);
    let chaos = sim.http.get(sim.url("/admin/chaos")).send().await.unwrap();
    assert_eq!(chaos.status(), 401);
    let health = sim.http.get(sim.url("/healthz")).send().await.unwrap();
    assert_eq!(health.status(), 200);
    assert!(sim.handle.ledger().is_empty());
}

#[tokio::test]
async fn the_ledger_over_http_matches_what_was_sent_page_by_page() {
    let sim = TestSim::start().await;
    let messages: Vec<_> = (0..25).map(|i| sms(&format!("p-{i}"))).collect();
    let answer = sim.send_batch(messages).await;
    sim.wait_settled().await;
    let over_http = sim.ledger_over_http(7).await;
    assert_eq!(over_http, sim.handle.ledger());
    assert_eq!(over_http.len(), 25);
    for (entry, result) in over_http.iter().zip(&answer.results) {
        let BatchItem::Accepted(accepted) = result else { panic!() };
        assert_eq!(entry.id, accepted.id);
        assert_ne!(entry.status, Status::Queued);
    }
    let stats = sim.stats().await;
    assert_eq!(stats.accepted, 25);
    assert_eq!(stats.sent + stats.failed, 25);
    assert_eq!(stats.receipts_delivered, 25);
    assert_eq!(sim.get("/v1/ledger?limit=0").await.status(), 422);
    assert_eq!(sim.get("/v1/ledger?after=abc").await.status(), 400);
}

#[tokio::test]
async fn shutdown_stops_serving() {
    let sim = TestSim::start().await;
    let url = sim.url("/healthz");
    assert_eq!(sim.http.get(&url).send().await.unwrap().status(), 200);
    sim.handle.shutdown().await;
    assert!(crate::support::client().get(&url).send().await.is_err());
}
