//! The receipt applier driven step by step: batches, idempotency, early receipts, redelivery, dead letters.

use std::time::Duration;

use chrono::Utc;
use converge_domain::ReceiptStatus;
use converge_server::delivery::ReceiptEntry;
use converge_server::state::streams::{RECEIPTS, RECEIPTS_GROUP};
use converge_store::ReceiptOutcome;
use serde_json::json;

use super::{applier, post_signed, receipt, stream_length, vendor_id, Campaign};
use crate::both_modes;
use crate::helpers::{Mode, TestApp};

both_modes!(
    single_and_batch_receipts_are_applied_in_one_batch,
    duplicates_and_a_late_failure_change_nothing,
    a_receipt_before_its_dispatch_result_is_applied_once_it_is_recorded,
    receipts_sent_one_per_request_are_applied_in_batches,
    poison_entries_are_dead_lettered_and_dispatcher_entries_applied,
    entries_a_dead_consumer_held_are_reclaimed_and_applied,
    entries_past_the_delivery_limit_are_dead_lettered,
);

fn outcome(applied: u64, ignored_duplicates_or_late: u64, unknown: u64) -> ReceiptOutcome {
    ReceiptOutcome { applied, ignored_duplicates_or_late, unknown }
}

fn status(s: &str, error: Option<&str>) -> (String, Option<String>) {
    (s.to_owned(), error.map(str::to_owned))
}

async fn single_and_batch_receipts_are_applied_in_one_batch(mode: Mode) {
    let Some(app) = TestApp::spawn(mode).await else { return };
    let c = Campaign::start(&app, 4, 4).await;
    let first = receipt(&c.claimed[0], "SENT");
    let one = post_signed(&app, &first).await;
    assert_eq!(one.status(), 202);
    assert_eq!(one.json::<serde_json::Value>().await.unwrap(), json!({"accepted": 1}));
    let batch = json!({"receipts": [receipt(&c.claimed[1], "FAILED"), receipt(&c.claimed[2], "SENT")]});
    let two = post_signed(&app, &batch).await;
    assert_eq!(two.json::<serde_json::Value>().await.unwrap(), json!({"accepted": 2}));
    assert_eq!(stream_length(&app).await, 3);

    let report = applier(&app, "a1").step().await.unwrap();
    assert_eq!((report.delivered, report.batch_size, report.acknowledged), (3, 3, 3));
    assert_eq!(report.outcome, outcome(3, 0, 0));
    let stats = c.stats(&app).await;
    assert_eq!((stats.sent, stats.failed, stats.pending, stats.audience), (2, 1, 1, 4));
    assert_eq!(
        c.statuses(&app).await,
        [
            status("SENT", None),
            status("FAILED", Some("handset unreachable")),
            status("SENT", None),
            status("PENDING", None)
        ]
    );
    let rows = app.state.store.campaign_log(c.ws, c.id, None, None, 10).await.unwrap();
    let occurred: chrono::DateTime<Utc> = first["occurred_at"].as_str().unwrap().parse().unwrap();
    assert_eq!(rows[0].completed_at, Some(occurred), "the vendor's time, to the millisecond");
    let stream = app.state.queue.stats(RECEIPTS, RECEIPTS_GROUP).await.unwrap();
    assert_eq!((stream.length, stream.pending, stream.dead_letters), (0, 0, 0));
    assert_eq!(applier(&app, "a1").step().await.unwrap().delivered, 0);
    let metrics = app.client.get(app.url("/metrics")).send().await.unwrap().text().await.unwrap();
    assert!(metrics.contains("converge_receipts_total{outcome=\"applied\"}"));
    assert!(metrics.contains("converge_receipt_batch_size"));
}

async fn duplicates_and_a_late_failure_change_nothing(mode: Mode) {
    let Some(app) = TestApp::spawn(mode).await else { return };
    let c = Campaign::start(&app, 2, 2).await;
    let sent = receipt(&c.claimed[0], "SENT");
    assert_eq!(post_signed(&app, &json!({"receipts": [sent.clone(), sent.clone()]})).await.status(), 202);
    let a = applier(&app, "a1");
    assert_eq!(a.step().await.unwrap().outcome, outcome(1, 1, 0));
    let before = c.stats(&app).await;
    // The vendor redelivers, and a late FAILED for the same message arrives: both accepted, neither counts.
    assert_eq!(post_signed(&app, &sent).await.status(), 202);
    assert_eq!(post_signed(&app, &receipt(&c.claimed[0], "FAILED")).await.status(), 202);
    assert_eq!(a.step().await.unwrap().outcome, outcome(0, 2, 0));
    assert_eq!(c.stats(&app).await, before);
    assert_eq!(before.sent, 1);
    assert_eq!(c.statuses(&app).await, [status("SENT", None), status("PENDING", None)]);
}

async fn a_receipt_before_its_dispatch_result_is_applied_once_it_is_recorded(mode: Mode) {
    let Some(app) = TestApp::spawn(mode).await else { return };
    // Claimed, sent, but the dispatcher has not recorded the vendor's id yet when the receipt arrives.
    let c = Campaign::start(&app, 1, 0).await;
    assert_eq!(post_signed(&app, &receipt(&c.claimed[0], "FAILED")).await.status(), 202);
    assert_eq!(applier(&app, "a1").step().await.unwrap().outcome, outcome(0, 0, 1));
    assert_eq!(c.statuses(&app).await, [status("PENDING", None)]);
    c.accept(&app, &c.claimed, &[vendor_id(&c.claimed[0])]).await;
    app.state.store.finish_campaigns(Utc::now()).await.unwrap();
    assert_eq!(c.statuses(&app).await, [status("FAILED", Some("handset unreachable"))]);
    let stats = c.stats(&app).await;
    assert_eq!((stats.failed, stats.pending), (1, 0));
}

