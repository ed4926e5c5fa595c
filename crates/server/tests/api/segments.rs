//! Audiences over HTTP: catalogue, exact previews (index and SQL agree, and follow new data), bad rules,
//! injection, workspace isolation, saved segments.

use serde_json::{json, Value};

use crate::both_modes;
use crate::helpers::{fields, problem, Mode, TestApp};

both_modes!(
    catalogue_lists_builtin_and_custom_fields,
    preview_is_exact_and_follows_new_data,
    bad_rules_are_refused_with_their_path,
    values_are_matched_literally_and_fields_rejected,
    rules_never_count_another_workspace,
    saved_segments_round_trip,
    preview_and_campaign_name_their_audience_alike,
);

/// Ten customers in Pune/Mumbai with 0..9 orders of ₹1000 each; C0 has a `tier` attribute.
async fn seed(app: &TestApp) {
    let customers: Vec<Value> = (0..10)
        .map(|i| {
            let mut c = json!({"external_id": format!("C{i}"), "name": format!("Customer {i}"),
                "city": if i % 2 == 0 { "Pune" } else { "Mumbai" }, "email": format!("c{i}@example.in")});
            if i == 0 {
                c["attributes"] = json!({"tier": "gold"});
            }
            c
        })
        .collect();
    assert_eq!(app.post_json("/api/v1/customers/batch", &app.key, &json!({ "items": customers })).await.status(), 202);
    let orders: Vec<Value> = (0..10)
        .flat_map(|i| {
            (0..i).map(move |n| {
                json!({"external_id": format!("O{i}-{n}"), "customer_external_id": format!("C{i}"),
            "amount": "1000.00", "ordered_at": "2026-05-01T10:00:00Z"})
            })
        })
        .collect();
    assert_eq!(app.post_json("/api/v1/orders/batch", &app.key, &json!({ "items": orders })).await.status(), 202);
    app.drain().await;
}

async fn preview(app: &TestApp, key: &str, rule: Value) -> reqwest::Response {
    app.client
        .post(app.url("/api/v1/segments/preview"))
        .bearer_auth(key)
        .json(&json!({ "rule": rule }))
        .send()
        .await
        .unwrap()
}

async fn count(app: &TestApp, rule: Value) -> (u64, String) {
    let r = preview(app, &app.key, rule).await;
    assert_eq!(r.status(), 200);
    let body: Value = r.json().await.unwrap();
    (body["count"].as_u64().unwrap(), body["source"].as_str().unwrap().to_owned())
}

async fn catalogue_lists_builtin_and_custom_fields(mode: Mode) {
    let Some(app) = TestApp::spawn(mode).await else { return };
    seed(&app).await;
    let body = app.get_json("/api/v1/segment-fields").await;
    let names: Vec<&str> = body["fields"].as_array().unwrap().iter().map(|f| f["name"].as_str().unwrap()).collect();
    for name in [
        "total_spend",
        "visits",
        "inactive_days",
        "last_order_at",
        "city",
        "preferred_channel",
        "spend_last_90_days",
        "attributes.tier",
    ] {
        assert!(names.contains(&name), "catalogue lacks {name}: {names:?}");
    }
    let spend = body["fields"].as_array().unwrap().iter().find(|f| f["name"] == "total_spend").unwrap();
    assert_eq!(spend["type"], "money");
    let ops: Vec<&str> = spend["operators"].as_array().unwrap().iter().map(|o| o["name"].as_str().unwrap()).collect();
    assert!(ops.contains(&"between") && ops.contains(&">"));
    assert_eq!(body["empty_and"], "everyone");
}

