//! Serde helpers that re-check plain-typed fields of order records when they are decoded (from the ingest
//! stream), so that `OrderRecord` upholds its invariants even where its field types are primitive.

use serde::de::Error;
use serde::{Deserialize, Deserializer};

use crate::fields::SalesChannel;
use crate::money::Money;

fn check_amount<E: Error>(money: Money) -> Result<Money, E> {
    if money.is_valid_input() {
        Ok(money)
    } else {
        Err(E::custom("amount out of range"))
    }
}

/// An amount in `0..=10^15` minor units.
pub(crate) fn amount<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Money, D::Error> {
    check_amount(Money::deserialize(deserializer)?)
}

/// An optional amount in `0..=10^15` minor units.
pub(crate) fn optional_amount<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<Money>, D::Error> {
    Option::<Money>::deserialize(deserializer)?.map(check_amount).transpose()
}

/// Parses a sales channel label: trimmed, 1..=40 characters, no control characters.
pub(crate) fn parse_channel(raw: &str) -> Result<String, String> {
    SalesChannel::parse(raw).map(String::from)
}

/// An optional sales channel that must already be in parsed form.
pub(crate) fn optional_channel<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<String>, D::Error> {
    match Option::<String>::deserialize(deserializer)? {
        Some(raw) => match parse_channel(&raw) {
            Ok(channel) if channel == raw => Ok(Some(channel)),
            _ => Err(D::Error::custom("invalid sales channel")),
        },
        None => Ok(None),
    }
}
