//! Random rule trees over every field and operator, with values drawn from the same pools as the data so
//! that conditions actually hit (and hit boundaries): exact stored instants, day counts around the data,
//! text in other cases and partial matches.

use converge_domain::segment::{AttributeType, Catalogue, FieldKind, OperatorInput};
use proptest::prelude::*;
use serde_json::{json, Value};

use super::data::{instant_strategy, number_values, CITIES, DAYS, EMAILS, NAMES, PHONES, TIERS};

/// The catalogue the property test parses with: built-ins and the data's attributes (`mixed` holds
/// strings, numbers and booleans; the catalogue calls it a number).
pub fn catalogue() -> Catalogue {
    Catalogue::with_attributes(&[
        ("tier".into(), AttributeType::String),
        ("score".into(), AttributeType::Number),
        ("vip".into(), AttributeType::Boolean),
        ("mixed".into(), AttributeType::Number),
    ])
}

/// Text values for `field`: its data pool in original, upper and lower case, plus tricky fragments.
fn texts(field: &str) -> Vec<String> {
    let fragments =
        ["ü", "Ü", "İ", "i̇", "i", "%", "_", "\\", "'", "\"", "ss", "ß", "σ", "ς", "Σ", "a%", "_b", "+91", ""];
    let pool = match field {
        "name" => NAMES,
        "city" => CITIES,
        "email" => EMAILS,
        "phone" => PHONES,
        _ => TIERS,
    };
    let mut all: Vec<String> = pool.iter().flat_map(|s| [s.to_string(), s.to_uppercase(), s.to_lowercase()]).collect();
    all.extend(fragments.iter().map(|s| s.to_string()));
    all
}

/// A whole number of days near the data's boundaries.
fn days() -> impl Strategy<Value = i64> {
    (prop::sample::select(DAYS), -1i64..=1).prop_map(|(d, delta)| d + delta)
}

fn scalar(kind: &FieldKind, field: &str) -> BoxedStrategy<Value> {
    match kind {
        FieldKind::Money => prop_oneof![
            (0u32..400).prop_map(|n| json!(n)),
            (0u32..40_000).prop_map(|n| json!(format!("{}.{:02}", n / 100, n % 100)))
        ]
        .boxed(),
        FieldKind::Integer if field == "inactive_days" => days().prop_map(|n| json!(n)).boxed(),
        FieldKind::Integer => (-1i64..6).prop_map(|n| json!(n)).boxed(),
        FieldKind::Number => {
            prop::sample::select(number_values()).prop_map(|v| if v.is_boolean() { json!("8") } else { v }).boxed()
        }
        FieldKind::Date => (instant_strategy(), any::<bool>())
            .prop_map(|(at, day_only)| {
                json!(if day_only { at.format("%Y-%m-%d").to_string() } else { at.to_rfc3339() })
            })
            .boxed(),
        FieldKind::String => prop::sample::select(texts(field)).prop_map(Value::from).boxed(),
        FieldKind::Enum { values } => prop::sample::select(values.clone()).prop_map(Value::from).boxed(),
        FieldKind::Boolean => any::<bool>().prop_map(Value::from).boxed(),
    }
}

/// A condition on any catalogue field with any of its operators.
fn condition() -> impl Strategy<Value = Value> {
    prop::sample::select(catalogue().fields().to_vec()).prop_flat_map(|def| {
        (Just(def.clone()), prop::sample::select(def.operators.clone())).prop_flat_map(|(def, op)| {
            let name = def.name.clone();
            let value = match op.input() {
                OperatorInput::None => Just(Value::Null).boxed(),
                OperatorInput::Days => days().prop_map(|d| json!(d.max(0))).boxed(),
                OperatorInput::Value => scalar(&def.kind, &name),
                OperatorInput::List => {
                    prop::collection::vec(scalar(&def.kind, &name), 1..5).prop_map(Value::Array).boxed()
                }
                OperatorInput::Pair => {
                    (scalar(&def.kind, &name), scalar(&def.kind, &name)).prop_map(|(a, b)| json!([a, b])).boxed()
                }
            };
            value.prop_map(move |value| json!({"field": name, "operator": op.name(), "value": value}))
        })
    })
}

/// A rule: usually one condition (so each condition's result shows), otherwise nested groups (possibly
/// empty, possibly negated) of conditions.
pub fn rule() -> impl Strategy<Value = Value> {
    let group = |rules: Vec<Value>, or: bool, not: bool| json!({"combinator": if or { "or" } else { "and" }, "not": not, "rules": rules});
    let tree = condition()
        .prop_recursive(3, 20, 4, move |inner| {
            (prop::collection::vec(inner, 0..4), any::<bool>(), any::<bool>()).prop_map(move |(r, o, n)| group(r, o, n))
        })
        .prop_map(move |node| if node.get("rules").is_some() { node } else { group(vec![node], false, false) });
    prop_oneof![2 => condition().prop_map(move |c| group(vec![c], false, false)), 1 => tree]
}

/// Puts every `between` pair in ascending order, as the parser demands, by swapping on the parser's own
/// complaint. Returns the rule unchanged when it has no such problem.
pub fn order_pairs(mut rule: Value, error_paths: &[String]) -> Value {
    for path in error_paths {
        let mut node = &mut rule;
        let steps = path.trim_start_matches("rule").trim_end_matches(".value");
        for step in steps.split(".rules").filter(|s| !s.is_empty()) {
            let index: usize = step.trim_matches(|c| c == '[' || c == ']').parse().unwrap();
            node = &mut node["rules"][index];
        }
        if let Some(pair) = node["value"].as_array_mut() {
            pair.swap(0, 1);
        }
    }
    rule
}