async fn preview_is_exact_and_follows_new_data(mode: Mode) {
    let Some(app) = TestApp::spawn(mode).await else { return };
    seed(&app).await;
    let rule = json!({"combinator": "and", "rules": [
        {"field": "total_spend", "operator": ">=", "value": 3000},
        {"combinator": "or", "rules": [
            {"field": "city", "operator": "=", "value": "PUNE"},
            {"field": "visits", "operator": ">", "value": 8}]}]});
    // C4, C6, C8 (Pune, ≥ 3 orders) and C9 (9 visits).
    let (from_sql, source) = count(&app, rule.clone()).await;
    assert_eq!((from_sql, source.as_str()), (4, "database"));
    let ws = app.workspace_id("default").await;
    app.state.audiences.load_now(&app.state.store, ws).await.unwrap();
    let (from_index, source) = count(&app, rule.clone()).await;
    assert_eq!((from_index, source.as_str()), (4, "index"));
    // New data shows up in the very next preview: C2 reaches ₹3000 and C3 moves to Pune.
    let more = json!({"items": [{"external_id": "O2-x", "customer_external_id": "C2", "amount": "1000", "ordered_at": "2026-05-02T10:00:00Z"}]});
    app.post_json("/api/v1/orders/batch", &app.key, &more).await;
    app.post_json("/api/v1/customers", &app.key, &json!({"external_id": "C3", "city": "Pune"})).await;
    app.drain().await;
    let (after, source) = count(&app, rule.clone()).await;
    assert_eq!((after, source.as_str()), (6, "index"));
    let body: Value = preview(&app, &app.key, rule).await.json().await.unwrap();
    let sample: Vec<&str> =
        body["sample"].as_array().unwrap().iter().map(|c| c["external_id"].as_str().unwrap()).collect();
    assert_eq!(sample.len(), 6);
    assert!(sample.contains(&"C3") && sample.contains(&"C9"));
    let everyone = json!({"combinator": "and", "rules": []});
    let no_one = json!({"combinator": "or", "rules": []});
    assert_eq!(count(&app, everyone).await.0, 10);
    assert_eq!(count(&app, no_one).await.0, 0);
}

fn bad_rules() -> Vec<(Value, &'static str)> {
    let c = |field: &str, op: &str, value: Value| json!({"combinator": "and", "rules": [{"field": field, "operator": op, "value": value}]});
    let mut deep = json!({"combinator": "and", "rules": []});
    for _ in 0..7 {
        deep = json!({"combinator": "and", "rules": [deep]});
    }
    let many: Vec<Value> = (0..101).map(|_| json!({"field": "visits", "operator": ">", "value": 1})).collect();
    vec![
        (c("favourite_colour", "=", json!("red")), "rule.rules[0].field"),
        (c("visits); DROP TABLE customers; --", "=", json!(1)), "rule.rules[0].field"),
        (c("visits", "like", json!(1)), "rule.rules[0].operator"),
        (c("visits", ">", json!("many")), "rule.rules[0].value"),
        (c("visits", ">", json!(1.5)), "rule.rules[0].value"),
        (c("total_spend", ">", json!("-5")), "rule.rules[0].value"),
        (c("total_spend", "between", json!([100])), "rule.rules[0].value"),
        (c("total_spend", "between", json!([500, 100])), "rule.rules[0].value"),
        (c("city", "in", json!([])), "rule.rules[0].value"),
        (c("city", ">", json!("Pune")), "rule.rules[0].operator"),
        (c("gender", "=", json!("robot")), "rule.rules[0].value"),
        (c("preferred_channel", "in", json!(["fax"])), "rule.rules[0].value[0]"),
        (c("last_order_at", ">", json!("yesterday")), "rule.rules[0].value"),
        (c("last_order_at", "withinDays", json!(-3)), "rule.rules[0].value"),
        (c("created_at", "contains", json!("2026")), "rule.rules[0].operator"),
        (c("visits", ">", json!(1e300)), "rule.rules[0].value"),
        (c("email", "contains", json!("x".repeat(501))), "rule.rules[0].value"),
        (json!({"combinator": "xor", "rules": []}), "rule.combinator"),
        (json!({"combinator": "and", "rules": [{"field": "visits", "operator": ">"}]}), "rule.rules[0].value"),
        (json!({"combinator": "and", "rules": "all"}), "rule.rules"),
        (
            json!({"combinator": "and", "rules": [{"combinator": "or", "rules": [{"field": "nope", "operator": "=", "value": 1}]}]}),
            "rule.rules[0].rules[0].field",
        ),
        (deep, "rule.rules[0].rules[0].rules[0].rules[0].rules[0].rules[0]"),
        (json!({"combinator": "and", "rules": many}), "rule"),
        (json!([1, 2]), "rule"),
    ]
}

