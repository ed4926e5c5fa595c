//! Promises of one backend only: the embedded queue's durability across reopen and sharing of one file by
//! two handles (as two processes would); the Redis queue's failure bounds and its dedicated blocking reads.

use std::sync::Arc;
use std::time::{Duration, Instant};

use converge_queue::embedded::EmbeddedQueue;
use converge_queue::redis::{RedisOptions, RedisQueue};
use converge_queue::{Queue, QueueError};

use crate::suite::{drain, ids, payloads, stats, GROUP, SHORT, STREAM};
use crate::support;

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn embedded_appends_survive_reopen() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let path = support::queue_path(&dir);
    let q = Arc::new(EmbeddedQueue::open(&path, 10_000).await.expect("open"));
    q.ensure_group(STREAM, GROUP).await.expect("ensure_group");
    let acked = q.append(STREAM, &payloads("old", 2)).await.expect("append");
    let got = q.read(STREAM, GROUP, "c1", 10, SHORT).await.expect("read");
    q.ack(STREAM, GROUP, &ids(&got)).await.expect("ack");
    let tasks: Vec<_> = (0..200)
        .map(|i| {
            let q = Arc::clone(&q);
            tokio::spawn(async move { q.append(STREAM, &[format!("p{i}").into_bytes()]).await })
        })
        .collect();
    let mut appended = Vec::new();
    for task in tasks {
        appended.extend(task.await.expect("task").expect("append"));
    }
    // Dropped without `close`: whatever `append` answered is committed.
    drop(q);

    let q = EmbeddedQueue::open(&path, 10_000).await.expect("reopen");
    let got = drain(&q, "c1", 500).await;
    assert_eq!(got.len(), 200);
    let mut got_ids = ids(&got);
    got_ids.sort_by_key(|id| id.0.parse::<i64>().unwrap_or(0));
    appended.sort_by_key(|id| id.0.parse::<i64>().unwrap_or(0));
    assert_eq!(got_ids, appended);

    // Ids keep increasing after the acknowledged entries were deleted and the file reopened.
    let newest = q.append(STREAM, &payloads("new", 1)).await.expect("append");
    let number = |id: &converge_queue::EntryId| id.0.parse::<i64>().unwrap_or(0);
    assert!(number(&newest[0]) > number(&acked[1]));
    assert!(number(&newest[0]) > number(appended.last().expect("appended")));
    q.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn embedded_pending_entries_survive_reopen_and_can_be_claimed() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let path = support::queue_path(&dir);
    let q = EmbeddedQueue::open(&path, 10_000).await.expect("open");
    let appended = q.append(STREAM, &payloads("inflight", 2)).await.expect("append");
    assert_eq!(q.read(STREAM, GROUP, "crashed", 10, SHORT).await.expect("read").len(), 2);
    q.close().await;

    let q = EmbeddedQueue::open(&path, 10_000).await.expect("reopen");
    assert_eq!(stats(&q).await.pending, 2);
    assert!(q.read(STREAM, GROUP, "c1", 10, Duration::ZERO).await.expect("read").is_empty());
    let claimed = q.claim_idle(STREAM, GROUP, "rescuer", Duration::ZERO, 10).await.expect("claim");
    assert_eq!(ids(&claimed), appended);
    assert!(claimed.iter().all(|d| d.deliveries == 2));
    q.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn embedded_two_handles_share_one_file() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let path = support::queue_path(&dir);
    let api = Arc::new(EmbeddedQueue::open(&path, 10_000).await.expect("open api handle"));
    let worker = Arc::new(EmbeddedQueue::open(&path, 10_000).await.expect("open worker handle"));
    worker.ensure_group(STREAM, GROUP).await.expect("ensure_group");

    // The worker's blocked read cannot be woken by the other handle's commit; it must poll.
    let reader = Arc::clone(&worker);
    let started = Instant::now();
    let waiting = tokio::spawn(async move { reader.read(STREAM, GROUP, "w", 10, Duration::from_secs(10)).await });
    tokio::time::sleep(Duration::from_millis(100)).await;
    let appended = api.append(STREAM, &payloads("x", 1)).await.expect("append");
    assert_eq!(ids(&waiting.await.expect("task").expect("read")), appended);
    assert!(started.elapsed() < Duration::from_secs(2), "poll too slow: {:?}", started.elapsed());

    // Both handles consume from the same group without sharing entries.
    let more = api.append(STREAM, &payloads("y", 100)).await.expect("append");
    let (a, b) = tokio::join!(drain(&*api, "a", 3), drain(&*worker, "b", 3));
    let mut seen = [ids(&a), ids(&b)].concat();
    seen.sort_by_key(|id| id.0.parse::<i64>().unwrap_or(0));
    assert_eq!(seen, more);
}

