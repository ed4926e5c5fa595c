//! Consent on both backends: subscriptions and their history through ingest and direct changes, the
//! suppression list, the dispatcher's snapshot, deferral, permanent failures, and erasure.

use chrono::{DateTime, Utc};
use converge_domain::consent::SuppressionAddress;
use converge_domain::{ConsentSource, CustomerId, DeliveryStatus, MessageId, SubscriptionStatus, WorkspaceId};
use converge_store::feed::ChangeMark;
use converge_store::{DispatchOutcome, NewSuppression, Store, SubscriptionChange, SubscriptionRow};
use serde_json::json;
use sqlx::Row;
use std::collections::BTreeMap;

use super::*;

fn ms(n: i64) -> DateTime<Utc> {
    t0() + Duration::milliseconds(n)
}

async fn id_of(store: &dyn Store, ws: WorkspaceId, external_id: &str) -> CustomerId {
    store.customer(ws, external_id).await.unwrap().unwrap().id
}

fn statuses(rows: &[SubscriptionRow]) -> Vec<(String, SubscriptionStatus, ConsentSource)> {
    rows.iter().map(|r| (r.subject.clone(), r.status, r.source)).collect()
}

async fn subscriptions_follow_the_newest_change_and_keep_history(store: &dyn Store) {
    let ws = store.create_workspace("subs", "Subs", &inr()).await.unwrap().id;
    let up =
        |at: i64, subs: serde_json::Value| customer(ws, ms(at), json!({"external_id": "C1", "subscriptions": subs}));
    let first =
        vec![up(0, json!({"email": "subscribed", "sms": "subscribed"})), up(10, json!({"sms": "unsubscribed"}))];
    store.apply_ingest(&first).await.unwrap();
    // Redelivered: nothing new in the history.
    store.apply_ingest(&first).await.unwrap();
    // A change received earlier than the stored one arrives late: ignored. The same status again: no entry.
    store.apply_ingest(&[up(5, json!({"sms": "subscribed"})), up(20, json!({"email": "subscribed"}))]).await.unwrap();
    let c1 = id_of(store, ws, "C1").await;
    let now = store.subscriptions(ws, c1).await.unwrap();
    assert_eq!(
        statuses(&now),
        [
            ("email".into(), SubscriptionStatus::Subscribed, ConsentSource::Api),
            ("sms".into(), SubscriptionStatus::Unsubscribed, ConsentSource::Api)
        ]
    );
    assert_eq!(now[1].changed_at, ms(10));
    let history = store.subscription_history(ws, c1, 100).await.unwrap();
    assert_eq!(history.len(), 3, "{history:?}");
    assert_eq!(history[0].status, SubscriptionStatus::Unsubscribed, "newest first");

    // A direct change (the unsubscribe link) and a topic.
    let change = |subject: &str, status, at| SubscriptionChange {
        customer_id: c1,
        subject: subject.into(),
        status,
        source: ConsentSource::UnsubscribeLink,
        changed_at: at,
    };
    let applied = store
        .change_subscriptions(
            ws,
            &[
                change("email", SubscriptionStatus::Unsubscribed, ms(30)),
                change(&converge_store::topic_subject("offers"), SubscriptionStatus::Unsubscribed, ms(30)),
            ],
        )
        .await
        .unwrap();
    assert_eq!(applied, 2);
    assert_eq!(store.subscription_history(ws, c1, 100).await.unwrap().len(), 5);
    // Another workspace cannot touch this customer.
    let other = store.create_workspace("other", "Other", &inr()).await.unwrap().id;
    let forged = store.change_subscriptions(other, &[change("sms", SubscriptionStatus::Subscribed, ms(40))]).await;
    assert_eq!(forged.unwrap(), 0);
    assert!(store.subscriptions(other, c1).await.unwrap().is_empty());
    assert_eq!(store.subscriptions(ws, c1).await.unwrap().len(), 3);
}

fn entry(address: &str, source: ConsentSource) -> NewSuppression {
    NewSuppression::new(SuppressionAddress::parse(address).unwrap(), "asked", source)
}

