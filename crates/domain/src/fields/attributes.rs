//! Custom customer fields (`attributes`): a small flat map of scalar values a brand defines itself, usable in
//! segment rules as `attributes.<key>`.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Number, Value};
use utoipa::openapi::schema::{OneOfBuilder, Schema};
use utoipa::openapi::{ObjectBuilder, RefOr, Type};

use crate::error::FieldErrors;

/// An attribute name: `^[a-z][a-z0-9_]{0,62}$`, so it is safe to show as a rule field (`attributes.tier`) and
/// to use as a JSON path in either database without quoting.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct AttributeKey(String);

impl AttributeKey {
    /// Checks the key pattern; no trimming or case folding, a key is an identifier.
    pub fn parse(raw: &str) -> Result<AttributeKey, String> {
        let mut bytes = raw.bytes();
        let first_ok = bytes.next().is_some_and(|b| b.is_ascii_lowercase());
        let rest_ok = bytes.all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
        if first_ok && rest_ok && raw.len() <= 63 {
            Ok(AttributeKey(raw.to_owned()))
        } else {
            Err("must be a lowercase name like vip_since: a letter, then letters, digits or _, \
                 at most 63 characters"
                .to_owned())
        }
    }
}

/// Lets maps keyed by [`AttributeKey`] be queried with a `&str`; sound because the derived `Ord`/`Eq`/`Hash`
/// are exactly those of the inner `String`.
impl std::borrow::Borrow<str> for AttributeKey {
    fn borrow(&self) -> &str {
        &self.0
    }
}

/// The JSON Schema `pattern` of an attribute name.
const KEY_PATTERN: &str = "^[a-z][a-z0-9_]{0,62}$";

string_newtype!(
    AttributeKey,
    super::string_schema("Custom attribute name").pattern(Some(KEY_PATTERN)).examples(["tier"])
);

/// A scalar attribute value. Numbers keep their exact JSON text (serde_json `arbitrary_precision`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AttributeValue {
    /// Text of at most [`AttributeValue::MAX_STRING_CHARS`] characters.
    String(String),
    /// A finite number of at most 40 characters of JSON text, so it converts to a double for comparisons.
    Number(Number),
    Bool(bool),
}

impl AttributeValue {
    /// Longest string value, in characters.
    pub const MAX_STRING_CHARS: usize = 1000;

    /// Reads one JSON value: `null` is `Ok(None)` ("remove this key"), a scalar is checked, objects and arrays
    /// are refused because rules compare scalars and a flat map keeps storage simple.
    pub fn from_json(value: Value) -> Result<Option<AttributeValue>, String> {
        match value {
            Value::Null => Ok(None),
            Value::Bool(flag) => Ok(Some(AttributeValue::Bool(flag))),
            Value::String(text) if text.chars().count() > Self::MAX_STRING_CHARS => {
                Err(format!("must be at most {} characters", Self::MAX_STRING_CHARS))
            }
            Value::String(text) if text.contains('\0') => Err("must not contain NUL characters".to_owned()),
            Value::String(text) => Ok(Some(AttributeValue::String(text))),
            Value::Number(number) => {
                let finite = number.as_f64().is_some_and(f64::is_finite);
                let text = number.to_string();
                if finite && text.len() <= 40 && exponent_fits(&text) {
                    Ok(Some(AttributeValue::Number(number)))
                } else {
                    Err("must be a number of at most 40 characters within double range".to_owned())
                }
            }
            Value::Array(_) | Value::Object(_) => {
                Err("must be a string, number, boolean or null; nested values are not supported".to_owned())
            }
        }
    }

    /// The JSON form.
    pub fn to_json(&self) -> Value {
        match self {
            AttributeValue::String(text) => Value::String(text.clone()),
            AttributeValue::Number(number) => Value::Number(number.clone()),
            AttributeValue::Bool(flag) => Value::Bool(*flag),
        }
    }
}

/// A customer's custom attributes. In an upsert, a key mapped to `None` (JSON `null`) means "remove this key",
/// an absent key means "keep it"; apply an update with [`Attributes::merge`]. At most
/// [`Attributes::MAX_KEYS`] entries per payload.
///
/// Serializes as a JSON object (with `null` for removals); deserializing re-validates every key and value.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "Map<String, Value>", into = "Map<String, Value>")]
pub struct Attributes(BTreeMap<AttributeKey, Option<AttributeValue>>);

impl Attributes {
    /// Most keys one payload may carry. The store should apply the same limit to the merged result.
    pub const MAX_KEYS: usize = 50;

    /// No attributes.
    pub fn new() -> Self {
        Self::default()
    }

