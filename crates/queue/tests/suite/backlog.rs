//! The backlog: acknowledgement shrinks it, dead letters leave it, the cap bounds it, groups share it.

use std::sync::Arc;
use std::time::Duration;

use converge_queue::{EntryId, Queue, QueueError, StreamStats};

use super::{drain, ids, payloads, stats, GROUP, SHORT, STREAM};

pub async fn acked_entries_leave_the_stream_and_are_not_redelivered(q: Arc<dyn Queue>) {
    q.ensure_group(STREAM, GROUP).await.expect("ensure_group");
    let appended = q.append(STREAM, &payloads("e", 10)).await.expect("append");
    let got = q.read(STREAM, GROUP, "c1", 10, SHORT).await.expect("read");
    assert_eq!(got.len(), 10);
    let (done, open): (Vec<_>, Vec<_>) = appended.iter().cloned().enumerate().partition(|(i, _)| i % 2 == 0);
    let done: Vec<EntryId> = done.into_iter().map(|(_, id)| id).collect();
    let open: Vec<EntryId> = open.into_iter().map(|(_, id)| id).collect();
    q.ack(STREAM, GROUP, &done).await.expect("ack");
    assert_eq!(stats(&*q).await, StreamStats { length: 5, pending: 5, dead_letters: 0 });

    tokio::time::sleep(Duration::from_millis(150)).await;
    let claimed = q.claim_idle(STREAM, GROUP, "c2", Duration::from_millis(100), 100).await.expect("claim");
    assert_eq!(ids(&claimed), open, "only unacknowledged entries come back");

    let later = q.append(STREAM, &payloads("later", 2)).await.expect("append");
    assert_eq!(stats(&*q).await.length, 7, "backlog: 5 pending + 2 new");
    q.ack(STREAM, GROUP, &open).await.expect("ack");
    let fresh = drain(&*q, "c1", 10).await;
    assert_eq!(ids(&fresh), later, "acked entries are never redelivered");
    q.ack(STREAM, GROUP, &later).await.expect("ack");
    assert_eq!(stats(&*q).await, StreamStats::default());
}

pub async fn ack_ignores_unknown_ids(q: Arc<dyn Queue>) {
    q.ensure_group(STREAM, GROUP).await.expect("ensure_group");
    let appended = q.append(STREAM, &payloads("x", 1)).await.expect("append");
    let unknown = [EntryId("not-an-id".into()), EntryId("99999999999999".into()), EntryId("1-1".into())];
    q.ack(STREAM, GROUP, &unknown).await.expect("ack unknown ids");
    q.ack("elsewhere", "nobody", &appended).await.expect("ack on unknown stream");
    // Acking an entry before it was delivered does not drop it.
    q.ack(STREAM, GROUP, &appended).await.expect("ack undelivered");
    assert_eq!(ids(&drain(&*q, "c1", 10).await), appended);
    assert_eq!(stats(&*q).await.length, 1);
}

pub async fn dead_letter_moves_entries_out_of_the_backlog(q: Arc<dyn Queue>) {
    q.ensure_group(STREAM, GROUP).await.expect("ensure_group");
    let appended = q.append(STREAM, &payloads("poison", 3)).await.expect("append");
    let got = q.read(STREAM, GROUP, "c1", 10, SHORT).await.expect("read");
    q.dead_letter(STREAM, GROUP, &got[..2], "cannot parse").await.expect("dead_letter");
    assert_eq!(stats(&*q).await, StreamStats { length: 1, pending: 1, dead_letters: 2 });

    // A retried call does not copy the entries twice.
    q.dead_letter(STREAM, GROUP, &got[..2], "cannot parse").await.expect("dead_letter again");
    assert_eq!(stats(&*q).await.dead_letters, 2);

    tokio::time::sleep(Duration::from_millis(150)).await;
    let claimed = q.claim_idle(STREAM, GROUP, "c2", Duration::from_millis(100), 10).await.expect("claim");
    assert_eq!(ids(&claimed), appended[2..].to_vec(), "dead letters are no longer pending");
}

pub async fn full_stream_refuses_the_whole_batch(q: Arc<dyn Queue>) {
    q.ensure_group(STREAM, GROUP).await.expect("ensure_group");
    let accepted = q.append(STREAM, &payloads("a", 2)).await.expect("append below cap");
    // A batch that starts below the cap is accepted whole, even if it ends above it.
    let batch = q.append(STREAM, &payloads("b", 2)).await.expect("append starting below cap");
    assert_eq!(batch.len(), 2);
    match q.append(STREAM, &payloads("c", 3)).await {
        Err(QueueError::Full { stream, length, cap }) => {
            assert_eq!((stream.as_str(), length, cap), (STREAM, 4, 3));
        }
        other => panic!("expected Full, got {other:?}"),
    }
    assert_eq!(stats(&*q).await.length, 4, "the refused batch appended nothing");
    let got = drain(&*q, "c1", 10).await;
    assert_eq!(ids(&got), [accepted, batch].concat());

    // Acknowledging makes room again.
    q.ack(STREAM, GROUP, &ids(&got)).await.expect("ack");
    q.append(STREAM, &payloads("d", 1)).await.expect("append after draining");
}

pub async fn groups_are_independent(q: Arc<dyn Queue>) {
    q.ensure_group(STREAM, "g1").await.expect("ensure_group");
    q.ensure_group(STREAM, "g2").await.expect("ensure_group");
    let appended = q.append(STREAM, &payloads("both", 3)).await.expect("append");
    let g1 = q.read(STREAM, "g1", "c", 10, SHORT).await.expect("read g1");
    q.ack(STREAM, "g1", &ids(&g1)).await.expect("ack g1");
    assert_eq!(q.stats(STREAM, "g1").await.expect("stats").length, 3, "g2 still needs the entries");
    let g2 = q.read(STREAM, "g2", "c", 10, SHORT).await.expect("read g2");
    assert_eq!(ids(&g2), appended);
    q.ack(STREAM, "g2", &ids(&g2)).await.expect("ack g2");
    assert_eq!(q.stats(STREAM, "g2").await.expect("stats"), StreamStats::default());
}

pub async fn stats_of_unknown_stream_are_zero(q: Arc<dyn Queue>) {
    assert_eq!(q.stats("nothing-here", "nobody").await.expect("stats"), StreamStats::default());
    let claimed = q.claim_idle("nothing-here", "nobody", "c", Duration::ZERO, 10).await.expect("claim");
    assert!(claimed.is_empty());
}
