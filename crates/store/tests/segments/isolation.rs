//! Workspace scoping of every segment query, attribute typing, and the fold backfill.

use chrono::Utc;
use converge_domain::consent::SuppressionAddress;
use converge_domain::segment::{AttributeType, Rule};
use converge_domain::{ConsentSource, CustomerId, WorkspaceId};
use converge_store::{postgres::PgStore, sqlite::SqliteStore, testing::TestDatabase, NewSuppression, Store};
use serde_json::{json, Value};

use super::data::now;
use super::rules::catalogue;
use super::support::{customer, inr, order};

fn parse(json: Value) -> Rule {
    Rule::parse(&json, &catalogue(), &inr()).unwrap()
}

async fn segments_never_count_another_workspace(store: &dyn Store) {
    let a = store.create_workspace("seg-a", "A", &inr()).await.unwrap().id;
    let b = store.create_workspace("seg-b", "B", &inr()).await.unwrap().id;
    for ws in [a, b] {
        let batch = vec![
            customer(ws, Utc::now(), json!({"external_id": "C1", "city": "Pune", "attributes": {"tier": "gold"}})),
            customer(ws, Utc::now(), json!({"external_id": "C2", "city": "Goa"})),
            order(ws, "O1", "C1", "50.00"),
        ];
        store.apply_ingest(&batch).await.unwrap();
    }
    store.apply_ingest(&[customer(b, Utc::now(), json!({"external_id": "C3", "city": "pune"}))]).await.unwrap();
    let pune = parse(json!({"combinator": "and", "rules": [{"field": "city", "operator": "=", "value": "PUNE"}]}));
    let everyone = Rule::everyone();
    assert_eq!(store.segment_count(a, &pune, now()).await.unwrap(), 1);
    assert_eq!(store.segment_count(b, &pune, now()).await.unwrap(), 2);
    assert_eq!(store.segment_count(a, &everyone, now()).await.unwrap(), 2);
    assert_eq!(store.segment_count(WorkspaceId::new(a.get() + b.get() + 100), &everyone, now()).await.unwrap(), 0);
    let facts_a: Vec<CustomerId> =
        store.customer_facts(a).await.unwrap().into_iter().map(|(id, _)| CustomerId::new(id)).collect();
    assert_eq!(store.segment_ids(a, &everyone, now()).await.unwrap(), facts_a);
    assert!(store.segment_sample(a, &everyone, now(), 10).await.unwrap().iter().all(|c| facts_a.contains(&c.id)));
    let spenders = parse(json!({"combinator": "and", "rules": [
        {"field": "spend_last_30_days", "operator": ">", "value": 0},
        {"field": "attributes.tier", "operator": "=", "value": "Gold"}]}));
    assert_eq!(store.segment_ids(a, &spenders, Utc::now()).await.unwrap().len(), 1);
    assert_eq!(store.customer_facts(a).await.unwrap().iter().map(|(_, f)| f.orders.len()).sum::<usize>(), 1);
}

async fn attribute_types_follow_the_majority(store: &dyn Store) {
    let ws = store.create_workspace("types", "T", &inr()).await.unwrap().id;
    let other = store.create_workspace("types-other", "T", &inr()).await.unwrap().id;
    let people = [
        json!({"external_id": "1", "attributes": {"score": 1, "tier": "a", "vip": true, "odd": "x"}}),
        json!({"external_id": "2", "attributes": {"score": 2.5, "tier": 3, "vip": false, "odd": 1}}),
        json!({"external_id": "3", "attributes": {"score": "n/a", "tier": "b"}}),
    ];
    let batch: Vec<_> = people.into_iter().map(|p| customer(ws, Utc::now(), p)).collect();
    store.apply_ingest(&batch).await.unwrap();
    store
        .apply_ingest(&[customer(other, Utc::now(), json!({"external_id": "1", "attributes": {"secret": 1}}))])
        .await
        .unwrap();
    let types = store.attribute_types(ws).await.unwrap();
    let expected = [
        ("odd", AttributeType::String),
        ("score", AttributeType::Number),
        ("tier", AttributeType::String),
        ("vip", AttributeType::Boolean),
    ];
    let expected: Vec<(String, AttributeType)> = expected.iter().map(|(k, t)| (k.to_string(), *t)).collect();
    assert_eq!(types, expected);
}

super::on_both_backends!(segments_never_count_another_workspace, attribute_types_follow_the_majority);

/// Rows written before migration 0002 (fold columns NULL) are folded, and rows written before migration 0016
/// (suppression keys NULL) keyed, by the next `migrate()`.
async fn check_backfill(store: &dyn Store, clear: impl std::future::Future<Output = ()>) {
    let ws = store.create_workspace("legacy", "L", &inr()).await.unwrap().id;
    let body = json!({"external_id": "C1", "name": "ÜNÏ", "city": "İSTANBUL", "email": "Old@Example.in",
        "phone": "+919812345678", "attributes": {"tier": "GOLD", "score": 2.50}});
    store.apply_ingest(&[customer(ws, Utc::now(), body)]).await.unwrap();
    for address in ["old@example.in", "+919812345678"] {
        let address = SuppressionAddress::parse(address).unwrap();
        store.add_suppression(ws, &NewSuppression::new(address, "old", ConsentSource::Admin), now()).await.unwrap();
    }
    clear.await;
    store.migrate().await.unwrap();
    let rule = parse(json!({"combinator": "and", "rules": [
        {"field": "city", "operator": "=", "value": "i̇stanbul"},
        {"field": "name", "operator": "contains", "value": "ünï"},
        {"field": "attributes.tier", "operator": "=", "value": "gold"},
        {"field": "attributes.score", "operator": "=", "value": "2.5"}]}));
    assert_eq!(store.segment_count(ws, &rule, now()).await.unwrap(), 1, "{}", store.backend().as_str());
    let suppressed =
        parse(json!({"combinator": "and", "rules": [{"field": "suppressed", "operator": "=", "value": true}]}));
    assert_eq!(store.segment_count(ws, &suppressed, now()).await.unwrap(), 1, "keys backfilled");
}

const CLEAR: &str = "UPDATE customers SET name_fold = NULL, email_fold = NULL, city_fold = NULL, \
     attributes_fold = NULL, email_key = NULL, phone_key = NULL";

#[tokio::test]
async fn sqlite_backfills_folds_of_old_rows() {
    let dir = tempfile::tempdir().unwrap();
    let store = SqliteStore::connect(&format!("sqlite://{}", dir.path().join("t.db").display())).await.unwrap();
    store.migrate().await.unwrap();
    let pool = store.pool().clone();
    check_backfill(&store, async move {
        sqlx::query(CLEAR).execute(&pool).await.unwrap();
    })
    .await;
}

#[tokio::test]
async fn postgres_backfills_folds_of_old_rows() {
    let Some(db) = TestDatabase::create().await else { return };
    let store = PgStore::connect(&db.url, 2).await.unwrap();
    store.migrate().await.unwrap();
    let pool = store.pool().clone();
    check_backfill(&store, async move {
        sqlx::query(CLEAR).execute(&pool).await.unwrap();
    })
    .await;
}
