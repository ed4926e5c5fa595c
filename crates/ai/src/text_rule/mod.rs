//! Text → audience: an English description becomes a rule in our format, validated against the caller's
//! field catalogue before anyone sees it.
//!
//! The built-in parser ([`combine`]) reads common phrasings: spend, visits and orders thresholds (₹, Rs,
//! INR, K, lakh; over, at least, under, between), inactivity and recency in days, weeks or months, sign-up
//! time, the workspace's own cities, preferred channels, gender, contact details, custom attributes, and
//! AND/OR/brackets. A model's answer is judged by [`judge`]: only the keys that mean something in a rule are
//! kept, and the result must pass [`Rule::parse`] with the workspace's catalogue and currency — the same
//! check a preview makes — so what comes back is a valid rule or nothing.

mod combine;
mod cursor;
mod explain;
mod phrases;
mod places;
pub(crate) mod tokens;

#[cfg(test)]
mod tests;

use converge_domain::segment::{Catalogue, Rule};
use converge_domain::Currency;
use serde::Serialize;
use serde_json::{json, Map, Value};

pub use explain::explain;

/// Phrasings the built-in parser reads (its unit tests hold the exact rule of each): examples for people,
/// and the round-trip list the HTTP tests preview.
pub const PHRASEBOOK: &[&str] = &[
    "people who haven't shopped in 6 months and spent over ₹5K",
    "customers who spent more than Rs 10,000",
    "spent at least INR 2,500",
    "total spend under 1000 rupees",
    "spent between ₹2,000 and ₹5,000",
    "lifetime spend above 1.5 lakh",
    "spent ₹5k+ in the last 90 days",
    "spent 50,000 to 1,00,000 rupees",
    "Pune or Mumbai shoppers who spent at least ₹1 lakh in the last year",
    "more than 3 visits",
    "visited at least 5 times",
    "fewer than 2 orders",
    "placed 3 or more orders in the last 30 days",
    "ordered more than twice in the last 90 days",
    "haven't ordered in 90 days",
    "not bought anything for 3 weeks",
    "inactive for more than 60 days",
    "dormant for 6 months",
    "no purchases in the last 2 months",
    "never ordered",
    "ordered in the last 30 days",
    "shopped within the past 2 weeks",
    "last ordered more than 6 months ago",
    "joined in the last 30 days",
    "signed up more than a year ago",
    "registered before 2025",
    "joined since March 2024",
    "email subscribers who joined after 1 Jan 2025",
    "customers in Pune",
    "from Mumbai or Pune",
    "customers not in Delhi",
    "Navi Mumbai customers who prefer WhatsApp",
    "prefer sms or email",
    "WhatsApp users in Hyderabad with more than 2 orders",
    "women in Bengaluru",
    "men or women who spent over 5000",
    "customers who are not women",
    "spent over 10k or visited more than 5 times",
    "in Pune and (spent over ₹5,000 or ordered in the last 30 days)",
    "customers who spent over ₹5K but haven't visited in 45 days",
    "repeat customers in Chennai",
    "without an email address",
    "gold tier customers",
    "vip customers who haven't ordered in 3 months",
    "total_spend >= 20000 and inactive_days > 30",
];

/// Longest description accepted, in characters.
pub const MAX_TEXT_CHARS: usize = 500;
/// Most city names given to a parser or a model.
pub const MAX_CITIES: usize = 50;

/// What is needed to turn a text into a rule of one workspace.
#[derive(Clone, Debug)]
pub struct AudienceBrief {
    /// The user's description (at most [`MAX_TEXT_CHARS`]).
    pub text: String,
    /// The workspace's fields: built-in ones and its custom attributes.
    pub catalogue: Catalogue,
    /// The workspace's most common city names, as written (at most [`MAX_CITIES`]).
    pub cities: Vec<String>,
    pub currency: Currency,
}

/// A validated rule with its meaning in plain English.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct AudienceDraft {
    /// react-querybuilder JSON that [`Rule::parse`] accepted for the workspace.
    pub rule: Value,
    /// What the rule selects, written by Converge from the rule itself (never by a model).
    pub explanation: String,
}

/// The built-in provider's answer: `{"rule": …}` or `{"error": "…"}`.
pub(crate) fn builtin_answer(brief: &AudienceBrief) -> Value {
    match combine::parse(brief) {
        Ok(rule) => json!({ "rule": rule }),
        Err(why) => json!({ "error": why }),
    }
}

/// What an answer amounts to.
#[derive(Debug)]
pub(crate) enum Verdict {
    Rule(AudienceDraft),
    /// The provider declined (`{"error": …}`): the text does not describe an audience it can express.
    Refused(String),
    /// The answer is not a valid rule; the text says why (sent back to a model for one repair).
    Invalid(String),
}

/// Judges a provider's answer for `brief`.
pub(crate) fn judge(answer: &Value, brief: &AudienceBrief) -> Verdict {
    let Some(rule) = answer.get("rule") else {
        return match answer.get("error").and_then(Value::as_str) {
            Some(why) => Verdict::Refused(plain(why)),
            None => Verdict::Invalid("the answer must be {\"rule\": {…}} or {\"error\": \"…\"}".into()),
        };
    };
    let clean = strip(rule);
    match Rule::parse(&clean, &brief.catalogue, &brief.currency) {
        Ok(parsed) if parsed.condition_count() == 0 => {
            Verdict::Invalid("the rule has no condition, so it would select every customer".into())
        }
        Ok(_) => {
            let explanation = explain(&clean, &brief.catalogue, &brief.currency);
            Verdict::Rule(AudienceDraft { rule: clean, explanation })
        }
        Err(errors) => {
            let problems: Vec<String> = errors.iter().take(5).map(|e| format!("{} {}", e.field, e.message)).collect();
            Verdict::Invalid(problems.join("; "))
        }
    }
}

/// Keeps only the keys that carry meaning in a rule (`combinator`, `not`, `rules`; `field`, `operator`,
/// `value`), so nothing else a model writes (ids, notes, data it was told to smuggle out) survives.
fn strip(node: &Value) -> Value {
    let Value::Object(object) = node else { return node.clone() };
    let keep: &[&str] =
        if object.contains_key("rules") { &["combinator", "not", "rules"] } else { &["field", "operator", "value"] };
    let mut clean = Map::new();
    for key in keep {
        if let Some(value) = object.get(*key) {
            let value = match (*key, value) {
                ("rules", Value::Array(members)) => Value::Array(members.iter().map(strip).collect()),
                _ => value.clone(),
            };
            clean.insert((*key).to_owned(), value);
        }
    }
    Value::Object(clean)
}

/// A refusal's text as we show it: one line, bounded.
fn plain(text: &str) -> String {
    let line: String = text.chars().map(|c| if c.is_control() { ' ' } else { c }).take(300).collect();
    let line = line.trim();
    if line.is_empty() {
        "the assistant could not express this as an audience".to_owned()
    } else {
        line.to_owned()
    }
}
