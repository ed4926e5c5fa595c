//! Creating campaigns: the audience snapshot, idempotency, reading and workspace isolation.

use converge_domain::{CampaignStatus, DeliveryStatus};
use converge_store::Store;

use super::{check, everyone, in_pune, log, new_campaign, parse, secs, seed, t0};

async fn launch_snapshots_exactly_the_segment_audience(store: &dyn Store) {
    let a = seed(store, "snap-a", 9).await;
    let b = seed(store, "snap-b", 6).await;
    let rule = parse(&in_pune());
    let expected = store.segment_ids(a, &rule, t0()).await.unwrap();
    assert_eq!(expected.len(), 4);
    let send_at = t0() + secs(3600);
    let (campaign, created) = store.create_campaign(a, &new_campaign(in_pune(), None, send_at), t0()).await.unwrap();
    assert!(created);
    assert_eq!(campaign.status, CampaignStatus::Scheduled);
    assert_eq!((campaign.stats.audience, campaign.stats.pending), (4, 4));
    assert_eq!(campaign.stats.audience as u64, store.segment_count(a, &rule, t0()).await.unwrap());
    assert_eq!((campaign.send_at, campaign.created_at, campaign.launched_at), (send_at, t0(), None));
    assert_eq!(campaign.rule, in_pune());
    let rows = log(store, a, campaign.id).await;
    assert_eq!(rows.iter().map(|r| r.customer_id).collect::<Vec<_>>(), expected);
    for row in &rows {
        assert_eq!((row.status, row.attempts, row.next_attempt_at), (DeliveryStatus::Pending, 0, Some(send_at)));
        assert!(row.vendor_message_id.is_none() && row.dispatched_at.is_none());
    }
    check(store, a, campaign.id).await;
    // Nothing of it is visible from the other workspace, and the other workspace's customers are not in it.
    assert!(store.campaign(b, campaign.id).await.unwrap().is_none());
    assert!(store.campaign_log(b, campaign.id, None, None, 100).await.unwrap().is_empty());
    assert_eq!(store.campaign_log_counts(b, campaign.id).await.unwrap().audience, 0);
    assert!(store.list_campaigns(b, None, 10).await.unwrap().is_empty());
    let (all_b, _) = store.create_campaign(b, &new_campaign(everyone(), None, t0()), t0()).await.unwrap();
    assert_eq!(all_b.stats.audience, 6);
    let b_ids = store.segment_ids(b, &parse(&everyone()), t0()).await.unwrap();
    assert_eq!(log(store, b, all_b.id).await.iter().map(|r| r.customer_id).collect::<Vec<_>>(), b_ids);
    // An empty audience is refused and leaves nothing behind.
    let before = store.list_campaigns(a, None, 100).await.unwrap().len();
    let nobody = serde_json::json!({"combinator": "or", "rules": []});
    let empty = store.create_campaign(a, &new_campaign(nobody, Some("k-empty"), t0()), t0()).await;
    assert!(matches!(empty, Err(converge_store::StoreError::EmptyAudience)), "{empty:?}");
    assert_eq!(store.list_campaigns(a, None, 100).await.unwrap().len(), before);
}

async fn campaigns_list_newest_first(store: &dyn Store) {
    let ws = seed(store, "list", 2).await;
    let mut ids = Vec::new();
    for _ in 0..5 {
        ids.push(store.create_campaign(ws, &new_campaign(everyone(), None, t0()), t0()).await.unwrap().0.id);
    }
    let first = store.list_campaigns(ws, None, 3).await.unwrap();
    assert_eq!(first.iter().map(|c| c.id).collect::<Vec<_>>(), vec![ids[4], ids[3], ids[2]]);
    let next = store.list_campaigns(ws, Some(ids[2]), 3).await.unwrap();
    assert_eq!(next.iter().map(|c| c.id).collect::<Vec<_>>(), vec![ids[1], ids[0]]);
    assert_eq!(store.campaign(ws, ids[0]).await.unwrap().unwrap().stats.audience, 2);
}

async fn the_same_idempotency_key_returns_the_first_campaign(store: &dyn Store) {
    let ws = seed(store, "idem", 4).await;
    let (first, created) = store.create_campaign(ws, &new_campaign(everyone(), Some("k1"), t0()), t0()).await.unwrap();
    assert!(created);
    let mut retry = new_campaign(in_pune(), Some("k1"), t0() + secs(60));
    retry.name = "Another name".into();
    let (again, created) = store.create_campaign(ws, &retry, t0() + secs(5)).await.unwrap();
    assert!(!created);
    assert_eq!(again, first);
    assert_eq!(check(store, ws, first.id).await.stats.audience, 4);
    assert_eq!(store.list_campaigns(ws, None, 10).await.unwrap().len(), 1);
    // Keys are per workspace, and campaigns without a key never collide.
    let other = seed(store, "idem-other", 2).await;
    let (theirs, created) =
        store.create_campaign(other, &new_campaign(everyone(), Some("k1"), t0()), t0()).await.unwrap();
    assert!(created);
    assert_ne!(theirs.id, first.id);
    let (x, _) = store.create_campaign(ws, &new_campaign(everyone(), None, t0()), t0()).await.unwrap();
    let (y, _) = store.create_campaign(ws, &new_campaign(everyone(), None, t0()), t0()).await.unwrap();
    assert_ne!(x.id, y.id);
}

