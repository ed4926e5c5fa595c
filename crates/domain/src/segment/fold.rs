//! Case folding for case-insensitive matching, computed in Rust once and shared by every execution.
//!
//! SQLite's `lower()` folds ASCII only and Postgres' depends on the database locale, so neither is used:
//! the store keeps folded shadow columns (`name_fold`, `email_fold`, `city_fold`, `attributes_fold`)
//! written with these functions, rule values are folded with them at parse time, and the evaluator folds
//! raw values with them. One function, three executions, one answer (`"İstanbul"`, `"STRASSE"` vs `"straße"`
//! and all).

use serde_json::{Map, Value};

use super::number::NumberKey;

/// Unicode lowercase (`str::to_lowercase`, context-sensitive final sigma included). Not full case folding:
/// `"ß"` and `"ss"` stay different, which is what a literal "contains" should do.
pub fn fold(text: &str) -> String {
    text.to_lowercase()
}

/// The form of one attribute value in `attributes_fold`: strings folded, numbers replaced by their
/// [`NumberKey`] (so the database compares them exactly as text), booleans kept, `null` kept (in a merge
/// patch it still means "remove the key"). Arrays and objects, which attributes never hold, become `null`.
pub fn fold_attribute(value: &Value) -> Value {
    match value {
        Value::String(text) => Value::String(fold(text)),
        Value::Number(number) => {
            NumberKey::parse(&number.to_string()).map_or(Value::Null, |key| Value::String(key.key().to_owned()))
        }
        Value::Bool(flag) => Value::Bool(*flag),
        Value::Null | Value::Array(_) | Value::Object(_) => Value::Null,
    }
}

/// [`fold_attribute`] applied to every entry of an attributes object or merge patch.
pub fn fold_attributes(attributes: &Map<String, Value>) -> Map<String, Value> {
    attributes.iter().map(|(key, value)| (key.clone(), fold_attribute(value))).collect()
}
