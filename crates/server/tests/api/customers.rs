//! Reading customers: search, cursor pagination, 404s.

use serde_json::json;

use crate::both_modes;
use crate::helpers::{customer, fields, problem, Mode, TestApp};

both_modes!(list_searches_and_paginates, unknown_customer_and_bad_cursor);

async fn list_searches_and_paginates(mode: Mode) {
    let Some(app) = TestApp::spawn(mode).await else { return };
    let mut items: Vec<_> = (0..45).map(|i| customer(&format!("C{i:02}"))).collect();
    items.push(json!({"external_id": "VIP-1", "name": "Zoya Khan", "email": "zoya@shop.in"}));
    app.post_json("/api/v1/customers/batch", &app.key, &json!({ "items": items })).await;
    app.drain().await;
    let mut cursor: Option<String> = None;
    let mut seen = 0;
    for _ in 0..10 {
        let path = match &cursor {
            Some(c) => format!("/api/v1/customers?limit=20&cursor={c}"),
            None => "/api/v1/customers?limit=20".to_owned(),
        };
        let page = app.get_json(&path).await;
        seen += page["items"].as_array().unwrap().len();
        match page["next_cursor"].as_str() {
            Some(next) => cursor = Some(next.to_owned()),
            None => break,
        }
    }
    assert_eq!(seen, 46);
    for search in ["zoya", "ZOYA@SHOP", "vip-"] {
        let page = app.get_json(&format!("/api/v1/customers?search={search}")).await;
        assert_eq!(page["items"].as_array().unwrap().len(), 1, "{search}");
        assert_eq!(page["items"][0]["external_id"], "VIP-1");
    }
}

async fn unknown_customer_and_bad_cursor(mode: Mode) {
    let Some(app) = TestApp::spawn(mode).await else { return };
    let missing = app.get("/api/v1/customers/NOPE", &app.key).await;
    assert_eq!(missing.status(), 404);
    assert_eq!(problem(missing).await["status"], 404);
    let bad = app.get("/api/v1/customers?cursor=%27%3B--", &app.key).await;
    assert_eq!(bad.status(), 422);
    assert_eq!(fields(&problem(bad).await), vec!["cursor"]);
    let too_big = app.get("/api/v1/customers?limit=1000", &app.key).await;
    assert_eq!(fields(&problem(too_big).await), vec!["limit"]);
}