async fn bad_rules_are_refused_with_their_path(mode: Mode) {
    let Some(app) = TestApp::spawn(mode).await else { return };
    seed(&app).await;
    let cases = bad_rules();
    assert!(cases.len() >= 20);
    for (rule, path) in cases {
        let r = preview(&app, &app.key, rule.clone()).await;
        assert_eq!(r.status(), 422, "{rule}");
        let body = problem(r).await;
        let named = fields(&body);
        assert!(named.iter().any(|f| f == path), "{rule}: expected {path}, got {named:?}");
        let save = app.post_json("/api/v1/segments", &app.key, &json!({"name": "bad", "rule": rule})).await;
        assert_eq!(save.status(), 422);
    }
    let list = app.get_json("/api/v1/segments").await;
    assert_eq!(list["items"].as_array().unwrap().len(), 0, "nothing was saved");
}

async fn values_are_matched_literally_and_fields_rejected(mode: Mode) {
    let Some(app) = TestApp::spawn(mode).await else { return };
    seed(&app).await;
    app.post_json("/api/v1/customers", &app.key, &json!({"external_id": "Q", "name": "O'Brien 100%_off \\ yes"})).await;
    app.drain().await;
    let name = |op: &str, value: &str| json!({"combinator": "and", "rules": [{"field": "name", "operator": op, "value": value}]});
    assert_eq!(count(&app, name("=", "'; DROP TABLE customers; --")).await.0, 0);
    assert_eq!(count(&app, name("contains", "%")).await.0, 1);
    assert_eq!(count(&app, name("contains", "_")).await.0, 1);
    assert_eq!(count(&app, name("contains", "\\")).await.0, 1);
    assert_eq!(count(&app, name("beginsWith", "o'brien")).await.0, 1);
    assert_eq!(count(&app, name("contains", "' OR '1'='1")).await.0, 0);
    let huge = json!({"combinator": "and", "rules": [{"field": "total_spend", "operator": "<", "value": "99999999999999999999"}]});
    assert_eq!(preview(&app, &app.key, huge).await.status(), 422);
    // The table is intact.
    assert_eq!(count(&app, json!({"combinator": "and", "rules": []})).await.0, 11);
}

async fn rules_never_count_another_workspace(mode: Mode) {
    let Some(app) = TestApp::spawn(mode).await else { return };
    seed(&app).await;
    let other = app.create_key("other", &["all"]).await;
    let everyone = json!({"combinator": "and", "rules": []});
    let body: Value = preview(&app, &other, everyone.clone()).await.json().await.unwrap();
    assert_eq!(body["count"], 0);
    let other_ws = app.workspace_id("other").await;
    app.state.audiences.load_now(&app.state.store, other_ws).await.unwrap();
    let body: Value = preview(&app, &other, everyone).await.json().await.unwrap();
    assert_eq!((body["count"].as_u64(), body["source"].as_str()), (Some(0), Some("index")));
}

