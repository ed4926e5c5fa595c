//! Turning CSV rows into the JSON objects the ingest API accepts, so they are validated by exactly the same
//! code. Only presentation is adapted here: empty cells are absent values, spreadsheet-style dates and times
//! (in the import's [`DateFormat`]) become RFC 3339 in UTC, phone numbers written without a country code
//! become E.164 for the workspace's default country, and attribute cells get a JSON type (`true`/`false`,
//! plain decimal numbers, else text).

use std::collections::BTreeMap;

use chrono::{NaiveDate, NaiveDateTime};
use converge_domain::Phone;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use utoipa::ToSchema;

use super::fields::{ImportKind, ATTRIBUTE_PREFIX, SUBSCRIPTION_PREFIX};

/// How the file writes dates that are not ISO (`2025-01-12`): day first (`12/01/2025`, most of the world)
/// or month first (`01/12/2025`, the US). ISO dates and RFC 3339 times are read whatever the choice.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub enum DateFormat {
    #[default]
    #[serde(rename = "iso")]
    Iso,
    #[serde(rename = "dd/mm/yyyy")]
    DayFirst,
    #[serde(rename = "mm/dd/yyyy")]
    MonthFirst,
}

/// What reading a row depends on besides its cells.
#[derive(Clone, Copy, Debug, Default)]
pub struct RowContext {
    pub date_format: DateFormat,
    /// The workspace's default country: phone numbers without `+` are numbers of it.
    pub country: Option<converge_domain::profile::CountryId>,
}

/// Where each mapped field's value comes from: the column's position in the header.
#[derive(Debug)]
pub struct ColumnMap {
    kind: ImportKind,
    /// `(field name, column index)` in the order of the mapping.
    columns: Vec<(String, usize)>,
}

impl ColumnMap {
    /// Pairs every mapped field with its column; `mapping` is field → header. Problems are
    /// `(mapping.<field>, message)`, every one of them.
    pub fn new(
        kind: ImportKind,
        mapping: &BTreeMap<String, String>,
        header: &[String],
    ) -> Result<ColumnMap, Vec<(String, String)>> {
        let mut problems = Vec::new();
        let mut columns = Vec::new();
        for (field, column) in mapping {
            let key = format!("mapping.{field}");
            if !is_field(kind, field) {
                problems.push((key, unknown_field(kind, field)));
                continue;
            }
            match header.iter().position(|h| h.trim() == column.trim()) {
                Some(index) => columns.push((field.clone(), index)),
                None => problems.push((key, format!("the file has no column named {column:?}"))),
            }
        }
        for required in kind.fields().iter().filter(|f| f.required) {
            if !mapping.contains_key(required.name) {
                problems.push((format!("mapping.{}", required.name), "is required: map a column to it".into()));
            }
        }
        if problems.is_empty() {
            Ok(ColumnMap { kind, columns })
        } else {
            Err(problems)
        }
    }

    /// The JSON object of one row (`cells` in header order; missing trailing cells are empty), and the
    /// problems found while adapting it (`(field, message)`: a phone that cannot be a number of the country).
    pub fn object(&self, cells: &csv::StringRecord, context: &RowContext) -> (Value, Vec<(String, String)>) {
        let mut problems = Vec::new();
        let mut object = Map::new();
        let mut attributes = Map::new();
        let mut subscriptions = Map::new();
        for (field, index) in &self.columns {
            let cell = cells.get(*index).unwrap_or("").trim();
            if cell.is_empty() {
                continue;
            }
            if let Some(key) = field.strip_prefix(ATTRIBUTE_PREFIX) {
                attributes.insert(key.to_owned(), typed(cell));
            } else if let Some(channel) = field.strip_prefix(SUBSCRIPTION_PREFIX) {
                subscriptions.insert(channel.to_owned(), Value::String(cell.to_owned()));
            } else if self.kind.is_time(field) {
                object.insert(field.clone(), Value::String(rfc3339(cell, context.date_format)));
            } else if let Some(country) = context.country.filter(|_| field == "phone" && !cell.starts_with('+')) {
                match Phone::normalize(cell, country) {
                    Ok(phone) => {
                        object.insert(field.clone(), Value::String(phone.as_str().to_owned()));
                    }
                    Err(message) => problems.push((field.clone(), message)),
                }
            } else {
                object.insert(field.clone(), Value::String(cell.to_owned()));
            }
        }
        if !attributes.is_empty() {
            object.insert("attributes".into(), Value::Object(attributes));
        }
        if !subscriptions.is_empty() {
            object.insert("subscriptions".into(), Value::Object(subscriptions));
        }
        (Value::Object(object), problems)
    }
}

