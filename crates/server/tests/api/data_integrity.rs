//! Issue 11, item 10: what a fuzzer found in the data path, each written as the finding. Before the fixes:
//! maximal orders overflowed `total_spend` (SQLite REAL, then 500 on every read; Postgres dead-lettered them),
//! `{…}{…}` was 202 with the second object dropped, an unreadable `X-Converge-Workspace` fell back to the
//! first workspace, NULs answered 500 on Postgres, merges grew attributes past 50 keys, and an idempotency key
//! reused with another body replayed the first campaign.

use reqwest::header::HeaderValue;
use serde_json::{json, Map, Value};

use crate::both_modes;
use crate::campaigns::{body as campaign_body, campaign_ids, seed};
use crate::helpers::{customer, fields, order, problem, Mode, TestApp};

both_modes!(
    maximal_orders_saturate_the_totals_and_every_read_still_answers,
    trailing_data_after_the_json_body_is_refused,
    an_unreadable_workspace_header_is_refused,
    nul_characters_are_refused_naming_the_field,
    attribute_merges_never_keep_more_than_fifty_keys,
    an_idempotency_key_reused_with_another_body_is_refused,
);

const TOTAL_CAP: i64 = 1_000_000_000_000_000_000;

async fn maximal_orders_saturate_the_totals_and_every_read_still_answers(mode: Mode) {
    let Some(app) = TestApp::spawn(mode).await else { return };
    assert_eq!(app.post_json("/api/v1/customers", &app.key, &customer("C1")).await.status(), 202);
    // The documented per-order maximum, 10^15 paise; 10,000 of them are 10^19, past i64::MAX.
    for batch in 0..10 {
        let items: Vec<Value> = (0..1000).map(|i| order(&format!("O{batch}-{i}"), "C1", "10000000000000")).collect();
        let r = app.post_json("/api/v1/orders/batch", &app.key, &json!({ "items": items })).await;
        assert_eq!(r.status(), 202);
    }
    app.drain().await;
    let c = app.get_json("/api/v1/customers/C1").await;
    assert_eq!(c["order_count"], 10_000, "every accepted order is stored");
    assert_eq!(c["total_spend_minor"], TOTAL_CAP);
    assert_eq!(c["total_spend"], "10000000000000000.00");
    let page = app.get_json("/api/v1/customers").await;
    assert_eq!(page["items"][0]["total_spend_minor"], TOTAL_CAP);
    let dashboard = app.get_json("/api/v1/dashboard").await;
    assert_eq!((dashboard["orders"].as_i64(), dashboard["revenue_minor"].as_i64()), (Some(10_000), Some(TOTAL_CAP)));
    for field in ["total_spend", "spend_last_365_days"] {
        let rule = json!({"combinator": "and", "rules": [{"field": field, "operator": ">", "value": "1"}]});
        let r = app.post_json("/api/v1/segments/preview", &app.key, &json!({ "rule": rule })).await;
        assert_eq!(r.status(), 200, "{field}");
        let preview: Value = r.json().await.unwrap();
        assert_eq!(preview["count"], 1, "{field}");
    }
}

async fn trailing_data_after_the_json_body_is_refused(mode: Mode) {
    let Some(app) = TestApp::spawn(mode).await else { return };
    let one = order("O1", "C1", "10.00").to_string();
    for body in [format!("{one}{}", order("O2", "C1", "20.00")), format!("{one} x"), format!("{one}]")] {
        let r = app.post_raw("/api/v1/orders", Some(&app.key), "application/json", body.into_bytes()).await;
        assert_eq!(r.status(), 400);
        let p = problem(r).await;
        assert!(p["detail"].as_str().unwrap().contains("nothing after it"), "{p}");
    }
    // White space after the value is still fine.
    let r = app.post_raw("/api/v1/orders", Some(&app.key), "application/json", format!("{one} \n").into_bytes()).await;
    assert_eq!(r.status(), 202);
    assert_eq!(app.drain().await, 1, "only the well-formed request was queued");
    assert_eq!(app.get_json("/api/v1/customers/C1").await["order_count"], 1);
}

async fn an_unreadable_workspace_header_is_refused(mode: Mode) {
    let Some(app) = TestApp::spawn(mode).await else { return };
    let who = app.admin_user("default", "asha@brand.in", converge_domain::Role::Owner).await;
    let request = |value: HeaderValue| {
        app.client
            .get(app.url("/api/v1/customers"))
            .header("cookie", &who.cookie)
            .header("x-converge-workspace", value)
            .send()
    };
    // "défault" in UTF-8, and a Latin-1 byte: neither may fall back to her first workspace.
    for raw in [&b"d\xc3\xa9fault"[..], &b"default\xff"[..]] {
        let r = request(HeaderValue::from_bytes(raw).unwrap()).await.unwrap();
        assert_eq!(r.status(), 400, "{raw:?}");
        let p = problem(r).await;
        assert!(p["detail"].as_str().unwrap().contains("x-converge-workspace"), "{p}");
    }
    assert_eq!(request(HeaderValue::from_static("default")).await.unwrap().status(), 200);
}