async fn saved_segments_round_trip(mode: Mode) {
    let Some(app) = TestApp::spawn(mode).await else { return };
    seed(&app).await;
    let read_only = app.create_key("default", &["read"]).await;
    let rule = json!({"combinator": "and", "rules": [{"field": "city", "operator": "=", "value": "Mumbai"}]});
    let body = json!({"name": "Mumbai", "description": "Everyone in Mumbai", "rule": rule});
    assert_eq!(app.post_json("/api/v1/segments", &read_only, &body).await.status(), 403);
    let created = app.post_json("/api/v1/segments", &app.key, &body).await;
    assert_eq!(created.status(), 201);
    let created: Value = created.json().await.unwrap();
    assert_eq!(created["size"], 5);
    let id = created["id"].as_i64().unwrap();
    assert_eq!(app.post_json("/api/v1/segments", &app.key, &body).await.status(), 409);
    let one = app.get_json(&format!("/api/v1/segments/{id}")).await;
    assert_eq!(one["rule"], rule);
    let replaced = app
        .client
        .put(app.url(&format!("/api/v1/segments/{id}")))
        .bearer_auth(&app.key)
        .json(&json!({"name": "Pune", "rule": {"combinator": "and", "rules": [{"field": "city", "operator": "=", "value": "Pune"}, {"field": "visits", "operator": ">=", "value": 4}]}}))
        .send()
        .await
        .unwrap();
    assert_eq!(replaced.status(), 200);
    let replaced: Value = replaced.json().await.unwrap();
    assert_eq!((replaced["name"].as_str(), replaced["size"].as_i64()), (Some("Pune"), Some(3)));
    let by_id: Value = app
        .client
        .post(app.url("/api/v1/segments/preview"))
        .bearer_auth(&app.key)
        .json(&json!({"segment_id": id}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(by_id["count"], 3);
    let other = app.create_key("other", &["all"]).await;
    assert_eq!(app.get(&format!("/api/v1/segments/{id}"), &other).await.status(), 404);
    let list = app.get_json("/api/v1/segments").await;
    assert_eq!(list["items"].as_array().unwrap().len(), 1);
    let deleted =
        app.client.delete(app.url(&format!("/api/v1/segments/{id}"))).bearer_auth(&app.key).send().await.unwrap();
    assert_eq!(deleted.status(), 204);
    assert_eq!(app.get(&format!("/api/v1/segments/{id}"), &app.key).await.status(), 404);
}

/// Exactly one of `rule` and `segment_id`, answered alike by the preview and the campaign: both or an
/// unknown (or another workspace's) segment is a 422 on `segment_id`, neither a 422 on `rule`.
async fn preview_and_campaign_name_their_audience_alike(mode: Mode) {
    let Some(app) = TestApp::spawn(mode).await else { return };
    seed(&app).await;
    let rule = json!({"combinator": "and", "rules": [{"field": "city", "operator": "=", "value": "Pune"}]});
    let saved = app.post_json("/api/v1/segments", &app.key, &json!({"name": "Pune", "rule": rule})).await;
    assert_eq!(saved.status(), 201);
    let id = saved.json::<Value>().await.unwrap()["id"].as_i64().unwrap();
    let other = app.create_key("elsewhere", &["all"]).await;
    let theirs = app.post_json("/api/v1/segments", &other, &json!({"name": "Theirs", "rule": rule})).await;
    let theirs = theirs.json::<Value>().await.unwrap()["id"].as_i64().unwrap();
    let campaign = |audience: Value| {
        let mut body = json!({"name": "Hello", "channel": "sms", "template": "Hi {{ name }}"});
        body.as_object_mut().unwrap().extend(audience.as_object().unwrap().clone());
        body
    };
    for (audience, field) in [
        (json!({"segment_id": id, "rule": rule}), "segment_id"),
        (json!({"segment_id": id + 1000}), "segment_id"),
        (json!({"segment_id": theirs}), "segment_id"),
        (json!({}), "rule"),
    ] {
        for (path, body) in
            [("/api/v1/segments/preview", audience.clone()), ("/api/v1/campaigns", campaign(audience.clone()))]
        {
            let answer = app.post_json(path, &app.key, &body).await;
            assert_eq!(answer.status(), 422, "{path} {audience}");
            assert_eq!(fields(&problem(answer).await), vec![field.to_owned()], "{path} {audience}");
        }
    }
    let by_id = app.post_json("/api/v1/segments/preview", &app.key, &json!({"segment_id": id})).await;
    assert_eq!(by_id.json::<Value>().await.unwrap()["count"], 5);
}
