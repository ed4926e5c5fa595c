//! Hostile rule values are matched literally, hostile field names and out-of-range numbers are refused,
//! and nothing else happens to the database.

use chrono::Utc;
use converge_domain::segment::Rule;
use converge_domain::WorkspaceId;
use converge_store::Store;
use serde_json::{json, Value};

use super::data::now;
use super::rules::catalogue;
use super::support::{customer, inr};

const DROP: &str = "'; DROP TABLE customers; --";

fn one(field: &str, operator: &str, value: Value) -> Value {
    json!({"combinator": "and", "rules": [{"field": field, "operator": operator, "value": value}]})
}

async fn selected(store: &dyn Store, ws: WorkspaceId, json: Value) -> Vec<String> {
    let rule = Rule::parse(&json, &catalogue(), &inr()).unwrap_or_else(|e| panic!("{json}: {e}"));
    let mut names: Vec<String> =
        store.segment_sample(ws, &rule, now(), 100).await.unwrap().into_iter().map(|c| c.external_id).collect();
    names.sort();
    names
}

async fn hostile_values_match_literally(store: &dyn Store) {
    let ws = store.create_workspace("inject", "I", &inr()).await.unwrap().id;
    let people = [
        json!({"external_id": "drop", "city": DROP, "attributes": {"tier": "' OR '1'='1"}}),
        json!({"external_id": "pct", "name": "100% Real", "city": "%", "attributes": {"score": 99999999999999999999u128}}),
        json!({"external_id": "under", "name": "a_b", "city": "_", "attributes": {"score": 1e20}}),
        json!({"external_id": "slash", "name": "back\\slash", "email": "o'brien@ex.in"}),
        json!({"external_id": "plain", "name": "aXb 100 Real", "city": "Pune"}),
    ];
    let batch: Vec<_> = people.into_iter().map(|p| customer(ws, Utc::now(), p)).collect();
    store.apply_ingest(&batch).await.unwrap();
    let before = store.counts(ws).await.unwrap();
    let cases: Vec<(Value, Vec<&str>)> = vec![
        (one("city", "=", json!(DROP)), vec!["drop"]),
        (one("city", "contains", json!("drop table")), vec!["drop"]),
        (one("city", "in", json!([DROP, "%"])), vec!["drop", "pct"]),
        (one("city", "=", json!("%")), vec!["pct"]),
        (one("name", "contains", json!("%")), vec!["pct"]),
        (one("name", "contains", json!("_")), vec!["under"]),
        (one("name", "beginsWith", json!("a_")), vec!["under"]),
        (one("name", "contains", json!("\\")), vec!["slash"]),
        (one("name", "endsWith", json!("\\SLASH")), vec!["slash"]),
        (one("email", "beginsWith", json!("O'")), vec!["slash"]),
        (one("name", "doesNotContain", json!("%")), vec!["drop", "plain", "slash", "under"]),
        (one("attributes.tier", "=", json!("' or '1'='1")), vec!["drop"]),
        (one("attributes.tier", "=", json!("' OR 1=1 --")), vec![]),
        (one("attributes.score", "=", json!("99999999999999999999")), vec!["pct"]),
        (one("attributes.score", ">", json!(99999999999999999999u128)), vec!["under"]),
        (one("attributes.score", "=", json!("1e20")), vec!["under"]),
    ];
    for (rule, expected) in cases {
        assert_eq!(selected(store, ws, rule.clone()).await, expected, "{} rule {rule}", store.backend().as_str());
    }
    assert_eq!(store.counts(ws).await.unwrap(), before, "nothing else happened");
}

async fn hostile_fields_and_huge_numbers_are_refused(store: &dyn Store) {
    let refused = [
        (one("city' OR '1'='1", "=", json!("x")), "rule.rules[0].field"),
        (one("total_spend) OR (1=1", ">", json!(1)), "rule.rules[0].field"),
        (one("attributes.tier\"); DROP TABLE customers; --", "=", json!("x")), "rule.rules[0].field"),
        (one("c.id", "=", json!(1)), "rule.rules[0].field"),
        (one("visits", ">", json!(99999999999999999999u128)), "rule.rules[0].value"),
        (one("total_spend", ">", json!("99999999999999999999")), "rule.rules[0].value"),
        (one("attributes.score", ">", serde_json::from_str::<Value>("1e400").unwrap()), "rule.rules[0].value"),
        (one("inactive_days", ">", json!("1e3")), "rule.rules[0].value"),
        (one("visits", "in) OR 1=1 --", json!(1)), "rule.rules[0].operator"),
    ];
    for (rule, path) in refused {
        let errors = Rule::parse(&rule, &catalogue(), &inr()).expect_err(&rule.to_string());
        assert!(errors.iter().any(|e| e.field == path), "{rule}: {errors}");
    }
    // The database is untouched and answers normally.
    let ws = store.create_workspace("after", "A", &inr()).await.unwrap().id;
    assert_eq!(store.segment_count(ws, &Rule::everyone(), now()).await.unwrap(), 0);
}

super::on_both_backends!(hostile_values_match_literally, hostile_fields_and_huge_numbers_are_refused);
