//! The segment property: for random data and random rules, the reference evaluator (over each backend's
//! `customer_facts`), the SQLite query, the Postgres query and the in-memory audience index (built from a
//! snapshot taken between two ingest batches and brought up to date from the change log) select exactly
//! the same customers, and count/sample agree with the id list.

use converge_domain::{CustomerId, WorkspaceId};
use std::collections::{BTreeSet, HashMap};
use std::sync::atomic::{AtomicU64, Ordering};

use converge_audience::AudienceIndex;
use converge_domain::consent::SuppressionAddress;
use converge_domain::segment::Rule;
use converge_domain::ConsentSource;
use converge_store::{CustomerQuery, NewSuppression, Store};
use proptest::prelude::*;
use serde_json::Value;

use super::data::{batches, customers, now, Customer, EMAILS, PHONES};
use super::rules::{catalogue, order_pairs, rule};
use super::support::{inr, Backend};

/// Rules checked against each generated data set (inserting data costs more than a query).
const RULES_PER_CASE: usize = 24;

fn parse(json: Value) -> (Rule, Value) {
    match Rule::parse(&json, &catalogue(), &inr()) {
        Ok(rule) => (rule, json),
        Err(errors) => {
            let paths: Vec<String> = errors.iter().map(|e| e.field.clone()).collect();
            assert!(errors.iter().all(|e| e.message.contains("ascending")), "generated rule refused: {json} {errors}");
            let fixed = order_pairs(json, &paths);
            (Rule::parse(&fixed, &catalogue(), &inr()).unwrap_or_else(|e| panic!("{fixed}: {e}")), fixed)
        }
    }
}

/// The external ids each of evaluator and SQL selects on one backend, after checking they agree.
async fn selected(
    store: &dyn Store,
    (ws, index): (WorkspaceId, &AudienceIndex),
    rule: &Rule,
    json: &Value,
    names: &HashMap<CustomerId, String>,
) -> BTreeSet<String> {
    let facts = store.customer_facts(ws).await.unwrap();
    let expected: Vec<CustomerId> =
        facts.iter().filter(|(_, f)| rule.matches(f, now())).map(|(id, _)| CustomerId::new(*id)).collect();
    let ids = store.segment_ids(ws, rule, now()).await.unwrap();
    let backend = store.backend().as_str();
    assert_eq!(ids, expected, "{backend}: SQL vs evaluator for rule {json}\nfacts: {facts:#?}");
    assert_eq!(store.segment_count(ws, rule, now()).await.unwrap(), ids.len() as u64, "{backend} count");
    let sample: Vec<CustomerId> =
        store.segment_sample(ws, rule, now(), 3).await.unwrap().iter().map(|c| c.id).collect();
    assert_eq!(sample, ids.iter().take(3).copied().collect::<Vec<_>>(), "{backend} sample");
    let mut indexed: Vec<CustomerId> = index.ids(rule, now()).into_iter().map(CustomerId::new).collect();
    indexed.sort_unstable();
    assert_eq!(indexed, expected, "{backend}: index vs evaluator for rule {json}");
    assert_eq!(index.count(rule, now()), ids.len() as u64, "{backend} index count");
    ids.iter().map(|id| names[id].clone()).collect()
}

async fn load(store: &dyn Store, data: &[Customer]) -> (WorkspaceId, HashMap<CustomerId, String>, AudienceIndex) {
    static CASE: AtomicU64 = AtomicU64::new(0);
    let slug = format!("prop-{}", CASE.fetch_add(1, Ordering::Relaxed));
    let ws = store.create_workspace(&slug, "P", &inr()).await.unwrap().id;
    let (first, second) = batches(ws, data);
    store.apply_ingest(&first).await.unwrap();
    // The suppression list (field `suppressed`): one address listed before the snapshot, one after it (the
    // index learns it from the change feed), one listed and taken off again.
    let listed = |address: SuppressionAddress| NewSuppression::new(address, "test", ConsentSource::Admin);
    store.add_suppression(ws, &listed(SuppressionAddress::of_email(EMAILS[0])), now()).await.unwrap();
    let snapshot = store.audience_snapshot(ws).await.unwrap();
    let mut index = AudienceIndex::from_facts(snapshot.customers);
    store.add_suppression(ws, &listed(SuppressionAddress::of_phone(PHONES[0])), now()).await.unwrap();
    let (gone, _) = store.add_suppression(ws, &listed(SuppressionAddress::of_email(EMAILS[1])), now()).await.unwrap();
    store.apply_ingest(&second).await.unwrap();
    store.delete_suppression(ws, gone.id).await.unwrap();
    let changes = store.audience_changes(ws, snapshot.mark).await.unwrap();
    for (id, facts) in &changes.customers {
        index.upsert(*id, facts);
    }
    let query = CustomerQuery { limit: 1000, ..CustomerQuery::default() };
    let names = store.list_customers(ws, &query).await.unwrap().into_iter().map(|c| (c.id, c.external_id)).collect();
    (ws, names, index)
}

#[test]
fn evaluator_sqlite_and_postgres_select_the_same_customers() {
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    let (sqlite, postgres) = runtime.block_on(async { (Backend::sqlite().await.unwrap(), Backend::postgres().await) });
    let strategy = (customers(), prop::collection::vec(rule(), RULES_PER_CASE));
    proptest!(ProptestConfig::with_cases(64), |((data, rules) in strategy)| {
        runtime.block_on(async {
            let (lite_ws, lite_names, lite_index) = load(sqlite.store(), &data).await;
            let pg = match &postgres {
                Some(backend) => Some((backend, load(backend.store(), &data).await)),
                None => None,
            };
            for json in rules {
                let (rule, json) = parse(json);
                let on_sqlite = selected(sqlite.store(), (lite_ws, &lite_index), &rule, &json, &lite_names).await;
                if let Some((backend, (pg_ws, pg_names, pg_index))) = &pg {
                    let on_postgres = selected(backend.store(), (*pg_ws, pg_index), &rule, &json, pg_names).await;
                    assert_eq!(on_sqlite, on_postgres, "SQLite vs Postgres for rule {json}");
                }
            }
        });
    });
}