#[tokio::test]
async fn redis_closed_port_is_unavailable_quickly() {
    let url = "redis://:s3cret@127.0.0.1:1";
    let started = Instant::now();
    match RedisQueue::connect(url, "test:closed:", 10).await {
        Err(QueueError::Unavailable(message)) => assert!(!message.contains("s3cret"), "{message}"),
        Err(other) => panic!("expected Unavailable, got {other:?}"),
        Ok(_) => panic!("connected to a closed port"),
    }
    assert!(started.elapsed() < Duration::from_secs(3), "took {:?}", started.elapsed());

    let q = RedisQueue::connect_lazy(url, "test:closed:", 10, RedisOptions::default()).expect("lazy");
    let started = Instant::now();
    match q.append(STREAM, &payloads("x", 1)).await {
        Err(QueueError::Unavailable(message)) => assert!(!message.contains("s3cret"), "{message}"),
        other => panic!("expected Unavailable, got {other:?}"),
    }
    assert!(started.elapsed() < Duration::from_secs(3), "took {:?}", started.elapsed());
    assert!(q.ping().await.is_err());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn redis_blocking_read_does_not_stall_appends() {
    let Some(backend) = support::redis(1000).await else {
        return;
    };
    let q = backend.queue.clone();
    q.ensure_group(STREAM, GROUP).await.expect("ensure_group");
    let reader = Arc::clone(&q);
    let waiting = tokio::spawn(async move { reader.read(STREAM, GROUP, "c1", 10, Duration::from_secs(5)).await });
    tokio::time::sleep(Duration::from_millis(100)).await;
    let started = Instant::now();
    let mut appended = Vec::new();
    for i in 0..20 {
        appended.extend(q.append(STREAM, &payloads(&format!("n{i}"), 1)).await.expect("append"));
    }
    assert!(started.elapsed() < Duration::from_secs(1), "appends stalled: {:?}", started.elapsed());
    let got = waiting.await.expect("task").expect("read");
    assert_eq!(got.first().map(|d| d.id.clone()), appended.first().cloned());
    backend.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn redis_entries_deleted_while_pending_are_dropped_by_claim() {
    let Some(backend) = support::redis(1000).await else {
        return;
    };
    let q = backend.queue.clone();
    q.ensure_group(STREAM, GROUP).await.expect("ensure_group");
    let appended = q.append(STREAM, &payloads("gone", 2)).await.expect("append");
    assert_eq!(q.read(STREAM, GROUP, "c1", 10, SHORT).await.expect("read").len(), 2);
    let key = format!("{}{STREAM}", backend.prefix().expect("redis prefix"));
    let mut raw = support::raw_redis().await;
    let _: i64 = redis::cmd("XDEL").arg(&key).arg(&appended[0].0).query_async(&mut raw).await.expect("XDEL");

    tokio::time::sleep(Duration::from_millis(150)).await;
    let claimed = q.claim_idle(STREAM, GROUP, "c2", Duration::from_millis(100), 10).await.expect("claim");
    assert_eq!(ids(&claimed), appended[1..].to_vec());
    assert_eq!(stats(&*q).await.pending, 1, "the deleted entry left the pending list");
    backend.finish().await;
}

/// Appends per second from many concurrent single-entry appends. Run with
/// `cargo test --release -p converge-queue --test conformance -- --ignored --nocapture throughput`.
async fn measure_throughput(name: &str, q: Arc<dyn Queue>) {
    const TASKS: usize = 1000;
    const PER_TASK: usize = 50;
    let started = Instant::now();
    let tasks: Vec<_> = (0..TASKS)
        .map(|t| {
            let q = Arc::clone(&q);
            tokio::spawn(async move {
                for i in 0..PER_TASK {
                    q.append(STREAM, &[format!("{t}-{i}").into_bytes()]).await.expect("append");
                }
            })
        })
        .collect();
    for task in tasks {
        task.await.expect("task");
    }
    let rate = (TASKS * PER_TASK) as f64 / started.elapsed().as_secs_f64();
    println!("{name}: {rate:.0} appends/s ({TASKS} concurrent tasks)");
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "benchmark"]
async fn throughput() {
    let backend = support::embedded(1_000_000).await;
    measure_throughput("embedded", backend.queue.clone()).await;
    backend.finish().await;
    if let Some(backend) = support::redis(1_000_000).await {
        measure_throughput("redis", backend.queue.clone()).await;
        backend.finish().await;
    }
}
