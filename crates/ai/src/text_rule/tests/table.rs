//! The built-in parser's phrasebook: English → the exact rule expected, and every rule must pass
//! `Rule::parse` for the workspace (the HTTP tests also preview each one).

use converge_domain::segment::{AttributeType, Catalogue, Rule};
use converge_domain::Currency;
use serde_json::{json, Value};

use super::super::{builtin_answer, AudienceBrief};

/// The workspace the table is read in: cities as its customers write them, `tier` and `vip` attributes.
pub(crate) fn brief(text: &str) -> AudienceBrief {
    AudienceBrief {
        text: text.to_owned(),
        catalogue: Catalogue::with_attributes(&[
            ("tier".to_owned(), AttributeType::String),
            ("vip".to_owned(), AttributeType::Boolean),
        ]),
        cities: ["Pune", "Mumbai", "Navi Mumbai", "Bengaluru", "Delhi", "New Delhi", "Chennai", "Hyderabad"]
            .map(str::to_owned)
            .to_vec(),
        currency: Currency::INR,
    }
}

fn c(field: &str, operator: &str, value: Value) -> Value {
    json!({"field": field, "operator": operator, "value": value})
}

fn and(rules: Vec<Value>) -> Value {
    json!({"combinator": "and", "rules": rules})
}

fn or(rules: Vec<Value>) -> Value {
    json!({"combinator": "or", "rules": rules})
}

