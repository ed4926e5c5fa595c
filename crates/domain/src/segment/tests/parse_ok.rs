//! Accepted rule forms, what they parse into, and the catalogue the UI receives.

use serde_json::json;

use super::{catalogue, parse};
use crate::segment::{
    AttributeType, Builtin, Catalogue, Combinator, Comparison, Field, Node, NumberKey, Operator, Predicate, Rule,
    Scalar,
};
use crate::Currency;

fn only_condition(rule: &Rule) -> &crate::segment::Condition {
    match rule.root().rules.as_slice() {
        [Node::Condition(condition)] => condition,
        other => panic!("expected one condition, got {other:?}"),
    }
}

fn predicate(field: &str, operator: &str, value: serde_json::Value) -> Predicate {
    let rule = parse(json!({"combinator": "and", "rules": [{"field": field, "operator": operator, "value": value}]}))
        .unwrap_or_else(|e| panic!("{field} {operator}: {e}"));
    only_condition(&rule).predicate.clone()
}

#[test]
fn accepts_react_querybuilder_output_with_its_extra_keys() {
    let rule = parse(json!({
        "id": "root", "combinator": "AND", "not": false, "disabled": false,
        "rules": [
            {"id": "r1", "field": "total_spend", "operator": ">", "value": 10000, "valueSource": "value"},
            {"id": "g1", "combinator": "or", "not": true, "rules": [
                {"id": "r2", "field": "visits", "operator": "<", "value": "3"},
                {"id": "r3", "field": "inactive_days", "operator": ">=", "value": 90}]}]
    }))
    .unwrap();
    assert_eq!(rule.root().combinator, Combinator::And);
    assert_eq!(rule.condition_count(), 3);
    let Node::Group(inner) = &rule.root().rules[1] else { panic!("group expected") };
    assert!(inner.negated);
    assert_eq!(inner.combinator, Combinator::Or);
}

/// react-querybuilder v8 adds `path` (its `transformQuery`) and `muted`; its `formatQuery` leaves muted rules
/// and groups out of every export, and so does the parser, without reading them.
#[test]
fn accepts_paths_and_leaves_muted_members_out() {
    let rule = parse(json!({
        "combinator": "and", "path": [], "muted": false,
        "rules": [
            {"field": "total_spend", "operator": ">", "value": 10000, "path": [0]},
            {"field": "no_such_field", "operator": "?", "muted": true, "path": [1]},
            {"combinator": "or", "muted": true, "rules": [{"field": "visits", "operator": "<", "value": 3}]},
            {"combinator": "or", "path": [3], "rules": [
                {"field": "visits", "operator": "<", "value": "3", "path": [3, 0], "muted": false},
                {"field": "city", "operator": "=", "value": "Pune", "muted": true}]}]
    }))
    .unwrap();
    assert_eq!(rule.condition_count(), 2);
    let Node::Group(inner) = &rule.root().rules[1] else { panic!("group expected") };
    assert_eq!(inner.rules.len(), 1);
}

#[test]
fn values_are_read_in_the_field_type() {
    assert_eq!(predicate("total_spend", ">", json!(10000)), Predicate::Compare(Comparison::Gt, Scalar::Int(1_000_000)));
    assert_eq!(
        predicate("total_spend", "<=", json!("10000.5")),
        Predicate::Compare(Comparison::Le, Scalar::Int(1_000_050))
    );
    assert_eq!(predicate("visits", "=", json!(" 7 ")), Predicate::Compare(Comparison::Eq, Scalar::Int(7)));
    assert_eq!(
        predicate("created_at", "<", json!("2025-02-01")),
        Predicate::Compare(Comparison::Lt, Scalar::Time(super::at("2025-02-01T00:00:00Z").timestamp_millis()))
    );
    assert_eq!(
        predicate("created_at", ">=", json!("2025-02-01T05:30:00+05:30")),
        Predicate::Compare(Comparison::Ge, Scalar::Time(super::at("2025-02-01T00:00:00Z").timestamp_millis()))
    );
    assert_eq!(
        predicate("city", "=", json!("İstanbul")),
        Predicate::Compare(Comparison::Eq, Scalar::Text("i̇stanbul".into()))
    );
    assert_eq!(predicate("city", "contains", json!("50%_\\")), Predicate::Contains("50%_\\".into()));
    assert_eq!(
        predicate("gender", "=", json!(" Female ")),
        Predicate::Compare(Comparison::Eq, Scalar::Text("female".into()))
    );
    assert_eq!(predicate("has_profile", "=", json!("TRUE")), Predicate::Compare(Comparison::Eq, Scalar::Bool(true)));
    assert_eq!(predicate("attributes.vip", "=", json!(false)), Predicate::Compare(Comparison::Eq, Scalar::Bool(false)));
    let score = predicate("attributes.score", ">", json!("2.50"));
    assert_eq!(score, Predicate::Compare(Comparison::Gt, Scalar::Number(NumberKey::parse("2.5").unwrap())));
    assert_eq!(predicate("last_order_at", "withinDays", json!("30")), Predicate::WithinDays(30));
    assert_eq!(predicate("last_order_at", "olderThanDays", json!(0)), Predicate::OlderThanDays(0));
}

