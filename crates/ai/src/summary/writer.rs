//! The built-in summary: sentences built from the facts, tags from explicit rules, and a next step from the
//! first rule that applies.

use super::{CampaignFacts, CampaignSummary, GroupFacts};
use crate::format::count;
use crate::traits::Traits;

/// At least this many outcomes before a delivery rate counts as evidence (tags, comparisons).
const MIN_OUTCOMES: i64 = 10;

fn channel_name(channel: &str) -> &str {
    match channel {
        "sms" => "SMS",
        "email" => "e-mail",
        "whatsapp" => "WhatsApp",
        "preferred" => "each customer's preferred channel",
        other => other,
    }
}

fn rate(value: f64) -> String {
    format!("{value:.1}%")
}

fn plural(n: i64, one: &str, many: &str) -> String {
    format!("{} {}", count(n), if n == 1 { one } else { many })
}

/// The built-in summary of `facts`.
pub(crate) fn builtin(facts: &CampaignFacts) -> CampaignSummary {
    CampaignSummary { summary: sentences(facts).join(" "), tags: tags(facts), next_step: next_step(facts) }
}

fn sentences(f: &CampaignFacts) -> Vec<String> {
    let mut out = Vec::new();
    if f.audience == 0 {
        out.push(format!("“{}” has no recipients.", f.name));
        return out;
    }
    out.push(format!(
        "“{}” ({}, {}) has {}.",
        f.name,
        channel_name(&f.channel),
        f.status,
        plural(f.audience, "recipient", "recipients")
    ));
    match f.delivery_rate {
        Some(delivery) => out.push(format!(
            "{} delivered and {} failed: a delivery rate of {}.",
            plural(f.sent, "message was", "messages were"),
            count(f.failed),
            rate(delivery)
        )),
        None if f.pending > 0 => out.push("No message has a delivery result yet.".to_owned()),
        None => {}
    }
    if f.skipped > 0 {
        let why =
            f.skip_reasons.first().map(|r| format!(", mostly “{}” ({})", r.reason, count(r.count))).unwrap_or_default();
        out.push(format!("{} skipped{why}.", plural(f.skipped, "was", "were")));
    }
    if f.pending > 0 {
        out.push(format!("{} still pending, so these figures will change.", plural(f.pending, "is", "are")));
    }
    if let Some(top) = f.failure_reasons.first() {
        out.push(format!("The most common failure was “{}” ({}).", top.reason, count(top.count)));
    }
    out.extend(city_sentence(&f.by_city));
    if let Some(band) = largest(&f.by_spend_band) {
        out.push(format!(
            "The largest spend band is {} ({}).",
            band.label,
            plural(band.audience, "recipient", "recipients")
        ));
    }
    out
}

fn city_sentence(cities: &[GroupFacts]) -> Option<String> {
    let rated: Vec<&GroupFacts> =
        cities.iter().filter(|c| c.sent + c.failed >= MIN_OUTCOMES && c.delivery_rate.is_some()).collect();
    if rated.len() >= 2 {
        let key = |g: &&GroupFacts| (g.delivery_rate.unwrap_or(0.0) * 10.0) as i64;
        let best = rated.iter().copied().max_by_key(key)?;
        let worst = rated.iter().copied().min_by_key(key)?;
        if key(&best) != key(&worst) {
            return Some(format!(
                "By city, {} had the best delivery rate ({}) and {} the lowest ({}).",
                best.label,
                rate(best.delivery_rate.unwrap_or(0.0)),
                worst.label,
                rate(worst.delivery_rate.unwrap_or(0.0))
            ));
        }
    }
    let top = largest(cities)?;
    Some(format!("{} has the most recipients ({}).", top.label, count(top.audience)))
}

/// The group with strictly the most recipients (`None` on a tie: naming one of them would mislead).
fn largest(groups: &[GroupFacts]) -> Option<&GroupFacts> {
    let most = groups.iter().map(|g| g.audience).max().filter(|n| *n > 0)?;
    let mut with_most = groups.iter().filter(|g| g.audience == most);
    let top = with_most.next()?;
    with_most.next().is_none().then_some(top)
}

/// Tags from the audience rule and the results, in [`super::TAGS`] order.
pub(crate) fn tags(f: &CampaignFacts) -> Vec<String> {
    let traits = Traits::of(Some(&f.rule));
    let outcomes = f.sent + f.failed;
    let delivery = f.delivery_rate.unwrap_or(0.0);
    let wanted = [
        ("win-back", traits.lapsed),
        ("high value", traits.high_value),
        ("new customers", traits.new),
        ("loyal", traits.loyal),
        ("local", traits.city.is_some()),
        ("delivery issues", outcomes >= MIN_OUTCOMES && delivery < 80.0),
        ("reachability gap", f.skipped > 0 && f.skipped * 10 >= f.audience),
        ("strong delivery", outcomes >= MIN_OUTCOMES && delivery >= 95.0),
        ("in progress", f.pending > 0 && matches!(f.status.as_str(), "running" | "scheduled" | "paused")),
    ];
    wanted.into_iter().filter(|(_, yes)| *yes).map(|(tag, _)| tag.to_owned()).collect()
}

/// The first of these that applies: wait, finish, retry, reach the skipped, then measure.
fn next_step(f: &CampaignFacts) -> String {
    if f.status == "draft" {
        return "Finish the draft and launch it: nothing has been sent yet.".to_owned();
    }
    if f.audience == 0 {
        return "Choose an audience with at least one customer.".to_owned();
    }
    if f.status == "scheduled" {
        return "Wait for the send time; results appear as messages go out.".to_owned();
    }
    if f.pending > 0 && f.status != "cancelled" {
        return format!(
            "Let the remaining {} finish before drawing conclusions.",
            plural(f.pending, "message", "messages")
        );
    }
    if f.failed > 0 && f.failure_rate.unwrap_or(0.0) >= 10.0 {
        let why = f.failure_reasons.first().map(|r| format!(" and look into “{}”", r.reason)).unwrap_or_default();
        return format!(
            "Retry the {} with “retry failed”{why}.",
            plural(f.failed, "failed message", "failed messages")
        );
    }
    if f.skipped > 0 && f.skipped * 10 >= f.audience {
        return format!(
            "Reach the {} on another channel (a campaign on each customer's preferred channel), or collect their \
             contact details.",
            plural(f.skipped, "skipped customer", "skipped customers")
        );
    }
    if Traits::of(Some(&f.rule)).lapsed {
        return "Watch how many of these customers order in the next two weeks, and follow up with those who do not."
            .to_owned();
    }
    "Reuse this audience for your next campaign and compare its delivery rate with this one.".to_owned()
}
