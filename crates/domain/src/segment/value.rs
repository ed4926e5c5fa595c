//! Reading rule values: one scalar of a field's kind, a `[from, to]` pair, a list, or a day count.
//!
//! react-querybuilder sends what its inputs hold, so numbers may arrive as JSON numbers or as strings
//! (`10000`, `"10000.50"`), and pairs and lists either as arrays or as one comma-separated string
//! (`"10,20"`; items are trimmed). Anything else of the wrong type is an error whose text completes
//! "`<path>` …".

use chrono::{DateTime, NaiveDate, Utc};
use serde_json::Value;

use super::field::FieldKind;
use super::fold::fold;
use super::number::NumberKey;
use super::rule::Scalar;
use super::time;
use crate::money::{Currency, Money};

/// Longest text value, in characters.
pub const MAX_TEXT_CHARS: usize = 500;
/// Most items in an `in` / `notIn` list.
pub const MAX_LIST_ITEMS: usize = 500;
/// Largest magnitude of an integer value (the same bound as money input, 10^15).
pub const MAX_INTEGER: i64 = 1_000_000_000_000_000;
/// Largest day count of `withinDays` / `olderThanDays` (about 2 700 years).
pub const MAX_DAYS: i64 = 1_000_000;
/// Longest number text, as for attribute values.
const MAX_NUMBER_CHARS: usize = 40;

/// Reads one value of `kind`.
pub(super) fn scalar(kind: &FieldKind, value: &Value, currency: &Currency) -> Result<Scalar, String> {
    match kind {
        FieldKind::Money => money(value, currency).map(|m| Scalar::Int(m.minor())),
        FieldKind::Integer => integer(value).map(Scalar::Int),
        FieldKind::Number => number(value).map(Scalar::Number),
        FieldKind::Date => date(value).map(Scalar::Time),
        FieldKind::String => text(value).map(Scalar::Text),
        FieldKind::Enum { values } => choice(value, values).map(Scalar::Text),
        FieldKind::Boolean => boolean(value).map(Scalar::Bool),
    }
}

/// Splits a pair or list value into its items: an array as is, a string on commas (trimmed).
pub(super) fn items(value: &Value) -> Result<Vec<Value>, String> {
    match value {
        Value::Array(items) => Ok(items.clone()),
        Value::String(text) => Ok(text.split(',').map(|item| Value::String(item.trim().to_owned())).collect()),
        _ => Err("must be a list of values (an array or a comma-separated string)".to_owned()),
    }
}

/// A day count for `withinDays` / `olderThanDays`.
pub(super) fn days(value: &Value) -> Result<i64, String> {
    let message = || format!("must be a whole number of days from 0 to {MAX_DAYS}");
    match integer(value) {
        Ok(days) if (0..=MAX_DAYS).contains(&days) => Ok(days),
        _ => Err(message()),
    }
}

/// The text of a JSON number, or of a string trimmed; `None` for other JSON types.
fn numeric_text(value: &Value) -> Option<String> {
    match value {
        Value::Number(number) => Some(number.to_string()),
        Value::String(text) => Some(text.trim().to_owned()),
        _ => None,
    }
}

fn money(value: &Value, currency: &Currency) -> Result<Money, String> {
    let text = numeric_text(value).ok_or_else(|| "must be an amount like 1499.00".to_owned())?;
    Money::parse_decimal(&text, currency)
}

fn integer(value: &Value) -> Result<i64, String> {
    let message = || format!("must be a whole number between -{MAX_INTEGER} and {MAX_INTEGER}");
    let text = numeric_text(value).ok_or_else(message)?;
    let digits = text.strip_prefix('-').unwrap_or(&text);
    if digits.is_empty() || digits.len() > 18 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(message());
    }
    match text.parse::<i64>() {
        Ok(number) if number.abs() <= MAX_INTEGER => Ok(number),
        _ => Err(message()),
    }
}

fn number(value: &Value) -> Result<NumberKey, String> {
    let message = || "must be a number of at most 40 characters within double range".to_owned();
    let text = numeric_text(value).ok_or_else(message)?;
    let finite = text.parse::<f64>().is_ok_and(f64::is_finite);
    match NumberKey::parse(&text) {
        Some(key) if finite && text.len() <= MAX_NUMBER_CHARS => Ok(key),
        _ => Err(message()),
    }
}

fn date(value: &Value) -> Result<i64, String> {
    let message = || "must be a date like 2025-01-31 or an RFC 3339 timestamp like 2025-01-31T18:30:00Z".to_owned();
    let Value::String(text) = value else { return Err(message()) };
    let text = text.trim();
    if let Ok(at) = DateTime::parse_from_rfc3339(text) {
        return Ok(time::to_millis(at.with_timezone(&Utc)));
    }
    let day = NaiveDate::parse_from_str(text, "%Y-%m-%d").map_err(|_| message())?;
    let midnight = day.and_hms_opt(0, 0, 0).ok_or_else(message)?;
    Ok(time::to_millis(midnight.and_utc()))
}

fn text(value: &Value) -> Result<String, String> {
    let Value::String(text) = value else { return Err("must be a string".to_owned()) };
    if text.chars().count() > MAX_TEXT_CHARS {
        return Err(format!("must be at most {MAX_TEXT_CHARS} characters"));
    }
    if text.contains('\0') {
        return Err("must not contain NUL characters".to_owned());
    }
    Ok(fold(text))
}

fn choice(value: &Value, values: &[String]) -> Result<String, String> {
    let message = || format!("must be one of {}", values.join(", "));
    let Value::String(text) = value else { return Err(message()) };
    let wanted = text.trim().to_ascii_lowercase();
    values.iter().find(|v| **v == wanted).cloned().ok_or_else(message)
}

fn boolean(value: &Value) -> Result<bool, String> {
    match value {
        Value::Bool(flag) => Ok(*flag),
        Value::String(text) if text.trim().eq_ignore_ascii_case("true") => Ok(true),
        Value::String(text) if text.trim().eq_ignore_ascii_case("false") => Ok(false),
        _ => Err("must be true or false".to_owned()),
    }
}
