//! Tests of the segment module: parsing (accepted forms, the bad-rule table), the evaluator's semantics,
//! number keys, and properties over random rules.

mod eval;
mod number;
mod parse_errors;
mod parse_ok;
mod props;

use chrono::{DateTime, Utc};
use serde_json::Value;

use super::{AttributeType, Catalogue, CustomerFacts, Rule};
use crate::{Currency, FieldErrors};

/// The catalogue the tests use: built-ins plus one attribute of each type.
pub(super) fn catalogue() -> Catalogue {
    Catalogue::with_attributes(&[
        ("tier".to_owned(), AttributeType::String),
        ("score".to_owned(), AttributeType::Number),
        ("vip".to_owned(), AttributeType::Boolean),
    ])
}

pub(super) fn parse(json: Value) -> Result<Rule, FieldErrors> {
    Rule::parse(&json, &catalogue(), &Currency::INR)
}

pub(super) fn now() -> DateTime<Utc> {
    "2025-06-01T12:00:00Z".parse().unwrap()
}

pub(super) fn at(text: &str) -> DateTime<Utc> {
    text.parse().unwrap()
}

/// A customer with a profile created a year before [`now`].
pub(super) fn facts() -> CustomerFacts {
    CustomerFacts { has_profile: true, ..CustomerFacts::bare(at("2024-06-01T12:00:00Z")) }
}
