//! [`Currency`]: an active ISO 4217 code and how many decimal places its minor unit has.

use std::fmt;

use serde::de::Error;
use serde::{Deserialize, Deserializer, Serialize};
use utoipa::openapi::{ObjectBuilder, RefOr, Schema, Type};

use super::iso4217::ISO_4217;

/// An active ISO 4217 currency. Only constructible through [`Currency::parse`] (or the constants), so its
/// exponent is always the standard's, which is what makes minor-unit arithmetic and formatting correct.
///
/// Serializes as its uppercase code (`"INR"`); deserializing re-parses it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(into = "String")]
pub struct Currency {
    code: &'static str,
    exponent: u32,
}

impl Currency {
    /// Indian rupee, the default workspace currency.
    pub const INR: Currency = Currency { code: "INR", exponent: 2 };

    /// Parses a three-letter code, case-insensitively (`inr` → `INR`).
    pub fn parse(text: &str) -> Result<Currency, String> {
        if text.len() != 3 || !text.bytes().all(|b| b.is_ascii_alphabetic()) {
            return Err("must be a three-letter ISO 4217 currency code like INR".to_owned());
        }
        let code = text.to_ascii_uppercase();
        ISO_4217
            .binary_search_by(|(known, _)| (*known).cmp(code.as_str()))
            .ok()
            .and_then(|index| ISO_4217.get(index))
            .map(|&(code, exponent)| Currency { code, exponent })
            .ok_or_else(|| format!("must be an active ISO 4217 currency code; {code} is not one"))
    }

    /// The uppercase code, e.g. `INR`.
    pub fn code(&self) -> &'static str {
        self.code
    }

    /// Number of decimal places of the minor unit: 2 for INR (paise), 0 for JPY, 3 for KWD.
    pub fn exponent(&self) -> u32 {
        self.exponent
    }

    /// Every supported currency, in code order.
    pub fn all() -> impl Iterator<Item = Currency> {
        ISO_4217.iter().map(|&(code, exponent)| Currency { code, exponent })
    }
}

impl fmt::Display for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code)
    }
}

/// Written by hand: derived with `try_from`, serde would still see the `&'static str` field and demand
/// `'de: 'static`.
impl<'de> Deserialize<'de> for Currency {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let code = String::deserialize(deserializer)?;
        Currency::parse(&code).map_err(D::Error::custom)
    }
}

impl TryFrom<String> for Currency {
    type Error = String;

    fn try_from(value: String) -> Result<Self, Self::Error> {
        Currency::parse(&value)
    }
}

impl From<Currency> for String {
    fn from(value: Currency) -> Self {
        value.code.to_owned()
    }
}

impl utoipa::PartialSchema for Currency {
    fn schema() -> RefOr<Schema> {
        ObjectBuilder::new()
            .schema_type(Type::String)
            .description(Some("ISO 4217 currency code, case-insensitive"))
            .pattern(Some("^[A-Za-z]{3}$"))
            .examples(["INR"])
            .into()
    }
}

impl utoipa::ToSchema for Currency {}