/// Every phrasing and the rule it must become.
pub(crate) fn table() -> Vec<(&'static str, Value)> {
    vec![
        (
            "people who haven't shopped in 6 months and spent over ₹5K",
            and(vec![c("inactive_days", ">=", json!(180)), c("total_spend", ">", json!(5000))]),
        ),
        ("customers who spent more than Rs 10,000", and(vec![c("total_spend", ">", json!(10000))])),
        ("spent at least INR 2,500", and(vec![c("total_spend", ">=", json!(2500))])),
        ("total spend under 1000 rupees", and(vec![c("total_spend", "<", json!(1000))])),
        ("spent between ₹2,000 and ₹5,000", and(vec![c("total_spend", "between", json!([2000, 5000]))])),
        ("lifetime spend above 1.5 lakh", and(vec![c("total_spend", ">", json!(150000))])),
        ("spent ₹5k+ in the last 90 days", and(vec![c("spend_last_90_days", ">=", json!(5000))])),
        ("spent 50,000 to 1,00,000 rupees", and(vec![c("total_spend", "between", json!([50000, 100000]))])),
        (
            "Pune or Mumbai shoppers who spent at least ₹1 lakh in the last year",
            and(vec![c("city", "in", json!(["Pune", "Mumbai"])), c("spend_last_365_days", ">=", json!(100000))]),
        ),
        ("more than 3 visits", and(vec![c("visits", ">", json!(3))])),
        ("visited at least 5 times", and(vec![c("visits", ">=", json!(5))])),
        ("fewer than 2 orders", and(vec![c("order_count", "<", json!(2))])),
        ("placed 3 or more orders in the last 30 days", and(vec![c("orders_last_30_days", ">=", json!(3))])),
        ("ordered more than twice in the last 90 days", and(vec![c("orders_last_90_days", ">", json!(2))])),
        ("haven't ordered in 90 days", and(vec![c("inactive_days", ">=", json!(90))])),
        ("not bought anything for 3 weeks", and(vec![c("inactive_days", ">=", json!(21))])),
        ("inactive for more than 60 days", and(vec![c("inactive_days", ">", json!(60))])),
        ("dormant for 6 months", and(vec![c("inactive_days", ">=", json!(180))])),
        ("no purchases in the last 2 months", and(vec![c("inactive_days", ">=", json!(60))])),
        ("never ordered", and(vec![c("order_count", "=", json!(0))])),
        ("ordered in the last 30 days", and(vec![c("last_order_at", "withinDays", json!(30))])),
        ("shopped within the past 2 weeks", and(vec![c("last_order_at", "withinDays", json!(14))])),
        ("last ordered more than 6 months ago", and(vec![c("last_order_at", "olderThanDays", json!(180))])),
        ("joined in the last 30 days", and(vec![c("created_at", "withinDays", json!(30))])),
        ("signed up more than a year ago", and(vec![c("created_at", "olderThanDays", json!(365))])),
        ("registered before 2025", and(vec![c("created_at", "<", json!("2025-01-01"))])),
        ("joined since March 2024", and(vec![c("created_at", ">=", json!("2024-03-01"))])),
        (
            "email subscribers who joined after 1 Jan 2025",
            and(vec![c("preferred_channel", "=", json!("email")), c("created_at", ">=", json!("2025-01-02"))]),
        ),
        ("customers in Pune", and(vec![c("city", "=", json!("Pune"))])),
        ("from Mumbai or Pune", and(vec![c("city", "in", json!(["Mumbai", "Pune"]))])),
        ("customers not in Delhi", and(vec![c("city", "!=", json!("Delhi"))])),
        (
            "Navi Mumbai customers who prefer WhatsApp",
            and(vec![c("city", "=", json!("Navi Mumbai")), c("preferred_channel", "=", json!("whatsapp"))]),
        ),
        ("prefer sms or email", and(vec![c("preferred_channel", "in", json!(["sms", "email"]))])),
        (
            "WhatsApp users in Hyderabad with more than 2 orders",
            and(vec![
                c("preferred_channel", "=", json!("whatsapp")),
                c("city", "=", json!("Hyderabad")),
                c("order_count", ">", json!(2)),
            ]),
        ),
        ("women in Bengaluru", and(vec![c("gender", "=", json!("female")), c("city", "=", json!("Bengaluru"))])),
        (
            "men or women who spent over 5000",
            and(vec![c("gender", "in", json!(["male", "female"])), c("total_spend", ">", json!(5000))]),
        ),
        ("customers who are not women", and(vec![c("gender", "!=", json!("female"))])),
        (
            "spent over 10k or visited more than 5 times",
            or(vec![c("total_spend", ">", json!(10000)), c("visits", ">", json!(5))]),
        ),
        (
            "in Pune and (spent over ₹5,000 or ordered in the last 30 days)",
            and(vec![
                c("city", "=", json!("Pune")),
                or(vec![c("total_spend", ">", json!(5000)), c("last_order_at", "withinDays", json!(30))]),
            ]),
        ),
        (
            "customers who spent over ₹5K but haven't visited in 45 days",
            and(vec![c("total_spend", ">", json!(5000)), c("inactive_days", ">=", json!(45))]),
        ),
        ("repeat customers in Chennai", and(vec![c("order_count", ">=", json!(2)), c("city", "=", json!("Chennai"))])),
        ("without an email address", and(vec![json!({"field": "email", "operator": "null"})])),
        ("gold tier customers", and(vec![c("attributes.tier", "=", json!("gold"))])),
        (
            "vip customers who haven't ordered in 3 months",
            and(vec![c("attributes.vip", "=", json!(true)), c("inactive_days", ">=", json!(90))]),
        ),
        (
            "total_spend >= 20000 and inactive_days > 30",
            and(vec![c("total_spend", ">=", json!(20000)), c("inactive_days", ">", json!(30))]),
        ),
    ]
}

#[test]
fn every_phrasing_becomes_its_exact_rule_and_the_rule_is_valid() {
    let table = table();
    assert!(table.len() >= 30, "the phrasebook must keep at least 30 phrasings");
    let texts: Vec<&str> = table.iter().map(|(text, _)| *text).collect();
    assert_eq!(texts, super::super::PHRASEBOOK, "the public phrasebook lists exactly the tested phrasings");
    let mut wrong = Vec::new();
    for (text, expected) in &table {
        let brief = brief(text);
        let answer = builtin_answer(&brief);
        match answer.get("rule") {
            Some(rule) if rule == expected => {
                if let Err(errors) = Rule::parse(rule, &brief.catalogue, &brief.currency) {
                    wrong.push(format!("{text:?}: the rule does not validate: {errors:?}"));
                }
            }
            _ => wrong.push(format!("{text:?}\n   got      {answer}\n   expected {expected}")),
        }
    }
    assert!(wrong.is_empty(), "{} of {} phrasings are wrong:\n{}", wrong.len(), table.len(), wrong.join("\n"));
}
