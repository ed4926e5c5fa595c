//! Campaign insights: a plain-English summary of a campaign's results, suggested tags and a next step.
//!
//! Every number comes from [`CampaignFacts`], which Converge computes from its store (counts by status,
//! failure and skip reasons, breakdowns by city and spend band). The built-in writer words them directly; a
//! model may word them instead, but [`check::judge`] accepts its text only if every figure in it is one of
//! the facts' figures, and its tags only from [`TAGS`] — so a hallucinated number never reaches the user.

pub(crate) mod check;
mod writer;

#[cfg(test)]
mod tests;

use converge_domain::{CampaignId, Currency};
use serde::Serialize;
use serde_json::Value;

use crate::format;

pub(crate) use writer::builtin;

/// The tags a campaign may be given.
pub const TAGS: &[&str] = &[
    "win-back",
    "high value",
    "new customers",
    "loyal",
    "local",
    "delivery issues",
    "reachability gap",
    "strong delivery",
    "in progress",
];

/// The spend bands a summary breaks an audience into, in major units of the workspace's currency.
pub const SPEND_BANDS: [i64; 3] = [1_000, 5_000, 20_000];

/// The bounds of [`SPEND_BANDS`] in minor units of `currency` (for the store) and each band's label:
/// `under ₹1,000`, `₹1,000–₹5,000`, `₹5,000–₹20,000`, `₹20,000 and more`.
pub fn spend_bands(currency: &Currency) -> (Vec<i64>, Vec<String>) {
    let scale = 10i64.pow(currency.exponent());
    let bounds: Vec<i64> = SPEND_BANDS.iter().map(|major| major.saturating_mul(scale)).collect();
    let shown: Vec<String> = bounds.iter().map(|minor| format::money(*minor, currency)).collect();
    let mut labels = Vec::with_capacity(bounds.len() + 1);
    for (i, amount) in shown.iter().enumerate() {
        labels.push(match i {
            0 => format!("under {amount}"),
            _ => format!("{}–{amount}", shown[i - 1]),
        });
    }
    labels.push(format!("{} and more", shown.last().cloned().unwrap_or_default()));
    (bounds, labels)
}

/// How many messages share one reason.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ReasonCount {
    pub reason: String,
    pub count: i64,
}

impl ReasonCount {
    /// Screens reasons before anyone sees them (a vendor's error may quote the address it refused): digit
    /// runs of 5 or more and e-mail-like words become `…`, texts are cut to 120 characters, and reasons that
    /// become equal are merged. Most frequent first.
    pub fn screened(reasons: Vec<(String, i64)>) -> Vec<ReasonCount> {
        let mut merged: Vec<ReasonCount> = Vec::new();
        for (reason, count) in reasons {
            let reason = screen(&reason);
            match merged.iter_mut().find(|r| r.reason == reason) {
                Some(existing) => existing.count += count,
                None => merged.push(ReasonCount { reason, count }),
            }
        }
        merged.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.reason.cmp(&b.reason)));
        merged
    }
}

fn screen(reason: &str) -> String {
    let words: Vec<String> = reason
        .split_whitespace()
        .map(|word| {
            let digits = word.chars().filter(char::is_ascii_digit).count();
            if word.contains('@') || digits >= 5 {
                "…".to_owned()
            } else {
                word.to_owned()
            }
        })
        .collect();
    let text: String = words.join(" ").chars().filter(|c| !c.is_control()).take(120).collect();
    if text.trim().is_empty() {
        "unknown".to_owned()
    } else {
        text
    }
}

/// One group of a campaign's recipients (a city, a spend band).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct GroupFacts {
    pub label: String,
    pub audience: i64,
    pub sent: i64,
    pub failed: i64,
    pub skipped: i64,
    pub pending: i64,
    /// `sent / (sent + failed)` in percent, one decimal; null without outcomes.
    pub delivery_rate: Option<f64>,
}

impl GroupFacts {
    pub fn new(label: String, sent: i64, failed: i64, skipped: i64, pending: i64) -> GroupFacts {
        GroupFacts {
            label,
            audience: sent + failed + skipped + pending,
            sent,
            failed,
            skipped,
            pending,
            delivery_rate: share(sent, sent + failed),
        }
    }
}

/// `part / whole` in percent with one decimal, `None` when `whole` is 0.
pub fn share(part: i64, whole: i64) -> Option<f64> {
    (whole > 0).then(|| (part as f64 * 1000.0 / whole as f64).round() / 10.0)
}

/// Everything Converge knows about a campaign's results: the only source of numbers for its summary.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct CampaignFacts {
    pub campaign_id: CampaignId,
    pub name: String,
    /// `sms`, `email`, `whatsapp` or `preferred`.
    pub channel: String,
    /// `scheduled`, `running`, `paused`, `completed` or `cancelled`.
    pub status: String,
    pub audience: i64,
    pub sent: i64,
    pub failed: i64,
    pub skipped: i64,
    pub pending: i64,
    /// `sent / (sent + failed)` in percent.
    pub delivery_rate: Option<f64>,
    /// `failed / (sent + failed)` in percent.
    pub failure_rate: Option<f64>,
    /// `skipped / audience` in percent.
    pub skipped_share: Option<f64>,
    /// FAILED messages by (screened) reason, most frequent first.
    pub failure_reasons: Vec<ReasonCount>,
    /// SKIPPED messages by reason, most frequent first.
    pub skip_reasons: Vec<ReasonCount>,
    /// By the recipients' current city, most recipients first.
    pub by_city: Vec<GroupFacts>,
    /// By band of the recipients' current total spend, lowest band first.
    pub by_spend_band: Vec<GroupFacts>,
    /// The audience rule, for tags (not sent to models: the prompt describes the audience instead).
    #[serde(skip)]
    pub rule: Value,
}

impl CampaignFacts {
    /// Fills the derived rates from the counts.
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        campaign_id: CampaignId,
        name: String,
        channel: String,
        status: String,
        (sent, failed, skipped, pending): (i64, i64, i64, i64),
        failure_reasons: Vec<ReasonCount>,
        skip_reasons: Vec<ReasonCount>,
        by_city: Vec<GroupFacts>,
        by_spend_band: Vec<GroupFacts>,
        rule: Value,
    ) -> CampaignFacts {
        let audience = sent + failed + skipped + pending;
        CampaignFacts {
            campaign_id,
            name,
            channel,
            status,
            audience,
            sent,
            failed,
            skipped,
            pending,
            delivery_rate: share(sent, sent + failed),
            failure_rate: share(failed, sent + failed),
            skipped_share: share(skipped, audience),
            failure_reasons,
            skip_reasons,
            by_city,
            by_spend_band,
            rule,
        }
    }
}

/// A campaign's summary as shown.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct CampaignSummary {
    pub summary: String,
    /// From [`TAGS`] only.
    pub tags: Vec<String>,
    pub next_step: String,
}

/// The built-in provider's answer: `{"summary", "tags", "next_step"}`.
pub(crate) fn builtin_answer(facts: &CampaignFacts) -> Value {
    let summary = builtin(facts);
    serde_json::json!({"summary": summary.summary, "tags": summary.tags, "next_step": summary.next_step})
}