fn is_field(kind: ImportKind, name: &str) -> bool {
    match name.strip_prefix(ATTRIBUTE_PREFIX) {
        // The key itself is checked by the customer validation, with its own message.
        Some(key) => kind == ImportKind::Customers && !key.is_empty(),
        None => kind.fields().iter().any(|f| f.name == name),
    }
}

fn unknown_field(kind: ImportKind, name: &str) -> String {
    let names: Vec<&str> = kind.fields().iter().map(|f| f.name).collect();
    let attributes = if kind == ImportKind::Customers { ", or attributes.<key>" } else { "" };
    format!("{name:?} is not a field of this import: use one of {}{attributes}", names.join(", "))
}

/// `2026-05-01`, `2026-05-01 10:30`, `2026-05-01T10:30:00` (and, per `format`, `01/05/2026` or
/// `05/01/2026`, with `/`, `-` or `.`, optionally followed by `HH:MM[:SS]`) → the same instant in UTC, RFC
/// 3339; anything else is passed on as it is (and judged by the ingest validation).
fn rfc3339(cell: &str, format: DateFormat) -> String {
    if chrono::DateTime::parse_from_rfc3339(cell).is_ok() {
        return cell.to_owned();
    }
    let days: &[&str] = match format {
        DateFormat::Iso => &[],
        DateFormat::DayFirst => &["%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y"],
        DateFormat::MonthFirst => &["%m/%d/%Y", "%m-%d-%Y", "%m.%d.%Y"],
    };
    for day in std::iter::once("%Y-%m-%d").chain(days.iter().copied()) {
        for time in [" %H:%M:%S", "T%H:%M:%S", " %H:%M", "T%H:%M"] {
            if let Ok(at) = NaiveDateTime::parse_from_str(cell, &format!("{day}{time}")) {
                return at.and_utc().to_rfc3339();
            }
        }
        if let Some(at) = NaiveDate::parse_from_str(cell, day).ok().and_then(|d| d.and_hms_opt(0, 0, 0)) {
            return at.and_utc().to_rfc3339();
        }
    }
    cell.to_owned()
}

