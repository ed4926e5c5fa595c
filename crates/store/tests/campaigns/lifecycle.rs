//! Status changes, cancel, retry of failed messages, and reading the log.

use converge_domain::CampaignStatus::{Cancelled, Completed, Paused, Running, Scheduled};
use converge_domain::ReceiptStatus::{Failed, Sent};
use converge_domain::{CampaignId, DeliveryStatus};
use converge_store::{DispatchOutcome, Store};

use super::{accepted, check, claim, everyone, log, new_campaign, receipt, running, secs, seed, t0};

async fn status_changes_are_compare_and_set(store: &dyn Store) {
    let ws = seed(store, "cas", 2).await;
    let other = seed(store, "cas-other", 1).await;
    let (c, _) = store.create_campaign(ws, &new_campaign(everyone(), None, t0() + secs(600)), t0()).await.unwrap();
    let set = |from: &'static [_], to, at| store.set_campaign_status(ws, c.id, from, to, at);
    assert!(set(&[Running], Paused, t0()).await.unwrap().is_none(), "it is scheduled, not running");
    assert!(set(&[], Paused, t0()).await.unwrap().is_none());
    let paused = set(&[Scheduled], Paused, t0() + secs(1)).await.unwrap().unwrap();
    assert_eq!((paused.status, paused.updated_at), (Paused, t0() + secs(1)));
    assert!(set(&[Paused], Completed, t0()).await.unwrap().is_none(), "the domain forbids paused → completed");
    let resumed = set(&[Paused], Running, t0() + secs(2)).await.unwrap().unwrap();
    assert_eq!((resumed.status, resumed.launched_at), (Running, Some(t0() + secs(2))));
    assert!(set(&[Running], Completed, t0()).await.unwrap().is_none(), "messages are still pending");
    let theirs = store.set_campaign_status(other, c.id, &[Running], Paused, t0()).await.unwrap();
    assert!(theirs.is_none(), "another workspace cannot touch it");
    assert_eq!(check(store, ws, c.id).await.status, Running);
    assert!(store
        .set_campaign_status(ws, CampaignId::new(c.id.get() + 1000), &[Running], Paused, t0())
        .await
        .unwrap()
        .is_none());
}

async fn cancel_skips_what_is_still_waiting(store: &dyn Store) {
    let ws = seed(store, "cancel", 6).await;
    let id = running(store, ws).await;
    let short = store.claim_deliveries("w", 1, secs(10), t0()).await.unwrap();
    let long = store.claim_deliveries("w", 2, secs(60), t0()).await.unwrap();
    store.record_dispatch(&[accepted(&long[0], "sent-before-cancel")], t0()).await.unwrap();
    let all = [Scheduled, Running, Paused];
    let cancelled = store.set_campaign_status(ws, id, &all, Cancelled, t0() + secs(5)).await.unwrap().unwrap();
    assert_eq!((cancelled.status, cancelled.completed_at), (Cancelled, Some(t0() + secs(5))));
    // Three unclaimed rows are skipped; the accepted one and the two under live claims still wait.
    assert_eq!((cancelled.stats.skipped, cancelled.stats.pending), (3, 3));
    let rows = log(store, ws, id).await;
    assert!(rows[3..]
        .iter()
        .all(|r| r.status == DeliveryStatus::Skipped && r.error.as_deref() == Some("campaign cancelled")));
    check(store, ws, id).await;
    // The worker holding a live claim reports a retry: it will never happen, so the row is skipped.
    let retry = DispatchOutcome::Retry { error: "vendor 503".into(), next_attempt_at: t0() + secs(30) };
    assert_eq!(store.record_dispatch(&[long[1].result(retry)], t0() + secs(6)).await.unwrap().recorded, 1);
    assert_eq!(log(store, ws, id).await[2].status, DeliveryStatus::Skipped);
    // The vendor's receipt for the message sent before the cancel is still applied.
    assert_eq!(
        store.apply_receipts(&[receipt(long[0].log_id, "sent-before-cancel", Sent, t0())], t0()).await.unwrap().applied,
        1
    );
    // The short claim lapses without a result (its worker died): the scheduler's sweep skips it.
    assert!(store.finish_campaigns(t0() + secs(9)).await.unwrap().is_empty());
    assert_eq!(check(store, ws, id).await.stats.pending, 1);
    store.finish_campaigns(t0() + secs(10)).await.unwrap();
    let done = check(store, ws, id).await;
    assert_eq!((done.status, done.stats.pending, done.stats.skipped, done.stats.sent), (Cancelled, 0, 5, 1));
    let lapsed = log(store, ws, id).await.into_iter().find(|r| r.id == short[0].log_id).unwrap();
    assert_eq!((lapsed.status, lapsed.completed_at), (DeliveryStatus::Skipped, Some(t0() + secs(10))));
    assert!(claim(store, "w", t0() + secs(3600)).await.is_empty());
    assert!(store.set_campaign_status(ws, id, &all, Cancelled, t0()).await.unwrap().is_none(), "cancelled is final");
    assert_eq!(store.retry_failed(ws, id, t0()).await.unwrap(), None);
}

