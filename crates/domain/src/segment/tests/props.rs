//! Properties over random rules and customers: generated rules parse, survive `to_json`, and `not` and the
//! negative operators are exact complements.

use chrono::Duration;
use proptest::prelude::*;
use serde_json::{json, Value};

use super::{catalogue, facts, now, parse};
use crate::segment::{CustomerFacts, FieldKind, OperatorInput, OrderFact};
use crate::Currency;

fn scalar(kind: &FieldKind) -> BoxedStrategy<Value> {
    match kind {
        FieldKind::Money => (0u32..50_000).prop_map(|n| json!(format!("{}.{:02}", n / 100, n % 100))).boxed(),
        FieldKind::Integer => (-5i64..400).prop_map(|n| json!(n)).boxed(),
        FieldKind::Number => {
            prop_oneof![(-50i64..50).prop_map(|n| json!(n)), Just(json!("2.50")), Just(json!(1e3))].boxed()
        }
        FieldKind::Date => {
            (0i64..800).prop_map(|d| json!((now() - Duration::days(d)).format("%Y-%m-%d").to_string())).boxed()
        }
        FieldKind::String => {
            prop::sample::select(vec!["pune", "PUNE", "Ü", "a%b", "_", "\\", "o'b", ""]).prop_map(|s| json!(s)).boxed()
        }
        FieldKind::Enum { values } => prop::sample::select(values.clone()).prop_map(|s| json!(s)).boxed(),
        FieldKind::Boolean => any::<bool>().prop_map(|b| json!(b)).boxed(),
    }
}

/// Whether `a <= b` as the parser will read them: numerically when both are numbers (or numeric text),
/// otherwise as text (dates in `YYYY-MM-DD` order correctly as text).
fn ascending(a: &Value, b: &Value) -> bool {
    let number = |v: &Value| v.as_f64().or_else(|| v.as_str().and_then(|s| s.parse::<f64>().ok()));
    match (number(a), number(b)) {
        (Some(x), Some(y)) => x <= y,
        _ => a.as_str().unwrap_or_default() <= b.as_str().unwrap_or_default(),
    }
}

/// A random valid condition over the test catalogue.
fn condition() -> impl Strategy<Value = Value> {
    let fields = catalogue().fields().to_vec();
    prop::sample::select(fields).prop_flat_map(|def| {
        let operators = def.operators.clone();
        (Just(def), prop::sample::select(operators)).prop_flat_map(|(def, op)| {
            let value = match op.input() {
                OperatorInput::None => Just(Value::Null).boxed(),
                OperatorInput::Days => (0i64..500).prop_map(|d| json!(d)).boxed(),
                OperatorInput::Value => scalar(&def.kind),
                OperatorInput::List => prop::collection::vec(scalar(&def.kind), 1..4).prop_map(Value::Array).boxed(),
                OperatorInput::Pair => (scalar(&def.kind), scalar(&def.kind))
                    .prop_map(|(a, b)| {
                        let (a, b) = if ascending(&a, &b) { (a, b) } else { (b, a) };
                        json!([a, b])
                    })
                    .boxed(),
            };
            let name = def.name.clone();
            value.prop_map(move |value| json!({"field": name, "operator": op.name(), "value": value}))
        })
    })
}

/// A random rule of nested groups (possibly empty, possibly negated).
fn rule() -> impl Strategy<Value = Value> {
    let group = |rules: Vec<Value>, or: bool, not: bool| json!({"combinator": if or { "or" } else { "and" }, "not": not, "rules": rules});
    condition()
        .prop_recursive(3, 24, 4, move |inner| {
            (prop::collection::vec(inner, 0..4), any::<bool>(), any::<bool>()).prop_map(move |(r, o, n)| group(r, o, n))
        })
        .prop_map(move |node| if node.get("rules").is_some() { node } else { group(vec![node], false, false) })
}

fn customer() -> impl Strategy<Value = CustomerFacts> {
    let text = || prop::option::of(prop::sample::select(vec!["Pune", "ü", "A%B", "x_y", "O'B"]).prop_map(String::from));
    (text(), text(), prop::collection::vec((0i64..400, 0i64..10_000), 0..4), any::<bool>(), -3i64..3).prop_map(
        |(city, name, orders, vip, score)| {
            let orders: Vec<OrderFact> = orders
                .into_iter()
                .map(|(days, amount_minor)| OrderFact { ordered_at: now() - Duration::days(days), amount_minor })
                .collect();
            CustomerFacts {
                city,
                name,
                total_spend: orders.iter().map(|o| o.amount_minor).sum(),
                order_count: orders.len() as i64,
                visits: orders.len() as i64,
                last_order_at: orders.iter().map(|o| o.ordered_at).max(),
                orders,
                attributes: json!({"vip": vip, "score": score, "tier": "Gold"})
                    .as_object()
                    .cloned()
                    .unwrap_or_default(),
                ..facts()
            }
        },
    )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn generated_rules_parse_and_round_trip(json in rule()) {
        let rule = parse(json.clone()).map_err(|e| TestCaseError::fail(format!("{json}: {e}")))?;
        prop_assert_eq!(parse(rule.to_json(&Currency::INR)).unwrap(), rule);
    }

    #[test]
    fn not_and_negative_operators_are_exact_complements(json in rule(), customer in customer()) {
        let rule = parse(json.clone()).unwrap();
        let mut negated = json.clone();
        negated["not"] = json!(!json["not"].as_bool().unwrap_or(false));
        prop_assert_eq!(parse(negated).unwrap().matches(&customer, now()), !rule.matches(&customer, now()));
        for condition in json["rules"].as_array().into_iter().flatten().filter(|c| c.get("field").is_some()) {
            let op = condition["operator"].as_str().unwrap_or_default();
            let flipped = match op {
                "=" => "!=", "!=" => "=", "in" => "notIn", "notIn" => "in", "contains" => "doesNotContain",
                "doesNotContain" => "contains", "between" => "notBetween", "notBetween" => "between",
                "null" => "notNull", "notNull" => "null", _ => continue,
            };
            let single = |op: &str| {
                let mut c = condition.clone();
                c["operator"] = json!(op);
                json!({"combinator": "and", "rules": [c]})
            };
            let (a, b) = (parse(single(op)), parse(single(flipped)));
            if let (Ok(a), Ok(b)) = (a, b) {
                prop_assert_ne!(a.matches(&customer, now()), b.matches(&customer, now()), "{} vs {}", op, flipped);
            }
        }
    }
}
