//! [`NumberKey`]: an exact decimal number as text that sorts like the number.
//!
//! Custom attributes hold arbitrary JSON numbers (`7`, `2.50`, `1e3`, `99999999999999999999`). Comparing
//! them as doubles would round, and SQLite and Postgres would round differently (SQLite reads JSON numbers
//! into i64 or f64, Postgres into exact `numeric`). Instead, every number is turned in Rust into a key whose
//! byte order is the numeric order; the store keeps that key in `attributes_fold`, the SQL compares keys as
//! plain text (`COLLATE "C"` on Postgres), and the evaluator compares the same keys. So `2.50 = 2.5`,
//! `1e3 = 1000`, and numbers of any size compare exactly, identically everywhere.
//!
//! Layout: a sign class (`0` negative, `1` zero, `2` positive), then the decimal exponent `E` of the value
//! written as `0.d1d2… × 10^E` in five digits (offset by 50 000, reversed for negatives), then the
//! significant digits without trailing zeros (each complemented to `9 - d` and followed by `~` for
//! negatives, so a longer magnitude sorts first). Exponents beyond ±49 999 are clamped: only absurd
//! literals such as `1e-99999999` get there, and they then compare by sign and digits alone.

use std::cmp::Ordering;
use std::fmt;

/// Largest exponent magnitude kept exactly; see the module documentation.
const EXPONENT_LIMIT: i64 = 49_999;
const EXPONENT_OFFSET: i64 = 50_000;

/// An exact number with its order-preserving key. Equality and order are those of the numeric value
/// (`2.50 == 2.5`); [`NumberKey::text`] keeps the text it was parsed from for display.
#[derive(Clone, Debug)]
pub struct NumberKey {
    key: String,
    text: String,
}

impl NumberKey {
    /// Parses JSON number syntax (`-`? digits, optional `.digits`, optional exponent); leading zeros are
    /// tolerated. Any number serde_json produced parses; `None` means the text is not a number at all.
    pub fn parse(text: &str) -> Option<NumberKey> {
        let (negative, unsigned) = match text.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, text),
        };
        let (mantissa, exponent) = match unsigned.split_once(['e', 'E']) {
            Some((mantissa, exponent)) => (mantissa, parse_exponent(exponent)?),
            None => (unsigned, 0),
        };
        let (whole, fraction) = mantissa.split_once('.').unwrap_or((mantissa, ""));
        let digits_only = |part: &str| part.bytes().all(|b| b.is_ascii_digit());
        if whole.is_empty() || !digits_only(whole) || !digits_only(fraction) || mantissa.ends_with('.') {
            return None;
        }
        let all: String = whole.chars().chain(fraction.chars()).collect();
        let significant = all.trim_start_matches('0');
        let leading_zeros = (all.len() - significant.len()) as i64;
        let significant = significant.trim_end_matches('0');
        let key = if significant.is_empty() {
            "1".to_owned()
        } else {
            let point = (whole.len() as i64 - leading_zeros).saturating_add(exponent);
            encode(negative, point.clamp(-EXPONENT_LIMIT, EXPONENT_LIMIT), significant)
        };
        Some(NumberKey { key, text: text.to_owned() })
    }

    /// The order-preserving key, as stored in `attributes_fold` and bound in SQL.
    pub fn key(&self) -> &str {
        &self.key
    }

    /// The text this number was parsed from.
    pub fn text(&self) -> &str {
        &self.text
    }
}

/// Reads an exponent (`+5`, `-12`, `7`), saturating far beyond any meaningful magnitude.
fn parse_exponent(text: &str) -> Option<i64> {
    let (sign, digits) = match text.as_bytes().first() {
        Some(b'-') => (-1, &text[1..]),
        Some(b'+') => (1, &text[1..]),
        _ => (1, text),
    };
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let magnitude = digits.bytes().fold(0i64, |acc, b| acc.saturating_mul(10).saturating_add(i64::from(b - b'0')));
    Some(sign * magnitude.min(i64::MAX / 4))
}

fn encode(negative: bool, exponent: i64, significant: &str) -> String {
    if negative {
        let digits: String = significant.bytes().map(|b| char::from(b'9' - (b - b'0'))).collect();
        format!("0{:05}{digits}~", EXPONENT_OFFSET - exponent)
    } else {
        format!("2{:05}{significant}", EXPONENT_OFFSET + exponent)
    }
}

impl PartialEq for NumberKey {
    fn eq(&self, other: &Self) -> bool {
        self.key == other.key
    }
}

impl Eq for NumberKey {}

impl PartialOrd for NumberKey {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for NumberKey {
    fn cmp(&self, other: &Self) -> Ordering {
        self.key.cmp(&other.key)
    }
}

impl std::hash::Hash for NumberKey {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.key.hash(state);
    }
}

impl fmt::Display for NumberKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}
