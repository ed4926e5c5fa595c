//! Ingestion end to end in-process: accepted, drained, stored once, aggregates right.

use serde_json::json;

use crate::both_modes;
use crate::helpers::{customer, order, Mode, TestApp};

both_modes!(
    customers_and_orders_round_trip_with_aggregates,
    the_same_order_posted_twice_counts_once,
    the_same_stream_entry_processed_twice_counts_once,
    batches_are_accepted_and_applied,
    an_order_for_an_unknown_customer_is_kept,
    poison_entries_are_dead_lettered_without_blocking_others,
    entries_past_the_delivery_limit_are_dead_lettered,
);

async fn customers_and_orders_round_trip_with_aggregates(mode: Mode) {
    let Some(app) = TestApp::spawn(mode).await else { return };
    let r = app.post_json("/api/v1/customers", &app.key, &customer("C1")).await;
    assert_eq!(r.status(), 202);
    let body: serde_json::Value = r.json().await.unwrap();
    assert_eq!(body["accepted"], 1);
    assert_eq!(body["items"][0]["external_id"], "C1");
    for (id, amount) in [("O1", "1499.50"), ("O2", "250")] {
        assert_eq!(app.post_json("/api/v1/orders", &app.key, &order(id, "C1", amount)).await.status(), 202);
    }
    assert_eq!(app.drain().await, 3);
    let c = app.get_json("/api/v1/customers/C1").await;
    assert_eq!(c["name"], "Asha Verma");
    assert_eq!(c["email"], "asha@example.in");
    assert_eq!(c["phone"], "+919876543210");
    assert_eq!(c["total_spend"], "1749.50");
    assert_eq!(c["total_spend_minor"], 174_950);
    assert_eq!(c["order_count"], 2);
    assert_eq!(c["visits"], 2);
    assert_eq!(c["last_order_at"], "2026-05-01T10:00:00Z");
    assert_eq!(c["orders"].as_array().unwrap().len(), 2);
    assert_eq!(c["attributes"], json!({"tier": "gold"}));
}

async fn the_same_order_posted_twice_counts_once(mode: Mode) {
    let Some(app) = TestApp::spawn(mode).await else { return };
    for _ in 0..2 {
        assert_eq!(app.post_json("/api/v1/orders", &app.key, &order("O1", "C1", "100.00")).await.status(), 202);
    }
    let batch = json!({"items": [order("O1", "C1", "100.00"), order("O1", "C1", "100.00")]});
    assert_eq!(app.post_json("/api/v1/orders/batch", &app.key, &batch).await.status(), 202);
    app.drain().await;
    let c = app.get_json("/api/v1/customers/C1").await;
    assert_eq!((c["order_count"].as_i64(), c["total_spend_minor"].as_i64()), (Some(1), Some(10_000)));
}

async fn the_same_stream_entry_processed_twice_counts_once(mode: Mode) {
    let Some(app) = TestApp::spawn(mode).await else { return };
    app.post_json("/api/v1/orders", &app.key, &order("O1", "C1", "42.00")).await;
    let deliveries = app
        .state
        .queue
        .read("ingest", "persisters", "test-consumer", 10, std::time::Duration::from_millis(100))
        .await
        .unwrap();
    assert_eq!(deliveries.len(), 1);
    // Processed, then delivered again (a crash before the acknowledgement, or a reclaim): no double count.
    let first = app.worker.process(deliveries.clone()).await.unwrap();
    let second = app.worker.process(deliveries).await.unwrap();
    assert_eq!(first.outcome.orders_inserted, 1);
    assert_eq!((second.outcome.orders_inserted, second.outcome.orders_duplicate), (0, 1));
    let c = app.get_json("/api/v1/customers/C1").await;
    assert_eq!((c["order_count"].as_i64(), c["total_spend_minor"].as_i64()), (Some(1), Some(4_200)));
}

