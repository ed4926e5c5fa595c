//! End to end with the in-process vendor simulator: messages sent to it with Converge's references come
//! back as real signed callbacks (each twice, in shuffled order), which the endpoint accepts and the
//! applier writes; every message ends with the simulator's outcome.

use std::time::{Duration, Instant};

use converge_channels::ChannelConfig;
use serde_json::{json, Value};

use super::{applier, reference, stream_length, Campaign};
use crate::both_modes;
use crate::helpers::{Mode, TestApp};

both_modes!(the_simulators_signed_callbacks_land_and_are_applied);

async fn the_simulators_signed_callbacks_land_and_are_applied(mode: Mode) {
    let Some(app) = TestApp::spawn_with(mode, |s| {
        s.vendor.simulator.enabled = Some(true);
        s.vendor.simulator.failure_rate = 0.5;
        s.vendor.simulator.min_delay_ms = 50;
        s.vendor.simulator.max_delay_ms = 150;
    })
    .await
    else {
        return;
    };
    let n = 20;
    let c = Campaign::start(&app, n, 0).await;
    let Some(ChannelConfig::Vendor(vendor)) = app.state.senders.default_settings().map(|s| s.sms.clone()) else {
        panic!("the test app runs the simulator as its default vendor");
    };
    let key = app.state.settings.vendor.api_key.expose().to_owned();
    let chaos = json!({"duplicate_receipts": 1.0, "reorder": true});
    let r = app.client.put(format!("{}/admin/chaos", vendor.base_url)).bearer_auth(&key).json(&chaos).send().await;
    assert_eq!(r.unwrap().status(), 200);

    let messages: Vec<Value> = c
        .claimed
        .iter()
        .map(|d| json!({"to": d.phone, "channel": "sms", "body": "Hi", "reference": reference(d)}))
        .collect();
    let sent = app
        .client
        .post(format!("{}/v1/messages/batch", vendor.base_url))
        .bearer_auth(&key)
        .json(&json!({ "messages": messages }))
        .send()
        .await
        .unwrap();
    assert_eq!(sent.status(), 202);
    let answer: Value = sent.json().await.unwrap();
    let ids: Vec<String> =
        answer["results"].as_array().unwrap().iter().map(|r| r["id"].as_str().unwrap().to_owned()).collect();
    assert_eq!(ids.len(), n);
    c.accept(&app, &c.claimed, &ids).await;

    // Apply until every message has its outcome and every receipt copy was delivered and applied.
    let a = applier(&app, "e2e");
    let deadline = Instant::now() + Duration::from_secs(30);
    let mut ledger = Vec::new();
    loop {
        a.step().await.unwrap();
        ledger.clear();
        for id in &ids {
            let url = format!("{}/v1/messages/{id}", vendor.base_url);
            let entry: Value = app.client.get(url).bearer_auth(&key).send().await.unwrap().json().await.unwrap();
            ledger.push(entry);
        }
        let delivered = ledger.iter().all(|e| e["receipts"]["delivered"] == 2);
        if delivered && stream_length(&app).await == 0 && c.stats(&app).await.pending == 0 {
            break;
        }
        assert!(Instant::now() < deadline, "receipts did not all land: {ledger:?}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let statuses = c.statuses(&app).await;
    for (entry, (status, error)) in ledger.iter().zip(&statuses) {
        assert_eq!(entry["status"].as_str(), Some(status.as_str()), "{entry}");
        assert_eq!(entry["error"].as_str(), error.as_deref(), "{entry}");
        assert_eq!(entry["receipts"]["state"], "delivered");
    }
    let stats = c.stats(&app).await;
    let failed = ledger.iter().filter(|e| e["status"] == "FAILED").count() as i64;
    assert_eq!((stats.sent + stats.failed, stats.failed), (n as i64, failed));
    let stream = app.state.queue.stats("receipts", "receipt-appliers").await.unwrap();
    assert_eq!((stream.pending, stream.dead_letters), (0, 0));
}
