//! Vendor receipts: forward-only, idempotent, in any order relative to the dispatch result.

use converge_domain::ReceiptStatus::{Failed, Sent};
use converge_domain::{CampaignStatus, DeliveryStatus};
use converge_store::{ReceiptOutcome, Store, TimelinePoint};

use super::{accepted, check, claim, log, receipt, running, secs, seed, t0};

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
        receipt("v0", Sent, at),
        receipt("v0", Sent, at),
        receipt("v1", Failed, at),
        receipt("v1", Sent, at + secs(1)),
        receipt("v2", Failed, at),
    ];
    assert_eq!(store.apply_receipts(&batch, at).await.unwrap(), outcome(3, 2, 0));
    check(store, ws, id).await;
    let late = vec![receipt("v2", Sent, at + secs(5)), receipt("v0", Failed, at + secs(5))];
    assert_eq!(store.apply_receipts(&late, at).await.unwrap(), outcome(0, 2, 0));
    assert_eq!(store.apply_receipts(&[receipt("nope", Sent, at)], at).await.unwrap(), outcome(0, 0, 1));
    let rows = log(store, ws, id).await;
    let statuses: Vec<_> = rows.iter().map(|r| r.status).collect();
    use DeliveryStatus::{Failed as F, Pending as P, Sent as S};
    assert_eq!(statuses, vec![S, F, F, P, P]);
    assert_eq!((rows[1].error.as_deref(), rows[1].completed_at), (Some("handset unreachable"), Some(at)));
    assert_eq!((rows[0].error.as_deref(), rows[0].completed_at), (None, Some(at)));
    assert_eq!(check(store, ws, id).await.stats.pending, 2);
    assert!(store.finish_campaigns(at).await.unwrap().is_empty(), "two are still pending");
    let rest = vec![receipt("v3", Sent, at + secs(61)), receipt("v4", Sent, at + secs(62))];
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
    assert!(store.campaign_timeline(ws + 1000, id, minute).await.unwrap().is_empty());
}

async fn a_receipt_before_its_dispatch_result_is_kept(store: &dyn Store) {
    let ws = seed(store, "early", 2).await;
    let id = running(store, ws).await;
    let c = claim(store, "w", t0()).await;
    assert_eq!(store.apply_receipts(&[receipt("early", Sent, t0())], t0()).await.unwrap(), outcome(0, 0, 1));
    let summary = store.record_dispatch(&[accepted(&c[0], "early")], t0() + secs(1)).await.unwrap();
    assert_eq!((summary.recorded, summary.receipts_applied), (1, 1));
    let rows = log(store, ws, id).await;
    assert_eq!((rows[0].status, rows[0].completed_at), (DeliveryStatus::Sent, Some(t0())));
    assert_eq!(check(store, ws, id).await.stats.sent, 1);
    // Now known: a duplicate is ignored, not parked again. A receipt nobody claims is pruned by age.
    assert_eq!(store.apply_receipts(&[receipt("early", Failed, t0())], t0()).await.unwrap(), outcome(0, 1, 0));
    store.apply_receipts(&[receipt("ghost", Failed, t0())], t0() + secs(5)).await.unwrap();
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
        let receipts: Vec<_> = chunk.iter().map(|d| receipt(&format!("r{}", d.log_id), Sent, t0())).collect();
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

/// The receipt endpoint's check: a reference names one of our messages, in any workspace and status.
async fn known_messages_are_our_log_ids(store: &dyn Store) {
    let ws = seed(store, "known", 3).await;
    let id = running(store, ws).await;
    let ids: Vec<i64> = log(store, ws, id).await.iter().map(|r| r.id).collect();
    let asked = [ids[2], -5, ids[0], ids[2], ids[2] + 1_000_000];
    assert_eq!(store.known_messages(&asked).await.unwrap(), vec![ids[0], ids[2]]);
    assert!(store.known_messages(&[]).await.unwrap().is_empty());
}

/// Channel settings are a per-workspace document: absent until stored, replaced whole, isolated.
async fn channel_settings_round_trip(store: &dyn Store) {
    let a = seed(store, "settings-a", 1).await;
    let b = seed(store, "settings-b", 1).await;
    assert_eq!(store.channel_settings(a).await.unwrap(), None);
    let first = serde_json::json!({"email": {"kind": "smtp", "host": "127.0.0.1", "port": 2525}});
    store.put_channel_settings(a, &first, t0()).await.unwrap();
    let second = serde_json::json!({"email": {"kind": "vendor", "base_url": "http://127.0.0.1:9"}});
    store.put_channel_settings(a, &second, t0()).await.unwrap();
    assert_eq!(store.channel_settings(a).await.unwrap(), Some(second));
    assert_eq!(store.channel_settings(b).await.unwrap(), None);
    assert_eq!(store.workspace(a).await.unwrap().map(|w| w.slug), Some("settings-a".to_owned()));
    assert!(store.workspace(a + b + 1_000).await.unwrap().is_none());
}

super::on_both_backends!(
    known_messages_are_our_log_ids,
    channel_settings_round_trip,
    receipts_only_move_forward,
    a_receipt_before_its_dispatch_result_is_kept,
    racing_receipts_and_results_all_land,
);