/// An attribute cell's JSON value. Numbers only in plain decimal form without leading zeros, so codes such
/// as `007` or `+91…` stay text.
fn typed(cell: &str) -> Value {
    match cell {
        "true" | "TRUE" | "True" => return Value::Bool(true),
        "false" | "FALSE" | "False" => return Value::Bool(false),
        _ => {}
    }
    let digits = cell.strip_prefix('-').unwrap_or(cell);
    let (whole, fraction) = digits.split_once('.').unwrap_or((digits, "0"));
    let plain = !whole.is_empty()
        && whole.bytes().all(|b| b.is_ascii_digit())
        && (whole == "0" || !whole.starts_with('0'))
        && !fraction.is_empty()
        && fraction.bytes().all(|b| b.is_ascii_digit());
    if plain && digits.len() <= 30 {
        if let Ok(number) = serde_json::from_str::<serde_json::Number>(cell) {
            return Value::Number(number);
        }
    }
    Value::String(cell.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn header(names: &[&str]) -> Vec<String> {
        names.iter().map(|s| s.to_string()).collect()
    }

    fn mapping(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs.iter().map(|(f, c)| (f.to_string(), c.to_string())).collect()
    }

    #[test]
    fn a_row_becomes_the_api_object_with_typed_attributes() {
        let map = ColumnMap::new(
            ImportKind::Customers,
            &mapping(&[
                ("external_id", "ID"),
                ("name", "Full name"),
                ("created_at", "Since"),
                ("attributes.tier", "Tier"),
                ("attributes.score", "Score"),
                ("attributes.vip", "VIP"),
                ("attributes.zip", "Zip"),
            ]),
            &header(&["ID", "Full name", "Since", "Tier", "Score", "VIP", "Zip", "Ignored"]),
        )
        .unwrap();
        let row = csv::StringRecord::from(vec![" C1 ", "Asha Rao", "2024-05-01", "gold", "7.5", "true", "007", "x"]);
        let context = RowContext::default();
        assert_eq!(
            map.object(&row, &context).0,
            json!({"external_id": "C1", "name": "Asha Rao", "created_at": "2024-05-01T00:00:00+00:00",
                "attributes": {"tier": "gold", "score": 7.5, "vip": true, "zip": "007"}})
        );
        // Empty and missing cells are absent, not empty strings.
        let short = csv::StringRecord::from(vec!["C2", ""]);
        assert_eq!(map.object(&short, &context).0, json!({"external_id": "C2"}));
    }

    #[test]
    fn phones_without_a_country_code_are_read_in_the_default_country() {
        let map = ColumnMap::new(
            ImportKind::Customers,
            &mapping(&[("external_id", "ID"), ("phone", "Mobile")]),
            &header(&["ID", "Mobile"]),
        )
        .unwrap();
        let india = RowContext { country: Some(converge_domain::profile::CountryId::IN), ..RowContext::default() };
        let row = csv::StringRecord::from(vec!["C1", "98123 45602"]);
        assert_eq!(map.object(&row, &india), (json!({"external_id": "C1", "phone": "+919812345602"}), vec![]));
        let abroad = csv::StringRecord::from(vec!["C1", "+14155552671"]);
        assert_eq!(map.object(&abroad, &india).0["phone"], "+14155552671", "a + number keeps its country");
        let bad = csv::StringRecord::from(vec!["C1", "12345"]);
        let (object, problems) = map.object(&bad, &india);
        assert_eq!((object, problems.len()), (json!({"external_id": "C1"}), 1));
        assert_eq!(map.object(&row, &RowContext::default()).0["phone"], "98123 45602", "no country: as given");
    }

    #[test]
    fn every_mapping_problem_is_named() {
        let problems = ColumnMap::new(
            ImportKind::Orders,
            &mapping(&[("amount", "Total"), ("colour", "Colour"), ("attributes.x", "X"), ("external_id", "Nope")]),
            &header(&["Total", "Colour", "X"]),
        )
        .unwrap_err();
        let fields: Vec<&str> = problems.iter().map(|(f, _)| f.as_str()).collect();
        assert_eq!(
            fields,
            vec!["mapping.attributes.x", "mapping.colour", "mapping.external_id", "mapping.customer_external_id"]
        );
        assert!(problems[2].1.contains("no column named \"Nope\""), "{problems:?}");
    }

    #[test]
    fn spreadsheet_times_are_read_as_utc_and_the_rest_left_to_validation() {
        let iso = DateFormat::Iso;
        assert_eq!(rfc3339("2026-05-01T10:30:00+05:30", iso), "2026-05-01T10:30:00+05:30");
        assert_eq!(rfc3339("2026-05-01 10:30", iso), "2026-05-01T10:30:00+00:00");
        assert_eq!(rfc3339("2026-05-01T10:30:05", iso), "2026-05-01T10:30:05+00:00");
        assert_eq!(rfc3339("01/05/2026", iso), "01/05/2026", "ambiguous without a chosen format");
        assert_eq!(rfc3339("12/01/2025", DateFormat::DayFirst), "2025-01-12T00:00:00+00:00");
        assert_eq!(rfc3339("12/01/2025", DateFormat::MonthFirst), "2025-12-01T00:00:00+00:00");
        assert_eq!(rfc3339("31.12.2025 18:45", DateFormat::DayFirst), "2025-12-31T18:45:00+00:00");
        assert_eq!(
            rfc3339("2025-01-12", DateFormat::MonthFirst),
            "2025-01-12T00:00:00+00:00",
            "ISO whatever the choice"
        );
        assert_eq!(rfc3339("31/12/2025", DateFormat::MonthFirst), "31/12/2025", "no 31st month: left to validation");
    }

    #[test]
    fn only_plain_numbers_become_numbers() {
        for (cell, expected) in [("0", json!(0)), ("-12.5", json!(-12.5)), ("42", json!(42)), ("False", json!(false))] {
            assert_eq!(typed(cell), expected, "{cell}");
        }
        for text in ["007", "+91 98765", "1e5", "1.", ".5", "12a", "-", "1,499.00"] {
            assert_eq!(typed(text), json!(text), "{text}");
        }
    }
}
