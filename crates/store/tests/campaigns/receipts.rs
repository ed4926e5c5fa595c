//! Vendor receipts: forward-only, idempotent, in any order relative to the dispatch result.

use converge_domain::ReceiptStatus::{Failed, Sent};
use converge_domain::{CampaignStatus, DeliveryStatus, MessageId, WorkspaceId};
use converge_store::{NewDeliveryRoute, ReceiptOutcome, Store, TimelinePoint};

use super::{accepted, accepted_via, check, claim, log, receipt, receipt_via, running, secs, seed, t0};

fn outcome(applied: u64, ignored_duplicates_or_late: u64, unknown: u64) -> ReceiptOutcome {
    ReceiptOutcome { applied, ignored_duplicates_or_late, unknown }
}

async fn receipts_only_move_forward(store: &dyn Store) {
    let ws = seed(store, "receipts", 5).await;
    let id = running(store, ws).await;
    let c = claim(store, "w", t0()).await;
    let results: Vec<_> = c.iter().enumerate().map(|(i, d)| accepted(d, &format!("v{i}"))).collect();
    store.record_dispatch(&results, t0()).await.unwrap();
    let at = t0() + secs(90);
    let batch = vec![
        receipt(c[0].log_id, "v0", Sent, at),
        receipt(c[0].log_id, "v0", Sent, at),
        receipt(c[1].log_id, "v1", Failed, at),
        receipt(c[1].log_id, "v1", Sent, at + secs(1)),
        receipt(c[2].log_id, "v2", Failed, at),
    ];
    assert_eq!(store.apply_receipts(&batch, at).await.unwrap(), outcome(3, 2, 0));
    check(store, ws, id).await;
    let late = vec![receipt(c[2].log_id, "v2", Sent, at + secs(5)), receipt(c[0].log_id, "v0", Failed, at + secs(5))];
    assert_eq!(store.apply_receipts(&late, at).await.unwrap(), outcome(0, 2, 0));
    // A receipt naming no message of ours is ignored (the receipt endpoint refuses such references anyway).
    assert_eq!(
        store
            .apply_receipts(&[receipt(MessageId::new(c[0].log_id.get() + 1_000_000), "nope", Sent, at)], at)
            .await
            .unwrap(),
        outcome(0, 1, 0)
    );
    let rows = log(store, ws, id).await;
    let statuses: Vec<_> = rows.iter().map(|r| r.status).collect();
    use DeliveryStatus::{Failed as F, Pending as P, Sent as S};
    assert_eq!(statuses, vec![S, F, F, P, P]);
    assert_eq!((rows[1].error.as_deref(), rows[1].completed_at), (Some("handset unreachable"), Some(at)));
    assert_eq!((rows[0].error.as_deref(), rows[0].completed_at), (None, Some(at)));
    assert_eq!(check(store, ws, id).await.stats.pending, 2);
    assert!(store.finish_campaigns(at).await.unwrap().is_empty(), "two are still pending");
    let rest = vec![receipt(c[3].log_id, "v3", Sent, at + secs(61)), receipt(c[4].log_id, "v4", Sent, at + secs(62))];
    assert_eq!(store.apply_receipts(&rest, at + secs(62)).await.unwrap(), outcome(2, 0, 0));
    assert_eq!(store.finish_campaigns(at + secs(70)).await.unwrap(), vec![id]);
    let done = check(store, ws, id).await;
    assert_eq!((done.status, done.completed_at), (CampaignStatus::Completed, Some(at + secs(70))));
    assert_eq!((done.stats.sent, done.stats.failed, done.stats.audience), (3, 2, 5));
    let minute = chrono::Duration::minutes(1);
    let timeline = store.campaign_timeline(ws, id, minute).await.unwrap();
    let start = "2026-03-01T10:01:00Z".parse().unwrap();
    let next = "2026-03-01T10:02:00Z".parse().unwrap();
    let expected = vec![
        TimelinePoint { bucket_start: start, sent: 1, failed: 2 },
        TimelinePoint { bucket_start: next, sent: 2, failed: 0 },
    ];
    assert_eq!(timeline, expected);
    assert!(store.campaign_timeline(WorkspaceId::new(ws.get() + 1000), id, minute).await.unwrap().is_empty());
}

async fn a_receipt_before_its_dispatch_result_is_kept(store: &dyn Store) {
    let ws = seed(store, "early", 2).await;
    let id = running(store, ws).await;
    let c = claim(store, "w", t0()).await;
    assert_eq!(
        store.apply_receipts(&[receipt(c[0].log_id, "early", Sent, t0())], t0()).await.unwrap(),
        outcome(0, 0, 1)
    );
    let summary = store.record_dispatch(&[accepted(&c[0], "early")], t0() + secs(1)).await.unwrap();
    assert_eq!((summary.recorded, summary.receipts_applied), (1, 1));
    let rows = log(store, ws, id).await;
    assert_eq!((rows[0].status, rows[0].completed_at), (DeliveryStatus::Sent, Some(t0())));
    assert_eq!(check(store, ws, id).await.stats.sent, 1);
    // Now known: a duplicate is ignored, not parked again. A receipt nobody claims is pruned by age.
    assert_eq!(
        store.apply_receipts(&[receipt(c[0].log_id, "early", Failed, t0())], t0()).await.unwrap(),
        outcome(0, 1, 0)
    );
    store.apply_receipts(&[receipt(c[1].log_id, "ghost", Failed, t0())], t0() + secs(5)).await.unwrap();
    assert_eq!(store.prune_unmatched_receipts(t0() + secs(5)).await.unwrap(), 0);
    assert_eq!(store.prune_unmatched_receipts(t0() + secs(6)).await.unwrap(), 1);
}

