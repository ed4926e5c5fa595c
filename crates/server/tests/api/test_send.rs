//! Test sends through the simulator in both modes: the campaign's message, rendered for a chosen customer in
//! the workspace's brand, reaches the named numbers through the real channel; nothing is counted or logged
//! with the campaign; bad recipients name their field; another workspace's campaign is not found.

use std::time::{Duration, Instant};

use serde_json::{json, Value};

use crate::both_modes;
use crate::helpers::{Mode, TestApp};

both_modes!(a_test_send_goes_out_and_counts_for_nothing);

async fn a_test_send_goes_out_and_counts_for_nothing(mode: Mode) {
    let Some(app) = TestApp::spawn_with_simulator(mode, 0.0).await else {
        return;
    };
    let customer = json!({"external_id": "T1", "name": "Asha Rao", "phone": "+919800000001"});
    assert_eq!(app.post_json("/api/v1/customers", &app.key, &customer).await.status(), 202);
    app.drain().await;
    let campaign = json!({"name": "Cart", "channel": "sms", "rule": {"combinator": "and", "rules": []},
        "template": "Hi {{ first_name }}, {{ brand }} kept your cart"});
    let created: Value = app.post_json("/api/v1/campaigns", &app.key, &campaign).await.json().await.unwrap();
    let id = created["id"].as_i64().unwrap();
    let path = format!("/api/v1/campaigns/{id}/test");

    let test = json!({"to": ["+919811111111", "+919822222222"], "customer_external_id": "T1"});
    let answer = app.post_json(&path, &app.key, &test).await;
    assert_eq!(answer.status(), 200);
    let answer: Value = answer.json().await.unwrap();
    let statuses: Vec<&str> =
        answer["results"].as_array().unwrap().iter().map(|r| r["status"].as_str().unwrap()).collect();
    assert_eq!(statuses, ["sent", "sent"], "{answer}");
    let deadline = Instant::now() + Duration::from_secs(10);
    let mut tests = Vec::new();
    while tests.len() < 2 && Instant::now() < deadline {
        tests = app
            .simulator_ledger()
            .await
            .into_iter()
            .filter(|e| e["to"] == "+919811111111" || e["to"] == "+919822222222")
            .collect();
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert_eq!(tests.len(), 2);
    for entry in &tests {
        assert!(entry["body"].as_str().unwrap().starts_with("Hi Asha, Default workspace kept your cart"), "{entry}");
        assert!(entry["reference"].as_str().unwrap().starts_with("tx.test."), "{entry}");
    }
    // A second test is sent again, not deduplicated by the vendor.
    app.post_json(&path, &app.key, &json!({"to": ["+919811111111"]})).await;
    let deadline = Instant::now() + Duration::from_secs(10);
    while app.simulator_ledger().await.iter().filter(|e| e["to"] == "+919811111111").count() < 2
        && Instant::now() < deadline
    {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert_eq!(app.simulator_ledger().await.iter().filter(|e| e["to"] == "+919811111111").count(), 2);

    // Not part of the campaign: its counters and log are as they were.
    let after: Value = app.get_json(&format!("/api/v1/campaigns/{id}")).await;
    assert_eq!(after["stats"], created["stats"]);
    let log: Value = app.get_json(&format!("/api/v1/campaigns/{id}/log")).await;
    assert_eq!(log["items"].as_array().unwrap().len(), 1);

    for (body, field) in [
        (json!({"to": vec!["+919811111111"; 11]}), "to"),
        (json!({"to": []}), "to"),
        (json!({"to": ["asha@example.in"]}), "to[0]"),
        (json!({"to": ["+919811111111", "98111"]}), "to[1]"),
        (json!({"to": ["+919811111111"], "customer_external_id": "nobody"}), "customer_external_id"),
    ] {
        let response = app.post_json(&path, &app.key, &body).await;
        let status = response.status();
        let problem: Value = response.json().await.unwrap();
        assert_eq!(status, 422, "{body}: {problem}");
        let fields: Vec<&str> =
            problem["errors"].as_array().unwrap().iter().map(|e| e["field"].as_str().unwrap()).collect();
        assert!(fields.contains(&field), "{field} not in {problem}");
    }
    let other = app.create_key("other-test", &["all"]).await;
    let foreign = app.post_json(&path, &other, &json!({"to": ["+919811111111"]})).await;
    assert_eq!(foreign.status(), 404, "another workspace's campaign");
}
