//! Judging a summary a provider wrote: the text must be plain and bounded, every figure in it must be one
//! Converge computed (in any usual spelling: `1200`, `1,200`, `89.7`, `90`), and tags must come from the
//! fixed vocabulary.

use std::collections::BTreeSet;

use serde_json::Value;

use super::{CampaignFacts, CampaignSummary, TAGS};

const MAX_SUMMARY_CHARS: usize = 1_200;
const MAX_NEXT_STEP_CHARS: usize = 400;

/// The summary in `answer`, or why it cannot be shown.
pub(crate) fn judge(answer: &Value, facts: &CampaignFacts) -> Result<CampaignSummary, String> {
    let text = |key: &str, max: usize| -> Result<String, String> {
        let value = answer.get(key).and_then(Value::as_str).map(str::trim).unwrap_or("");
        if value.is_empty() {
            return Err(format!("the answer has no \"{key}\""));
        }
        if value.chars().count() > max {
            return Err(format!("\"{key}\" is longer than {max} characters"));
        }
        Ok(value.chars().map(|c| if c.is_control() { ' ' } else { c }).collect())
    };
    let summary = text("summary", MAX_SUMMARY_CHARS)?;
    let next_step = text("next_step", MAX_NEXT_STEP_CHARS)?;
    let allowed = allowed_numbers(facts);
    for number in numbers_in(&summary).into_iter().chain(numbers_in(&next_step)) {
        if !allowed.contains(&number) {
            return Err(format!("the figure {number} is not one Converge computed"));
        }
    }
    let mut tags: Vec<String> = Vec::new();
    for tag in answer.get("tags").and_then(Value::as_array).into_iter().flatten().filter_map(Value::as_str) {
        let tag = tag.trim().to_lowercase();
        if let Some(known) = TAGS.iter().find(|known| **known == tag) {
            if !tags.iter().any(|t| t == known) {
                tags.push((*known).to_owned());
            }
        }
    }
    Ok(CampaignSummary { summary, tags, next_step })
}

/// A number as written, normalised: grouping removed, trailing fractional zeros dropped (`1,200.50` →
/// `1200.5`, `90.0` → `90`).
fn normalise(raw: &str) -> Option<String> {
    let plain: String = raw.chars().filter(|c| *c != ',').collect();
    let (whole, fraction) = plain.split_once('.').unwrap_or((&plain, ""));
    if whole.is_empty() || !whole.chars().all(|c| c.is_ascii_digit()) || !fraction.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    let whole = whole.trim_start_matches('0');
    let whole = if whole.is_empty() { "0" } else { whole };
    let fraction = fraction.trim_end_matches('0');
    Some(if fraction.is_empty() { whole.to_owned() } else { format!("{whole}.{fraction}") })
}

/// Every number written in `text`.
pub(crate) fn numbers_in(text: &str) -> Vec<String> {
    let chars: Vec<char> = text.chars().collect();
    let mut numbers = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        if !chars[i].is_ascii_digit() {
            i += 1;
            continue;
        }
        let start = i;
        while i < chars.len()
            && (chars[i].is_ascii_digit()
                || (matches!(chars[i], ',' | '.') && chars.get(i + 1).is_some_and(char::is_ascii_digit)))
        {
            i += 1;
        }
        let raw: String = chars[start..i].iter().collect();
        numbers.extend(normalise(&raw));
    }
    numbers
}

/// The figures a summary may mention: every count and rate of the facts (rates also rounded to whole
/// percent), and numbers that are part of names (the campaign's, a group's label, a reason).
pub(crate) fn allowed_numbers(f: &CampaignFacts) -> BTreeSet<String> {
    let mut allowed = BTreeSet::new();
    let mut count = |n: i64| {
        allowed.insert(n.to_string());
    };
    for n in [f.audience, f.sent, f.failed, f.skipped, f.pending] {
        count(n);
    }
    let mut rates: Vec<Option<f64>> = vec![f.delivery_rate, f.failure_rate, f.skipped_share];
    let mut names: Vec<&str> = vec![&f.name];
    for reason in f.failure_reasons.iter().chain(&f.skip_reasons) {
        count(reason.count);
        names.push(&reason.reason);
    }
    for group in f.by_city.iter().chain(&f.by_spend_band) {
        for n in [group.audience, group.sent, group.failed, group.skipped, group.pending] {
            count(n);
        }
        rates.push(group.delivery_rate);
        names.push(&group.label);
    }
    for rate in rates.into_iter().flatten() {
        allowed.extend(normalise(&format!("{rate:.1}")));
        allowed.insert(format!("{}", rate.round() as i64));
    }
    for name in names {
        allowed.extend(numbers_in(name));
    }
    allowed
}
