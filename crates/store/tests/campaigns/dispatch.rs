//! Claiming messages and recording dispatch results.

use std::collections::BTreeSet;

use converge_domain::{CampaignStatus, DeliveryStatus, MessageId};
use converge_store::{DispatchOutcome, Store};

use super::{accepted, check, claim, everyone, log, new_campaign, running, secs, seed, t0, LEASE};

async fn concurrent_claims_never_share_a_row(store: &dyn Store) {
    let ws = seed(store, "claims", 30).await;
    let id = running(store, ws).await;
    let all: BTreeSet<MessageId> = log(store, ws, id).await.iter().map(|r| r.id).collect();
    let (a, b) = tokio::join!(claim(store, "w1", t0()), claim(store, "w2", t0()));
    let a: BTreeSet<MessageId> = a.iter().map(|d| d.log_id).collect();
    let b: BTreeSet<MessageId> = b.iter().map(|d| d.log_id).collect();
    assert!(a.is_disjoint(&b), "a row was claimed twice: {:?}", a.intersection(&b).collect::<Vec<_>>());
    assert_eq!(a.union(&b).copied().collect::<BTreeSet<_>>(), all);
    // Live leases keep everyone else out; lapsed ones make the rows due again, one more attempt each.
    assert!(claim(store, "w3", t0() + secs(LEASE - 1)).await.is_empty());
    let again = claim(store, "w3", t0() + secs(LEASE)).await;
    assert_eq!(again.len(), 30);
    assert!(again.iter().all(|d| d.attempts == 2 && d.claimed_until == t0() + secs(2 * LEASE)));
    assert_eq!(check(store, ws, id).await.stats.pending, 30);
}

/// Several workers draining in small batches: every row is handed out exactly once.
async fn draining_workers_split_the_rows(store: &dyn Store) {
    let ws = seed(store, "drain", 60).await;
    let id = running(store, ws).await;
    async fn drain(store: &dyn Store, worker: &str) -> Vec<MessageId> {
        let mut got = Vec::new();
        loop {
            let batch = store.claim_deliveries(worker, 7, secs(LEASE), t0()).await.unwrap();
            if batch.is_empty() {
                return got;
            }
            got.extend(batch.iter().map(|d| d.log_id));
        }
    }
    let (a, b, c) = tokio::join!(drain(store, "a"), drain(store, "b"), drain(store, "c"));
    let mut every: Vec<MessageId> = a.into_iter().chain(b).chain(c).collect();
    every.sort_unstable();
    let all: Vec<MessageId> = log(store, ws, id).await.iter().map(|r| r.id).collect();
    assert_eq!(every, all);
}

async fn only_running_campaigns_are_claimed(store: &dyn Store) {
    let ws = seed(store, "only-running", 4).await;
    let send_at = t0() + secs(3600);
    let (campaign, _) = store.create_campaign(ws, &new_campaign(everyone(), None, send_at), t0()).await.unwrap();
    let id = campaign.id;
    assert!(store.start_due_campaigns(t0()).await.unwrap().is_empty());
    assert!(claim(store, "w", send_at + secs(1)).await.is_empty(), "scheduled campaigns are not claimed");
    assert_eq!(store.start_due_campaigns(send_at).await.unwrap(), vec![id]);
    let started = check(store, ws, id).await;
    assert_eq!((started.status, started.launched_at), (CampaignStatus::Running, Some(send_at)));
    assert!(claim(store, "w", send_at - secs(1)).await.is_empty(), "rows are due at send_at");
    let paused = store.set_campaign_status(ws, id, &[CampaignStatus::Running], CampaignStatus::Paused, send_at).await;
    assert_eq!(paused.unwrap().unwrap().status, CampaignStatus::Paused);
    assert!(claim(store, "w", send_at).await.is_empty(), "paused campaigns are not claimed");
    store.set_campaign_status(ws, id, &[CampaignStatus::Paused], CampaignStatus::Running, send_at).await.unwrap();
    let claimed = claim(store, "w", send_at).await;
    assert_eq!(claimed.len(), 4);
    let first = &claimed[0];
    assert_eq!((first.campaign_id, first.workspace_id, first.attempts, first.generation), (id, ws, 1, 0));
    assert_eq!(first.external_id, "C1");
    assert_eq!(first.name.as_deref(), Some("Person 1"));
    assert_eq!(first.email.as_deref(), Some("c1@example.in"));
    assert_eq!(first.attributes, serde_json::json!({"tier": "gold"}));
    assert_eq!(first.template, campaign.template);
}