async fn suppressions_are_per_workspace_and_idempotent(store: &dyn Store) {
    let a = store.create_workspace("supa", "A", &inr()).await.unwrap().id;
    let b = store.create_workspace("supb", "B", &inr()).await.unwrap().id;
    let (first, added) = store.add_suppression(a, &entry("Asha@Example.in", ConsentSource::Admin), t0()).await.unwrap();
    let (again, twice) =
        store.add_suppression(a, &entry("asha@example.in", ConsentSource::Reply), ms(5)).await.unwrap();
    assert_eq!(first, again, "an address listed twice keeps its first entry");
    assert!(added && !twice);
    assert_eq!(first.masked, "a***@example.in");
    store.add_suppression(a, &entry("+919812340001", ConsentSource::Reply), t0()).await.unwrap();
    assert_eq!(store.suppressions(a, None, 10).await.unwrap().len(), 2);
    assert!(store.suppressions(b, None, 10).await.unwrap().is_empty());
    assert!(!store.delete_suppression(b, first.id).await.unwrap(), "another workspace cannot delete it");
    let phone = SuppressionAddress::parse("+919812340001").unwrap();
    assert!(!store.lift_suppression(a, &phone, ConsentSource::Admin).await.unwrap(), "only its own source lifts it");
    assert!(store.lift_suppression(a, &phone, ConsentSource::Reply).await.unwrap());
    assert!(store.delete_suppression(a, first.id).await.unwrap());
    assert!(store.suppressions(a, None, 10).await.unwrap().is_empty());
}

/// `suppressed = true` as SQL counts it, and as an index kept up to date from the change feed sees it
/// (`facts`: each customer's `suppressed`, by id, as the feed last said).
async fn suppressed_everywhere(
    store: &dyn Store,
    ws: WorkspaceId,
    facts: &mut BTreeMap<i64, bool>,
    mark: &mut ChangeMark,
) -> u64 {
    let rule = json!({"combinator": "and", "rules": [{"field": "suppressed", "operator": "=", "value": true}]});
    let rule = Rule::parse(&rule, &Catalogue::builtin(), &inr()).unwrap();
    let changes = store.audience_changes(ws, *mark).await.unwrap();
    *mark = changes.mark;
    for (id, changed) in changes.customers {
        facts.insert(id, changed.suppressed);
    }
    let sql = store.segment_count(ws, &rule, t0()).await.unwrap();
    assert_eq!(sql, facts.values().filter(|s| **s).count() as u64, "the change feed says what SQL counts: {facts:?}");
    sql
}

async fn the_suppressed_field_follows_the_list(store: &dyn Store) {
    let ws = seed(store, "supf", 4).await;
    let other = seed(store, "supg", 4).await;
    let snapshot = store.audience_snapshot(ws).await.unwrap();
    let mut mark = snapshot.mark;
    let mut facts: BTreeMap<i64, bool> = snapshot.customers.into_iter().map(|(id, f)| (id, f.suppressed)).collect();
    assert_eq!(suppressed_everywhere(store, ws, &mut facts, &mut mark).await, 0);
    // An address in any case, and a phone: each customer stored with it becomes suppressed.
    let (by_mail, _) = store.add_suppression(ws, &entry("C1@Example.IN", ConsentSource::Admin), t0()).await.unwrap();
    store.add_suppression(ws, &entry("+919812340002", ConsentSource::Reply), t0()).await.unwrap();
    assert_eq!(suppressed_everywhere(store, ws, &mut facts, &mut mark).await, 2);
    let (c1, c2) = (id_of(store, ws, "C1").await.get(), id_of(store, ws, "C2").await.get());
    assert_eq!((facts[&c1], facts[&c2]), (true, true));
    // Another workspace's customers with the same addresses are not.
    let (mut other_facts, mut other_mark) = (BTreeMap::new(), store.audience_snapshot(other).await.unwrap().mark);
    assert_eq!(suppressed_everywhere(store, other, &mut other_facts, &mut other_mark).await, 0);
    // A customer who takes a suppressed address later is suppressed too.
    store
        .apply_ingest(&[customer(ws, Utc::now(), json!({"external_id": "C4", "email": "c1@EXAMPLE.in"}))])
        .await
        .unwrap();
    assert_eq!(suppressed_everywhere(store, ws, &mut facts, &mut mark).await, 3);
    // Deleted by id (only the hash is known) and lifted by a reply: both followed.
    assert!(store.delete_suppression(ws, by_mail.id).await.unwrap());
    assert_eq!(suppressed_everywhere(store, ws, &mut facts, &mut mark).await, 1);
    let phone = SuppressionAddress::parse("+919812340002").unwrap();
    assert!(store.lift_suppression(ws, &phone, ConsentSource::Reply).await.unwrap());
    assert_eq!(suppressed_everywhere(store, ws, &mut facts, &mut mark).await, 0);
}

