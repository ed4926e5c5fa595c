use chrono::{DateTime, Utc};
use serde_json::{json, Value};

use super::*;

fn now() -> DateTime<Utc> {
    "2025-06-01T12:00:00Z".parse().unwrap()
}

fn input(value: Value) -> OrderInput {
    serde_json::from_value(value).unwrap()
}

fn validate(value: Value) -> Result<OrderRecord, FieldErrors> {
    input(value).validate(now(), &Currency::INR)
}

fn errors_of(value: Value) -> Vec<(String, String)> {
    validate(value).unwrap_err().into_iter().map(|e| (e.field, e.message)).collect()
}

#[test]
fn minimal_order_gets_defaults() {
    let record = validate(json!({"external_id": "O1", "customer_external_id": "C1", "amount": "1499"})).unwrap();
    assert_eq!(record.amount, Money::from_minor(149_900));
    assert_eq!(record.currency, Currency::INR);
    assert_eq!(record.status, OrderStatus::Paid);
    assert_eq!(record.ordered_at, now());
    assert_eq!(record.channel, None);
    assert!(record.items.is_empty());
}

#[test]
fn full_order_parses_every_field() {
    let raw = r#"{"external_id": "O1", "customer_external_id": "C1", "amount": 2998.50,
        "currency": "inr", "status": "Fulfilled", "channel": " app ",
        "items": [{"sku": "SKU-1", "name": "Kurta", "quantity": 2, "unit_price": "1499.25"},
                  {"name": "Gift wrap", "quantity": 1, "unit_price": 0}],
        "ordered_at": "2025-05-01T18:45:00+05:30"}"#;
    let record = serde_json::from_str::<OrderInput>(raw).unwrap().validate(now(), &Currency::INR).unwrap();
    assert_eq!(record.amount.minor(), 299_850);
    assert_eq!(record.status, OrderStatus::Fulfilled);
    assert_eq!(record.channel.as_deref(), Some("app"));
    assert_eq!(record.items.len(), 2);
    assert_eq!(record.items[0].quantity.get(), 2);
    assert_eq!(record.items[0].unit_price, Some(Money::from_minor(149_925)));
    assert_eq!(record.items[1].sku, None);
    assert_eq!(record.ordered_at.to_rfc3339(), "2025-05-01T13:15:00+00:00");
}

#[test]
fn zero_amount_is_allowed_negative_is_not() {
    let base = |amount: Value| json!({"external_id": "O1", "customer_external_id": "C1", "amount": amount});
    assert_eq!(validate(base(json!(0))).unwrap().amount, Money::ZERO);
    assert_eq!(errors_of(base(json!(-1))), [("amount".into(), "must not be negative".into())]);
    assert_eq!(
        errors_of(base(json!(null))),
        [("amount".into(), "must be a decimal string like \"1499.00\" or a number".into())]
    );
    assert_eq!(
        errors_of(base(json!("1.999"))),
        [("amount".into(), "must have at most 2 decimal places for INR".into())]
    );
}

#[test]
fn currency_must_be_the_workspace_currency() {
    let base = |currency: &str| json!({"external_id": "O1", "customer_external_id": "C1", "amount": "1", "currency": currency});
    assert_eq!(errors_of(base("USD")), [("currency".into(), "must be INR, the workspace currency".into())]);
    assert_eq!(
        errors_of(base("rupees")),
        [("currency".into(), "must be a three-letter ISO 4217 currency code like INR".into())]
    );
    assert_eq!(errors_of(base("ZZZ"))[0].0, "currency");
    let jpy = Currency::parse("JPY").unwrap();
    let record = input(base("jpy")).validate(now(), &jpy).unwrap();
    assert_eq!((record.amount.minor(), record.currency), (1, jpy));
}

#[test]
fn reports_every_bad_field_at_once() {
    let errors = errors_of(json!({
        "external_id": " ",
        "customer_external_id": "",
        "amount": "1e3",
        "status": "lost in the mail",
        "channel": "",
        "items": [
            {"name": "ok", "quantity": 1},
            {"quantity": 0, "unit_price": "-1"},
            {"sku": "", "name": "x", "quantity": 10001}
        ],
        "ordered_at": "2024-05-01"
    }));
    let fields: Vec<_> = errors.iter().map(|(field, _)| field.as_str()).collect();
    assert_eq!(
        fields,
        [
            "external_id",
            "customer_external_id",
            "amount",
            "status",
            "channel",
            "items[1]",
            "items[1].quantity",
            "items[1].unit_price",
            "items[2].sku",
            "items[2].quantity",
            "ordered_at",
        ]
    );
    assert_eq!(errors[5].1, "must have a sku or a name");
    assert_eq!(errors[6].1, "must be between 1 and 10000");
}

#[test]
fn too_many_items_or_a_long_channel_are_refused() {
    let items: Vec<Value> = (0..101).map(|i| json!({"sku": format!("S{i}"), "quantity": 1})).collect();
    let errors = errors_of(json!({
        "external_id": "O1", "customer_external_id": "C1", "amount": "1",
        "items": items, "channel": "x".repeat(41), "ordered_at": "2030-01-01T00:00:00Z"
    }));
    assert_eq!(
        errors,
        [
            ("channel".into(), "must be at most 40 characters".into()),
            ("items".into(), "must have at most 100 items".into()),
            ("ordered_at".into(), "is too far in the future".into()),
        ]
    );
}

#[test]
fn unknown_fields_are_refused_when_decoding() {
    let base = json!({"external_id": "O1", "customer_external_id": "C1", "amount": "1", "total": 1});
    assert!(serde_json::from_value::<OrderInput>(base).is_err());
    let item = json!({"external_id": "O1", "customer_external_id": "C1", "amount": "1",
        "items": [{"sku": "a", "quantity": 1, "price": 1}]});
    assert!(serde_json::from_value::<OrderInput>(item).is_err());
    let no_amount = json!({"external_id": "O1", "customer_external_id": "C1"});
    assert!(serde_json::from_value::<OrderInput>(no_amount).is_err());
}

#[test]
fn record_serde_revalidates_primitive_fields() {
    let record = validate(json!({
        "external_id": "O1", "customer_external_id": "C1", "amount": "10.50", "channel": "web",
        "items": [{"sku": "S1", "quantity": 3, "unit_price": "3.50"}]
    }))
    .unwrap();
    let value = serde_json::to_value(&record).unwrap();
    assert_eq!(value["amount"], json!(1050));
    assert_eq!(value["currency"], json!("INR"));
    assert_eq!(serde_json::from_value::<OrderRecord>(value.clone()).unwrap(), record);
    for (pointer, bad) in [
        ("/amount", json!(-1)),
        ("/channel", json!(" web ")),
        ("/currency", json!("XYZ")),
        ("/status", json!("shipped")),
        ("/items/0/quantity", json!(0)),
        ("/items/0/unit_price", json!(-5)),
    ] {
        let mut tampered = value.clone();
        *tampered.pointer_mut(pointer).unwrap() = bad;
        assert!(serde_json::from_value::<OrderRecord>(tampered).is_err(), "{pointer}");
    }
}

#[test]
fn quantity_bounds() {
    assert_eq!(Quantity::parse(1).unwrap().get(), 1);
    assert_eq!(Quantity::parse(10_000).unwrap().get(), 10_000);
    assert_eq!(Quantity::parse(0), Err("must be between 1 and 10000".to_owned()));
    assert_eq!(Quantity::parse(10_001), Err("must be between 1 and 10000".to_owned()));
    assert_eq!(Quantity::saturating(0).get(), 1);
    assert_eq!(Quantity::saturating(u32::MAX).get(), 10_000);
}