#[test]
fn pairs_and_lists_take_arrays_or_comma_separated_text() {
    assert_eq!(predicate("visits", "between", json!("2, 5")), Predicate::Between(Scalar::Int(2), Scalar::Int(5)));
    assert_eq!(predicate("visits", "notBetween", json!([3, 3])), Predicate::Between(Scalar::Int(3), Scalar::Int(3)));
    assert_eq!(
        predicate("spend_last_90_days", "between", json!(["10", 20.5])),
        Predicate::Between(Scalar::Int(1000), Scalar::Int(2050))
    );
    assert_eq!(predicate("city", "in", json!("Pune, MUMBAI")), Predicate::In(vec!["pune".into(), "mumbai".into()]));
    assert_eq!(predicate("city", "notIn", json!(["a,b"])), Predicate::In(vec!["a,b".into()]));
    assert_eq!(
        predicate("preferred_channel", "in", json!("sms,WhatsApp")),
        Predicate::In(vec!["sms".into(), "whatsapp".into()])
    );
}

#[test]
fn null_operators_ignore_any_value() {
    for value in [json!(null), json!(""), json!([1, 2]), json!({"x": 1})] {
        assert_eq!(predicate("city", "null", value.clone()), Predicate::Null);
        assert_eq!(predicate("attributes.tier", "notNull", value), Predicate::Null);
    }
    let rule = parse(json!({"combinator": "or", "rules": [{"field": "email", "operator": "notNull"}]})).unwrap();
    assert_eq!(only_condition(&rule).operator, Operator::NotNull);
}

#[test]
fn empty_groups_parse() {
    let rule = parse(json!({"combinator": "or", "rules": []})).unwrap();
    assert!(rule.root().rules.is_empty());
    assert_eq!(Rule::everyone(), parse(json!({"combinator": "and", "rules": []})).unwrap());
}

#[test]
fn to_json_reads_back_into_the_same_rule() {
    let rule = parse(json!({"combinator": "or", "not": true, "rules": [
        {"field": "total_spend", "operator": "between", "value": "10,20.5"},
        {"field": "created_at", "operator": "<", "value": "2025-01-01T10:00:00.123+05:30"},
        {"field": "city", "operator": "notIn", "value": "Pune,Goa"},
        {"field": "attributes.score", "operator": "!=", "value": "0010.50"},
        {"field": "attributes.score", "operator": "=", "value": 1e3},
        {"field": "attributes.vip", "operator": "null"},
        {"combinator": "and", "rules": [{"field": "name", "operator": "beginsWith", "value": "Ä"}]}]}))
    .unwrap();
    let json = rule.to_json(&Currency::INR);
    assert_eq!(json["rules"][0]["value"], json!(["10.00", "20.50"]));
    assert_eq!(json["rules"][1]["value"], json!("2025-01-01T04:30:00.123Z"));
    assert_eq!(json["rules"][6]["rules"][0]["value"], json!("ä"));
    assert_eq!(parse(json).unwrap(), rule);
}

#[test]
fn catalogue_lists_fields_with_their_operators() {
    let json = serde_json::to_value(catalogue()).unwrap();
    let fields = json.as_array().unwrap();
    assert_eq!(fields.len(), Builtin::ALL.len() + 3);
    let field = |name: &str| fields.iter().find(|f| f["name"] == name).unwrap().clone();
    let operator_names = |name: &str| -> Vec<String> {
        field(name)["operators"].as_array().unwrap().iter().map(|o| o["name"].as_str().unwrap().to_owned()).collect()
    };
    assert_eq!(field("total_spend")["type"], "money");
    assert_eq!(operator_names("total_spend"), ["=", "!=", "<", "<=", ">", ">=", "between", "notBetween"]);
    assert_eq!(field("gender")["values"], json!(["female", "male", "non_binary", "other", "unknown"]));
    assert_eq!(operator_names("gender"), ["=", "!=", "in", "notIn", "null", "notNull"]);
    assert_eq!(
        operator_names("last_order_at"),
        ["<", "<=", ">", ">=", "between", "notBetween", "withinDays", "olderThanDays", "null", "notNull"]
    );
    assert!(!operator_names("created_at").contains(&"null".to_owned()));
    assert_eq!(operator_names("has_profile"), ["="]);
    assert_eq!(operator_names("attributes.vip"), ["=", "null", "notNull"]);
    assert_eq!(field("attributes.score")["type"], "number");
    let within = &field("last_order_at")["operators"][6];
    assert_eq!(within["input"], "days");
    assert_eq!(field("city")["operators"][6]["input"], "list");
}

#[test]
fn catalogue_skips_invalid_and_repeated_attribute_keys() {
    let catalogue = Catalogue::with_attributes(&[
        ("b".to_owned(), AttributeType::Number),
        ("a".to_owned(), AttributeType::String),
        ("a".to_owned(), AttributeType::Boolean),
        ("x' OR 1=1".to_owned(), AttributeType::String),
        ("Upper".to_owned(), AttributeType::String),
    ]);
    let names: Vec<&str> = catalogue.fields().iter().skip(Builtin::ALL.len()).map(|f| f.name.as_str()).collect();
    assert_eq!(names, ["attributes.a", "attributes.b"]);
    assert!(matches!(catalogue.get("attributes.a").unwrap().field, Field::Attribute(_, AttributeType::String)));
}
