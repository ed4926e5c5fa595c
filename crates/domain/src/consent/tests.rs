use chrono::{DateTime, NaiveTime, Utc};
use serde_json::json;

use super::*;
use crate::fields::Channel;

fn at(text: &str) -> DateTime<Utc> {
    text.parse().unwrap()
}

fn settings(body: serde_json::Value) -> Result<Compliance, Vec<String>> {
    serde_json::from_value::<ComplianceInput>(body)
        .unwrap()
        .validate()
        .map_err(|errors| errors.iter().map(|e| e.field.clone()).collect())
}

#[test]
fn settings_parse_and_round_trip() {
    let body = json!({"timezone": "Asia/Kolkata", "quiet_hours": {"start": "21:00", "end": "09:00"},
        "frequency_cap": {"messages": 3, "days": 7}, "policy": {"email": "opt_in"}, "topics": ["offers", "news"],
        "double_opt_in": {"email": true}});
    let compliance = settings(body).unwrap();
    assert!(compliance.double_opt_in(Channel::Email) && !compliance.double_opt_in(Channel::Sms));
    assert_eq!(compliance.policy(Channel::Email), Policy::OptIn);
    assert_eq!(compliance.policy(Channel::Sms), Policy::Allowed);
    assert_eq!(compliance.sms_opt_out_line.as_deref(), Some(Compliance::DEFAULT_OPT_OUT_LINE));
    let shown = serde_json::to_value(&compliance).unwrap();
    assert_eq!(shown["quiet_hours"], json!({"start": "21:00", "end": "09:00"}));
    assert_eq!(shown["timezone"], json!("Asia/Kolkata"));
    // What a GET shows is a valid PUT body, and means the same.
    assert_eq!(settings(shown.clone()).unwrap(), compliance);
    let stored: Compliance = serde_json::from_value(shown).unwrap();
    assert_eq!(stored, compliance);
    let off = settings(json!({"timezone": "UTC", "sms_opt_out_line": null})).unwrap();
    assert_eq!(off.sms_opt_out_line, None);
}

#[test]
fn bad_settings_name_every_field() {
    let errors = settings(json!({"timezone": "Mars/Olympus", "quiet_hours": {"start": "25:00", "end": "9"},
        "frequency_cap": {"messages": 0, "days": -1}, "policy": {"fax": "opt_in", "sms": "maybe"},
        "sms_opt_out_line": "", "topics": ["Offers", "ok", "ok"], "double_opt_in": {"fax": true}}))
    .unwrap_err();
    assert_eq!(
        errors,
        [
            "timezone",
            "quiet_hours.start",
            "quiet_hours.end",
            "frequency_cap.messages",
            "frequency_cap.days",
            "policy.fax",
            "policy.sms",
            "sms_opt_out_line",
            "topics[0]",
            "topics[2]",
            "double_opt_in.fax"
        ]
    );
    assert_eq!(
        settings(json!({"timezone": "UTC", "quiet_hours": {"start": "09:00", "end": "09:00"}})).unwrap_err(),
        ["quiet_hours.end"]
    );
}

#[test]
fn quiet_hours_wrap_midnight_in_the_customers_zone() {
    let quiet = QuietHours {
        start: NaiveTime::from_hms_opt(21, 0, 0).unwrap(),
        end: NaiveTime::from_hms_opt(9, 0, 0).unwrap(),
    };
    let kolkata: chrono_tz::Tz = "Asia/Kolkata".parse().unwrap();
    // 22:30 IST → until 09:00 IST the next day.
    assert_eq!(quiet.defer_until(at("2026-12-06T17:00:00Z"), kolkata), Some(at("2026-12-07T03:30:00Z")));
    // 02:00 IST → until 09:00 IST the same day.
    assert_eq!(quiet.defer_until(at("2026-12-06T20:30:00Z"), kolkata), Some(at("2026-12-07T03:30:00Z")));
    // 12:00 IST: not quiet.
    assert_eq!(quiet.defer_until(at("2026-12-06T06:30:00Z"), kolkata), None);
    // The end itself is outside the window.
    assert_eq!(quiet.defer_until(at("2026-12-07T03:30:00Z"), kolkata), None);
    let day = QuietHours { start: NaiveTime::from_hms_opt(12, 0, 0).unwrap(), end: quiet.end.with_hour(14) };
    assert_eq!(day.defer_until(at("2026-12-06T13:00:00Z"), chrono_tz::Tz::UTC), Some(at("2026-12-06T14:00:00Z")));
}

trait WithHour {
    fn with_hour(self, hour: u32) -> NaiveTime;
}

impl WithHour for NaiveTime {
    fn with_hour(self, hour: u32) -> NaiveTime {
        NaiveTime::from_hms_opt(hour, 0, 0).unwrap()
    }
}

