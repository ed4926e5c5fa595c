//! A rule in plain English, written by Converge from the validated rule (a model never writes it, so the
//! explanation cannot disagree with what the rule selects).

use converge_domain::segment::{Catalogue, FieldKind};
use converge_domain::{Currency, Money};
use serde_json::Value;

use crate::format;

/// "Customers whose days inactive is at least 180 (about 6 months) and total spend is more than ₹5,000."
/// `rule` must have passed `Rule::parse` with `catalogue` and `currency`.
pub fn explain(rule: &Value, catalogue: &Catalogue, currency: &Currency) -> String {
    let negated = rule.get("not").and_then(Value::as_bool).unwrap_or(false);
    let mut positive = rule.clone();
    if let Some(object) = positive.as_object_mut() {
        object.remove("not");
    }
    let body = group(&positive, catalogue, currency, true);
    match (body.as_str(), negated) {
        ("", false) => "Every customer.".to_owned(),
        ("", true) | ("nobody", false) => "No customer.".to_owned(),
        ("nobody", true) => "Every customer.".to_owned(),
        (_, false) => format!("Customers whose {body}."),
        (_, true) => format!("Customers except those whose {body}."),
    }
}

fn group(node: &Value, catalogue: &Catalogue, currency: &Currency, top: bool) -> String {
    let combinator = node.get("combinator").and_then(Value::as_str).unwrap_or("and").to_ascii_lowercase();
    let members: Vec<String> = node
        .get("rules")
        .and_then(Value::as_array)
        .map(|rules| {
            rules
                .iter()
                .map(|member| {
                    if member.get("rules").is_some() {
                        group(member, catalogue, currency, false)
                    } else {
                        condition(member, catalogue, currency)
                    }
                })
                .collect()
        })
        .unwrap_or_default();
    let negated = node.get("not").and_then(Value::as_bool).unwrap_or(false);
    let joined = match (members.len(), combinator.as_str()) {
        (0, "or") => "nobody".to_owned(),
        (0, _) => String::new(),
        (1, _) => members[0].clone(),
        _ => members.join(if combinator == "or" { " or " } else { " and " }),
    };
    if negated {
        format!("not ({joined})")
    } else if top || members.len() <= 1 {
        joined
    } else {
        format!("({joined})")
    }
}

fn condition(node: &Value, catalogue: &Catalogue, currency: &Currency) -> String {
    let name = node.get("field").and_then(Value::as_str).unwrap_or("");
    let operator = node.get("operator").and_then(Value::as_str).unwrap_or("");
    let def = catalogue.get(name);
    let label = def.map_or_else(|| name.to_owned(), |def| lower_first(&def.label));
    let kind = def.map(|def| def.kind.clone());
    let days = name == "inactive_days" || operator == "withinDays" || operator == "olderThanDays";
    let value = |v: &Value| show(v, kind.as_ref(), currency, days);
    let raw = node.get("value").cloned().unwrap_or(Value::Null);
    let pair = || match &raw {
        Value::Array(items) if items.len() == 2 => (value(&items[0]), value(&items[1])),
        Value::String(text) => {
            let mut parts = text.split(',').map(|p| value(&Value::String(p.trim().to_owned())));
            (parts.next().unwrap_or_default(), parts.next().unwrap_or_default())
        }
        _ => (String::new(), String::new()),
    };
    let list = || -> Vec<String> {
        match &raw {
            Value::Array(items) => items.iter().map(&value).collect(),
            Value::String(text) => text.split(',').map(|p| value(&Value::String(p.trim().to_owned()))).collect(),
            other => vec![value(other)],
        }
    };
    match operator {
        "=" => format!("{label} is {}", value(&raw)),
        "!=" => format!("{label} is not {}", value(&raw)),
        ">" => format!("{label} is more than {}", value(&raw)),
        ">=" => format!("{label} is at least {}", value(&raw)),
        "<" => format!("{label} is less than {}", value(&raw)),
        "<=" => format!("{label} is at most {}", value(&raw)),
        "between" => {
            let (low, high) = pair();
            format!("{label} is between {low} and {high}")
        }
        "notBetween" => {
            let (low, high) = pair();
            format!("{label} is not between {low} and {high}")
        }
        "in" => format!("{label} is {}", either(&list(), "or")),
        "notIn" => format!("{label} is none of {}", either(&list(), "or")),
        "contains" => format!("{label} contains {}", value(&raw)),
        "doesNotContain" => format!("{label} does not contain {}", value(&raw)),
        "beginsWith" => format!("{label} starts with {}", value(&raw)),
        "endsWith" => format!("{label} ends with {}", value(&raw)),
        "null" => format!("{label} is empty"),
        "notNull" => format!("{label} is known"),
        "withinDays" => format!("{label} is within the last {}", value(&raw)),
        "olderThanDays" => format!("{label} is more than {} ago", value(&raw)),
        other => format!("{label} {other} {}", value(&raw)),
    }
}

fn either(items: &[String], word: &str) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} {word} {last}", init.join(", ")),
    }
}

fn lower_first(label: &str) -> String {
    let mut chars = label.chars();
    match chars.next() {
        Some(first) => first.to_lowercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// A value as a person reads it, by the field's kind.
fn show(value: &Value, kind: Option<&FieldKind>, currency: &Currency, days: bool) -> String {
    let text = match value {
        Value::String(text) => text.trim().to_owned(),
        Value::Null => String::new(),
        other => other.to_string(),
    };
    if days {
        return match text.parse::<i64>() {
            Ok(n) => day_count(n),
            Err(_) => text,
        };
    }
    match kind {
        Some(FieldKind::Money) => match Money::from_json(value, currency) {
            Ok(money) => format::money(money.minor(), currency),
            Err(_) => text,
        },
        Some(FieldKind::Date)
            if text.len() >= 10 && text.get(10..).is_none_or(|rest| rest.starts_with("T00:00:00")) =>
        {
            text[..10].to_owned()
        }
        Some(FieldKind::Enum { .. }) => match text.as_str() {
            "sms" => "SMS".to_owned(),
            "whatsapp" => "WhatsApp".to_owned(),
            "email" => "e-mail".to_owned(),
            "non_binary" => "non-binary".to_owned(),
            _ => text,
        },
        Some(FieldKind::String) => format!("“{text}”"),
        _ => text,
    }
}

/// `180` → `180 days (about 6 months)`.
fn day_count(n: i64) -> String {
    let unit = if n == 1 { "day" } else { "days" };
    let about = if n >= 365 && n % 365 == 0 {
        let years = n / 365;
        format!(" (about {years} year{})", if years == 1 { "" } else { "s" })
    } else if n >= 60 && n % 30 == 0 {
        format!(" (about {} months)", n / 30)
    } else if n >= 14 && n % 7 == 0 {
        format!(" ({} weeks)", n / 7)
    } else {
        String::new()
    };
    format!("{n} {unit}{about}")
}