    /// Validates a JSON object, reporting every bad entry under `attributes.<key>` (and a too-large map under
    /// `attributes`).
    pub fn from_json(map: Map<String, Value>) -> Result<Attributes, FieldErrors> {
        let mut errors = FieldErrors::new();
        if map.len() > Self::MAX_KEYS {
            errors.push("attributes", format!("must have at most {} keys", Self::MAX_KEYS));
            return Err(errors);
        }
        let mut entries = BTreeMap::new();
        for (raw_key, raw_value) in map {
            let field = format!("attributes.{}", raw_key.chars().take(70).collect::<String>());
            let key = errors.check(&field, AttributeKey::parse(&raw_key));
            let value = errors.check(&field, AttributeValue::from_json(raw_value));
            if let (Some(key), Some(value)) = (key, value) {
                entries.insert(key, value);
            }
        }
        errors.into_result(Attributes(entries))
    }

    /// The JSON object form, `null` for removals.
    pub fn to_json(&self) -> Value {
        Value::Object(self.to_json_map())
    }

    /// The JSON object form as a map.
    pub fn to_json_map(&self) -> Map<String, Value> {
        self.0
            .iter()
            .map(|(key, value)| {
                let json = value.as_ref().map_or(Value::Null, AttributeValue::to_json);
                (key.as_str().to_owned(), json)
            })
            .collect()
    }

    /// Sets `key` (builder style, for code that constructs attributes itself).
    pub fn with(mut self, key: AttributeKey, value: AttributeValue) -> Self {
        self.0.insert(key, Some(value));
        self
    }

    /// The value of `key`, if present and not a removal.
    pub fn get(&self, key: &str) -> Option<&AttributeValue> {
        self.0.get(key).and_then(Option::as_ref)
    }

    /// Every entry in key order; `None` marks a removal.
    pub fn iter(&self) -> impl Iterator<Item = (&AttributeKey, Option<&AttributeValue>)> {
        self.0.iter().map(|(key, value)| (key, value.as_ref()))
    }

    /// The underlying map.
    pub fn as_map(&self) -> &BTreeMap<AttributeKey, Option<AttributeValue>> {
        &self.0
    }

    /// Number of entries, removals included.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// True when there are no entries.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Applies an upsert: keys in `update` overwrite, removals delete, other keys stay. The result holds no
    /// removals, so it is what should be stored.
    pub fn merge(&mut self, update: &Attributes) {
        for (key, value) in &update.0 {
            self.0.insert(key.clone(), value.clone());
        }
        self.0.retain(|_, value| value.is_some());
    }
}

impl TryFrom<Map<String, Value>> for Attributes {
    type Error = FieldErrors;

    fn try_from(map: Map<String, Value>) -> Result<Self, Self::Error> {
        Attributes::from_json(map)
    }
}

impl From<Attributes> for Map<String, Value> {
    fn from(attributes: Attributes) -> Self {
        attributes.to_json_map()
    }
}

impl utoipa::PartialSchema for Attributes {
    fn schema() -> RefOr<Schema> {
        let scalar = OneOfBuilder::new()
            .item(ObjectBuilder::new().schema_type(Type::String).max_length(Some(AttributeValue::MAX_STRING_CHARS)))
            .item(ObjectBuilder::new().schema_type(Type::Number))
            .item(ObjectBuilder::new().schema_type(Type::Boolean))
            .item(ObjectBuilder::new().schema_type(Type::Null));
        ObjectBuilder::new()
            .schema_type(Type::Object)
            .description(Some(
                "Custom fields: keys match ^[a-z][a-z0-9_]{0,62}$, values are scalars; null removes a key",
            ))
            .max_properties(Some(Attributes::MAX_KEYS))
            .property_names(Some(ObjectBuilder::new().schema_type(Type::String).pattern(Some(KEY_PATTERN))))
            .additional_properties(Some(Schema::OneOf(scalar.build())))
            .into()
    }
}

impl utoipa::ToSchema for Attributes {}

#[cfg(test)]
mod tests;

/// Postgres `jsonb` stores numbers as `numeric`, which refuses exponents far beyond double range even when
/// the value rounds to a finite double (`1e-99999999` is 0.0 as a double). Accepting such a number at the
/// edge would make its whole ingest batch fail in the database, so the exponent is bounded here.
fn exponent_fits(text: &str) -> bool {
    match text.find(['e', 'E']) {
        None => true,
        Some(at) => text[at + 1..].trim_start_matches('+').parse::<i32>().is_ok_and(|e| (-308..=308).contains(&e)),
    }
}
