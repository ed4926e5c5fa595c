//! The customer list for people: search by phone and city too, a total, sorting by spend, last order and
//! name with pages that neither repeat nor skip, and the list or an audience exported as CSV or JSON Lines.

use serde_json::{json, Value};

use crate::both_modes;
use crate::helpers::{fields, order, problem, Mode, TestApp};

both_modes!(
    search_reaches_phones_and_cities_and_counts,
    sorted_pages_cover_everyone_once,
    the_list_and_an_audience_export_as_csv_and_jsonl,
);

async fn seed(app: &TestApp) {
    let customers = json!({"items": [
        {"external_id": "A", "name": "Asha Rao", "city": "Pune", "phone": "+919812345601", "email": "asha@example.in"},
        {"external_id": "B", "name": "=cmd|' /C calc'!A0", "city": "Mumbai", "phone": "+919812345602"},
        {"external_id": "C", "name": "Chitra", "city": "Pune", "phone": "+447700900123"},
        {"external_id": "D", "name": "dev", "city": "Goa"},
        {"external_id": "E", "city": "Delhi"},
    ]});
    assert_eq!(app.post_json("/api/v1/customers/batch", &app.key, &customers).await.status(), 202);
    let orders = json!({"items": [order("o1", "A", "100.00"), order("o2", "C", "900.00"), order("o3", "D", "50.00")]});
    assert_eq!(app.post_json("/api/v1/orders/batch", &app.key, &orders).await.status(), 202);
    app.drain().await;
}

fn ids(page: &Value) -> Vec<String> {
    page["items"].as_array().unwrap().iter().map(|c| c["external_id"].as_str().unwrap().to_owned()).collect()
}

async fn search_reaches_phones_and_cities_and_counts(mode: Mode) {
    let Some(app) = TestApp::spawn(mode).await else { return };
    seed(&app).await;
    let list = |query: &str| {
        let path = format!("/api/v1/customers?{query}");
        let app = &app;
        async move { app.get_json(&path).await }
    };
    let all = list("").await;
    assert_eq!(all["total"], 5);
    // A number as people write it finds the stored E.164 phone.
    let found = list("search=98123%2045602").await;
    assert_eq!((ids(&found), found["total"].clone()), (vec!["B".to_owned()], json!(1)));
    assert_eq!(ids(&list("search=%2B44%207700").await), ["C"]);
    // A city, case-insensitively.
    let pune = list("search=pune").await;
    assert_eq!((ids(&pune), pune["total"].clone()), (vec!["C".to_owned(), "A".to_owned()], json!(2)));
    // Digits that are not a phone's do not match everyone: "12" is too short to be read as a number.
    assert_eq!(list("search=12").await["total"], 0);
}

async fn sorted_pages_cover_everyone_once(mode: Mode) {
    let Some(app) = TestApp::spawn(mode).await else { return };
    seed(&app).await;
    for (sort, expected) in [
        ("spend", vec!["C", "A", "D", "E", "B"]),
        ("last_order", vec![]),
        ("name", vec!["B", "A", "C", "D", "E"]),
        ("newest", vec!["E", "D", "C", "B", "A"]),
    ] {
        let mut seen = Vec::new();
        let mut cursor: Option<String> = None;
        for _ in 0..10 {
            let query = match &cursor {
                Some(c) => format!("/api/v1/customers?sort={sort}&limit=2&cursor={c}"),
                None => format!("/api/v1/customers?sort={sort}&limit=2"),
            };
            let page = app.get_json(&query).await;
            assert_eq!(page["total"].is_null(), cursor.is_some(), "the total is on the first page only");
            seen.extend(ids(&page));
            match page["next_cursor"].as_str() {
                Some(next) => cursor = Some(next.to_owned()),
                None => break,
            }
        }
        let mut unique = seen.clone();
        unique.sort();
        unique.dedup();
        assert_eq!(unique.len(), 5, "{sort}: {seen:?}");
        if !expected.is_empty() {
            assert_eq!(seen, expected, "{sort}");
        } else {
            // Most recent order first: the three with orders, then the two without.
            assert!(seen[3..].iter().all(|id| id == "B" || id == "E"), "{seen:?}");
        }
    }
    // A cursor of one order is refused for another.
    let page = app.get_json("/api/v1/customers?sort=spend&limit=2").await;
    let other = app
        .get(&format!("/api/v1/customers?sort=newest&cursor={}", page["next_cursor"].as_str().unwrap()), &app.key)
        .await;
    assert_eq!(other.status(), 422);
    assert_eq!(fields(&problem(other).await), ["cursor"]);
    let bad = app.get("/api/v1/customers?sort=random", &app.key).await;
    assert_eq!(bad.status(), 422);
    assert_eq!(fields(&problem(bad).await), ["sort"]);
}

