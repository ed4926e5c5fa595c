use serde_json::{json, Map, Value};

use super::*;

fn object(value: Value) -> Map<String, Value> {
    match value {
        Value::Object(map) => map,
        _ => panic!("not an object"),
    }
}

#[test]
fn keys_follow_the_pattern() {
    for key in ["a", "tier", "vip_since", "x1_2", &"k".repeat(63)] {
        assert!(AttributeKey::parse(key).is_ok(), "{key:?}");
    }
    for key in ["", "Tier", "1tier", "_tier", "ti-er", "ti er", "tïer", &"k".repeat(64)] {
        assert!(AttributeKey::parse(key).is_err(), "{key:?}");
    }
}

#[test]
fn accepts_scalars_and_null_removals() {
    let raw: Value =
        serde_json::from_str(r#"{"tier": "gold", "points": 1200.50, "newsletter": true, "old": null}"#).unwrap();
    let attributes = Attributes::from_json(object(raw.clone())).unwrap();
    assert_eq!(attributes.len(), 4);
    assert_eq!(attributes.get("tier"), Some(&AttributeValue::String("gold".into())));
    assert_eq!(attributes.get("old"), None);
    assert_eq!(attributes.to_json(), raw);
    assert_eq!(attributes.to_json()["points"].to_string(), "1200.50", "exact number text kept");
}

#[test]
fn reports_every_bad_entry_by_path() {
    let raw: Value = serde_json::from_str(&format!(
        r#"{{"Bad": 1, "nested": {{"a": 1}}, "list": [1], "long": "{}", "huge": 1e400, "ok": 1}}"#,
        "x".repeat(1001)
    ))
    .unwrap();
    let errors = Attributes::from_json(object(raw)).unwrap_err();
    let fields: Vec<_> = errors.iter().map(|e| e.field.as_str()).collect();
    assert_eq!(
        fields,
        ["attributes.Bad", "attributes.huge", "attributes.list", "attributes.long", "attributes.nested"]
    );
    assert_eq!(errors.0[4].message, "must be a string, number, boolean or null; nested values are not supported");
    assert_eq!(errors.0[3].message, "must be at most 1000 characters");
}

#[test]
fn limits_the_number_of_keys() {
    let map: Map<String, Value> = (0..51).map(|i| (format!("k{i}"), json!(i))).collect();
    let errors = Attributes::from_json(map).unwrap_err();
    assert_eq!(errors.0[0].field, "attributes");
    assert_eq!(errors.0[0].message, "must have at most 50 keys");
    let map: Map<String, Value> = (0..50).map(|i| (format!("k{i}"), json!(i))).collect();
    assert!(Attributes::from_json(map).is_ok());
}

#[test]
fn merge_applies_upsert_semantics() {
    let mut stored = Attributes::from_json(object(json!({"tier": "silver", "newsletter": true}))).unwrap();
    let update = Attributes::from_json(object(json!({"tier": "gold", "newsletter": null, "city_pref": "x"}))).unwrap();
    stored.merge(&update);
    assert_eq!(stored.to_json(), json!({"tier": "gold", "city_pref": "x"}));
}

#[test]
fn serde_round_trips_and_revalidates() {
    let attributes = Attributes::from_json(object(json!({"a": 1, "b": null}))).unwrap();
    let text = serde_json::to_string(&attributes).unwrap();
    assert_eq!(text, r#"{"a":1,"b":null}"#);
    assert_eq!(serde_json::from_str::<Attributes>(&text).unwrap(), attributes);
    assert!(serde_json::from_str::<Attributes>(r#"{"A": 1}"#).is_err());
    assert!(serde_json::from_str::<Attributes>(r#"{"a": [1]}"#).is_err());
}

#[test]
fn exponents_beyond_double_range_are_refused() {
    assert!(exponent_fits("12.5"));
    assert!(exponent_fits("1e300"));
    assert!(exponent_fits("1E-308"));
    assert!(exponent_fits("2e+10"));
    assert!(!exponent_fits("1e-99999999"));
    assert!(!exponent_fits("1e-400"));
    assert!(!exponent_fits("1e999999999999"));
}
