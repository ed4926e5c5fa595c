//! Every relative-time operator at every boundary: customers sit exactly on, and a millisecond either side
//! of, `now - N days` for each N the rules use, and every date, day-count and window condition is checked
//! evaluator against SQL. Random rules rarely land exactly on a boundary; this grid always does.

use chrono::Utc;
use converge_domain::segment::Rule;
use converge_domain::CustomerId;
use converge_store::Store;
use serde_json::{json, Value};

use super::data::{instant, now, DAYS};
use super::rules::catalogue;
use super::support::{customer, inr};

fn rules() -> Vec<Value> {
    let mut conditions = Vec::new();
    for &days in DAYS {
        for field in ["created_at", "last_order_at"] {
            for op in ["withinDays", "olderThanDays"] {
                conditions.push(json!({"field": field, "operator": op, "value": days}));
            }
            for op in ["<", "<=", ">", ">="] {
                conditions.push(json!({"field": field, "operator": op, "value": instant(days, 0, 0).to_rfc3339()}));
            }
        }
        for n in [days - 1, days, days + 1] {
            for op in ["=", "!=", "<", "<=", ">", ">="] {
                conditions.push(json!({"field": "inactive_days", "operator": op, "value": n}));
            }
            conditions.push(json!({"field": "inactive_days", "operator": "between", "value": [n, days + 1]}));
        }
    }
    for field in [
        "orders_last_30_days",
        "orders_last_90_days",
        "spend_last_30_days",
        "spend_last_90_days",
        "spend_last_365_days",
    ] {
        for n in 0..4 {
            for op in ["=", "<", ">="] {
                conditions.push(json!({"field": field, "operator": op, "value": n}));
            }
        }
    }
    conditions.into_iter().map(|c| json!({"combinator": "and", "rules": [c]})).collect()
}

async fn relative_times_agree_at_every_boundary(store: &dyn Store) {
    let ws = store.create_workspace("edges", "E", &inr()).await.unwrap().id;
    let mut batch = Vec::new();
    for (i, &days) in DAYS.iter().enumerate() {
        for (j, ms) in [-1i64, 0, 1].into_iter().enumerate() {
            let at = instant(days, 0, ms);
            let id = format!("C{i}-{j}");
            batch.push(customer(ws, Utc::now(), json!({"external_id": id, "created_at": at.to_rfc3339()})));
            if (i + j) % 2 == 0 {
                batch.push(super::support::order_at(ws, &format!("O{i}-{j}"), &id, "1.00", at));
            }
        }
    }
    store.apply_ingest(&batch).await.unwrap();
    let facts = store.customer_facts(ws).await.unwrap();
    for json in rules() {
        let rule = Rule::parse(&json, &catalogue(), &inr()).unwrap_or_else(|e| panic!("{json}: {e}"));
        let expected: Vec<CustomerId> =
            facts.iter().filter(|(_, f)| rule.matches(f, now())).map(|(id, _)| CustomerId::new(*id)).collect();
        let actual = store.segment_ids(ws, &rule, now()).await.unwrap();
        assert_eq!(actual, expected, "{}: {json}", store.backend().as_str());
    }
}

super::on_both_backends!(relative_times_agree_at_every_boundary);
