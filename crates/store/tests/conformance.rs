//! One storage conformance suite, run on SQLite and on PostgreSQL.
//!
//! Every `conformance!` test runs twice: `sqlite::name` on a temporary file and `postgres::name` on a fresh
//! database (mandatory when `CI=true`).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // a test (or a bench tool) says what it expects by panicking

mod support;

use chrono::{Duration, TimeZone, Utc};
use converge_domain::{Currency, Scope, WorkspaceId};
use converge_store::{CustomerQuery, NewApiKey, Store, StoreError};
use serde_json::json;
use support::{customer, inr, order, order_at, Backend};

macro_rules! conformance {
    ($($name:ident),* $(,)?) => {
        mod sqlite { $( #[tokio::test] async fn $name() { if let Some(b) = super::Backend::sqlite().await { super::$name(b.store()).await } } )* }
        mod postgres { $( #[tokio::test] async fn $name() { if let Some(b) = super::Backend::postgres().await { super::$name(b.store()).await } } )* }
    };
}

conformance!(
    workspaces_are_unique_by_slug,
    api_keys_are_found_by_hash_until_revoked,
    customer_upsert_keeps_omitted_fields_and_merges_attributes,
    older_profile_never_overwrites_newer,
    orders_update_aggregates_once,
    redelivered_batch_changes_nothing,
    order_before_customer_creates_a_bare_profile,
    workspaces_are_isolated,
    list_pages_and_searches_literally,
    customer_orders_newest_first,
    ingest_days_count_what_was_inserted_on_the_day_it_arrived,
    sums_of_maximal_orders_saturate_at_the_cap_instead_of_overflowing,
    merged_attributes_never_exceed_fifty_keys,
);

async fn workspaces_are_unique_by_slug(store: &dyn Store) {
    let ws = store.create_workspace("acme", "Acme", &inr()).await.unwrap();
    assert_eq!(ws.slug, "acme");
    assert_eq!(ws.currency, inr());
    let again = store.create_workspace("acme", "Other", &inr()).await;
    assert!(matches!(again, Err(StoreError::Conflict(_))), "{again:?}");
    assert_eq!(store.workspace_by_slug("acme").await.unwrap().unwrap().id, ws.id);
    assert!(store.workspace_by_slug("nope").await.unwrap().is_none());
}

async fn api_keys_are_found_by_hash_until_revoked(store: &dyn Store) {
    let ws = store.create_workspace("keys", "Keys", &Currency::parse("JPY").unwrap()).await.unwrap();
    let key = NewApiKey {
        workspace_id: ws.id,
        prefix: "cvg_abcdefgh".into(),
        key_hash: vec![7; 32],
        scopes: vec![Scope::Ingest, Scope::Read],
        label: "pos".into(),
        created_by: None,
    };
    let info = store.create_api_key(&key).await.unwrap();
    let grant = store.api_key_by_hash(&[7; 32]).await.unwrap().unwrap();
    assert_eq!(grant.key_id, info.id);
    assert_eq!(grant.workspace_id, ws.id);
    assert_eq!(grant.workspace_slug, "keys");
    assert_eq!(grant.workspace_currency.code(), "JPY");
    assert_eq!(grant.scopes, vec![Scope::Ingest, Scope::Read]);
    assert!(store.api_key_by_hash(&[8; 32]).await.unwrap().is_none());
    store.touch_api_keys(&[info.id], Utc::now()).await.unwrap();
    let duplicate = store.create_api_key(&key).await;
    assert!(matches!(duplicate, Err(StoreError::Conflict(_))));
}

async fn customer_upsert_keeps_omitted_fields_and_merges_attributes(store: &dyn Store) {
    let ws = store.create_workspace("upsert", "U", &inr()).await.unwrap().id;
    let t0 = Utc::now() - Duration::minutes(10);
    let first = customer(
        ws,
        t0,
        json!({"external_id": "C1", "name": "Asha Rao", "email": "asha@example.in",
        "city": "Pune", "attributes": {"tier": "gold", "newsletter": true}}),
    );
    store.apply_ingest(&[first]).await.unwrap();
    let second = customer(
        ws,
        t0 + Duration::minutes(1),
        json!({"external_id": "C1", "city": "Mumbai",
        "attributes": {"tier": "silver", "newsletter": null, "score": 7}}),
    );
    let outcome = store.apply_ingest(&[second]).await.unwrap();
    assert_eq!(outcome.customers_upserted, 1);
    let row = store.customer(ws, "C1").await.unwrap().unwrap();
    assert_eq!(row.name.as_deref(), Some("Asha Rao"));
    assert_eq!(row.email.as_deref(), Some("asha@example.in"));
    assert_eq!(row.city.as_deref(), Some("Mumbai"));
    assert_eq!(row.attributes, json!({"tier": "silver", "score": 7}));
    assert!(row.has_profile);
    assert_eq!(row.total_spend, 0);
    assert_eq!(row.last_order_at, None);
}

async fn older_profile_never_overwrites_newer(store: &dyn Store) {
    let ws = store.create_workspace("stale", "S", &inr()).await.unwrap().id;
    let t0 = Utc::now() - Duration::minutes(10);
    let newer = customer(ws, t0 + Duration::minutes(5), json!({"external_id": "C1", "city": "Delhi"}));
    let older = customer(ws, t0, json!({"external_id": "C1", "city": "Chennai", "name": "Old Name"}));
    store.apply_ingest(&[newer]).await.unwrap();
    let outcome = store.apply_ingest(std::slice::from_ref(&older)).await.unwrap();
    assert_eq!((outcome.customers_upserted, outcome.customers_stale), (0, 1));
    assert_eq!(store.customer(ws, "C1").await.unwrap().unwrap().city.as_deref(), Some("Delhi"));
    // Within one batch the same rule holds: the later-received write wins field by field.
    let ws2 = store.create_workspace("stale-batch", "S2", &inr()).await.unwrap().id;
    let newer2 = customer(ws2, t0 + Duration::minutes(5), json!({"external_id": "C1", "city": "Delhi"}));
    let older2 = customer(ws2, t0, json!({"external_id": "C1", "city": "Chennai", "name": "Old Name"}));
    store.apply_ingest(&[newer2, older2]).await.unwrap();
    let row = store.customer(ws2, "C1").await.unwrap().unwrap();
    assert_eq!(row.city.as_deref(), Some("Delhi"));
    assert_eq!(row.name.as_deref(), Some("Old Name"));
}

async fn orders_update_aggregates_once(store: &dyn Store) {
    let ws = store.create_workspace("orders", "O", &inr()).await.unwrap().id;
    let now = Utc::now();
    let t1 = Utc.with_ymd_and_hms(2026, 1, 5, 10, 0, 0).unwrap();
    let t2 = Utc.with_ymd_and_hms(2026, 3, 5, 10, 0, 0).unwrap();
    store.apply_ingest(&[customer(ws, now, json!({"external_id": "C1", "name": "Ravi"}))]).await.unwrap();
    let batch = vec![
        order_at(ws, "O1", "C1", "1499.50", t2),
        order_at(ws, "O2", "C1", "500", t1),
        order_at(ws, "O1", "C1", "1499.50", t2),
    ];
    let outcome = store.apply_ingest(&batch).await.unwrap();
    assert_eq!((outcome.orders_inserted, outcome.orders_duplicate), (2, 1));
    let again = store.apply_ingest(&[order_at(ws, "O2", "C1", "500", t1)]).await.unwrap();
    assert_eq!((again.orders_inserted, again.orders_duplicate), (0, 1));
    let row = store.customer(ws, "C1").await.unwrap().unwrap();
    assert_eq!(row.total_spend, 199_950);
    assert_eq!(row.order_count, 2);
    assert_eq!(row.visits, 2);
    assert_eq!(row.last_order_at, Some(t2));
    assert_eq!(store.counts(ws).await.unwrap().orders, 2);
}

async fn redelivered_batch_changes_nothing(store: &dyn Store) {
    let ws = store.create_workspace("redeliver", "R", &inr()).await.unwrap().id;
    let now = Utc::now();
    let batch = vec![
        customer(ws, now, json!({"external_id": "C1", "name": "Meera"})),
        order(ws, "O1", "C1", "10.00"),
        order(ws, "O2", "C2", "20.00"),
    ];
    let first = store.apply_ingest(&batch).await.unwrap();
    assert_eq!(first.orders_inserted, 2);
    let before = (store.customer(ws, "C1").await.unwrap(), store.customer(ws, "C2").await.unwrap());
    let second = store.apply_ingest(&batch).await.unwrap();
    assert_eq!(second.orders_inserted, 0);
    assert_eq!(second.orders_duplicate, 2);
    let after = (store.customer(ws, "C1").await.unwrap(), store.customer(ws, "C2").await.unwrap());
    let strip =
        |c: Option<converge_store::CustomerRow>| c.map(|c| (c.total_spend, c.order_count, c.last_order_at, c.name));
    assert_eq!((strip(before.0), strip(before.1)), (strip(after.0), strip(after.1)));
}

async fn order_before_customer_creates_a_bare_profile(store: &dyn Store) {
    let ws = store.create_workspace("bare", "B", &inr()).await.unwrap().id;
    store.apply_ingest(&[order(ws, "O1", "LATE", "99.00")]).await.unwrap();
    let bare = store.customer(ws, "LATE").await.unwrap().unwrap();
    assert!(!bare.has_profile);
    assert_eq!((bare.total_spend, bare.order_count), (9_900, 1));
    store
        .apply_ingest(&[customer(ws, Utc::now(), json!({"external_id": "LATE", "name": "Late Comer", "city": "Goa"}))])
        .await
        .unwrap();
    let full = store.customer(ws, "LATE").await.unwrap().unwrap();
    assert!(full.has_profile);
    assert_eq!(full.name.as_deref(), Some("Late Comer"));
    assert_eq!((full.total_spend, full.order_count), (9_900, 1));
}

async fn workspaces_are_isolated(store: &dyn Store) {
    let a = store.create_workspace("ws-a", "A", &inr()).await.unwrap().id;
    let b = store.create_workspace("ws-b", "B", &inr()).await.unwrap().id;
    store.apply_ingest(&[order(a, "O1", "C1", "10.00"), order(b, "O1", "C1", "30.00")]).await.unwrap();
    assert_eq!(store.customer(a, "C1").await.unwrap().unwrap().total_spend, 1_000);
    assert_eq!(store.customer(b, "C1").await.unwrap().unwrap().total_spend, 3_000);
    let query = CustomerQuery { limit: 10, ..CustomerQuery::default() };
    assert_eq!(store.list_customers(a, &query).await.unwrap().len(), 1);
    assert_eq!(store.counts(b).await.unwrap().orders, 1);
}

async fn list_pages_and_searches_literally(store: &dyn Store) {
    let ws = store.create_workspace("list", "L", &inr()).await.unwrap().id;
    let now = Utc::now();
    let mut batch = Vec::new();
    for i in 0..25 {
        batch.push(customer(ws, now, json!({"external_id": format!("C{i:03}"), "name": format!("Person {i}")})));
    }
    batch.push(customer(ws, now, json!({"external_id": "P1", "name": "100% Real_Name", "email": "Odd@Example.in"})));
    batch.push(customer(ws, now, json!({"external_id": "P2", "name": "1000 Reals", "email": "x@example.in"})));
    batch.push(customer(ws, now, json!({"external_id": "U1", "name": "ÜMIT Çelik"})));
    store.apply_ingest(&batch).await.unwrap();
    let mut seen = Vec::new();
    let mut before_id = None;
    loop {
        let page =
            store.list_customers(ws, &CustomerQuery { before_id, limit: 10, ..Default::default() }).await.unwrap();
        if page.is_empty() {
            break;
        }
        before_id = page.last().map(|c| c.id);
        seen.extend(page.into_iter().map(|c| c.id));
    }
    assert_eq!(seen.len(), 28);
    assert!(seen.windows(2).all(|w| w[0] > w[1]), "newest first, no repeats");
    let find = |text: &str| {
        let query = CustomerQuery { search: Some(text.into()), limit: 50, ..Default::default() };
        async move { store.list_customers(ws, &query).await.unwrap().into_iter().map(|c| c.external_id).collect::<Vec<_>>() }
    };
    assert_eq!(find("100%").await, vec!["P1"]);
    assert_eq!(find("real_").await, vec!["P1"]);
    assert_eq!(find("ODD@example").await, vec!["P1"]);
    assert_eq!(find("c01").await.len(), 10);
    assert!(find("%").await == vec!["P1"]);
    // Case-insensitive beyond ASCII on both backends (SQLite's lower() alone would miss this).
    assert_eq!(find("ümit çe").await, vec!["U1"]);
}

async fn customer_orders_newest_first(store: &dyn Store) {
    let ws = store.create_workspace("history", "H", &inr()).await.unwrap().id;
    let base = Utc.with_ymd_and_hms(2026, 6, 1, 0, 0, 0).unwrap();
    let batch: Vec<_> =
        (0..5).map(|i| order_at(ws, &format!("O{i}"), "C1", "1.00", base + Duration::days(i))).collect();
    store.apply_ingest(&batch).await.unwrap();
    let id = store.customer(ws, "C1").await.unwrap().unwrap().id;
    let orders = store.customer_orders(ws, id, 3).await.unwrap();
    let ids: Vec<_> = orders.iter().map(|o| o.external_id.as_str()).collect();
    assert_eq!(ids, vec!["O4", "O3", "O2"]);
    assert_eq!(orders[0].amount_minor, 100);
    assert_eq!(orders[0].currency, "INR");
    assert!(store.customer_orders(WorkspaceId::new(ws.get() + 1000), id, 3).await.unwrap().is_empty());
}

async fn ingest_days_count_what_was_inserted_on_the_day_it_arrived(store: &dyn Store) {
    let ws = store.create_workspace("daily", "D", &inr()).await.unwrap().id;
    let other = store.create_workspace("daily-other", "O", &inr()).await.unwrap().id;
    let day1 = Utc.with_ymd_and_hms(2026, 3, 1, 23, 59, 0).unwrap();
    let day2 = Utc.with_ymd_and_hms(2026, 3, 2, 0, 1, 0).unwrap();
    let received = |mut envelope: converge_domain::IngestEnvelope, at| {
        envelope.received_at = at;
        envelope
    };
    let first = vec![
        customer(ws, day1, json!({"external_id": "C1", "name": "Asha"})),
        received(order(ws, "O1", "C1", "100.50"), day1),
        // An order naming an unknown customer creates it: one more customer on that day.
        received(order(ws, "O2", "C2", "20"), day1),
        received(order(other, "X1", "C1", "5"), day1),
    ];
    store.apply_ingest(&first).await.unwrap();
    // Redelivered, and a later profile of an existing customer: nothing new.
    store.apply_ingest(&first).await.unwrap();
    let second = vec![
        customer(ws, day2, json!({"external_id": "C1", "city": "Pune"})),
        customer(ws, day2, json!({"external_id": "C3"})),
        received(order(ws, "O3", "C3", "1.25"), day2),
        received(order(ws, "O1", "C1", "100.50"), day2),
    ];
    store.apply_ingest(&second).await.unwrap();
    let days = store.ingest_days(ws).await.unwrap();
    let summary: Vec<_> =
        days.iter().map(|d| (d.day, d.customers_created, d.orders_recorded, d.revenue_minor)).collect();
    assert_eq!(summary, vec![(day1.date_naive(), 2, 2, 12_050), (day2.date_naive(), 1, 1, 125)]);
    let counts = store.counts(ws).await.unwrap();
    assert_eq!(days.iter().map(|d| d.customers_created).sum::<i64>(), counts.customers);
    assert_eq!(days.iter().map(|d| d.orders_recorded).sum::<i64>(), counts.orders);
    let other_days = store.ingest_days(other).await.unwrap();
    assert_eq!(other_days.len(), 1);
    assert_eq!(
        (other_days[0].customers_created, other_days[0].orders_recorded, other_days[0].revenue_minor),
        (1, 1, 500)
    );
    assert!(store.ingest_days(WorkspaceId::new(ws.get() + other.get() + 1000)).await.unwrap().is_empty());
}

/// Issue 11: ten batches of 1,000 orders at the per-order maximum (10^15 minor units each, 10^19 in all) used
/// to overflow an i64: SQLite turned `total_spend` into REAL 1e19 (every later read failed to decode it) and
/// Postgres refused the batches with "bigint out of range" (dead-lettered). Now every order is stored and each
/// sum saturates at the cap: the customer's lifetime and window spend, and the day's revenue.
async fn sums_of_maximal_orders_saturate_at_the_cap_instead_of_overflowing(store: &dyn Store) {
    use converge_domain::segment::{Catalogue, Rule};
    use converge_domain::{Money, TOTAL_CAP_MINOR};
    let ws = store.create_workspace("whale", "W", &inr()).await.unwrap().id;
    let max = Money::MAX.format(&inr());
    for batch in 0..10 {
        let orders: Vec<_> = (0..1000).map(|i| order(ws, &format!("O{batch}-{i}"), "C1", &max)).collect();
        store.apply_ingest(&orders).await.unwrap();
    }
    let row = store.customer(ws, "C1").await.unwrap().unwrap();
    assert_eq!((row.order_count, row.total_spend), (10_000, TOTAL_CAP_MINOR));
    assert_eq!(store.counts(ws).await.unwrap().orders, 10_000);
    let listed = store.list_customers(ws, &CustomerQuery { limit: 10, ..Default::default() }).await.unwrap();
    assert_eq!(listed[0].total_spend, TOTAL_CAP_MINOR);
    let days = store.ingest_days(ws).await.unwrap();
    assert_eq!(days.iter().map(|d| d.revenue_minor).collect::<Vec<_>>(), vec![TOTAL_CAP_MINOR]);
    // The SQL a preview runs sums 10^19 of window spend without failing, and compares the capped value.
    let window = json!({"combinator": "and", "rules": [
        {"field": "spend_last_30_days", "operator": ">=", "value": max}]});
    let window = Rule::parse(&window, &Catalogue::builtin(), &inr()).unwrap();
    let now = Utc::now();
    assert_eq!(store.segment_count(ws, &window, now).await.unwrap(), 1);
    let total = json!({"combinator": "and", "rules": [{"field": "total_spend", "operator": ">", "value": "1"}]});
    let total = Rule::parse(&total, &Catalogue::builtin(), &inr()).unwrap();
    assert_eq!(store.segment_count(ws, &total, now).await.unwrap(), 1);
    // One more order still goes in, and the total stays at the cap.
    store.apply_ingest(&[order(ws, "O-last", "C1", "1")]).await.unwrap();
    let row = store.customer(ws, "C1").await.unwrap().unwrap();
    assert_eq!((row.order_count, row.total_spend), (10_001, TOTAL_CAP_MINOR));
}

/// Issue 11: three upserts of 50 new attribute keys each used to leave 150. A patch whose merged result would
/// exceed 50 keys leaves the stored attributes as they were; the rest of the profile still applies, and a
/// patch that replaces or removes keys within the limit still does.
async fn merged_attributes_never_exceed_fifty_keys(store: &dyn Store) {
    let ws = store.create_workspace("attrs", "A", &inr()).await.unwrap().id;
    let t0 = Utc::now() - Duration::minutes(10);
    let keys = |prefix: &str| -> serde_json::Map<String, serde_json::Value> {
        (0..50).map(|i| (format!("{prefix}{i}"), json!(i))).collect()
    };
    for (n, prefix) in ["a", "b", "c"].iter().enumerate() {
        let at = t0 + Duration::minutes(n as i64);
        let city = format!("City{n}");
        let upsert = customer(ws, at, json!({"external_id": "C1", "city": city, "attributes": keys(prefix)}));
        store.apply_ingest(&[upsert]).await.unwrap();
    }
    let row = store.customer(ws, "C1").await.unwrap().unwrap();
    let attributes = row.attributes.as_object().unwrap();
    assert_eq!(attributes.len(), 50);
    assert!(attributes.contains_key("a0") && !attributes.contains_key("b0"));
    assert_eq!(row.city.as_deref(), Some("City2"));
    // Within the limit: drop one key, add another.
    let swap =
        customer(ws, t0 + Duration::minutes(5), json!({"external_id": "C1", "attributes": {"a0": null, "z": 1}}));
    store.apply_ingest(&[swap]).await.unwrap();
    let attributes = store.customer(ws, "C1").await.unwrap().unwrap().attributes;
    let attributes = attributes.as_object().unwrap();
    assert_eq!(attributes.len(), 50);
    assert!(!attributes.contains_key("a0") && attributes.contains_key("z"));
}

/// Property: for random order sets (duplicates, any arrival order, any batching, redelivered batches),
/// every customer's aggregates equal a plain recomputation from the orders stored for them.
mod aggregates_property {
    use super::*;
    use proptest::prelude::*;

    #[derive(Debug, Clone)]
    struct Plan {
        orders: Vec<(u8, u8, u32, i64)>,
        chunk: usize,
        redeliver: bool,
    }

    fn plan() -> impl Strategy<Value = Plan> {
        (prop::collection::vec((0u8..40, 0u8..6, 0u32..2_000_000, 0i64..400), 1..60), 1usize..9, any::<bool>())
            .prop_map(|(orders, chunk, redeliver)| Plan { orders, chunk, redeliver })
    }

    async fn check(backend: Backend, plan: Plan) {
        let store = backend.store();
        let ws = store.create_workspace("prop", "P", &inr()).await.unwrap().id;
        let base = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap();
        // The same order id always carries the same content: a duplicate is a retry, not a new order.
        let envelopes: Vec<_> = plan
            .orders
            .iter()
            .map(|&(order_no, ..)| {
                let (_, c, amount, day) = plan.orders.iter().find(|o| o.0 == order_no).copied().unwrap();
                order_at(
                    ws,
                    &format!("O{order_no}"),
                    &format!("C{c}"),
                    &format!("{}.{:02}", amount / 100, amount % 100),
                    base + Duration::hours(day),
                )
            })
            .collect();
        for chunk in envelopes.chunks(plan.chunk) {
            store.apply_ingest(chunk).await.unwrap();
            if plan.redeliver {
                store.apply_ingest(chunk).await.unwrap();
            }
        }
        for c in 0..6 {
            let Some(row) = store.customer(ws, &format!("C{c}")).await.unwrap() else { continue };
            let orders = store.customer_orders(ws, row.id, 10_000).await.unwrap();
            let spend: i64 = orders.iter().map(|o| o.amount_minor).sum();
            assert_eq!(row.total_spend, spend, "{} total_spend of C{c}", backend.name());
            assert_eq!(row.order_count, orders.len() as i64);
            assert_eq!(row.visits, orders.len() as i64);
            assert_eq!(row.last_order_at, orders.iter().map(|o| o.ordered_at).max());
        }
        let distinct: std::collections::HashSet<_> = plan.orders.iter().map(|o| o.0).collect();
        let counts = store.counts(ws).await.unwrap();
        assert_eq!(counts.orders, distinct.len() as i64);
        // The daily rollup kept by the same transactions adds up to the same numbers.
        let days = store.ingest_days(ws).await.unwrap();
        assert_eq!(days.iter().map(|d| d.orders_recorded).sum::<i64>(), counts.orders);
        assert_eq!(days.iter().map(|d| d.customers_created).sum::<i64>(), counts.customers);
        let first_amount = |n: &u8| plan.orders.iter().find(|o| o.0 == *n).map_or(0, |o| i64::from(o.2));
        let revenue: i64 = distinct.iter().map(first_amount).sum();
        assert_eq!(days.iter().map(|d| d.revenue_minor).sum::<i64>(), revenue);
    }

    type MakeBackend = fn() -> std::pin::Pin<Box<dyn std::future::Future<Output = Option<Backend>>>>;

    fn run(cases: u32, make: MakeBackend) {
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        proptest!(ProptestConfig::with_cases(cases), |(p in plan())| {
            runtime.block_on(async {
                if let Some(backend) = make().await {
                    check(backend, p).await;
                }
            });
        });
    }

    #[test]
    fn sqlite_aggregates_equal_recomputation() {
        run(24, || Box::pin(Backend::sqlite()));
    }

    #[test]
    fn postgres_aggregates_equal_recomputation() {
        run(12, || Box::pin(Backend::postgres()));
    }
}
