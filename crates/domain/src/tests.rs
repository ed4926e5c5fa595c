//! The OpenAPI schemas of the input DTOs are part of the API contract; check their important details.

use serde_json::{json, Value};
use utoipa::PartialSchema;

use crate::{Attributes, CustomerInput, Email, FieldError, OrderInput, OrderItemInput, OrderStatus};

fn schema_of<T: PartialSchema>() -> Value {
    serde_json::to_value(T::schema()).unwrap()
}

#[test]
fn order_amount_is_string_or_number() {
    let schema = schema_of::<OrderInput>();
    let amount = &schema["properties"]["amount"];
    let types: Vec<_> = amount["oneOf"].as_array().unwrap().iter().map(|s| s["type"].clone()).collect();
    assert_eq!(types, [json!("string"), json!("number")]);
    let required = schema["required"].as_array().unwrap();
    assert!(required.contains(&json!("amount")));
    assert!(!required.contains(&json!("currency")));
    let item = schema_of::<OrderItemInput>();
    assert_eq!(item["properties"]["unit_price"]["oneOf"][1]["type"], json!("number"));
    assert_eq!(item["required"], json!(["quantity"]));
}

#[test]
fn customer_fields_point_at_the_types_that_validate_them() {
    let schema = schema_of::<CustomerInput>();
    assert_eq!(schema["required"], json!(["external_id"]));
    let properties = &schema["properties"];
    assert_eq!(properties["external_id"]["$ref"], json!("#/components/schemas/ExternalId"));
    let attributes = properties["attributes"]["oneOf"].to_string();
    assert!(attributes.contains("#/components/schemas/Attributes"), "{attributes}");
    assert!(properties["phone"]["oneOf"].to_string().contains("#/components/schemas/Phone"));
}

/// The spec's patterns never admit what the parsers refuse (a spec-valid value is accepted), and refuse the
/// usual mistakes; they may be stricter (a leading U+0085, which the parser trims away, is refused).
#[test]
fn patterns_match_the_parsers() {
    let pattern = |schema: Value| regex_lite(&schema["pattern"]);
    let text = pattern(schema_of::<crate::ExternalId>());
    let cases = [("C-1", true), ("  C 1 ", true), ("   ", false), ("a\u{7}b", false), ("a\u{9f}b", false)];
    for (value, ok) in cases {
        assert_eq!(text.is_match(value), ok, "{value:?}");
        assert_eq!(crate::ExternalId::parse(value).is_ok(), ok, "{value:?}");
    }
    assert!(!text.is_match("\u{85}x") && crate::ExternalId::parse("\u{85}x").is_ok(), "stricter, never looser");
    let phone = pattern(schema_of::<crate::Phone>());
    let cases = [
        ("+91 98765 43210", true),
        ("(022) 2345-6789", true),
        ("123456", false),
        ("+1234567890123456", false),
        ("12a4567", false),
    ];
    for (value, ok) in cases {
        assert_eq!(phone.is_match(value), ok, "{value:?}");
        assert_eq!(crate::Phone::parse(value).is_ok(), ok, "{value:?}");
    }
    let label = pattern(schema_of::<crate::ApiKeyLabel>());
    let note = pattern(schema_of::<crate::SegmentDescription>());
    let cases = [
        ("", true, true),
        ("sync", true, true),
        ("a\nb", false, true),
        ("a\tb", false, true),
        ("a\u{7}b", false, false),
    ];
    for (value, label_ok, note_ok) in cases {
        assert_eq!(label.is_match(value), label_ok, "{value:?}");
        assert_eq!(crate::ApiKeyLabel::parse(value).is_ok(), label_ok, "{value:?}");
        assert_eq!(note.is_match(value), note_ok, "{value:?}");
        assert_eq!(crate::SegmentDescription::parse(value).is_ok(), note_ok, "{value:?}");
    }
}

fn regex_lite(pattern: &Value) -> regex::Regex {
    regex::Regex::new(pattern.as_str().unwrap()).unwrap()
}

#[test]
fn newtypes_are_strings_and_enums_list_their_values() {
    assert_eq!(schema_of::<Email>()["format"], json!("email"));
    assert_eq!(schema_of::<Attributes>()["maxProperties"], json!(50));
    assert_eq!(schema_of::<OrderStatus>()["enum"], json!(["placed", "paid", "fulfilled", "cancelled", "refunded"]));
    assert_eq!(schema_of::<FieldError>()["required"], json!(["field", "message"]));
}

/// The rule schema spells out exactly the nesting the parser allows (that no schema refers to itself is
/// checked over the whole spec by the server's openapi tests).
#[test]
fn rule_groups_nest_as_deep_as_the_parser_allows_and_no_deeper() {
    use crate::segment::{RuleGroup, MAX_DEPTH};
    use utoipa::ToSchema;

    let mut named = Vec::new();
    RuleGroup::schemas(&mut named);
    named.push(("RuleGroup".to_owned(), RuleGroup::schema()));
    let named: std::collections::HashMap<String, Value> =
        named.into_iter().map(|(name, schema)| (name, serde_json::to_value(schema).unwrap())).collect();
    let (mut name, mut levels) = ("RuleGroup".to_owned(), 0);
    loop {
        levels += 1;
        let items = &named[&name]["properties"]["rules"]["items"];
        let Some(members) = items["oneOf"].as_array() else {
            assert_eq!(items["$ref"], json!("#/components/schemas/RuleCondition"), "{name}: conditions only");
            break;
        };
        let next = members[0]["$ref"].as_str().unwrap();
        assert_eq!(members[1]["$ref"], json!("#/components/schemas/RuleCondition"));
        name = next.trim_start_matches("#/components/schemas/").to_owned();
    }
    assert_eq!(levels, MAX_DEPTH);
}
