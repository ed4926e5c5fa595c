//! Drafts and edits: a draft has no audience until launched, an edit is a compare-and-set on the status the
//! caller read, and a replaced snapshot is exact or nothing.

use converge_domain::{CampaignStatus, DeliveryStatus};
use converge_store::{CampaignEdit, CampaignFields, NewDraft, Store, StoreError};
use serde_json::Value;

use super::{check, claim, everyone, in_pune, log, new_campaign, parse, secs, seed, t0};

fn draft_fields(rule: Value) -> CampaignFields {
    let new = new_campaign(everyone(), None, t0());
    CampaignFields { rule_json: rule, template: String::new(), ..new.fields() }
}

fn edit(from: CampaignStatus, to: CampaignStatus, fields: CampaignFields, snapshot: Option<Value>) -> CampaignEdit {
    CampaignEdit { from, to, fields, snapshot: snapshot.as_ref().map(parse) }
}

async fn a_draft_waits_unsent_until_launched_with_its_audience_then(store: &dyn Store) {
    let ws = seed(store, "draft", 6).await;
    let other = seed(store, "draft-other", 3).await;
    let new = NewDraft { fields: draft_fields(Value::Null), idempotency_key: None, request_fingerprint: None };
    let (draft, created) = store.create_draft(ws, &new, t0()).await.unwrap();
    assert!(created);
    assert_eq!((draft.status, draft.stats.audience, draft.rule.clone()), (CampaignStatus::Draft, 0, Value::Null));
    assert!(log(store, ws, draft.id).await.is_empty());
    // Its send time has passed, yet the scheduler never starts a draft and no worker claims anything of it.
    assert!(!store.start_due_campaigns(t0() + secs(60)).await.unwrap().contains(&draft.id));
    assert!(claim(store, "w1", t0() + secs(60)).await.is_empty());
    // Edited as a draft: fields change, still nobody snapshotted.
    let mut fields = draft_fields(in_pune());
    fields.name = "Diwali".into();
    fields.template = "Hi {{ first_na".into();
    let edited = store
        .edit_campaign(ws, draft.id, &edit(CampaignStatus::Draft, CampaignStatus::Draft, fields.clone(), None), t0())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (edited.name.as_str(), edited.template.as_str(), edited.rule.clone()),
        ("Diwali", "Hi {{ first_na", in_pune())
    );
    assert_eq!(check(store, ws, draft.id).await.stats.audience, 0);
    // The compare-and-set: an edit that read another status, or another workspace's edit, changes nothing.
    let stale = edit(CampaignStatus::Scheduled, CampaignStatus::Scheduled, fields.clone(), None);
    assert!(store.edit_campaign(ws, draft.id, &stale, t0()).await.unwrap().is_none());
    let theirs = edit(CampaignStatus::Draft, CampaignStatus::Draft, draft_fields(everyone()), None);
    assert!(store.edit_campaign(other, draft.id, &theirs, t0()).await.unwrap().is_none());
    assert_eq!(store.campaign(ws, draft.id).await.unwrap().unwrap().name, "Diwali");
    // An empty audience at launch is refused and leaves the draft as it was.
    let nobody = serde_json::json!({"combinator": "or", "rules": []});
    let launch_nobody = edit(CampaignStatus::Draft, CampaignStatus::Scheduled, fields.clone(), Some(nobody));
    assert!(matches!(store.edit_campaign(ws, draft.id, &launch_nobody, t0()).await, Err(StoreError::EmptyAudience)));
    assert_eq!(check(store, ws, draft.id).await.status, CampaignStatus::Draft);
    // Launched: Pune's three, due at the send time, exactly as a create would snapshot them.
    fields.template = "Hi {{ first_name }}".into();
    fields.send_at = t0() + secs(600);
    let launch = edit(CampaignStatus::Draft, CampaignStatus::Scheduled, fields.clone(), Some(in_pune()));
    let launched = store.edit_campaign(ws, draft.id, &launch, t0() + secs(5)).await.unwrap().unwrap();
    assert_eq!((launched.status, launched.stats.audience, launched.stats.pending), (CampaignStatus::Scheduled, 3, 3));
    let expected = store.segment_ids(ws, &parse(&in_pune()), t0() + secs(5)).await.unwrap();
    let rows = log(store, ws, draft.id).await;
    assert_eq!(rows.iter().map(|r| r.customer_id).collect::<Vec<_>>(), expected);
    assert!(rows.iter().all(|r| r.status == DeliveryStatus::Pending && r.next_attempt_at == Some(fields.send_at)));
    check(store, ws, draft.id).await;
    // Launching twice (a double click) snapshots once.
    assert!(store.edit_campaign(ws, draft.id, &launch, t0() + secs(6)).await.unwrap().is_none());
    assert_eq!(log(store, ws, draft.id).await.len(), 3);
}

