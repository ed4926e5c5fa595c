//! Consent on both backends: subscriptions and their history through ingest and direct changes, the
//! suppression list, the dispatcher's snapshot, deferral, permanent failures, and erasure.

use chrono::{DateTime, Utc};
use converge_domain::consent::SuppressionAddress;
use converge_domain::{ConsentSource, CustomerId, DeliveryStatus, SubscriptionStatus, WorkspaceId};
use converge_store::{DispatchOutcome, NewSuppression, Store, SubscriptionChange, SubscriptionRow};
use serde_json::json;
use sqlx::Row;

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
    let address = SuppressionAddress::parse(address).unwrap();
    NewSuppression {
        address_hash: address.key().0,
        kind: address.kind(),
        masked: address.masked(),
        reason: "asked".into(),
        source,
    }
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
    let phone = SuppressionAddress::parse("+919812340001").unwrap().key().0;
    assert!(!store.lift_suppression(a, &phone, ConsentSource::Admin).await.unwrap(), "only its own source lifts it");
    assert!(store.lift_suppression(a, &phone, ConsentSource::Reply).await.unwrap());
    assert!(store.delete_suppression(a, first.id).await.unwrap());
    assert!(store.suppressions(a, None, 10).await.unwrap().is_empty());
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
    let failed = |c: &ClaimedDelivery, v: &str| {
        let mut r = receipt(c.log_id, v, ReceiptStatus::Failed, t0());
        r.error = Some("number is on the do-not-disturb registry".into());
        r
    };
    store.apply_receipts(&[failed(&claims[0], "v1"), failed(&claims[1], "v2")], t0()).await.unwrap();
    let marked = store.mark_permanent_failures(&[claims[0].log_id]).await.unwrap();
    assert_eq!(marked.len(), 1);
    assert_eq!((marked[0].workspace_id, marked[0].address.clone()), (ws, claims[0].phone.clone()));
    assert_eq!(store.retry_failed(ws, id, t0()).await.unwrap(), Some(1), "only the transient failure is retried");
    let rows = log(store, ws, id).await;
    assert_eq!((rows[0].status, rows[1].status), (DeliveryStatus::Failed, DeliveryStatus::Pending));
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
    let suppress = NewSuppression {
        address_hash: opted_out.key().0,
        kind: opted_out.kind(),
        masked: opted_out.masked(),
        reason: "opted out before erasure".into(),
        source: ConsentSource::Admin,
    };
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
    the_snapshot_has_what_the_dispatcher_decides_by,
    permanent_failures_are_never_retried,
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