async fn receipts_sent_one_per_request_are_applied_in_batches(mode: Mode) {
    let Some(app) = TestApp::spawn(mode).await else { return };
    let n = 50;
    let c = Campaign::start(&app, n, n).await;
    let mut a = applier(&app, "a1");
    a.flush = Duration::from_millis(300);
    // The applier runs while the vendor calls back once per receipt.
    let running = tokio::spawn(async move {
        let mut reports = Vec::new();
        let deadline = std::time::Instant::now() + Duration::from_secs(30);
        let mut applied = 0;
        while applied < 50 && std::time::Instant::now() < deadline {
            let report = a.step().await.unwrap();
            applied += report.outcome.applied;
            if report.batch_size > 0 {
                reports.push(report);
            }
        }
        reports
    });
    for d in &c.claimed {
        assert_eq!(post_signed(&app, &receipt(d, "SENT")).await.status(), 202);
    }
    let reports = running.await.unwrap();
    let sizes: Vec<usize> = reports.iter().map(|r| r.batch_size).collect();
    assert_eq!(sizes.iter().sum::<usize>(), n, "every receipt applied once: {sizes:?}");
    assert!(sizes.len() < n / 2, "batched: {sizes:?}");
    assert!(sizes.iter().any(|&s| s > 1), "batched: {sizes:?}");
    let stats = c.stats(&app).await;
    assert_eq!((stats.sent, stats.pending), (n as i64, 0));
}

async fn poison_entries_are_dead_lettered_and_dispatcher_entries_applied(mode: Mode) {
    let Some(app) = TestApp::spawn(mode).await else { return };
    let c = Campaign::start(&app, 2, 2).await;
    assert_eq!(post_signed(&app, &receipt(&c.claimed[0], "SENT")).await.status(), 202);
    app.state.queue.append(RECEIPTS, &[b"{not a receipt".to_vec()]).await.unwrap();
    // What a dispatcher appends for a channel whose acceptance is the outcome (SMTP).
    let smtp = ReceiptEntry {
        log_id: c.claimed[1].log_id,
        route: "default".into(),
        vendor_message_id: vendor_id(&c.claimed[1]),
        status: ReceiptStatus::Sent,
        error: None,
        permanent: false,
        at: Utc::now(),
    };
    app.state.queue.append(RECEIPTS, &[smtp.to_bytes()]).await.unwrap();
    let report = applier(&app, "a1").step().await.unwrap();
    assert_eq!((report.delivered, report.dead_lettered, report.batch_size), (3, 1, 2));
    assert_eq!(report.outcome, outcome(2, 0, 0));
    let stream = app.state.queue.stats(RECEIPTS, RECEIPTS_GROUP).await.unwrap();
    assert_eq!((stream.length, stream.pending, stream.dead_letters), (0, 0, 1));
    assert_eq!(c.stats(&app).await.sent, 2);
    let metrics = app.client.get(app.url("/metrics")).send().await.unwrap().text().await.unwrap();
    assert!(metrics.contains("converge_receipts_total{outcome=\"dead_lettered\"}"));
}

async fn entries_a_dead_consumer_held_are_reclaimed_and_applied(mode: Mode) {
    let Some(app) = TestApp::spawn(mode).await else { return };
    let c = Campaign::start(&app, 1, 1).await;
    assert_eq!(post_signed(&app, &receipt(&c.claimed[0], "SENT")).await.status(), 202);
    // A consumer reads the entry and dies before applying it.
    let taken = app.state.queue.read(RECEIPTS, RECEIPTS_GROUP, "doomed", 10, Duration::from_millis(100)).await;
    assert_eq!(taken.unwrap().len(), 1);
    let survivor = applier(&app, "survivor");
    assert_eq!(survivor.step().await.unwrap().delivered, 0, "not idle long enough yet");
    tokio::time::sleep(Duration::from_millis(300)).await;
    let report = survivor.step().await.unwrap();
    assert_eq!((report.delivered, report.acknowledged), (1, 1));
    assert_eq!(report.outcome, outcome(1, 0, 0));
    assert_eq!(c.stats(&app).await.sent, 1);
    assert_eq!(app.state.queue.stats(RECEIPTS, RECEIPTS_GROUP).await.unwrap().pending, 0);
}

async fn entries_past_the_delivery_limit_are_dead_lettered(mode: Mode) {
    let Some(app) = TestApp::spawn_with(mode, |s| s.ingest.max_deliveries = 1).await else { return };
    let c = Campaign::start(&app, 1, 1).await;
    assert_eq!(post_signed(&app, &receipt(&c.claimed[0], "SENT")).await.status(), 202);
    let taken = app.state.queue.read(RECEIPTS, RECEIPTS_GROUP, "doomed", 10, Duration::from_millis(100)).await;
    assert_eq!(taken.unwrap().len(), 1);
    tokio::time::sleep(Duration::from_millis(300)).await;
    let report = applier(&app, "survivor").step().await.unwrap();
    assert_eq!((report.delivered, report.dead_lettered, report.batch_size), (1, 1, 0));
    let stream = app.state.queue.stats(RECEIPTS, RECEIPTS_GROUP).await.unwrap();
    assert_eq!((stream.pending, stream.dead_letters), (0, 1));
    assert_eq!(c.stats(&app).await.pending, 1);
}