/// Dispatch results and their receipts racing (two connections at once): after the scheduler's sweep every
/// message has its outcome, whichever transaction committed first.
async fn racing_receipts_and_results_all_land(store: &dyn Store) {
    let ws = seed(store, "race", 200).await;
    let id = running(store, ws).await;
    let c = claim(store, "w", t0()).await;
    for chunk in c.chunks(25) {
        let results: Vec<_> = chunk.iter().map(|d| accepted(d, &format!("r{}", d.log_id))).collect();
        let receipts: Vec<_> = chunk.iter().map(|d| receipt(d.log_id, &format!("r{}", d.log_id), Sent, t0())).collect();
        let (r, a) = tokio::join!(store.record_dispatch(&results, t0()), store.apply_receipts(&receipts, t0()));
        let (r, a) = (r.unwrap(), a.unwrap());
        assert_eq!(r.recorded, 25);
        // Each receipt either found its message or was parked; a parked one is applied by the result if it
        // was visible to it, else by the sweep below.
        assert_eq!(a.applied + a.unknown, 25);
        assert!(r.receipts_applied <= a.unknown);
    }
    assert_eq!(store.finish_campaigns(t0() + secs(1)).await.unwrap(), vec![id]);
    let done = check(store, ws, id).await;
    assert_eq!((done.stats.sent, done.stats.pending), (200, 0));
}

/// The receipt endpoint's check: a reference names one of our messages, in the route's workspace when the
/// route is a workspace's own, in any workspace (and any status) for the node's default route.
async fn known_messages_are_our_log_ids(store: &dyn Store) {
    let ws = seed(store, "known", 3).await;
    let other = seed(store, "known-other", 1).await;
    let id = running(store, ws).await;
    let theirs = running(store, other).await;
    let ids: Vec<MessageId> = log(store, ws, id).await.iter().map(|r| r.id).collect();
    let their_id = log(store, other, theirs).await[0].id;
    let asked = [ids[2], MessageId::new(-5), ids[0], ids[2], MessageId::new(ids[2].get() + 1_000_000), their_id];
    let mut anywhere = vec![ids[0], ids[2], their_id];
    anywhere.sort_unstable();
    assert_eq!(store.known_messages(None, &asked).await.unwrap(), anywhere);
    assert_eq!(store.known_messages(Some(ws), &asked).await.unwrap(), vec![ids[0], ids[2]]);
    assert_eq!(store.known_messages(Some(other), &asked).await.unwrap(), vec![their_id]);
    assert!(store.known_messages(None, &[]).await.unwrap().is_empty());
}

/// The attack of issue M2.0: a workspace whose channel points at a vendor of its own answers with the vendor
/// ids another workspace gets, and posts receipts for them. Vendor ids are not unique across routes, so the
/// victim's dispatch is recorded all the same; a receipt settles only a message of its own route.
async fn receipts_only_settle_messages_of_their_route(store: &dyn Store) {
    let victim = seed(store, "route-victim", 2).await;
    let attacker = seed(store, "route-attacker", 2).await;
    let victim_campaign = running(store, victim).await;
    let attacker_campaign = running(store, attacker).await;
    let c = claim(store, "w", t0()).await;
    let (v, a): (Vec<_>, Vec<_>) = c.iter().partition(|d| d.workspace_id == victim);
    assert_eq!((v.len(), a.len()), (2, 2));
    // The attacker's vendor answers with the very ids the victim's vendor gives: one batch, nothing refused.
    let results = vec![
        accepted(v[0], "m-1"),
        accepted(v[1], "m-2"),
        accepted_via(a[0], "rt_attacker", "m-1"),
        accepted_via(a[1], "rt_attacker", "m-2"),
    ];
    let summary = store.record_dispatch(&results, t0()).await.unwrap();
    assert_eq!((summary.recorded, summary.ignored), (4, 0));
    // Its receipts naming the victim's messages (right ids, its own route) change nothing.
    let forged = [
        receipt_via(v[0].log_id, "rt_attacker", "m-1", Failed, t0()),
        receipt_via(v[1].log_id, "rt_attacker", "m-2", Failed, t0()),
    ];
    assert_eq!(store.apply_receipts(&forged, t0()).await.unwrap(), outcome(0, 2, 0));
    // Receipts of the default route for the attacker's messages change nothing either.
    let crossed = [receipt(a[0].log_id, "m-1", Sent, t0())];
    assert_eq!(store.apply_receipts(&crossed, t0()).await.unwrap(), outcome(0, 1, 0));
    assert_eq!(check(store, victim, victim_campaign).await.stats.pending, 2);
    // Each route's own receipts apply to its own messages.
    let genuine = [
        receipt(v[0].log_id, "m-1", Sent, t0()),
        receipt(v[1].log_id, "m-2", Sent, t0()),
        receipt_via(a[0].log_id, "rt_attacker", "m-1", Sent, t0()),
    ];
    assert_eq!(store.apply_receipts(&genuine, t0()).await.unwrap(), outcome(3, 0, 0));
    let done = check(store, victim, victim_campaign).await;
    assert_eq!((done.stats.sent, done.stats.failed, done.stats.pending), (2, 0, 0));
    assert_eq!(check(store, attacker, attacker_campaign).await.stats.pending, 1);
    let rows = log(store, victim, victim_campaign).await;
    assert!(rows.iter().all(|r| r.error.is_none() && r.status == DeliveryStatus::Sent));
}