#[test]
fn decide_orders_reasons() {
    let now = at("2026-12-06T17:00:00Z"); // 22:30 in Kolkata, 17:00 in London
    let compliance = settings(json!({"timezone": "Europe/London", "quiet_hours": {"start": "21:00", "end": "09:00"},
        "frequency_cap": {"messages": 2, "days": 7}, "policy": {"email": "opt_in"}}))
    .unwrap();
    let facts = ConsentFacts::default();
    assert_eq!(decide(&compliance, Channel::Sms, &facts, now), Verdict::Send);
    assert_eq!(decide(&compliance, Channel::Email, &facts, now), Verdict::Skip(ConsentSkip::NoConsent));
    let subscribed = ConsentFacts { status: Some(SubscriptionStatus::Subscribed), ..facts };
    assert_eq!(decide(&compliance, Channel::Email, &subscribed, now), Verdict::Send);
    let suppressed = ConsentFacts { suppressed: true, ..subscribed };
    assert_eq!(decide(&compliance, Channel::Email, &suppressed, now), Verdict::Skip(ConsentSkip::Suppressed));
    let left = ConsentFacts { status: Some(SubscriptionStatus::Unsubscribed), ..facts };
    assert_eq!(decide(&compliance, Channel::Sms, &left, now), Verdict::Skip(ConsentSkip::Unsubscribed));
    let pending = ConsentFacts { status: Some(SubscriptionStatus::Pending), ..facts };
    assert_eq!(decide(&compliance, Channel::Sms, &pending, now), Verdict::Skip(ConsentSkip::Pending));
    let topic = ConsentFacts { topic_unsubscribed: true, ..subscribed };
    assert_eq!(decide(&compliance, Channel::Sms, &topic, now), Verdict::Skip(ConsentSkip::Unsubscribed));
    let capped = ConsentFacts { sent_in_window: 2, ..facts };
    assert_eq!(decide(&compliance, Channel::Sms, &capped, now), Verdict::Skip(ConsentSkip::FrequencyCap));
    let night = ConsentFacts { timezone: Some("Asia/Kolkata"), sent_in_window: 2, ..facts };
    assert_eq!(decide(&compliance, Channel::Sms, &night, now), Verdict::Defer(at("2026-12-07T03:30:00Z")));
    let unknown_zone = ConsentFacts { timezone: Some("Nowhere/Else"), ..facts };
    assert_eq!(decide(&compliance, Channel::Sms, &unknown_zone, now), Verdict::Send);
}

#[test]
fn subscriptions_parse_with_field_errors() {
    let map = json!({"email": "Subscribed", "sms": "unsubscribed"}).as_object().unwrap().clone();
    let parsed = Subscriptions::from_json(&map).unwrap();
    assert_eq!(
        parsed.iter().collect::<Vec<_>>(),
        [(Channel::Sms, SubscriptionStatus::Unsubscribed), (Channel::Email, SubscriptionStatus::Subscribed)]
    );
    let bad = json!({"fax": "subscribed", "sms": "maybe", "email": 1}).as_object().unwrap().clone();
    let fields: Vec<String> = Subscriptions::from_json(&bad).unwrap_err().iter().map(|e| e.field.clone()).collect();
    assert_eq!(fields, ["subscriptions.email", "subscriptions.fax", "subscriptions.sms"]);
}

#[test]
fn reply_keywords() {
    for stop in ["STOP", "stop", "Stop please", "pls unsubscribe.", "END", "quit!", "Cancel my messages"] {
        assert_eq!(ReplyKeyword::parse(stop), Some(ReplyKeyword::Stop), "{stop}");
    }
    for start in ["START", "unstop", "Start again"] {
        assert_eq!(ReplyKeyword::parse(start), Some(ReplyKeyword::Start), "{start}");
    }
    for neither in ["", "thanks", "stopped", "restart", "STOPP"] {
        assert_eq!(ReplyKeyword::parse(neither), None, "{neither}");
    }
}

#[test]
fn suppression_addresses_normalise_hash_and_mask() {
    let a = SuppressionAddress::parse("Priya.S@Example.IN").unwrap();
    assert_eq!(a, SuppressionAddress::of_email("priya.s@example.in"));
    assert_eq!(a.key(), SuppressionAddress::of_email("PRIYA.S@example.in").key());
    assert_eq!(a.masked(), "p******@example.in");
    let p = SuppressionAddress::parse("+91 98765 43210").unwrap();
    assert_eq!(p.key(), SuppressionAddress::of_phone("+919876543210").key());
    assert_eq!(p.masked(), "+91******3210");
    assert_ne!(a.key(), p.key());
    assert!(SuppressionAddress::parse("98765 43210").is_err(), "a phone needs its country code");
    assert!(SuppressionAddress::parse("not an address").is_err());
    assert_eq!(SuppressionAddress::of_email("a@b.in").masked(), "a***@b.in");
}
