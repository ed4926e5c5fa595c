//! The bad-rule table: each rule is refused with an error at the expected JSON path.

use serde_json::{json, Value};

use super::parse;

fn and(rules: Value) -> Value {
    json!({"combinator": "and", "rules": rules})
}

fn cond(field: &str, operator: &str, value: Value) -> Value {
    json!({"field": field, "operator": operator, "value": value})
}

/// Nests `inner` in `levels` more groups.
fn nest(inner: Value, levels: usize) -> Value {
    (0..levels).fold(inner, |acc, _| and(json!([acc])))
}

#[test]
fn bad_rules_name_the_path_of_each_problem() {
    let many: Vec<Value> = (0..101).map(|_| cond("visits", ">", json!(1))).collect();
    let cases: Vec<(Value, &str, &str)> = vec![
        (json!([]), "rule", "must be a group"),
        (json!({"field": "visits", "operator": "=", "value": 1}), "rule", "must be a group"),
        (json!({"combinator": "xor", "rules": []}), "rule.combinator", "\"and\" or \"or\""),
        (json!({"rules": []}), "rule.combinator", "\"and\" or \"or\""),
        (json!({"combinator": "and", "rules": {}}), "rule.rules", "must be an array"),
        (json!({"combinator": "and", "not": "yes", "rules": []}), "rule.not", "true or false"),
        (json!({"combinator": "and", "rules": [], "limit": 5}), "rule", "unknown key \"limit\""),
        (and(json!(["and"])), "rule.rules[0]", "must be a group"),
        (and(json!([cond("spend", ">", json!(1))])), "rule.rules[0].field", "not a known field: \"spend\""),
        (and(json!([cond("Total_Spend", ">", json!(1))])), "rule.rules[0].field", "not a known field"),
        (and(json!([{"field": 7, "operator": "=", "value": 1}])), "rule.rules[0].field", "must be a field name"),
        (
            and(json!([cond("total_spend; DROP TABLE customers; --", ">", json!(1))])),
            "rule.rules[0].field",
            "not a known field",
        ),
        (and(json!([cond("attributes.tier' OR '1'='1", "=", json!("x"))])), "rule.rules[0].field", "not a known"),
        (and(json!([cond("attributes.unknown_key", "=", json!("x"))])), "rule.rules[0].field", "not a known"),
        (and(json!([cond("visits", "contains", json!("1"))])), "rule.rules[0].operator", "operator of visits"),
        (and(json!([cond("visits", "null", json!(""))])), "rule.rules[0].operator", "operator of visits"),
        (and(json!([cond("city", "like", json!("a%"))])), "rule.rules[0].operator", "operator of city"),
        (and(json!([cond("visits", ">", json!("many"))])), "rule.rules[0].value", "whole number"),
        (and(json!([cond("visits", ">", json!(2.5))])), "rule.rules[0].value", "whole number"),
        (and(json!([cond("visits", ">", json!(99999999999999999999u128))])), "rule.rules[0].value", "whole number"),
        (and(json!([cond("total_spend", ">", json!("-5"))])), "rule.rules[0].value", "must not be negative"),
        (and(json!([cond("total_spend", ">", json!("10.123"))])), "rule.rules[0].value", "2 decimal places"),
        (and(json!([cond("total_spend", ">", json!(true))])), "rule.rules[0].value", "amount"),
        (and(json!([cond("city", "=", json!(5))])), "rule.rules[0].value", "must be a string"),
        (and(json!([cond("city", "=", json!("x".repeat(501)))])), "rule.rules[0].value", "at most 500"),
        (and(json!([cond("city", "=", json!("a\u{0}b"))])), "rule.rules[0].value", "NUL"),
        (and(json!([cond("city", "=", json!(["a", "b"]))])), "rule.rules[0].value", "single value"),
        (and(json!([{"field": "city", "operator": "="}])), "rule.rules[0].value", "is required"),
        (and(json!([cond("gender", "=", json!("f"))])), "rule.rules[0].value", "one of female, male"),
        (and(json!([cond("has_profile", "=", json!("yes"))])), "rule.rules[0].value", "true or false"),
        (and(json!([cond("created_at", "<", json!("yesterday"))])), "rule.rules[0].value", "date like"),
        (and(json!([cond("created_at", "<", json!("2025-02-30"))])), "rule.rules[0].value", "date like"),
        (and(json!([cond("last_order_at", "withinDays", json!(-1))])), "rule.rules[0].value", "days from 0"),
        (and(json!([cond("last_order_at", "withinDays", json!(1_000_001))])), "rule.rules[0].value", "days"),
        (and(json!([cond("attributes.score", ">", json!("1e400"))])), "rule.rules[0].value", "double range"),
        (and(json!([cond("attributes.score", ">", json!("NaN"))])), "rule.rules[0].value", "double range"),
        (and(json!([cond("visits", "between", json!([1]))])), "rule.rules[0].value", "exactly two"),
        (and(json!([cond("visits", "between", json!("1,2,3"))])), "rule.rules[0].value", "exactly two"),
        (and(json!([cond("visits", "between", json!([5, 1]))])), "rule.rules[0].value", "ascending order"),
        (and(json!([cond("visits", "notBetween", json!("9, 2"))])), "rule.rules[0].value", "ascending order"),
        (and(json!([cond("visits", "between", json!([1, "x"]))])), "rule.rules[0].value[1]", "whole number"),
        (and(json!([cond("visits", "between", json!(3))])), "rule.rules[0].value", "list of values"),
        (and(json!([cond("city", "in", json!([]))])), "rule.rules[0].value", "1 to 500 values"),
        (and(json!([cond("city", "in", json!(vec!["x"; 501]))])), "rule.rules[0].value", "1 to 500 values"),
        (and(json!([cond("gender", "in", json!(["female", "robot"]))])), "rule.rules[0].value[1]", "one of"),
        (
            and(json!([{"field": "visits", "operator": ">", "value": 1, "valueSource": "field"}])),
            "rule.rules[0].valueSource",
            "must be \"value\"",
        ),
        (
            and(json!([{"field": "visits", "operator": ">", "value": 1, "disabled": true}])),
            "rule.rules[0].disabled",
            "must be false",
        ),
        (
            and(json!([{"field": "visits", "operator": ">", "value": 1, "muted": "yes"}])),
            "rule.rules[0].muted",
            "true or false",
        ),
        (
            and(json!([{"field": "visits", "operator": ">", "value": 1, "path": [0, -1]}])),
            "rule.rules[0].path",
            "array of at most 16 indexes",
        ),
        (json!({"combinator": "and", "rules": [], "muted": true}), "rule.muted", "top-level group"),
        (
            and(json!([{"field": "visits", "operator": ">", "value": 1, "operater": "<"}])),
            "rule.rules[0]",
            "unknown key \"operater\"",
        ),
        (
            and(json!([cond("visits", ">", json!(1)), and(json!([cond("city", "=", json!(1))]))])),
            "rule.rules[1].rules[0].value",
            "must be a string",
        ),
        (
            nest(cond("visits", ">", json!(1)), 7),
            "rule.rules[0].rules[0].rules[0].rules[0].rules[0].rules[0]",
            "at most 6 levels",
        ),
        (and(Value::Array(many)), "rule", "has 101 conditions"),
    ];
    assert!(cases.len() >= 20);
    for (rule, path, message) in cases {
        let errors = parse(rule.clone()).expect_err(&format!("should be refused: {rule}"));
        assert!(
            errors.iter().any(|e| e.field == path && e.message.contains(message)),
            "rule {rule}\nexpected {path}: …{message}…\ngot {errors:?}"
        );
    }
}

