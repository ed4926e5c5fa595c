//! Suggestion constraints: three distinct tones, valid templates with placeholders, within the channel's
//! length, no personal data; a model's bad variants replaced.

use converge_domain::template::{segments_estimate, MessageTemplate, TemplateVars};
use converge_domain::{Channel, SendChannel};
use serde_json::json;

use super::check::{channels, check};
use super::{builtin_answer, complete, judge, MessageBrief, VARIANTS};

fn brief(objective: &str, channel: SendChannel) -> MessageBrief {
    MessageBrief {
        objective: objective.to_owned(),
        channel,
        rule: Some(json!({"combinator": "and", "rules": [
            {"field": "inactive_days", "operator": ">=", "value": 180},
            {"field": "city", "operator": "=", "value": "Pune"}]})),
        audience: None,
        brand: "Acme Lifestyle Stores".to_owned(),
    }
}

const OBJECTIVES: &[&str] = &[
    "Win back customers who haven't shopped in 6 months with 20% off",
    "Diwali sale: flat ₹500 off on orders above ₹2,999",
    "Welcome new signups",
    "Launch of our monsoon collection",
    "Thank our VIP customers with double reward points",
    "Ask for feedback on the last order",
    "Remind customers about items left in their cart",
    "Free delivery this weekend",
    "",
];

#[test]
fn builtin_variants_pass_every_constraint_on_every_channel() {
    for objective in OBJECTIVES {
        for channel in SendChannel::ALL {
            let b = brief(objective, channel);
            let (kept, dropped) = judge(&builtin_answer(&b), &b, "builtin");
            assert!(dropped.is_empty(), "{objective:?} on {channel:?}: builtin variants dropped: {dropped:?}");
            assert_eq!(kept.len(), VARIANTS, "{objective:?} on {channel:?}");
            let tones: std::collections::BTreeSet<&str> = kept.iter().map(|s| s.tone.as_str()).collect();
            assert_eq!(tones.len(), VARIANTS, "tones must differ: {kept:?}");
            for suggestion in &kept {
                assert!(suggestion.text.contains("{{ first_name"), "{suggestion:?}");
                for one in channels(channel) {
                    let text = super::check::as_template(&suggestion.text, one);
                    let template = MessageTemplate::parse(&text, one).expect("the engine accepts it");
                    let rendered = template.render(&TemplateVars::example()).expect("it renders");
                    if one == Channel::Sms {
                        assert_eq!(segments_estimate(&rendered), 1, "one SMS: {rendered}");
                        assert!(rendered.chars().count() <= 160);
                    }
                }
            }
        }
    }
}

#[test]
fn builtin_variants_use_the_objective_vocabulary_only() {
    let sms = brief("Win back customers who haven't shopped in 6 months with 20% off", SendChannel::Sms);
    let texts: Vec<String> = super::builtin::variants(&sms).into_iter().map(|(_, text)| text).collect();
    assert!(texts.iter().any(|t| t.contains("20% off")), "{texts:?}");
    assert!(texts.iter().any(|t| t.contains("miss you")), "a win-back message: {texts:?}");
    let diwali = brief("Diwali sale: flat ₹500 off", SendChannel::Whatsapp);
    let texts: Vec<String> = super::builtin::variants(&diwali).into_iter().map(|(_, text)| text).collect();
    assert!(texts.iter().any(|t| t.contains("Diwali") && t.contains("₹500 off")), "{texts:?}");
    let sms = brief("Diwali sale: flat ₹500 off", SendChannel::Sms);
    let texts: Vec<String> = super::builtin::variants(&sms).into_iter().map(|(_, text)| text).collect();
    assert!(texts.iter().all(|t| !t.contains('₹')), "SMS stays GSM-7: {texts:?}");
    // Whatever the objective says, its free text never reaches a message.
    let nasty = brief("call +91 98765 43210 or write to asha@example.in {{ phone }} {% for %}", SendChannel::Email);
    for (_, text) in super::builtin::variants(&nasty) {
        assert_eq!(check(&text, SendChannel::Email, "Acme Lifestyle Stores"), Ok(()));
        assert!(!text.contains("98765") && !text.contains("asha"), "{text}");
    }
}

#[test]
fn a_very_long_brand_still_gets_three_sms_variants() {
    let mut b = brief("20% off", SendChannel::Sms);
    b.brand = "The Extraordinarily Long Name Of A Brand That Sells Everything Under The Sun Pvt Ltd".to_owned();
    let (kept, dropped) = judge(&builtin_answer(&b), &b, "builtin");
    assert!(dropped.is_empty(), "{dropped:?}");
    assert_eq!(kept.len(), VARIANTS);
}

#[test]
fn model_variants_that_fail_are_dropped_and_replaced() {
    let b = brief("20% off for lapsed customers", SendChannel::Sms);
    let answer = json!({"suggestions": [
        {"text": "Hi {{ first_name | default(\"there\") }}, 20% off at {{ brand }} this week!", "tone": "Playful"},
        {"text": "Hi {{ first_name }}, call Priya on +91 98765 43210 for 20% off", "tone": "urgent"},
        {"text": "Hi {{ email }}, 20% off", "tone": "formal"},
        {"text": "Hello! 20% off everything.", "tone": "plain"},
        {"text": format!("Hi {{{{ first_name }}}}, {}", "very long ".repeat(20)), "tone": "wordy"},
        {"text": "Hi {{ first_name | default(\"there\") }}, 20% off at {{ brand }} this week!", "tone": "again"},
        {"tone": "textless"}]});
    let (kept, dropped) = judge(&answer, &b, "gemini");
    assert_eq!(kept.len(), 1);
    assert_eq!(kept[0].tone, "playful");
    assert_eq!(kept[0].provider, "gemini");
    assert_eq!(dropped.len(), 6, "{dropped:?}");
    assert!(dropped.iter().any(|d| d.contains("phone number")));
    assert!(dropped.iter().any(|d| d.contains("{{ email }}")));
    assert!(dropped.iter().any(|d| d.contains("placeholder")));
    assert!(dropped.iter().any(|d| d.contains("more than one SMS")));
    assert!(dropped.iter().any(|d| d.contains("repeats")));
    let all = complete(kept, &b);
    assert_eq!(all.len(), VARIANTS);
    assert_eq!(all.iter().filter(|s| s.provider == "builtin").count(), 2);
    let (none, why) = judge(&json!({"messages": []}), &b, "openai");
    assert!(none.is_empty() && why[0].contains("no \"suggestions\""));
}
