//! Tests of message templates: what parses (and the position of each refusal), how values render, the
//! limits, and properties over arbitrary input.

mod parse;
mod props;
mod render;

use serde_json::{json, Map, Value};

use super::{MessageTemplate, TemplateError, TemplateIssue, TemplateVars};
use crate::Channel;

pub(super) fn sms(text: &str) -> MessageTemplate {
    MessageTemplate::parse(text, Channel::Sms).unwrap()
}

/// The single issue of a refused SMS template.
pub(super) fn refusal(text: &str) -> TemplateIssue {
    match MessageTemplate::parse(text, Channel::Sms) {
        Err(TemplateError::Invalid(issues)) if issues.len() == 1 => issues.into_iter().next().unwrap(),
        other => panic!("{text:?} gave {other:?}, expected exactly one issue"),
    }
}

pub(super) fn attributes(value: Value) -> Map<String, Value> {
    value.as_object().cloned().unwrap_or_default()
}

/// A customer with every field, named "Priya Sharma" in Pune with a gold tier.
pub(super) fn priya() -> TemplateVars {
    TemplateVars::for_customer(
        Some("Priya  Devi Sharma"),
        Some("priya@example.in"),
        Some("+919876543210"),
        Some("Pune"),
        "C1",
        &attributes(json!({"tier": "gold", "visits": 4, "score": 2.5, "vip": true, "nested": {"a": 1}})),
        "₹1,234.50",
        3,
        "Acme",
    )
}

/// A customer with nothing but an id.
pub(super) fn bare() -> TemplateVars {
    TemplateVars::for_customer(None, None, None, None, "C2", &Map::new(), "₹0.00", 0, "Acme")
}