#[test]
fn every_problem_is_reported_at_once() {
    let rule = and(json!([
        cond("nope", "=", json!(1)),
        cond("visits", "~", json!(1)),
        cond("city", "=", json!(1)),
        {"combinator": "nand", "rules": [cond("visits", "between", json!([3, 1]))]},
    ]));
    let fields: Vec<String> = parse(rule).unwrap_err().into_iter().map(|e| e.field).collect();
    assert_eq!(
        fields,
        [
            "rule.rules[0].field",
            "rule.rules[1].operator",
            "rule.rules[2].value",
            "rule.rules[3].combinator",
            "rule.rules[3].rules[0].value",
        ]
    );
}

#[test]
fn six_levels_and_a_hundred_conditions_are_allowed() {
    assert!(parse(nest(cond("visits", ">", json!(1)), 6)).is_ok());
    let hundred: Vec<Value> = (0..100).map(|i| cond("visits", ">", json!(i))).collect();
    assert_eq!(parse(and(Value::Array(hundred))).unwrap().condition_count(), 100);
}

#[test]
fn error_lists_stay_bounded() {
    let junk: Vec<Value> = (0..1000).map(|_| json!(1)).collect();
    assert!(parse(and(Value::Array(junk))).unwrap_err().len() <= 50);
}