async fn the_snapshot_has_what_the_dispatcher_decides_by(store: &dyn Store) {
    let ws = seed(store, "snap", 3).await;
    let id = running(store, ws).await;
    let claims = claim(store, "w", t0()).await;
    let c1 = id_of(store, ws, "C1").await;
    let c2 = id_of(store, ws, "C2").await;
    // C1's message is accepted; C2's is deferred to the end of quiet hours and is not an attempt.
    let until = t0() + secs(3600);
    let deferred = claims[1].result(DispatchOutcome::Deferred { reason: "quiet_hours".into(), until });
    store.record_dispatch(&[accepted(&claims[0], "v1"), deferred], t0()).await.unwrap();
    let rows = log(store, ws, id).await;
    assert_eq!((rows[1].status, rows[1].attempts, rows[1].next_attempt_at), (DeliveryStatus::Pending, 0, Some(until)));
    assert_eq!(rows[1].error.as_deref(), Some("quiet_hours"));
    assert!(claim(store, "w", t0() + secs(LEASE + 1)).await.iter().all(|c| c.customer_id != c2), "not due yet");
    let again = claim(store, "w", until).await;
    assert!(again.iter().any(|c| c.customer_id == c2 && c.attempts == 1));

    store
        .change_subscriptions(
            ws,
            &[SubscriptionChange {
                customer_id: c2,
                subject: "sms".into(),
                status: SubscriptionStatus::Unsubscribed,
                source: ConsentSource::Reply,
                changed_at: t0(),
            }],
        )
        .await
        .unwrap();
    store.add_suppression(ws, &entry("+9198123400003", ConsentSource::Admin), t0()).await.unwrap();
    let hashes: Vec<String> =
        ["+9198123400003", "+9198123400001"].iter().map(|p| SuppressionAddress::of_phone(p).key().0).collect();
    let snapshot = store.consent_snapshot(ws, &[c1, c2], &hashes, Some(t0() - secs(60))).await.unwrap();
    assert_eq!(snapshot.subscriptions, [(c2, "sms".to_owned(), SubscriptionStatus::Unsubscribed)]);
    assert_eq!(snapshot.suppressed, [hashes[0].clone()]);
    assert_eq!(snapshot.sent_since, [(c1, 1)]);
    let later = store.consent_snapshot(ws, &[c1, c2], &[], Some(t0() + secs(1))).await.unwrap();
    assert!(later.sent_since.is_empty(), "outside the window");
    let other = store.create_workspace("snap2", "Other", &inr()).await.unwrap().id;
    let foreign = store.consent_snapshot(other, &[c1, c2], &hashes, Some(t0() - secs(60))).await.unwrap();
    assert_eq!(foreign, Default::default(), "another workspace sees nothing");
}

async fn permanent_failures_are_never_retried(store: &dyn Store) {
    let ws = seed(store, "perm", 2).await;
    let id = running(store, ws).await;
    let claims = claim(store, "w", t0()).await;
    store.record_dispatch(&[accepted(&claims[0], "v1"), accepted(&claims[1], "v2")], t0()).await.unwrap();
    let failed = |c: &ClaimedDelivery, v: &str, permanent: bool| {
        let mut r = receipt(c.log_id, v, ReceiptStatus::Failed, t0());
        r.error = Some("number is on the do-not-disturb registry".into());
        r.permanent = permanent;
        r
    };
    let batch = [failed(&claims[0], "v1", true), failed(&claims[1], "v2", false)];
    store.apply_receipts(&batch, t0()).await.unwrap();
    // Redelivered: the message is settled already, nothing is queued twice.
    store.apply_receipts(&batch, t0()).await.unwrap();
    assert_eq!(store.settle_bounces(10, t0()).await.unwrap(), 1, "one permanent failure queued, once");
    assert_eq!(store.settle_bounces(10, t0()).await.unwrap(), 0);
    let listed = store.suppressions(ws, None, 10).await.unwrap();
    assert_eq!(listed.len(), 1);
    let phone = SuppressionAddress::of_phone(claims[0].phone.as_deref().unwrap());
    assert_eq!((listed[0].address_hash.as_str(), listed[0].source), (phone.key().0.as_str(), ConsentSource::Bounce));
    assert_eq!(listed[0].reason, "number is on the do-not-disturb registry");
    assert_eq!(store.retry_failed(ws, id, t0()).await.unwrap(), Some(1), "only the transient failure is retried");
    let rows = log(store, ws, id).await;
    assert_eq!((rows[0].status, rows[1].status), (DeliveryStatus::Failed, DeliveryStatus::Pending));
    check(store, ws, id).await;
}