async fn dispatch_results_only_move_forward(store: &dyn Store) {
    let ws = seed(store, "results", 6).await;
    let id = running(store, ws).await;
    let c = claim(store, "w", t0()).await;
    let retry_at = t0() + secs(300);
    let results = vec![
        accepted(&c[0], "v0"),
        c[1].result(DispatchOutcome::Skipped { reason: "no phone number for sms".into() }),
        c[2].result(DispatchOutcome::Retry { error: "vendor 503".into(), next_attempt_at: retry_at }),
        c[3].result(DispatchOutcome::Failed { error: "rejected by vendor".into() }),
        accepted(&c[4], "v4"),
        c[1].result(DispatchOutcome::Failed { error: "repeated in the batch".into() }),
    ];
    let summary = store.record_dispatch(&results, t0() + secs(1)).await.unwrap();
    assert_eq!((summary.recorded, summary.ignored, summary.receipts_applied), (5, 1, 0));
    let rows = log(store, ws, id).await;
    assert_eq!(rows[0].status, DeliveryStatus::Pending);
    assert_eq!(rows[0].vendor_message_id.as_deref(), Some("v0"));
    assert_eq!((rows[0].dispatched_at, rows[0].next_attempt_at), (Some(t0() + secs(1)), None));
    assert_eq!(rows[0].channel, Some(converge_domain::Channel::Sms));
    assert_eq!(rows[0].message.as_deref(), Some("Hi Person 1"));
    assert_eq!((rows[1].status, rows[1].error.as_deref()), (DeliveryStatus::Skipped, Some("no phone number for sms")));
    assert_eq!((rows[2].status, rows[2].next_attempt_at), (DeliveryStatus::Pending, Some(retry_at)));
    assert_eq!(rows[2].error.as_deref(), Some("vendor 503"));
    assert_eq!((rows[3].status, rows[3].completed_at), (DeliveryStatus::Failed, Some(t0() + secs(1))));
    let stats = check(store, ws, id).await.stats;
    assert_eq!((stats.pending, stats.skipped, stats.failed), (4, 1, 1));
    // The retried row comes back at its time with a new attempt, together with row 5 whose lease lapsed.
    let again = claim(store, "w2", retry_at).await;
    assert_eq!(
        again.iter().map(|d| (d.log_id, d.attempts)).collect::<Vec<_>>(),
        vec![(c[2].log_id, 2), (c[5].log_id, 2)]
    );
    // Stale and late results change nothing: the first claim of row 2, a retry of a FAILED row, a second
    // vendor id for an accepted row.
    let late = vec![
        c[2].result(DispatchOutcome::Failed { error: "stale worker".into() }),
        c[3].result(DispatchOutcome::Retry { error: "late".into(), next_attempt_at: retry_at }),
        accepted(&c[0], "v0-again"),
    ];
    let summary = store.record_dispatch(&late, retry_at).await.unwrap();
    assert_eq!((summary.recorded, summary.ignored), (0, 3));
    let after = log(store, ws, id).await;
    assert_eq!((after[2].status, after[2].attempts), (DeliveryStatus::Pending, 2));
    assert_eq!(after[3].status, DeliveryStatus::Failed);
    assert_eq!(after[0].vendor_message_id.as_deref(), Some("v0"));
    // The current claim's result is taken.
    let gave_up = [again[0].result(DispatchOutcome::Failed { error: "gave up".into() })];
    assert_eq!(store.record_dispatch(&gave_up, retry_at).await.unwrap().recorded, 1);
    assert_eq!(check(store, ws, id).await.stats.failed, 2);
}

super::on_both_backends!(
    concurrent_claims_never_share_a_row,
    draining_workers_split_the_rows,
    only_running_campaigns_are_claimed,
    dispatch_results_only_move_forward,
);
