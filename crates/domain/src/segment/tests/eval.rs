//! The evaluator's semantics, one product decision per test.

use chrono::Duration;
use serde_json::{json, Value};

use super::{at, facts, now, parse};
use crate::segment::{CustomerFacts, OrderFact};

fn one(field: &str, operator: &str, value: Value) -> Value {
    json!({"combinator": "and", "rules": [{"field": field, "operator": operator, "value": value}]})
}

fn matches(rule: Value, facts: &CustomerFacts) -> bool {
    parse(rule.clone()).unwrap_or_else(|e| panic!("{rule}: {e}")).matches(facts, now())
}

fn with_orders(orders: &[(&str, i64)]) -> CustomerFacts {
    let orders: Vec<OrderFact> =
        orders.iter().map(|&(when, amount_minor)| OrderFact { ordered_at: at(when), amount_minor }).collect();
    CustomerFacts {
        total_spend: orders.iter().map(|o| o.amount_minor).sum(),
        order_count: orders.len() as i64,
        visits: orders.len() as i64,
        last_order_at: orders.iter().map(|o| o.ordered_at).max(),
        orders,
        ..facts()
    }
}

#[test]
fn empty_and_matches_everyone_and_empty_or_no_one() {
    let customer = facts();
    assert!(matches(json!({"combinator": "and", "rules": []}), &customer));
    assert!(!matches(json!({"combinator": "or", "rules": []}), &customer));
    assert!(!matches(json!({"combinator": "and", "not": true, "rules": []}), &customer));
    assert!(matches(json!({"combinator": "or", "not": true, "rules": []}), &customer));
}

#[test]
fn missing_values_fail_positive_and_pass_negative_operators() {
    let nobody = facts();
    for (operator, value) in [
        ("=", json!("pune")),
        ("contains", json!("")),
        ("beginsWith", json!("p")),
        ("endsWith", json!("e")),
        ("in", json!(["pune"])),
        ("notNull", json!(null)),
    ] {
        assert!(!matches(one("city", operator, value), &nobody), "city {operator}");
    }
    for (operator, value) in
        [("!=", json!("pune")), ("doesNotContain", json!("")), ("notIn", json!("pune")), ("null", json!(""))]
    {
        assert!(matches(one("city", operator, value), &nobody), "city {operator}");
    }
    assert!(!matches(one("last_order_at", "olderThanDays", json!(90)), &nobody), "never ordered is not 'long ago'");
    assert!(!matches(one("last_order_at", "withinDays", json!(90)), &nobody));
    assert!(matches(one("last_order_at", "notBetween", json!(["2020-01-01", "2030-01-01"])), &nobody));
    assert!(!matches(one("last_order_at", "<", json!("2030-01-01")), &nobody));
}

#[test]
fn inactive_days_counts_from_created_at_without_orders() {
    let new_customer = facts(); // created exactly 365 days before now
    assert!(matches(one("inactive_days", "=", json!(365)), &new_customer));
    let ordered = with_orders(&[("2025-05-02T12:00:00Z", 100), ("2025-03-01T00:00:00Z", 100)]);
    assert!(matches(one("inactive_days", "=", json!(30)), &ordered));
    let almost = with_orders(&[("2025-05-02T12:00:00.001Z", 100)]);
    assert!(matches(one("inactive_days", "=", json!(29)), &almost), "whole days round down");
    let future = with_orders(&[("2025-06-01T13:00:00Z", 100)]);
    assert!(matches(one("inactive_days", "=", json!(-1)), &future), "an order an hour ahead is -1 day");
    assert!(matches(one("inactive_days", "between", json!([-1, 0])), &future));
}

#[test]
fn relative_dates_use_the_injected_now() {
    let customer = with_orders(&[("2025-05-02T12:00:00Z", 100)]);
    assert!(!matches(one("last_order_at", "withinDays", json!(30)), &customer), "exactly 30 days ago is not within");
    assert!(!matches(one("last_order_at", "olderThanDays", json!(30)), &customer), "nor older than");
    assert!(matches(one("last_order_at", "withinDays", json!(31)), &customer));
    assert!(matches(one("last_order_at", "olderThanDays", json!(29)), &customer));
    let rule = parse(one("last_order_at", "withinDays", json!(30))).unwrap();
    assert!(rule.matches(&customer, now() - Duration::milliseconds(1)));
}