/// Two dispatchers deciding one customer's messages at the same instant cannot pass the frequency cap
/// together: holds are granted under the customer's lock, counted with accepted messages, released when
/// a result is recorded, and ignored once stale.
async fn the_frequency_cap_holds_across_dispatchers(store: &dyn Store) {
    let ws = seed(store, "caph", 1).await;
    for _ in 0..5 {
        running(store, ws).await;
    }
    let claims = claim(store, "w", t0()).await;
    assert_eq!(claims.len(), 5, "five campaigns, one customer");
    let wanted = |range: std::ops::Range<usize>| -> Vec<(CustomerId, MessageId)> {
        claims[range].iter().map(|c| (c.customer_id, c.log_id)).collect()
    };
    let (since, fresh) = (t0() - Duration::days(7), t0() - secs(120));
    store.record_dispatch(&[accepted(&claims[0], "v0")], t0()).await.unwrap();
    let (one, two) = (wanted(1..3), wanted(3..5));
    let (first, second) = tokio::join!(
        store.hold_frequency_cap(ws, 3, since, fresh, t0(), &one),
        store.hold_frequency_cap(ws, 3, since, fresh, t0(), &two),
    );
    let (first, second) = (first.unwrap(), second.unwrap());
    assert_eq!(first.len() + second.len(), 2, "one accepted and two held make the cap of 3: {first:?} {second:?}");
    // The same messages asked for again are held again, not counted twice.
    let mut held: Vec<MessageId> = first.iter().chain(&second).copied().collect();
    held.sort_unstable();
    let again: Vec<(CustomerId, MessageId)> = held.iter().map(|m| (claims[0].customer_id, *m)).collect();
    assert_eq!(store.hold_frequency_cap(ws, 3, since, fresh, t0(), &again).await.unwrap(), held);
    let denied: Vec<(CustomerId, MessageId)> = wanted(1..5).into_iter().filter(|(_, m)| !held.contains(m)).collect();
    assert!(store.hold_frequency_cap(ws, 3, since, fresh, t0(), &denied).await.unwrap().is_empty(), "over the cap");
    // A held message whose send is retried later gives its slot back.
    let retried = claims.iter().find(|c| c.log_id == held[0]).unwrap();
    let retry = DispatchOutcome::Retry { error: "vendor busy".into(), next_attempt_at: t0() + secs(600) };
    store.record_dispatch(&[retried.result(retry)], t0()).await.unwrap();
    assert_eq!(store.hold_frequency_cap(ws, 3, since, fresh, t0(), &denied).await.unwrap().len(), 1);
    // Holds of a dispatcher that died long ago no longer count; the accepted message still does.
    let later = t0() + secs(600);
    assert_eq!(store.hold_frequency_cap(ws, 3, since, later - secs(120), later, &wanted(1..5)).await.unwrap().len(), 2);
    // Another workspace's cap is its own.
    let other = seed(store, "caph2", 1).await;
    running(store, other).await;
    let theirs = claim(store, "w2", t0()).await;
    let theirs: Vec<(CustomerId, MessageId)> = theirs.iter().map(|c| (c.customer_id, c.log_id)).collect();
    assert_eq!(store.hold_frequency_cap(other, 1, since, fresh, t0(), &theirs).await.unwrap().len(), 1);
}

/// A permanent failure whose receipt arrived before the dispatcher recorded the acceptance: parked with its
/// flag, applied by `record_dispatch`, and then marked and listed exactly as if it had come in order.
async fn a_parked_permanent_failure_is_not_forgotten(store: &dyn Store) {
    let ws = seed(store, "permp", 1).await;
    let id = running(store, ws).await;
    let claims = claim(store, "w", t0()).await;
    let mut early = receipt(claims[0].log_id, "v1", ReceiptStatus::Failed, t0());
    early.permanent = true;
    let outcome = store.apply_receipts(&[early], t0()).await.unwrap();
    assert_eq!(outcome.unknown, 1, "parked");
    assert_eq!(store.settle_bounces(10, t0()).await.unwrap(), 0, "nothing settled yet");
    let summary = store.record_dispatch(&[accepted(&claims[0], "v1")], t0()).await.unwrap();
    assert_eq!(summary.receipts_applied, 1);
    assert_eq!(store.settle_bounces(10, t0()).await.unwrap(), 1);
    assert_eq!(store.suppressions(ws, None, 10).await.unwrap().len(), 1);
    assert_eq!(store.retry_failed(ws, id, t0()).await.unwrap(), Some(0), "a permanent failure is never retried");
    check(store, ws, id).await;
}

