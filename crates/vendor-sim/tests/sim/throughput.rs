//! Throughput and ledger memory, measured rather than checked: run with
//! `cargo test --release -p converge-vendor-sim --test sim -- --ignored --nocapture throughput`.

use std::time::Instant;

use serde_json::json;

use crate::support::{wait_until, TestSim};

const MESSAGES: usize = 200_000;
const BATCH: usize = 1_000;
const SENDERS: usize = 4;

fn message(n: usize) -> serde_json::Value {
    json!({"to": "+919812345678", "channel": "sms", "reference": format!("t-{n}"),
           "body": format!("Hi customer {n}, your 20% discount code is WELCOME20. Valid till Sunday.")})
}

/// Sends `MESSAGES` messages in batches of `BATCH` from `SENDERS` concurrent clients.
async fn send_all(sim: &TestSim) {
    let mut senders = tokio::task::JoinSet::new();
    for sender in 0..SENDERS {
        let (http, url) = (sim.http.clone(), sim.url("/v1/messages/batch"));
        senders.spawn(async move {
            for batch in (sender..MESSAGES / BATCH).step_by(SENDERS) {
                let messages: Vec<_> = (0..BATCH).map(|i| message(batch * BATCH + i)).collect();
                let response = http.post(&url).bearer_auth("test_key").json(&json!({ "messages": messages })).send();
                assert_eq!(response.await.unwrap().status(), 202);
            }
        });
    }
    while let Some(result) = senders.join_next().await {
        result.unwrap();
    }
}

/// Resident memory of this process in bytes (Linux).
fn resident_bytes() -> u64 {
    let statm = std::fs::read_to_string("/proc/self/statm").unwrap_or_default();
    statm.split_whitespace().nth(1).and_then(|pages| pages.parse::<u64>().ok()).unwrap_or(0) * 4096
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "a measurement, not a check; run in release"]
async fn throughput() {
    let sim = TestSim::start_with(|c| {
        c.min_delay_ms = 20;
        c.max_delay_ms = 200;
        c.receipt_batch_max = 100;
    })
    .await;
    let started = Instant::now();
    send_all(&sim).await;
    let accepted_in = started.elapsed();
    wait_until(|| sim.receiver.receipts().len() >= MESSAGES).await;
    let receipts_in = started.elapsed();
    let requests = sim.receiver.deliveries().len();
    println!(
        "accepted {MESSAGES} messages in {:.2} s = {:.0} msg/s; all receipts delivered after {:.2} s = {:.0} receipts/s \
         in {requests} callback requests",
        accepted_in.as_secs_f64(),
        MESSAGES as f64 / accepted_in.as_secs_f64(),
        receipts_in.as_secs_f64(),
        MESSAGES as f64 / receipts_in.as_secs_f64(),
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "a measurement, not a check; run in release"]
async fn throughput_ledger_memory_per_message() {
    // No callback, so only the ledger grows.
    let sim = TestSim::start_with(|c| c.callback_url = String::new()).await;
    let before = resident_bytes();
    send_all(&sim).await;
    wait_until(|| sim.handle.stats().queued == 0).await;
    let grown = resident_bytes().saturating_sub(before);
    println!("ledger: {} bytes resident per message over {MESSAGES} messages", grown / MESSAGES as u64);
}