async fn the_list_and_an_audience_export_as_csv_and_jsonl(mode: Mode) {
    let Some(app) = TestApp::spawn(mode).await else { return };
    seed(&app).await;
    let text = |path: String| {
        let app = &app;
        async move {
            let response = app.get(&path, &app.key).await;
            assert_eq!(response.status(), 200, "{path}");
            let kind = response.headers()["content-type"].to_str().unwrap().to_owned();
            (kind, response.text().await.unwrap())
        }
    };
    // The whole list, newest first, with a header row; formulas defused, money in the workspace currency.
    let (kind, csv) = text("/api/v1/customers/export".into()).await;
    assert!(kind.starts_with("text/csv"), "{kind}");
    let lines: Vec<&str> = csv.split("\r\n").filter(|l| !l.is_empty()).collect();
    assert_eq!(lines.len(), 6, "{csv}");
    assert!(lines[0].starts_with("external_id,name,email,phone,city"), "{}", lines[0]);
    let b = lines.iter().find(|l| l.starts_with("B,")).unwrap();
    assert!(b.starts_with("B,'=cmd|' /C calc'!A0,,+919812345602,Mumbai"), "{b}");
    let c = lines.iter().find(|l| l.starts_with("C,")).unwrap();
    assert!(c.contains(",900.00,INR,1,"), "{c}");
    // The searched list.
    let (_, csv) = text("/api/v1/customers/export?search=pune".into()).await;
    assert_eq!(csv.split("\r\n").filter(|l| !l.is_empty()).count(), 3);
    // An audience, by rule, as JSON Lines: exactly who the preview counts.
    let rule = json!({"combinator": "and", "rules": [{"field": "total_spend", "operator": ">", "value": 75}]});
    let preview = app.post_json("/api/v1/segments/preview", &app.key, &json!({"rule": rule})).await;
    let count = preview.json::<Value>().await.unwrap()["count"].as_u64().unwrap();
    let encoded: String = url_encode(&rule.to_string());
    let (kind, jsonl) = text(format!("/api/v1/customers/export?format=jsonl&rule={encoded}")).await;
    assert!(kind.starts_with("application/x-ndjson"), "{kind}");
    let rows: Vec<Value> = jsonl.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(rows.len() as u64, count);
    let mut got: Vec<&str> = rows.iter().map(|r| r["external_id"].as_str().unwrap()).collect();
    got.sort();
    assert_eq!(got, ["A", "C"]);
    // Bad input names the field.
    for (query, field) in [
        ("format=xml", "format"),
        ("rule=%7Bnot", "rule"),
        ("segment_id=999999", "segment_id"),
        ("rule=%7B%7D&search=x", "search"),
    ] {
        let response = app.get(&format!("/api/v1/customers/export?{query}"), &app.key).await;
        assert_eq!(response.status(), 422, "{query}");
        assert!(fields(&problem(response).await).iter().any(|f| f.starts_with(field)), "{query}");
    }
    // Another workspace's key exports its own (empty) list, never these.
    let stranger = app.create_key("other-ws", &["read"]).await;
    let response = app.get("/api/v1/customers/export", &stranger).await;
    assert_eq!(response.text().await.unwrap().split("\r\n").filter(|l| !l.is_empty()).count(), 1);
}

fn url_encode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}