/// A receipt for a message that is not accepted yet is parked for that message, route and vendor id only:
/// when the message is then accepted through another route (or under another id), the parked receipt does
/// not apply, and the scheduler's sweep drops it.
async fn a_parked_receipt_cannot_poison_a_later_message(store: &dyn Store) {
    let ws = seed(store, "poison", 2).await;
    let id = running(store, ws).await;
    let c = claim(store, "w", t0()).await;
    let early = [
        receipt_via(c[0].log_id, "rt_elsewhere", "m-9", Failed, t0()),
        receipt(c[1].log_id, "m-wrong-id", Failed, t0()),
    ];
    assert_eq!(store.apply_receipts(&early, t0()).await.unwrap(), outcome(0, 0, 2));
    let summary = store.record_dispatch(&[accepted(&c[0], "m-9"), accepted(&c[1], "m-10")], t0()).await.unwrap();
    assert_eq!((summary.recorded, summary.receipts_applied), (2, 0));
    assert!(store.finish_campaigns(t0() + secs(1)).await.unwrap().is_empty());
    assert_eq!(check(store, ws, id).await.stats.pending, 2);
    // The sweep dropped them: nothing is left to prune.
    assert_eq!(store.prune_unmatched_receipts(t0() + secs(3600)).await.unwrap(), 0);
    let genuine = [receipt(c[0].log_id, "m-9", Sent, t0()), receipt(c[1].log_id, "m-10", Sent, t0())];
    assert_eq!(store.apply_receipts(&genuine, t0()).await.unwrap(), outcome(2, 0, 0));
}

/// Channel settings are a per-workspace document: absent until stored, replaced whole, isolated. The routes
/// they name are kept with them and never forgotten when the settings change.
async fn channel_settings_round_trip(store: &dyn Store) {
    let a = seed(store, "settings-a", 1).await;
    let b = seed(store, "settings-b", 1).await;
    assert_eq!(store.channel_settings(a).await.unwrap(), None);
    let first = serde_json::json!({"email": {"kind": "smtp", "host": "127.0.0.1", "port": 2525}});
    let route = |id: &str, secret: &str| NewDeliveryRoute { route: id.into(), signing_secret: secret.into() };
    store.put_channel_settings(a, &first, &[route("rt_a1", "s1")], t0()).await.unwrap();
    let second = serde_json::json!({"email": {"kind": "vendor", "base_url": "http://127.0.0.1:9"}});
    store.put_channel_settings(a, &second, &[route("rt_a1", "changed"), route("rt_a2", "s2")], t0()).await.unwrap();
    assert_eq!(store.channel_settings(a).await.unwrap(), Some(second));
    assert_eq!(store.channel_settings(b).await.unwrap(), None);
    let kept = store.delivery_route("rt_a1").await.unwrap().unwrap();
    assert_eq!((kept.workspace_id, kept.signing_secret.as_str()), (a, "s1"), "a kept route is never rewritten");
    assert_eq!(store.delivery_route("rt_a2").await.unwrap().map(|r| r.workspace_id), Some(a));
    assert!(store.delivery_route("rt_nope").await.unwrap().is_none());
    assert!(!format!("{kept:?}").contains("s1"), "a route's Debug hides its secret");
    assert_eq!(store.workspace(a).await.unwrap().map(|w| w.slug), Some("settings-a".to_owned()));
    assert!(store.workspace(WorkspaceId::new(a.get() + b.get() + 1_000)).await.unwrap().is_none());
}

super::on_both_backends!(
    known_messages_are_our_log_ids,
    receipts_only_settle_messages_of_their_route,
    a_parked_receipt_cannot_poison_a_later_message,
    channel_settings_round_trip,
    receipts_only_move_forward,
    a_receipt_before_its_dispatch_result_is_kept,
    racing_receipts_and_results_all_land,
);
