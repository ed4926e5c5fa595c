//! [`Money`]: an amount in integer minor units, parsed from and formatted to exact decimal text.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::Currency;

/// An amount in minor units of some currency (paise for INR). The currency is carried beside it (one per
/// workspace), not inside, so a column of amounts is a column of integers.
///
/// Parsing ([`Money::parse_decimal`], [`Money::from_json`]) only produces amounts in `0..=10^15` minor units,
/// far below `i64::MAX`, so sums of millions of orders cannot overflow. [`Money::from_minor`] accepts any
/// `i64` for values the program computes itself (e.g. a refund delta).
#[derive(Copy, Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Money(i64);

/// The largest amount input may carry: 10^15 minor units (₹10 trillion).
pub const MAX_MINOR: i64 = 1_000_000_000_000_000;

/// The largest total Converge keeps: 10^18 minor units. Every stored or computed sum of amounts (a customer's
/// lifetime and windowed spend, a day's revenue, the dashboard's revenue) saturates here, so a total equal to
/// the cap reads "at least this much". The cap is chosen so that no step can overflow an `i64`: a capped total
/// plus one more capped total is below `i64::MAX`, and eight capped shard rows of a day sum to 8·10^18.
pub const TOTAL_CAP_MINOR: i64 = 1_000_000_000_000_000_000;

const PLAIN_DECIMAL: &str = "must be a plain decimal number like 1499.00";

impl Money {
    /// Zero in any currency.
    pub const ZERO: Money = Money(0);

    /// The largest amount parsing accepts.
    pub const MAX: Money = Money(MAX_MINOR);

    /// Where totals saturate (see [`TOTAL_CAP_MINOR`]).
    pub const TOTAL_CAP: Money = Money(TOTAL_CAP_MINOR);

    /// Wraps an amount already in minor units.
    pub const fn from_minor(minor: i64) -> Money {
        Money(minor)
    }

    /// The amount in minor units.
    pub const fn minor(self) -> i64 {
        self.0
    }

    /// Whether this amount lies in the range input is allowed to have (`0..=10^15`).
    pub fn is_valid_input(self) -> bool {
        (0..=MAX_MINOR).contains(&self.0)
    }

    /// Exact sum, `None` on overflow.
    pub fn checked_add(self, other: Money) -> Option<Money> {
        self.0.checked_add(other.0).map(Money)
    }

    /// Sum of two totals in minor units, saturating at [`TOTAL_CAP_MINOR`] (and at zero from below), so it
    /// never overflows whatever it is given.
    pub const fn capped_total(a: i64, b: i64) -> i64 {
        let sum = a.saturating_add(b);
        if sum > TOTAL_CAP_MINOR {
            TOTAL_CAP_MINOR
        } else {
            sum
        }
    }

    /// Whether a total reached the cap, so it reads "at least this much".
    pub const fn is_capped_total(minor: i64) -> bool {
        minor >= TOTAL_CAP_MINOR
    }

    /// Exact product with a quantity, `None` on overflow.
    pub fn checked_mul(self, quantity: u32) -> Option<Money> {
        self.0.checked_mul(i64::from(quantity)).map(Money)
    }

    /// Parses decimal text such as `1499`, `1499.5` or `1499.50` into minor units of `currency`, digit by
    /// digit, with no float anywhere. Accepted: ASCII digits, optionally `.` and at least one fraction digit.
    /// Rejected: signs (a negative amount gets its own message), exponent notation, spaces, more fraction
    /// digits than the currency has unless the extra ones are zeros (`100.00` is fine for JPY, `100.5` is not),
    /// and amounts above 10^15 minor units.
    pub fn parse_decimal(text: &str, currency: &Currency) -> Result<Money, String> {
        if text.is_empty() {
            return Err("must not be empty".to_owned());
        }
        if text.starts_with('-') {
            return Err("must not be negative".to_owned());
        }
        if text.contains(['e', 'E']) {
            return Err(format!("{PLAIN_DECIMAL}, not exponent notation"));
        }
        let (whole, fraction) = match text.split_once('.') {
            Some((whole, fraction)) if !fraction.is_empty() => (whole, fraction),
            Some(_) => return Err(PLAIN_DECIMAL.to_owned()),
            None => (text, ""),
        };
        let all_digits = |part: &str| part.bytes().all(|b| b.is_ascii_digit());
        if whole.is_empty() || !all_digits(whole) || !all_digits(fraction) {
            return Err(PLAIN_DECIMAL.to_owned());
        }
        let exponent = currency.exponent() as usize;
        let (kept, extra) = fraction.split_at(fraction.len().min(exponent));
        if extra.bytes().any(|b| b != b'0') {
            return Err(match exponent {
                0 => format!("must be a whole number of {currency}"),
                1 => format!("must have at most 1 decimal place for {currency}"),
                n => format!("must have at most {n} decimal places for {currency}"),
            });
        }
        let padding = std::iter::repeat_n(b'0', exponent - kept.len());
        let mut minor: i64 = 0;
        for digit in whole.bytes().chain(kept.bytes()).chain(padding) {
            // minor ≤ MAX_MINOR before this step, so ×10 + 9 cannot overflow an i64.
            minor = minor * 10 + i64::from(digit - b'0');
            if minor > MAX_MINOR {
                return Err(format!("must be at most {}", Money::MAX.format(currency)));
            }
        }
        Ok(Money(minor))
    }

    /// Parses an amount given in JSON either as a string (`"1499.00"`) or as a number (`1499.00`). A number is
    /// read through its exact source text (serde_json's `arbitrary_precision`), so `0.1` is exactly ten paise,
    /// never 0.1000000000000000055…
    pub fn from_json(value: &Value, currency: &Currency) -> Result<Money, String> {
        match value {
            Value::String(text) => Money::parse_decimal(text, currency),
            Value::Number(number) => Money::parse_decimal(&number.to_string(), currency),
            _ => Err("must be a decimal string like \"1499.00\" or a number".to_owned()),
        }
    }

    /// Formats with exactly `currency.exponent()` fraction digits (`1234.50` for INR, `1234` for JPY), the
    /// form [`Money::parse_decimal`] reads back.
    pub fn format(&self, currency: &Currency) -> String {
        let sign = if self.0 < 0 { "-" } else { "" };
        let magnitude = self.0.unsigned_abs();
        let exponent = currency.exponent();
        if exponent == 0 {
            return format!("{sign}{magnitude}");
        }
        let scale = 10u64.pow(exponent);
        let width = exponent as usize;
        format!("{sign}{}.{:0width$}", magnitude / scale, magnitude % scale)
    }
}
