//! Each chaos setting does what it says.

use std::time::{Duration, Instant};

use converge_vendor_sim::wire::SendResponse;
use converge_vendor_sim::{Chaos, ReceiptState};
use serde_json::json;

use crate::support::{sms, wait_until, TestSim};

#[tokio::test]
async fn chaos_settings_can_be_read_and_replaced() {
    let sim = TestSim::start_with(|c| c.chaos.slow_ms = 5).await;
    let chaos: Chaos = sim.get("/admin/chaos").await.json().await.unwrap();
    assert_eq!(chaos.slow_ms, 5);
    let replaced = sim.put_chaos(&json!({"reorder": true})).await;
    assert_eq!(replaced.status(), 200);
    assert_eq!(sim.handle.chaos(), Chaos { reorder: true, ..Chaos::default() });
    assert_eq!(sim.put_chaos(&json!({"error_rate": 2.0})).await.status(), 422);
    assert_eq!(sim.put_chaos(&json!({"eror_rate": 0.5})).await.status(), 422);
    assert_eq!(sim.handle.chaos(), Chaos { reorder: true, ..Chaos::default() });
}

#[tokio::test]
async fn duplicate_receipts_arrive_twice() {
    let sim = TestSim::start_with(|c| c.chaos.duplicate_receipts = 1.0).await;
    sim.send_batch((0..10).map(|i| sms(&format!("d-{i}"))).collect()).await;
    let receipts = sim.receiver.wait_for_receipts(20).await;
    sim.wait_settled().await;
    assert_eq!(receipts.len(), 20);
    for entry in sim.handle.ledger() {
        assert_eq!(receipts.iter().filter(|r| r.message_id == entry.id).count(), 2);
        assert_eq!((entry.receipts.delivered, entry.receipts.state), (2, ReceiptState::Delivered));
    }
    assert_eq!(sim.handle.stats().receipts_delivered, 20);
}

/// How many receipts arrived after a receipt of a later-accepted message.
fn inversions(arrival_seqs: &[u64]) -> usize {
    arrival_seqs.windows(2).filter(|pair| pair[0] > pair[1]).count()
}

#[tokio::test]
async fn reorder_delivers_later_messages_first() {
    for (reorder, expect_disorder) in [(false, false), (true, true)] {
        let sim = TestSim::start_with(|c| {
            c.chaos.reorder = reorder;
            c.receipt_batch_max = 1_000;
            c.min_delay_ms = 50;
            c.max_delay_ms = 50;
        })
        .await;
        sim.send_batch((0..200).map(|i| sms(&format!("o-{i}"))).collect()).await;
        let receipts = sim.receiver.wait_for_receipts(200).await;
        let ledger = sim.handle.ledger();
        let seq_of = |id: &str| ledger.iter().find(|e| e.id == id).map(|e| e.seq).unwrap();
        let seqs: Vec<u64> = receipts.iter().map(|r| seq_of(&r.message_id)).collect();
        if expect_disorder {
            assert!(inversions(&seqs) > 20, "only {} inversions", inversions(&seqs));
        } else {
            // Same delay for all and one batch at a time: acceptance order is kept within each request.
            for delivery in sim.receiver.deliveries() {
                let in_request: Vec<u64> = delivery.receipts.iter().map(|r| seq_of(&r.message_id)).collect();
                assert_eq!(inversions(&in_request), 0);
            }
        }
    }
}

#[tokio::test]
async fn error_rate_answers_5xx_and_accepts_nothing() {
    let sim = TestSim::start_with(|c| c.chaos.error_rate = 1.0).await;
    for path in ["/v1/messages", "/v1/messages/batch"] {
        let body = if path.ends_with("batch") { json!({"messages": [sms("e-1")]}) } else { sms("e-1") };
        let response = sim.post(path, &body).await.unwrap();
        assert!([500, 503].contains(&response.status().as_u16()), "{}", response.status());
    }
    assert!(sim.handle.ledger().is_empty());
    assert_eq!(sim.handle.stats().send_errors_injected, 2);

    // Half the requests fail; a client that retries gets everything in exactly once.
    sim.put_chaos(&json!({"error_rate": 0.5})).await;
    for i in 0..20 {
        let mut tries = 0;
        loop {
            tries += 1;
            let response = sim.post("/v1/messages", &sms(&format!("e-{i}"))).await.unwrap();
            if response.status().is_success() {
                break;
            }
            assert!(tries < 50);
        }
    }
    assert_eq!(sim.handle.ledger().len(), 20);
}

#[tokio::test]
async fn drop_rate_closes_the_connection_after_accepting() {
    let sim = TestSim::start_with(|c| c.chaos.drop_rate = 1.0).await;
    let dropped = sim.post("/v1/messages", &sms("lost-answer")).await;
    assert!(dropped.is_err(), "expected a dropped connection, got {dropped:?}");
    let batch = sim.post("/v1/messages/batch", &json!({"messages": [sms("lost-batch")]})).await;
    assert!(batch.is_err());
    assert_eq!(sim.handle.stats().connections_dropped, 2);
    // Accepted before the drop: the retry meets idempotency.
    let ledger = sim.handle.ledger();
    assert_eq!(ledger.len(), 2);
    sim.put_chaos(&json!({})).await;
    let retry: SendResponse = sim.post("/v1/messages", &sms("lost-answer")).await.unwrap().json().await.unwrap();
    assert!(retry.duplicate);
    assert_eq!(retry.id, ledger[0].id);
    sim.wait_settled().await;
    assert_eq!(sim.receiver.receipts().len(), 2);
}

#[tokio::test]
async fn slow_ms_delays_the_answer_after_accepting() {
    let sim = TestSim::start_with(|c| c.chaos.slow_ms = 300).await;
    let started = Instant::now();
    sim.send(&sms("slow-1")).await;
    assert!(started.elapsed() >= Duration::from_millis(300));
    // A client that gives up early still had its message accepted.
    let impatient = sim.http.post(sim.url("/v1/messages")).bearer_auth("test_key").json(&sms("slow-2"));
    assert!(impatient.timeout(Duration::from_millis(100)).send().await.is_err());
    wait_until(|| sim.handle.ledger().len() == 2).await;
}

#[tokio::test]
async fn an_outage_answers_503_until_it_ends() {
    let sim = TestSim::start().await;
    let until = chrono::Utc::now() + chrono::Duration::seconds(60);
    assert_eq!(sim.put_chaos(&json!({"outage_until": until})).await.status(), 200);
    let send = sim.post("/v1/messages", &sms("o-1")).await.unwrap();
    assert_eq!(send.status(), 503);
    assert!(send.headers().get("retry-after").is_some());
    assert_eq!(sim.get("/v1/stats").await.status(), 503);
    assert_eq!(sim.http.get(sim.url("/healthz")).send().await.unwrap().status(), 503);
    assert!(sim.handle.ledger().is_empty());
    // /admin/chaos stays reachable, so the outage can be ended early.
    assert_eq!(sim.put_chaos(&json!({})).await.status(), 200);
    assert_eq!(sim.post("/v1/messages", &sms("o-1")).await.unwrap().status(), 202);
}