async fn a_scheduled_campaign_is_edited_until_it_runs(store: &dyn Store) {
    let ws = seed(store, "sched-edit", 6).await;
    let send_at = t0() + secs(3600);
    let (campaign, _) = store.create_campaign(ws, &new_campaign(everyone(), None, send_at), t0()).await.unwrap();
    assert_eq!(campaign.stats.audience, 6);
    let mut fields = new_campaign(in_pune(), None, send_at).fields();
    // A new audience replaces the snapshot whole.
    let narrowed = edit(CampaignStatus::Scheduled, CampaignStatus::Scheduled, fields.clone(), Some(in_pune()));
    let row = store.edit_campaign(ws, campaign.id, &narrowed, t0()).await.unwrap().unwrap();
    assert_eq!((row.status, row.stats.audience, row.stats.pending), (CampaignStatus::Scheduled, 3, 3));
    assert_eq!(log(store, ws, campaign.id).await.len(), 3);
    check(store, ws, campaign.id).await;
    // An empty one is refused and the old snapshot stays.
    let nobody = serde_json::json!({"combinator": "or", "rules": []});
    let emptied = edit(CampaignStatus::Scheduled, CampaignStatus::Scheduled, fields.clone(), Some(nobody));
    assert!(matches!(store.edit_campaign(ws, campaign.id, &emptied, t0()).await, Err(StoreError::EmptyAudience)));
    assert_eq!(check(store, ws, campaign.id).await.stats.audience, 3);
    // Moving the send time earlier moves the waiting messages with it, so they are due when it starts.
    fields.send_at = t0() + secs(60);
    let sooner = edit(CampaignStatus::Scheduled, CampaignStatus::Scheduled, fields.clone(), None);
    let row = store.edit_campaign(ws, campaign.id, &sooner, t0()).await.unwrap().unwrap();
    assert_eq!(row.send_at, fields.send_at);
    assert!(log(store, ws, campaign.id).await.iter().all(|r| r.next_attempt_at == Some(fields.send_at)));
    // Once the scheduler starts it, edits are refused.
    assert!(store.start_due_campaigns(t0() + secs(61)).await.unwrap().contains(&campaign.id));
    assert!(store.edit_campaign(ws, campaign.id, &sooner, t0() + secs(62)).await.unwrap().is_none());
    assert_eq!(claim(store, "w1", t0() + secs(62)).await.len(), 3);
    // Paused and rescheduled after it sent: the fields may change, the audience may not.
    store.set_campaign_status(ws, campaign.id, &[CampaignStatus::Running], CampaignStatus::Paused, t0()).await.unwrap();
    store
        .set_campaign_status(ws, campaign.id, &[CampaignStatus::Paused], CampaignStatus::Scheduled, t0())
        .await
        .unwrap();
    let widened = edit(CampaignStatus::Scheduled, CampaignStatus::Scheduled, fields.clone(), Some(everyone()));
    assert!(store.edit_campaign(ws, campaign.id, &widened, t0() + secs(63)).await.unwrap().is_none());
    fields.name = "Renamed".into();
    let renamed = edit(CampaignStatus::Scheduled, CampaignStatus::Scheduled, fields, None);
    let row = store.edit_campaign(ws, campaign.id, &renamed, t0() + secs(63)).await.unwrap().unwrap();
    assert_eq!((row.name.as_str(), row.stats.audience), ("Renamed", 3));
    check(store, ws, campaign.id).await;
}

async fn a_draft_create_is_idempotent_by_key(store: &dyn Store) {
    let ws = seed(store, "draft-idem", 2).await;
    let new = NewDraft {
        fields: draft_fields(Value::Null),
        idempotency_key: Some("autosave-1".into()),
        request_fingerprint: Some("f".into()),
    };
    let (first, created) = store.create_draft(ws, &new, t0()).await.unwrap();
    let (again, created_again) = store.create_draft(ws, &new, t0() + secs(1)).await.unwrap();
    assert!(created && !created_again);
    assert_eq!(first, again);
    assert_eq!(store.list_campaigns(ws, None, 10).await.unwrap().len(), 1);
}

/// Two launches of one draft at once (two tabs, a double click on two nodes): one snapshots, the other finds
/// the draft gone and changes nothing; and a launch racing the scheduler's start of an edited campaign.
async fn concurrent_launches_snapshot_once(store: &dyn Store) {
    let ws = seed(store, "draft-race", 8).await;
    for round in 0..5 {
        let new = NewDraft { fields: draft_fields(everyone()), idempotency_key: None, request_fingerprint: None };
        let (draft, _) = store.create_draft(ws, &new, t0()).await.unwrap();
        let mut fields = draft_fields(everyone());
        fields.template = format!("Hi {{{{ first_name }}}} #{round}");
        let launch = edit(CampaignStatus::Draft, CampaignStatus::Scheduled, fields, Some(everyone()));
        let (a, b) = tokio::join!(
            store.edit_campaign(ws, draft.id, &launch, t0()),
            store.edit_campaign(ws, draft.id, &launch, t0())
        );
        let (a, b) = (a.unwrap(), b.unwrap());
        assert!(a.is_some() ^ b.is_some(), "exactly one launch wins (round {round})");
        assert_eq!(log(store, ws, draft.id).await.len(), 8, "one snapshot");
        assert_eq!(check(store, ws, draft.id).await.stats.audience, 8);
    }
}

super::on_both_backends!(
    concurrent_launches_snapshot_once,
    a_draft_waits_unsent_until_launched_with_its_audience_then,
    a_scheduled_campaign_is_edited_until_it_runs,
    a_draft_create_is_idempotent_by_key,
);
