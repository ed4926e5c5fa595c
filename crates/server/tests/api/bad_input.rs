//! Bad input gets a clear 4xx naming the offending field, and changes nothing.

use serde_json::{json, Value};

use crate::both_modes;
use crate::helpers::{customer, fields, order, problem, Mode, TestApp};

enum Key {
    Good,
    None,
    Invalid,
    ReadOnly,
}

struct Case {
    name: &'static str,
    path: &'static str,
    key: Key,
    content_type: &'static str,
    body: Vec<u8>,
    status: u16,
    field: Option<&'static str>,
}

fn with(base: Value, field: &str, value: Value) -> Value {
    let mut base = base;
    base[field] = value;
    base
}

fn without(base: Value, field: &str) -> Value {
    let mut base = base;
    base.as_object_mut().unwrap().remove(field);
    base
}

fn case(name: &'static str, path: &'static str, body: Value, status: u16, field: Option<&'static str>) -> Case {
    Case {
        name,
        path,
        key: Key::Good,
        content_type: "application/json",
        body: body.to_string().into_bytes(),
        status,
        field,
    }
}

fn cases() -> Vec<Case> {
    let c = || customer("C1");
    let o = || order("O1", "C1", "10.00");
    let mut nested = c();
    nested["attributes"] = json!({"prefs": {"colour": "red"}});
    let mut item = o();
    item["items"] = json!([{"name": "Kurta", "quantity": 0}]);
    let mut cases = vec![
        case(
            "customer without external_id",
            "/api/v1/customers",
            without(c(), "external_id"),
            422,
            Some("external_id"),
        ),
        case("empty external_id", "/api/v1/customers", with(c(), "external_id", json!("  ")), 422, Some("external_id")),
        case(
            "overlong external_id",
            "/api/v1/customers",
            with(c(), "external_id", json!("x".repeat(129))),
            422,
            Some("external_id"),
        ),
        case("numeric external_id", "/api/v1/customers", with(c(), "external_id", json!(5)), 422, Some("external_id")),
        case("malformed email", "/api/v1/customers", with(c(), "email", json!("not-an-email")), 422, Some("email")),
        case(
            "overlong email",
            "/api/v1/customers",
            with(c(), "email", json!(format!("{}@example.in", "a".repeat(250)))),
            422,
            Some("email"),
        ),
        case("phone with letters", "/api/v1/customers", with(c(), "phone", json!("call me maybe")), 422, Some("phone")),
        case("phone too short", "/api/v1/customers", with(c(), "phone", json!("123")), 422, Some("phone")),
        case("unknown gender", "/api/v1/customers", with(c(), "gender", json!("robot")), 422, Some("gender")),
        case(
            "unknown channel",
            "/api/v1/customers",
            with(c(), "preferred_channel", json!("fax")),
            422,
            Some("preferred_channel"),
        ),
        case(
            "created_at not RFC 3339",
            "/api/v1/customers",
            with(c(), "created_at", json!("yesterday")),
            422,
            Some("created_at"),
        ),
        case(
            "created_at far in the future",
            "/api/v1/customers",
            with(c(), "created_at", json!("2999-01-01T00:00:00Z")),
            422,
            Some("created_at"),
        ),
        case(
            "unknown customer field",
            "/api/v1/customers",
            with(c(), "favourite_colour", json!("teal")),
            422,
            Some("favourite_colour"),
        ),
        case("nested attribute", "/api/v1/customers", nested, 422, Some("attributes.prefs")),
        case("overlong name", "/api/v1/customers", with(c(), "name", json!("n".repeat(201))), 422, Some("name")),
        case("negative amount", "/api/v1/orders", with(o(), "amount", json!("-5.00")), 422, Some("amount")),
        case("non-numeric amount", "/api/v1/orders", with(o(), "amount", json!("abc")), 422, Some("amount")),
        case("too many decimals", "/api/v1/orders", with(o(), "amount", json!("1.005")), 422, Some("amount")),
        case("boolean amount", "/api/v1/orders", with(o(), "amount", json!(true)), 422, Some("amount")),
        case("unknown currency", "/api/v1/orders", with(o(), "currency", json!("XYZ")), 422, Some("currency")),
        case(
            "currency other than the workspace's",
            "/api/v1/orders",
            with(o(), "currency", json!("USD")),
            422,
            Some("currency"),
        ),
        case(
            "order without customer",
            "/api/v1/orders",
            without(o(), "customer_external_id"),
            422,
            Some("customer_external_id"),
        ),
        case(
            "ordered_at without time",
            "/api/v1/orders",
            with(o(), "ordered_at", json!("2026-05-01")),
            422,
            Some("ordered_at"),
        ),
        case("zero item quantity", "/api/v1/orders", item, 422, Some("items[0].quantity")),
        case("unknown order status", "/api/v1/orders", with(o(), "status", json!("lost")), 422, Some("status")),
        case("oversize batch", "/api/v1/orders/batch", json!({"items": vec![o(); 1001]}), 422, Some("items")),
        case("empty batch", "/api/v1/customers/batch", json!({"items": []}), 422, Some("items")),
        case(
            "one bad item spoils the batch",
            "/api/v1/customers/batch",
            json!({"items": [customer("C1"), with(customer("C2"), "email", json!("nope"))]}),
            422,
            Some("items[1].email"),
        ),
        case("unknown batch field", "/api/v1/customers/batch", json!({"items": [c()], "extra": 1}), 422, Some("extra")),
        case("batch body is an array", "/api/v1/orders/batch", json!([o()]), 422, None),
        case("customer body is a string", "/api/v1/customers", json!("C1"), 422, None),
    ];
    cases.push(Case {
        name: "invalid JSON",
        path: "/api/v1/orders",
        key: Key::Good,
        content_type: "application/json",
        body: b"{\"external_id\": ".to_vec(),
        status: 400,
        field: None,
    });
    cases.push(Case {
        name: "wrong content type",
        path: "/api/v1/orders",
        key: Key::Good,
        content_type: "text/plain",
        body: o().to_string().into_bytes(),
        status: 415,
        field: None,
    });
    cases.push(Case {
        name: "no API key",
        path: "/api/v1/orders",
        key: Key::None,
        content_type: "application/json",
        body: o().to_string().into_bytes(),
        status: 401,
        field: None,
    });
    cases.push(Case {
        name: "unknown API key",
        path: "/api/v1/orders",
        key: Key::Invalid,
        content_type: "application/json",
        body: o().to_string().into_bytes(),
        status: 401,
        field: None,
    });
    cases.push(Case {
        name: "key without the ingest scope",
        path: "/api/v1/orders",
        key: Key::ReadOnly,
        content_type: "application/json",
        body: o().to_string().into_bytes(),
        status: 403,
        field: None,
    });
    cases.push(Case {
        name: "body over the limit",
        path: "/api/v1/customers/batch",
        key: Key::Good,
        content_type: "application/json",
        body: vec![b' '; 5 * 1024 * 1024],
        status: 413,
        field: None,
    });
    cases
}

