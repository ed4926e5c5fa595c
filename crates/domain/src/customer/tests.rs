use chrono::{DateTime, Utc};
use serde_json::json;

use super::*;

fn now() -> DateTime<Utc> {
    "2025-06-01T12:00:00Z".parse().unwrap()
}

fn input(value: serde_json::Value) -> CustomerInput {
    serde_json::from_value(value).unwrap()
}

#[test]
fn validates_a_full_customer() {
    let record = input(json!({
        "external_id": " C1 ",
        "name": "Priya Sharma",
        "email": "Priya@Example.IN",
        "phone": "+91 98765 43210",
        "city": "Pune",
        "gender": "Female",
        "preferred_channel": "WhatsApp",
        "created_at": "2024-05-01T10:30:00+05:30",
        "attributes": {"tier": "gold", "newsletter": true, "old": null}
    }))
    .validate(now())
    .unwrap();
    assert_eq!(record.external_id.as_str(), "C1");
    assert_eq!(record.email.unwrap().as_str(), "Priya@example.in");
    assert_eq!(record.phone.unwrap().as_str(), "+919876543210");
    assert_eq!(record.gender, Some(Gender::Female));
    assert_eq!(record.preferred_channel, Some(Channel::Whatsapp));
    assert_eq!(record.created_at.unwrap().to_rfc3339(), "2024-05-01T05:00:00+00:00");
    assert_eq!(record.attributes.len(), 3);
}

#[test]
fn absent_fields_stay_none() {
    let record = input(json!({"external_id": "C1"})).validate(now()).unwrap();
    assert_eq!(record, CustomerRecord::new(ExternalId::parse("C1").unwrap()));
    let with_nulls = input(json!({"external_id": "C1", "email": null, "attributes": null}));
    assert_eq!(with_nulls.validate(now()).unwrap(), record);
}

#[test]
fn reports_every_bad_field_at_once() {
    let errors = input(json!({
        "external_id": "",
        "name": "\u{0}",
        "email": "not-an-email",
        "phone": "12",
        "city": "",
        "gender": "f",
        "preferred_channel": "pigeon",
        "created_at": "yesterday",
        "attributes": {"vip": [1], "Bad": 1}
    }))
    .validate(now())
    .unwrap_err();
    let fields: Vec<_> = errors.iter().map(|e| e.field.as_str()).collect();
    assert_eq!(
        fields,
        [
            "external_id",
            "name",
            "email",
            "phone",
            "city",
            "gender",
            "preferred_channel",
            "created_at",
            "attributes.Bad",
            "attributes.vip",
        ]
    );
    assert_eq!(errors.0[2].message, "must be a valid e-mail address");
    assert_eq!(errors.0[6].message, "must be one of sms, email, whatsapp");
}

#[test]
fn future_created_at_is_rejected() {
    let errors = input(json!({"external_id": "C1", "created_at": "2030-01-01T00:00:00Z"})).validate(now()).unwrap_err();
    assert_eq!(errors.0[0].field, "created_at");
    assert_eq!(errors.0[0].message, "is too far in the future");
}

#[test]
fn unknown_fields_are_refused_when_decoding() {
    let result = serde_json::from_value::<CustomerInput>(json!({"external_id": "C1", "mail": "x"}));
    assert!(result.unwrap_err().to_string().contains("unknown field `mail`"));
    assert!(serde_json::from_value::<CustomerInput>(json!({"name": "x"})).is_err());
}

#[test]
fn input_serializes_without_absent_fields() {
    let input = CustomerInput { external_id: "C1".into(), city: Some("Pune".into()), ..CustomerInput::default() };
    assert_eq!(serde_json::to_value(&input).unwrap(), json!({"external_id": "C1", "city": "Pune"}));
}

#[test]
fn record_serde_round_trips_and_revalidates() {
    let record = input(json!({
        "external_id": "C1", "email": "a@b.in", "gender": "non-binary",
        "created_at": "2024-01-01T00:00:00Z", "attributes": {"tier": "gold"}
    }))
    .validate(now())
    .unwrap();
    let text = serde_json::to_string(&record).unwrap();
    assert_eq!(serde_json::from_str::<CustomerRecord>(&text).unwrap(), record);
    let tampered = text.replace("a@b.in", "not-an-email");
    assert!(serde_json::from_str::<CustomerRecord>(&tampered).is_err());
}
