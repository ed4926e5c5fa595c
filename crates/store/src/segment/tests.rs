//! Compiler unit tests: values only ever appear as parameters, placeholders are numbered densely from the
//! requested start, and `LIKE` text is escaped. Semantics are checked against real databases in
//! `tests/segments`.

use chrono::{DateTime, Utc};
use converge_domain::segment::{AttributeType, Catalogue, Rule};
use converge_domain::Currency;
use serde_json::json;

use super::builder::escape_like;
use super::{compile, Dialect, Param};

fn now() -> DateTime<Utc> {
    "2025-06-01T12:00:00Z".parse().unwrap()
}

fn rule(json: serde_json::Value) -> Rule {
    let catalogue = Catalogue::with_attributes(&[("tier".into(), AttributeType::String)]);
    Rule::parse(&json, &catalogue, &Currency::INR).unwrap()
}

#[test]
fn values_are_bound_never_written_into_sql() {
    let hostile = "'; DROP TABLE customers; --";
    let rule = rule(json!({"combinator": "or", "rules": [
        {"field": "city", "operator": "=", "value": hostile},
        {"field": "name", "operator": "contains", "value": hostile},
        {"field": "attributes.tier", "operator": "in", "value": [hostile, "x"]},
        {"field": "email", "operator": "beginsWith", "value": "50%_\\"}]}));
    for dialect in [Dialect::Postgres, Dialect::Sqlite] {
        let filter = compile(&rule, now(), dialect, 3);
        assert!(!filter.sql.contains("DROP"), "{}", filter.sql);
        assert!(!filter.sql.contains("50%"), "{}", filter.sql);
        assert!(filter.params.contains(&Param::Text(hostile.to_lowercase())));
        assert!(filter.params.contains(&Param::Text("50\\%\\_\\\\%".into())));
        let highest = (3..3 + filter.params.len()).map(|n| format!("${n}")).collect::<Vec<_>>();
        for placeholder in &highest {
            assert!(filter.sql.contains(placeholder.as_str()), "{placeholder} unused in {}", filter.sql);
        }
        assert!(!filter.sql.contains(&format!("${}", 3 + filter.params.len())));
        assert!(!filter.sql.contains("$2 ") && !filter.sql.contains("$1 "));
    }
}

#[test]
fn empty_groups_compile_to_constants() {
    let everyone = compile(&rule(json!({"combinator": "and", "rules": []})), now(), Dialect::Sqlite, 1);
    assert_eq!((everyone.sql.as_str(), everyone.params.len()), ("(1=1)", 0));
    let no_one = compile(&rule(json!({"combinator": "or", "not": true, "rules": []})), now(), Dialect::Postgres, 1);
    assert_eq!(no_one.sql, "NOT (1=0)");
}

#[test]
fn attribute_keys_are_parameters_too() {
    let rule = rule(json!({"combinator": "and", "rules": [{"field": "attributes.tier", "operator": "null"}]}));
    let sqlite = compile(&rule, now(), Dialect::Sqlite, 1);
    assert!(!sqlite.sql.contains("tier"), "{}", sqlite.sql);
    assert_eq!(sqlite.params, vec![Param::Text("$.\"tier\"".into())]);
    let postgres = compile(&rule, now(), Dialect::Postgres, 1);
    assert_eq!(postgres.params, vec![Param::Text("tier".into())]);
}

#[test]
fn like_escaping_covers_wildcards_and_the_escape_character() {
    assert_eq!(escape_like("a%b_c\\d'e"), "a\\%b\\_c\\\\d'e");
    assert_eq!(escape_like("plain"), "plain");
}