both_modes!(bad_inputs_are_refused_and_change_nothing);

async fn bad_inputs_are_refused_and_change_nothing(mode: Mode) {
    let Some(app) = TestApp::spawn(mode).await else { return };
    let read_only = app.create_key("default", &["read"]).await;
    let invalid = format!("cvg_{}", "x".repeat(40));
    let cases = cases();
    assert!(cases.len() >= 25);
    for case in cases {
        let key = match case.key {
            Key::Good => Some(app.key.as_str()),
            Key::None => None,
            Key::Invalid => Some(invalid.as_str()),
            Key::ReadOnly => Some(read_only.as_str()),
        };
        let response = app.post_raw(case.path, key, case.content_type, case.body).await;
        assert_eq!(response.status().as_u16(), case.status, "{}", case.name);
        let body = problem(response).await;
        assert_eq!(body["status"].as_u64(), Some(u64::from(case.status)), "{}", case.name);
        assert!(body["detail"].as_str().is_some_and(|d| !d.is_empty()), "{}: detail", case.name);
        if let Some(field) = case.field {
            assert!(fields(&body).iter().any(|f| f == field), "{}: expected field {field}, got {body}", case.name);
        }
    }
    assert_eq!(app.drain().await, 0, "nothing was enqueued");
    let ws = app.workspace_id("default").await;
    let counts = app.state.store.counts(ws).await.unwrap();
    assert_eq!((counts.customers, counts.orders), (0, 0));
}