#[test]
fn order_windows_count_and_sum_recent_orders() {
    let customer = with_orders(&[
        ("2025-05-31T00:00:00Z", 1_000),
        ("2025-05-02T12:00:00.001Z", 2_000),
        ("2025-05-02T12:00:00Z", 4_000),
        ("2024-07-01T00:00:00Z", 8_000),
        ("2023-01-01T00:00:00Z", 16_000),
    ]);
    assert!(matches(one("orders_last_30_days", "=", json!(2)), &customer));
    assert!(matches(one("orders_last_90_days", "=", json!(3)), &customer));
    assert!(matches(one("spend_last_30_days", "=", json!("30")), &customer));
    assert!(matches(one("spend_last_90_days", "=", json!(70)), &customer));
    assert!(matches(one("spend_last_365_days", "=", json!(150)), &customer));
    assert!(matches(one("total_spend", "=", json!(310)), &customer));
    assert!(matches(one("spend_last_30_days", "=", json!(0)), &facts()), "no orders sum to zero");
}

#[test]
fn text_matching_is_case_insensitive_and_literal() {
    let customer = CustomerFacts {
        city: Some("İSTANBUL".into()),
        name: Some("100% Real_Name \\ O'Brien".into()),
        email: Some("Ünïcödé@Example.in".into()),
        ..facts()
    };
    assert!(matches(one("city", "=", json!("i̇stanbul")), &customer));
    assert!(matches(one("city", "in", json!(["Ankara", "İstanbul"])), &customer));
    assert!(matches(one("email", "beginsWith", json!("üNÏ")), &customer));
    assert!(matches(one("name", "contains", json!("0% real_")), &customer));
    assert!(matches(one("name", "contains", json!("\\ o'brien")), &customer));
    assert!(!matches(one("name", "contains", json!("100%real")), &customer), "% is not a wildcard");
    assert!(!matches(one("name", "beginsWith", json!("1_0")), &customer), "_ is not a wildcard");
    assert!(matches(one("name", "doesNotContain", json!("%%")), &customer));
    let german = CustomerFacts { city: Some("Straße".into()), ..facts() };
    assert!(!matches(one("city", "=", json!("STRASSE")), &german), "lowercase, not full folding");
    assert!(matches(one("city", "=", json!("STRAßE")), &german));
}

#[test]
fn attributes_of_another_type_count_as_missing() {
    let customer = CustomerFacts {
        attributes: json!({"tier": 10, "score": "10", "vip": "true"}).as_object().unwrap().clone(),
        ..facts()
    };
    assert!(!matches(one("attributes.tier", "=", json!("10")), &customer));
    assert!(matches(one("attributes.tier", "null", json!(null)), &customer));
    assert!(matches(one("attributes.tier", "!=", json!("10")), &customer));
    assert!(!matches(one("attributes.score", "=", json!(10)), &customer));
    assert!(!matches(one("attributes.vip", "=", json!(true)), &customer));
    assert!(matches(one("attributes.vip", "null", json!(null)), &customer));
}

#[test]
fn attribute_numbers_compare_exactly() {
    let customer = CustomerFacts {
        attributes: serde_json::from_str(r#"{"score": 9007199254740993, "tier": "Gold", "vip": true}"#).unwrap(),
        ..facts()
    };
    assert!(matches(one("attributes.score", ">", json!("9007199254740992")), &customer));
    assert!(matches(one("attributes.score", "=", json!("9007199254740993.0")), &customer));
    assert!(matches(one("attributes.score", "between", json!(["9.007199254740993e15", "1e16"])), &customer));
    assert!(matches(one("attributes.tier", "=", json!("GOLD")), &customer));
    assert!(matches(one("attributes.vip", "=", json!(true)), &customer));
}

#[test]
fn not_is_plain_negation_even_over_missing_values() {
    let nobody = facts();
    let positive = json!({"combinator": "and", "rules": [{"field": "city", "operator": "=", "value": "x"}]});
    let negated =
        json!({"combinator": "and", "not": true, "rules": [{"field": "city", "operator": "=", "value": "x"}]});
    assert!(!matches(positive, &nobody));
    assert!(matches(negated, &nobody));
}

#[test]
fn dates_compare_at_milliseconds_and_between_is_inclusive() {
    let customer = CustomerFacts { created_at: at("2025-01-31T23:59:59.999Z"), ..facts() };
    assert!(matches(one("created_at", "<", json!("2025-02-01")), &customer));
    assert!(matches(one("created_at", "between", json!(["2025-01-01", "2025-01-31T23:59:59.999Z"])), &customer));
    assert!(!matches(one("created_at", "between", json!(["2025-01-01", "2025-01-31"])), &customer));
    assert!(matches(one("created_at", ">=", json!("2025-01-31T23:59:59.999999Z")), &customer), "sub-ms is dropped");
}
