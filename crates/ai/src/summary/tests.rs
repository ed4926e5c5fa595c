//! Summary numbers come from the facts; a model's text with any other figure is refused.

use converge_domain::CampaignId;
use serde_json::json;

use super::check::{allowed_numbers, judge, numbers_in};
use super::{builtin, CampaignFacts, GroupFacts, ReasonCount};

pub(crate) fn facts() -> CampaignFacts {
    CampaignFacts::new(
        CampaignId::new(7),
        "Diwali 2025 win-back".into(),
        "sms".into(),
        "completed".into(),
        (1050, 120, 30, 0),
        ReasonCount::screened(vec![
            ("handset unreachable".into(), 80),
            ("number does not exist: +91 98765 43210".into(), 25),
            ("number does not exist: +91 99999 00000".into(), 15),
        ]),
        vec![ReasonCount { reason: "no phone number for sms".into(), count: 30 }],
        vec![GroupFacts::new("Pune".into(), 600, 20, 10, 0), GroupFacts::new("Mumbai".into(), 450, 100, 20, 0)],
        vec![
            GroupFacts::new("under ₹1,000".into(), 400, 40, 10, 0),
            GroupFacts::new("₹1,000–₹5,000".into(), 650, 80, 20, 0),
        ],
        json!({"combinator": "and", "rules": [{"field": "inactive_days", "operator": ">=", "value": 180},
            {"field": "total_spend", "operator": ">", "value": 5000}]}),
    )
}

#[test]
fn facts_derive_their_rates_and_screen_reasons() {
    let f = facts();
    assert_eq!(
        (f.audience, f.delivery_rate, f.failure_rate, f.skipped_share),
        (1200, Some(89.7), Some(10.3), Some(2.5))
    );
    assert_eq!(f.failure_reasons.len(), 2, "reasons quoting numbers merge once the numbers are screened");
    assert_eq!(f.failure_reasons[0], ReasonCount { reason: "handset unreachable".into(), count: 80 });
    assert_eq!(f.failure_reasons[1], ReasonCount { reason: "number does not exist: +91 … …".into(), count: 40 });
    assert_eq!(f.by_city[0].delivery_rate, Some(96.8));
}

#[test]
fn the_builtin_summary_states_only_computed_figures() {
    let f = facts();
    let s = builtin(&f);
    assert!(s.summary.contains("1,200 recipients"), "{}", s.summary);
    assert!(
        s.summary.contains("1,050 messages were delivered and 120 failed: a delivery rate of 89.7%"),
        "{}",
        s.summary
    );
    assert!(s.summary.contains("“handset unreachable” (80)"), "{}", s.summary);
    assert!(
        s.summary.contains("Pune had the best delivery rate (96.8%) and Mumbai the lowest (81.8%)"),
        "{}",
        s.summary
    );
    let allowed = allowed_numbers(&f);
    for n in numbers_in(&s.summary).into_iter().chain(numbers_in(&s.next_step)) {
        assert!(allowed.contains(&n), "{n} is not a computed figure");
    }
    assert_eq!(s.tags, vec!["win-back", "high value"]);
    assert!(s.next_step.starts_with("Retry the 120 failed messages"), "{}", s.next_step);
    assert!(judge(&super::builtin_answer(&f), &f).is_ok(), "the built-in answer passes its own check");
}

#[test]
fn tags_and_next_steps_follow_the_results() {
    let f = CampaignFacts::new(
        CampaignId::new(2),
        "Weekend".into(),
        "sms".into(),
        "running".into(),
        (50, 2, 300, 20),
        vec![],
        vec![],
        vec![],
        vec![],
        json!({}),
    );
    let s = builtin(&f);
    assert_eq!(s.tags, vec!["reachability gap", "strong delivery", "in progress"]);
    assert!(s.next_step.contains("remaining 20 messages"), "{}", s.next_step);
    let empty = CampaignFacts::new(
        CampaignId::new(1),
        "Empty".into(),
        "email".into(),
        "completed".into(),
        (0, 0, 0, 0),
        vec![],
        vec![],
        vec![],
        vec![],
        json!({}),
    );
    assert_eq!(builtin(&empty).summary, "“Empty” has no recipients.");
}

#[test]
fn a_models_summary_is_refused_for_any_figure_not_computed() {
    let f = facts();
    let good = json!({"summary": "Diwali 2025 win-back reached 1,200 customers; 1050 were delivered (89.7%, about 90%).",
        "tags": ["Win-Back", "viral", "high value", "win-back"], "next_step": "Retry the 120 failures."});
    let judged = judge(&good, &f).expect("every figure is computed");
    assert_eq!(judged.tags, vec!["win-back", "high value"], "tags outside the vocabulary are dropped");
    let invented = json!({"summary": "It reached 1,200 customers and earned ₹4,50,000 in sales.", "tags": [], "next_step": "Wait."});
    assert!(judge(&invented, &f).unwrap_err().contains("450000"));
    let rounded = json!({"summary": "About 1,100 messages were delivered.", "tags": [], "next_step": "Wait."});
    assert!(judge(&rounded, &f).is_err());
    let sneaky = json!({"summary": "Fine.", "tags": [], "next_step": "Send 777 more messages."});
    assert!(judge(&sneaky, &f).is_err(), "the next step is checked too");
    assert!(judge(&json!({"summary": "", "tags": [], "next_step": "x"}), &f).is_err());
    assert!(judge(&json!({"summary": "x".repeat(2000), "next_step": "x"}), &f).is_err());
    assert_eq!(numbers_in("1,050 and 89.70% of 2,500.00 or 007"), vec!["1050", "89.7", "2500", "7"]);
}

#[test]
fn a_tie_is_not_reported_as_the_largest_group() {
    let groups = vec![GroupFacts::new("Mumbai".into(), 1, 0, 0, 0), GroupFacts::new("Pune".into(), 1, 0, 0, 0)];
    let f = CampaignFacts::new(
        CampaignId::new(4),
        "Tie".into(),
        "sms".into(),
        "completed".into(),
        (2, 0, 0, 0),
        vec![],
        vec![],
        groups.clone(),
        groups,
        json!({}),
    );
    let s = builtin(&f);
    assert!(!s.summary.contains("most recipients") && !s.summary.contains("largest spend band"), "{}", s.summary);
    let mut g = facts();
    g.by_city.truncate(1);
    assert!(builtin(&g).summary.contains("Pune has the most recipients (630)"), "{}", builtin(&g).summary);
}