async fn batches_are_accepted_and_applied(mode: Mode) {
    let Some(app) = TestApp::spawn(mode).await else { return };
    let customers: Vec<_> = (0..300).map(|i| customer(&format!("C{i}"))).collect();
    let r = app.post_json("/api/v1/customers/batch", &app.key, &json!({ "items": customers })).await;
    assert_eq!(r.status(), 202);
    let body: serde_json::Value = r.json().await.unwrap();
    assert_eq!(body["accepted"], 300);
    assert_eq!(body["items"][299]["index"], 299);
    let orders: Vec<_> = (0..1000).map(|i| order(&format!("O{i}"), &format!("C{}", i % 300), "10.00")).collect();
    assert_eq!(app.post_json("/api/v1/orders/batch", &app.key, &json!({ "items": orders })).await.status(), 202);
    assert_eq!(app.drain().await, 1300);
    let ws = app.workspace_id("default").await;
    let counts = app.state.store.counts(ws).await.unwrap();
    assert_eq!((counts.customers, counts.orders), (300, 1000));
    let c = app.get_json("/api/v1/customers/C7").await;
    assert_eq!(c["order_count"], 4);
}

async fn an_order_for_an_unknown_customer_is_kept(mode: Mode) {
    let Some(app) = TestApp::spawn(mode).await else { return };
    app.post_json("/api/v1/orders", &app.key, &order("O1", "NEW", "5.00")).await;
    app.drain().await;
    let bare = app.get_json("/api/v1/customers/NEW").await;
    assert_eq!(bare["has_profile"], false);
    assert_eq!(bare["order_count"], 1);
    app.post_json("/api/v1/customers", &app.key, &customer("NEW")).await;
    app.drain().await;
    let full = app.get_json("/api/v1/customers/NEW").await;
    assert_eq!(full["has_profile"], true);
    assert_eq!(full["city"], "Pune");
    assert_eq!(full["order_count"], 1);
}

async fn poison_entries_are_dead_lettered_without_blocking_others(mode: Mode) {
    let Some(app) = TestApp::spawn(mode).await else { return };
    app.post_json("/api/v1/orders", &app.key, &order("O1", "C1", "1.00")).await;
    // Bytes no API node would write (a bug, or tampering): they must not wedge the stream.
    app.state.queue.append("ingest", &[b"{not an envelope".to_vec()]).await.unwrap();
    app.post_json("/api/v1/orders", &app.key, &order("O2", "C1", "2.00")).await;
    assert_eq!(app.drain().await, 2);
    let stats = app.state.queue.stats("ingest", "persisters").await.unwrap();
    assert_eq!((stats.length, stats.pending, stats.dead_letters), (0, 0, 1));
    let c = app.get_json("/api/v1/customers/C1").await;
    assert_eq!(c["order_count"], 2);
    let metrics = app.client.get(app.url("/metrics")).send().await.unwrap().text().await.unwrap();
    assert!(metrics.contains("converge_ingest_applied_total{outcome=\"dead_lettered\"}"));
}

async fn entries_past_the_delivery_limit_are_dead_lettered(mode: Mode) {
    let Some(app) = TestApp::spawn_with(mode, |s| s.ingest.max_deliveries = 1).await else { return };
    app.post_json("/api/v1/orders", &app.key, &order("O1", "C1", "1.00")).await;
    // A consumer takes the entry and dies before acknowledging it.
    let taken = app
        .state
        .queue
        .read("ingest", "persisters", "doomed", 10, std::time::Duration::from_millis(100))
        .await
        .unwrap();
    assert_eq!(taken.len(), 1);
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    // Reclaimed after the idle time: its second delivery is past the limit of 1.
    let report = app.worker.step().await.unwrap();
    assert_eq!((report.delivered, report.dead_lettered), (1, 1));
    let stats = app.state.queue.stats("ingest", "persisters").await.unwrap();
    assert_eq!((stats.pending, stats.dead_letters), (0, 1));
}