/// Every text value of every table, on either backend.
async fn every_text(url: &str) -> Vec<String> {
    let mut found = Vec::new();
    if url.starts_with("postgres") {
        let mut conn = <sqlx::PgConnection as sqlx::Connection>::connect(url).await.unwrap();
        let columns: Vec<(String, String)> = sqlx::query_as(
            "SELECT table_name::text, column_name::text FROM information_schema.columns \
             WHERE table_schema = 'public' AND data_type IN ('text', 'jsonb', 'ARRAY', 'character varying')",
        )
        .fetch_all(&mut conn)
        .await
        .unwrap();
        for (table, column) in columns {
            let sql = format!("SELECT \"{column}\"::text FROM \"{table}\" WHERE \"{column}\" IS NOT NULL");
            let rows: Vec<String> = sqlx::query_scalar(&sql).fetch_all(&mut conn).await.unwrap();
            found.extend(rows);
        }
    } else {
        let mut conn = <sqlx::SqliteConnection as sqlx::Connection>::connect(url).await.unwrap();
        let tables: Vec<String> = sqlx::query_scalar("SELECT name FROM sqlite_master WHERE type = 'table'")
            .fetch_all(&mut conn)
            .await
            .unwrap();
        for table in tables {
            let columns = sqlx::query(&format!("SELECT name FROM pragma_table_info('{table}')"))
                .fetch_all(&mut conn)
                .await
                .unwrap();
            for column in columns {
                let column: String = column.get(0);
                let sql = format!("SELECT CAST(\"{column}\" AS TEXT) FROM \"{table}\" WHERE \"{column}\" IS NOT NULL");
                let rows: Vec<String> = sqlx::query_scalar(&sql).fetch_all(&mut conn).await.unwrap_or_default();
                found.extend(rows);
            }
        }
    }
    found
}

async fn erasure_leaves_no_personal_data(backend: &Backend) {
    let store = backend.store();
    let ws = store.create_workspace("erase", "Erase", &inr()).await.unwrap().id;
    let person = json!({"external_id": "C1", "name": "Zoravar Quixote", "email": "zoravar.q@example.in",
        "phone": "+919876500001", "city": "Xanadu", "attributes": {"nickname": "Zorro"},
        "subscriptions": {"sms": "unsubscribed"}});
    let keep = json!({"external_id": "C2", "name": "Asha Rao", "phone": "+919876500002"});
    store.apply_ingest(&[customer(ws, t0(), person), customer(ws, t0(), keep)]).await.unwrap();
    store.apply_ingest(&[support::order(ws, "O1", "C1", "1499.00")]).await.unwrap();
    let id = running(store, ws).await;
    let claims = claim(store, "w", t0()).await;
    let results: Vec<_> = claims.iter().enumerate().map(|(i, c)| accepted(c, &format!("v{i}"))).collect();
    store.record_dispatch(&results, t0()).await.unwrap();
    let c1 = id_of(store, ws, "C1").await;
    let opted_out = SuppressionAddress::of_phone("+919876500001");
    let suppress = NewSuppression::new(opted_out, "opted out before erasure", ConsentSource::Admin);
    assert!(store.erase_customer(ws, c1, &[suppress], ms(10)).await.unwrap());
    let secrets = ["Zoravar", "zoravar.q@example.in", "9876500001", "Xanadu", "Zorro"];
    let everything = every_text(backend.url()).await;
    for secret in secrets {
        let hits: Vec<&String> = everything.iter().filter(|text| text.contains(secret)).collect();
        assert!(hits.is_empty(), "{secret} is still stored on {}: {hits:?}", backend.name());
    }
    assert!(everything.iter().any(|text| text.contains("Asha Rao")), "other customers are untouched");
    let erased = store.customer(ws, "C1").await.unwrap().unwrap();
    assert_eq!((erased.total_spend, erased.order_count), (149_900, 1), "aggregates stay, anonymous");
    assert!(store.subscriptions(ws, c1).await.unwrap().is_empty());
    assert_eq!(store.suppressions(ws, None, 10).await.unwrap()[0].masked, "+91******0001");
    // An upsert received before the erasure, still in the stream, cannot bring the data back.
    store.apply_ingest(&[customer(ws, ms(5), json!({"external_id": "C1", "name": "Zoravar Quixote"}))]).await.unwrap();
    assert_eq!(store.customer(ws, "C1").await.unwrap().unwrap().name, None);
    assert!(!store.erase_customer(WorkspaceId::new(ws.get() + 100), c1, &[], ms(20)).await.unwrap());
    check(store, ws, id).await;
}