async fn nul_characters_are_refused_naming_the_field(mode: Mode) {
    let Some(app) = TestApp::spawn(mode).await else { return };
    seed(&app).await;
    let get = |path: &'static str| app.client.get(app.url(path)).bearer_auth(&app.key).send();
    let mut campaign = campaign_body("NUL");
    campaign["template"] = json!("Hi \u{0} there");
    let rule =
        json!({"combinator": "and", "rules": [{"field": "attributes.ti\u{0}er", "operator": "=", "value": "x"}]});
    let vendor = json!({"kind": "vendor", "base_url": "http://127.0.0.1:9090", "api_key": "k_vendor"});
    let smtp = json!({"sms": vendor, "whatsapp": vendor, "email": {"kind": "smtp", "host": "127.0.0.1",
        "port": 2525, "tls": "none", "username": "mailer", "password": "s3cret\u{0}",
        "from_address": "offers@brand.example", "from_name": "Brand"}});
    let mut with_attribute = customer("C9");
    with_attribute["attributes"] = json!({"ti\u{0}er": "gold"});
    let cases = vec![
        ("search", get("/api/v1/customers?search=a%00b").await.unwrap()),
        ("external_id", get("/api/v1/customers/C%001").await.unwrap()),
        ("external_id", get("/api/v1/customers/C%001/messages").await.unwrap()),
        (
            "email",
            app.client
                .post(app.url("/api/v1/auth/login"))
                .json(&json!({"email": "a\u{0}@brand.in", "password": "correct horse battery staple"}))
                .send()
                .await
                .unwrap(),
        ),
        ("template", app.post_json("/api/v1/campaigns", &app.key, &campaign).await),
        ("rule.rules[0].field", app.post_json("/api/v1/segments/preview", &app.key, &json!({ "rule": rule })).await),
        (
            "email.password",
            app.client
                .put(app.url("/api/v1/settings/channels"))
                .bearer_auth(&app.key)
                .json(&smtp)
                .send()
                .await
                .unwrap(),
        ),
        ("attributes", app.post_json("/api/v1/customers", &app.key, &with_attribute).await),
    ];
    for (field, response) in cases {
        assert_eq!(response.status(), 422, "{field}");
        assert_eq!(fields(&problem(response).await), [field]);
    }
    assert_eq!(app.drain().await, 0, "nothing with a NUL was queued");
    assert_eq!(campaign_ids(&app).await, Vec::<i64>::new());
}

async fn attribute_merges_never_keep_more_than_fifty_keys(mode: Mode) {
    let Some(app) = TestApp::spawn(mode).await else { return };
    for prefix in ["a", "b", "c"] {
        let attributes: Map<String, Value> = (0..50).map(|i| (format!("{prefix}{i}"), json!(i))).collect();
        let body = json!({"external_id": "C1", "city": format!("City {prefix}"), "attributes": attributes});
        assert_eq!(app.post_json("/api/v1/customers", &app.key, &body).await.status(), 202);
        app.drain().await;
    }
    let c = app.get_json("/api/v1/customers/C1").await;
    let attributes = c["attributes"].as_object().unwrap();
    assert_eq!(attributes.len(), 50, "three upserts of 50 keys used to leave 150");
    assert!(attributes.contains_key("a0") && !attributes.contains_key("c0"));
    assert_eq!(c["city"], "City c", "the rest of a refused merge still applies");
}

async fn an_idempotency_key_reused_with_another_body_is_refused(mode: Mode) {
    let Some(app) = TestApp::spawn(mode).await else { return };
    seed(&app).await;
    let send = |body: &Value| {
        app.client
            .post(app.url("/api/v1/campaigns"))
            .bearer_auth(&app.key)
            .header("Idempotency-Key", "launch-1")
            .json(body)
            .send()
    };
    let first = send(&campaign_body("Once")).await.unwrap();
    assert_eq!(first.status(), 201);
    let first: Value = first.json().await.unwrap();
    let other = send(&campaign_body("Something else")).await.unwrap();
    assert_eq!(other.status(), 422);
    let p = problem(other).await;
    assert_eq!(fields(&p), ["idempotency_key"]);
    // The same body (key order and spacing aside) still replays.
    let again = send(&campaign_body("Once")).await.unwrap();
    assert_eq!(again.status(), 200);
    assert_eq!(again.json::<Value>().await.unwrap()["id"], first["id"]);
    assert_eq!(campaign_ids(&app).await, [first["id"].as_i64().unwrap()]);
}