async fn retry_failed_reopens_failed_messages(store: &dyn Store) {
    let ws = seed(store, "retry", 3).await;
    let other = seed(store, "retry-other", 1).await;
    let id = running(store, ws).await;
    let c = claim(store, "w", t0()).await;
    let results = vec![
        accepted(&c[0], "a0"),
        accepted(&c[1], "a1"),
        c[2].result(DispatchOutcome::Failed { error: "bad number".into() }),
    ];
    store.record_dispatch(&results, t0()).await.unwrap();
    store
        .apply_receipts(&[receipt(c[0].log_id, "a0", Failed, t0()), receipt(c[1].log_id, "a1", Sent, t0())], t0())
        .await
        .unwrap();
    assert_eq!(store.finish_campaigns(t0() + secs(1)).await.unwrap(), vec![id]);
    assert_eq!(store.retry_failed(other, id, t0()).await.unwrap(), None);
    let t1 = t0() + secs(100);
    assert_eq!(store.retry_failed(ws, id, t1).await.unwrap(), Some(2));
    let reopened = check(store, ws, id).await;
    assert_eq!((reopened.status, reopened.completed_at, reopened.stats.pending), (Running, None, 2));
    let rows = log(store, ws, id).await;
    for row in [&rows[0], &rows[2]] {
        assert_eq!((row.status, row.attempts, row.next_attempt_at), (DeliveryStatus::Pending, 0, Some(t1)));
        assert!(row.vendor_message_id.is_none() && row.error.is_none() && row.completed_at.is_none());
    }
    assert_eq!(rows[1].status, DeliveryStatus::Sent);
    // A late receipt for the failed attempt waits for the message's next acceptance, and then does not match it.
    assert_eq!(store.apply_receipts(&[receipt(c[0].log_id, "a0", Sent, t1)], t1).await.unwrap().unknown, 1);
    let again = claim(store, "w", t1).await;
    assert!(again.iter().all(|d| d.generation == 1 && d.attempts == 1));
    let results: Vec<_> = again.iter().map(|d| accepted(d, &format!("b{}", d.log_id))).collect();
    store.record_dispatch(&results, t1).await.unwrap();
    let receipts: Vec<_> = again.iter().map(|d| receipt(d.log_id, &format!("b{}", d.log_id), Sent, t1)).collect();
    store.apply_receipts(&receipts, t1).await.unwrap();
    assert_eq!(store.finish_campaigns(t1).await.unwrap(), vec![id]);
    assert_eq!(check(store, ws, id).await.stats.sent, 3);
    assert_eq!(store.retry_failed(ws, id, t1).await.unwrap(), Some(0));
    assert_eq!(check(store, ws, id).await.status, Completed);
}

async fn the_log_pages_and_filters(store: &dyn Store) {
    let ws = seed(store, "log", 7).await;
    let other = seed(store, "log-other", 3).await;
    let id = running(store, ws).await;
    let c = claim(store, "w", t0()).await;
    let skips: Vec<_> =
        c.iter().step_by(2).map(|d| d.result(DispatchOutcome::Skipped { reason: "no e-mail".into() })).collect();
    store.record_dispatch(&skips, t0()).await.unwrap();
    let all = log(store, ws, id).await;
    assert_eq!(all.len(), 7);
    assert_eq!((all[0].customer_external_id.as_str(), all[0].customer_name.as_deref()), ("C1", Some("Person 1")));
    let mut paged = Vec::new();
    let mut after = None;
    loop {
        let page = store.campaign_log(ws, id, None, after, 3).await.unwrap();
        let Some(last) = page.last() else { break };
        after = Some(last.id);
        paged.extend(page);
    }
    assert_eq!(paged, all);
    let skipped = store.campaign_log(ws, id, Some(DeliveryStatus::Skipped), None, 3).await.unwrap();
    assert_eq!(skipped.iter().map(|r| r.customer_external_id.as_str()).collect::<Vec<_>>(), ["C1", "C3", "C5"]);
    let rest = store.campaign_log(ws, id, Some(DeliveryStatus::Skipped), Some(skipped[2].id), 3).await.unwrap();
    assert_eq!(rest.iter().map(|r| r.customer_external_id.as_str()).collect::<Vec<_>>(), ["C7"]);
    assert_eq!(store.campaign_log(ws, id, Some(DeliveryStatus::Pending), None, 10).await.unwrap().len(), 3);
    assert!(store.campaign_log(other, id, None, None, 10).await.unwrap().is_empty());
    assert_eq!(check(store, ws, id).await.stats.skipped, 4);
}

super::on_both_backends!(
    status_changes_are_compare_and_set,
    cancel_skips_what_is_still_waiting,
    retry_failed_reopens_failed_messages,
    the_log_pages_and_filters,
);
