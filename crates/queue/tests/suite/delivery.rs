//! Delivery: payloads and order, blocking reads, redelivery of unacknowledged entries.

use std::collections::HashSet;
use std::sync::Arc;
use std::time::{Duration, Instant};

use converge_queue::{Queue, StreamStats};

use super::{drain, ids, payloads, stats, GROUP, SHORT, STREAM};

pub async fn append_read_ack_round_trips_binary_payloads(q: Arc<dyn Queue>) {
    q.ensure_group(STREAM, GROUP).await.expect("ensure_group");
    let sent = vec![(0u8..=255).collect::<Vec<u8>>(), Vec::new(), b"\0p\r\n".to_vec(), vec![0xff; 4096]];
    let appended = q.append(STREAM, &sent).await.expect("append");
    assert_eq!(appended.len(), sent.len());

    let got = q.read(STREAM, GROUP, "c1", 10, SHORT).await.expect("read");
    assert_eq!(ids(&got), appended);
    assert_eq!(got.iter().map(|d| d.payload.clone()).collect::<Vec<_>>(), sent);
    assert!(got.iter().all(|d| d.deliveries == 1));
    assert_eq!(stats(&*q).await, StreamStats { length: 4, pending: 4, dead_letters: 0 });

    q.ack(STREAM, GROUP, &appended).await.expect("ack");
    assert_eq!(stats(&*q).await, StreamStats::default());
    assert!(q.read(STREAM, GROUP, "c1", 10, Duration::ZERO).await.expect("read").is_empty());
    q.ping().await.expect("ping");
}

pub async fn ids_follow_append_order(q: Arc<dyn Queue>) {
    let mut appended = Vec::new();
    for batch in 0..5 {
        appended.extend(q.append(STREAM, &payloads(&format!("b{batch}"), 3)).await.expect("append"));
    }
    // The group is created after the appends and still starts at the stream's beginning.
    q.ensure_group(STREAM, GROUP).await.expect("ensure_group");
    q.ensure_group(STREAM, GROUP).await.expect("ensure_group is idempotent");
    let got = drain(&*q, "c1", 4).await;
    assert_eq!(ids(&got), appended);
    assert_eq!(appended.iter().collect::<HashSet<_>>().len(), appended.len());
    let expected: Vec<Vec<u8>> = (0..5).flat_map(|b| payloads(&format!("b{b}"), 3)).collect();
    assert_eq!(got.into_iter().map(|d| d.payload).collect::<Vec<_>>(), expected);
}

pub async fn read_times_out_empty_without_overshooting(q: Arc<dyn Queue>) {
    q.ensure_group(STREAM, GROUP).await.expect("ensure_group");
    let started = Instant::now();
    let got = q.read(STREAM, GROUP, "c1", 10, Duration::from_millis(300)).await.expect("read");
    let waited = started.elapsed();
    assert!(got.is_empty());
    assert!(waited >= Duration::from_millis(250), "returned early after {waited:?}");
    assert!(waited < Duration::from_millis(1000), "overshot the block: {waited:?}");

    let started = Instant::now();
    assert!(q.read(STREAM, GROUP, "c1", 10, Duration::ZERO).await.expect("read").is_empty());
    assert!(started.elapsed() < Duration::from_millis(500));
}

pub async fn blocked_read_wakes_on_append(q: Arc<dyn Queue>) {
    q.ensure_group(STREAM, GROUP).await.expect("ensure_group");
    let reader = Arc::clone(&q);
    let started = Instant::now();
    let waiting = tokio::spawn(async move { reader.read(STREAM, GROUP, "c1", 10, Duration::from_secs(10)).await });
    tokio::time::sleep(Duration::from_millis(150)).await;
    let appended = q.append(STREAM, &payloads("wake", 1)).await.expect("append");
    let got = waiting.await.expect("reader task").expect("read");
    assert_eq!(ids(&got), appended);
    assert!(started.elapsed() < Duration::from_secs(3), "reader woke late: {:?}", started.elapsed());
}

pub async fn unacked_entries_are_redelivered_by_claim(q: Arc<dyn Queue>) {
    q.ensure_group(STREAM, GROUP).await.expect("ensure_group");
    let appended = q.append(STREAM, &payloads("work", 3)).await.expect("append");
    let first = q.read(STREAM, GROUP, "crashed", 10, SHORT).await.expect("read");
    assert_eq!(ids(&first), appended);

    tokio::time::sleep(Duration::from_millis(250)).await;
    let claimed = q.claim_idle(STREAM, GROUP, "rescuer", Duration::from_millis(200), 10).await.expect("claim");
    assert_eq!(ids(&claimed), appended);
    assert!(claimed.iter().all(|d| d.deliveries == 2), "{claimed:?}");
    assert_eq!(
        claimed.iter().map(|d| &d.payload).collect::<Vec<_>>(),
        first.iter().map(|d| &d.payload).collect::<Vec<_>>()
    );
    assert_eq!(stats(&*q).await.pending, 3);

    // Claiming resets the idle time, so an immediate second claim finds nothing.
    let again = q.claim_idle(STREAM, GROUP, "other", Duration::from_millis(200), 10).await.expect("claim");
    assert!(again.is_empty(), "{again:?}");

    tokio::time::sleep(Duration::from_millis(250)).await;
    let third = q.claim_idle(STREAM, GROUP, "third", Duration::from_millis(200), 2).await.expect("claim");
    assert_eq!(ids(&third), appended[..2].to_vec(), "max is respected, oldest first");
    assert!(third.iter().all(|d| d.deliveries == 3));
}

pub async fn claim_leaves_young_entries_alone(q: Arc<dyn Queue>) {
    q.ensure_group(STREAM, GROUP).await.expect("ensure_group");
    q.append(STREAM, &payloads("young", 2)).await.expect("append");
    assert_eq!(q.read(STREAM, GROUP, "busy", 10, SHORT).await.expect("read").len(), 2);
    let stolen = q.claim_idle(STREAM, GROUP, "thief", Duration::from_secs(10), 10).await.expect("claim");
    assert!(stolen.is_empty(), "{stolen:?}");
    assert_eq!(stats(&*q).await.pending, 2);
}