async fn double_opt_in_requests_are_claimed_once(store: &dyn Store) {
    let ws = store.create_workspace("doi", "Doi", &inr()).await.unwrap().id;
    let up = |id: &str, at: i64, subs: serde_json::Value| {
        customer(ws, ms(at), json!({"external_id": id, "email": format!("{id}@example.in"), "subscriptions": subs}))
    };
    store
        .apply_ingest(&[up("P1", 0, json!({"email": "pending"})), up("P2", 0, json!({"email": "subscribed"}))])
        .await
        .unwrap();
    // A confirmed customer sent again as pending (double opt-in on an upsert) stays confirmed.
    store.apply_ingest(&[up("P2", 10, json!({"email": "pending"}))]).await.unwrap();
    let p2 = id_of(store, ws, "P2").await;
    assert_eq!(store.subscriptions(ws, p2).await.unwrap()[0].status, SubscriptionStatus::Subscribed);
    let claimed = store.claim_confirmations(ms(20), 10).await.unwrap();
    assert_eq!(claimed.len(), 1);
    assert_eq!((claimed[0].subject.as_str(), claimed[0].email.as_deref()), ("email", Some("P1@example.in")));
    assert!(store.claim_confirmations(ms(21), 10).await.unwrap().is_empty(), "claimed once");
    store.release_confirmation(&claimed[0]).await.unwrap();
    assert_eq!(store.claim_confirmations(ms(22), 10).await.unwrap(), claimed, "released, claimed again");
    // Unsubscribed, then pending again: a new request is due.
    store
        .apply_ingest(&[up("P1", 30, json!({"email": "unsubscribed"})), up("P1", 40, json!({"email": "pending"}))])
        .await
        .unwrap();
    let again = store.claim_confirmations(ms(50), 10).await.unwrap();
    assert_eq!((again.len(), again[0].changed_at), (1, ms(40)));
}

async fn compliance_settings_round_trip(store: &dyn Store) {
    let ws = store.create_workspace("comp", "Comp", &inr()).await.unwrap().id;
    assert_eq!(store.compliance_settings(ws).await.unwrap(), None);
    let doc = json!({"timezone": "Asia/Kolkata", "quiet_hours": null});
    store.put_compliance_settings(ws, &doc, t0()).await.unwrap();
    store.put_compliance_settings(ws, &doc, t0()).await.unwrap();
    assert_eq!(store.compliance_settings(ws).await.unwrap(), Some(doc));
    let key = store.link_key(ws, t0()).await.unwrap();
    assert_eq!(key.len(), 64);
    assert_eq!(store.link_key(ws, ms(5)).await.unwrap(), key, "made once, then kept");
    let other = store.create_workspace("comp2", "Other", &inr()).await.unwrap().id;
    assert_ne!(store.link_key(other, t0()).await.unwrap(), key);
}

super::on_both_backends!(
    subscriptions_follow_the_newest_change_and_keep_history,
    suppressions_are_per_workspace_and_idempotent,
    the_suppressed_field_follows_the_list,
    the_snapshot_has_what_the_dispatcher_decides_by,
    permanent_failures_are_never_retried,
    a_parked_permanent_failure_is_not_forgotten,
    the_frequency_cap_holds_across_dispatchers,
    compliance_settings_round_trip,
    double_opt_in_requests_are_claimed_once,
);

mod erasure {
    #[tokio::test]
    async fn sqlite() {
        if let Some(b) = crate::Backend::sqlite().await {
            super::erasure_leaves_no_personal_data(&b).await
        }
    }

    #[tokio::test]
    async fn postgres() {
        if let Some(b) = crate::Backend::postgres().await {
            super::erasure_leaves_no_personal_data(&b).await
        }
    }
}