async fn concurrent_creates_with_one_key_make_one_campaign(store: &dyn Store) {
    let ws = seed(store, "idem-race", 25).await;
    for round in 0..5 {
        let new = new_campaign(everyone(), Some(&format!("double-click-{round}")), t0());
        let (a, b) = tokio::join!(store.create_campaign(ws, &new, t0()), store.create_campaign(ws, &new, t0()));
        let ((a, a_created), (b, b_created)) = (a.unwrap(), b.unwrap());
        assert_eq!(a.id, b.id);
        assert!(a_created ^ b_created, "exactly one call creates");
        assert_eq!(check(store, ws, a.id).await.stats.audience, 25);
    }
    assert_eq!(store.list_campaigns(ws, None, 100).await.unwrap().len(), 5);
}

super::on_both_backends!(
    launch_snapshots_exactly_the_segment_audience,
    campaigns_list_newest_first,
    the_same_idempotency_key_returns_the_first_campaign,
    concurrent_creates_with_one_key_make_one_campaign,
    a_customer_sees_one_message_per_campaign_newest_first,
);

async fn a_customer_sees_one_message_per_campaign_newest_first(store: &dyn Store) {
    let ws = seed(store, "messages", 4).await;
    let other = seed(store, "messages-other", 4).await;
    let everyone_then = |key: &str| new_campaign(everyone(), Some(key), t0());
    let (first, _) = store.create_campaign(ws, &everyone_then("m1"), t0()).await.unwrap();
    let (pune, _) = store.create_campaign(ws, &new_campaign(in_pune(), Some("m2"), t0()), t0()).await.unwrap();
    let (last, _) = store.create_campaign(ws, &everyone_then("m3"), t0()).await.unwrap();
    store.create_campaign(other, &everyone_then("m1"), t0()).await.unwrap();
    let c2 = store.customer(ws, "C2").await.unwrap().unwrap().id; // Pune: in all three
    let c1 = store.customer(ws, "C1").await.unwrap().unwrap().id; // Goa: not in the Pune campaign
    let ids =
        |messages: Vec<converge_store::CustomerMessage>| messages.iter().map(|m| m.campaign_id).collect::<Vec<_>>();
    assert_eq!(ids(store.customer_messages(ws, c2, None, 10).await.unwrap()), vec![last.id, pune.id, first.id]);
    assert_eq!(ids(store.customer_messages(ws, c1, None, 10).await.unwrap()), vec![last.id, first.id]);
    // Pages by campaign id.
    assert_eq!(ids(store.customer_messages(ws, c2, None, 2).await.unwrap()), vec![last.id, pune.id]);
    assert_eq!(ids(store.customer_messages(ws, c2, Some(pune.id), 2).await.unwrap()), vec![first.id]);
    let message = &store.customer_messages(ws, c2, None, 1).await.unwrap()[0];
    assert_eq!((message.campaign_name.as_str(), message.status), ("Spring sale", DeliveryStatus::Pending));
    let row = log(store, ws, last.id).await.into_iter().find(|r| r.customer_id == c2).unwrap();
    assert_eq!(message.log_id, row.id);
    // Another workspace's customer id names nobody here.
    let stranger = store.customer(other, "C2").await.unwrap().unwrap().id;
    assert!(store.customer_messages(ws, stranger, None, 10).await.unwrap().is_empty());
    // Statuses counted per workspace.
    assert_eq!(store.campaign_status_counts(ws).await.unwrap(), vec![(CampaignStatus::Scheduled, 3)]);
    store
        .set_campaign_status(ws, first.id, &[CampaignStatus::Scheduled], CampaignStatus::Cancelled, t0())
        .await
        .unwrap();
    let mut counts = store.campaign_status_counts(ws).await.unwrap();
    counts.sort_by_key(|(status, _)| status.as_str());
    assert_eq!(counts, vec![(CampaignStatus::Cancelled, 1), (CampaignStatus::Scheduled, 2)]);
    assert_eq!(store.campaign_status_counts(other).await.unwrap(), vec![(CampaignStatus::Scheduled, 1)]);
}
