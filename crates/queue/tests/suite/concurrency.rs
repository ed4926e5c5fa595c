//! Many producers and consumers at once: distinct ids, each entry delivered exactly once.

use std::collections::HashSet;
use std::sync::Arc;

use converge_queue::{Queue, StreamStats};

use super::{drain, ids, payloads, stats, GROUP, STREAM};

pub async fn concurrent_consumers_never_share_an_entry(q: Arc<dyn Queue>) {
    q.ensure_group(STREAM, GROUP).await.expect("ensure_group");
    let appended = q.append(STREAM, &payloads("share", 200)).await.expect("append");
    let consumers: Vec<_> = (0..3)
        .map(|c| {
            let q = Arc::clone(&q);
            tokio::spawn(async move { ids(&drain(&*q, &format!("c{c}"), 7).await) })
        })
        .collect();
    let mut seen = Vec::new();
    for consumer in consumers {
        seen.extend(consumer.await.expect("consumer task"));
    }
    let distinct: HashSet<_> = seen.iter().collect();
    assert_eq!(distinct.len(), seen.len(), "an entry went to two consumers");
    assert_eq!(distinct, appended.iter().collect::<HashSet<_>>());
}

pub async fn concurrent_appends_are_all_delivered_exactly_once(q: Arc<dyn Queue>) {
    q.ensure_group(STREAM, GROUP).await.expect("ensure_group");
    let producers: Vec<_> = (0..50)
        .map(|t| {
            let q = Arc::clone(&q);
            tokio::spawn(async move {
                let mut ids = Vec::new();
                for i in 0..40 {
                    let payload = format!("t{t}-{i}").into_bytes();
                    ids.extend(q.append(STREAM, &[payload]).await.expect("append"));
                }
                ids
            })
        })
        .collect();
    let mut appended = HashSet::new();
    for producer in producers {
        for id in producer.await.expect("producer task") {
            assert!(appended.insert(id), "duplicate id");
        }
    }
    assert_eq!(appended.len(), 2000);

    let got = drain(&*q, "c1", 300).await;
    let payloads: HashSet<Vec<u8>> = got.iter().map(|d| d.payload.clone()).collect();
    assert_eq!(got.len(), 2000);
    assert_eq!(payloads.len(), 2000, "every payload exactly once");
    assert_eq!(got.iter().map(|d| d.id.clone()).collect::<HashSet<_>>(), appended);
    q.ack(STREAM, GROUP, &ids(&got)).await.expect("ack");
    assert_eq!(stats(&*q).await, StreamStats::default());
}
