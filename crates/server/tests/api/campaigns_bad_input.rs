//! Campaign creation refuses bad input with a 422 naming each field, and leaves nothing behind; scopes.

use chrono::Utc;
use converge_domain::CampaignId;
use serde_json::{json, Value};

use super::campaigns::{body, campaign_ids, city_rule, create, seed};
use crate::both_modes;
use crate::helpers::{fields, problem, Mode, TestApp};

both_modes!(bad_campaigns_are_refused_and_leave_nothing, campaign_routes_need_a_key_with_the_scope);

/// `body("Bad")` with `changes` applied (a null value removes the key).
fn with(changes: Value) -> Value {
    let mut body = body("Bad");
    for (key, value) in changes.as_object().unwrap() {
        if value.is_null() {
            body.as_object_mut().unwrap().remove(key);
        } else {
            body[key] = value.clone();
        }
    }
    body
}

async fn bad_campaigns_are_refused_and_leave_nothing(mode: Mode) {
    let Some(app) = TestApp::spawn(mode).await else { return };
    seed(&app).await;
    let kept = create(&app, &body("Kept")).await["id"].as_i64().unwrap();
    let segment = |name: &str, city: &str| json!({"name": name, "rule": city_rule(city)});
    let nobody: Value =
        app.post_json("/api/v1/segments", &app.key, &segment("Nobody", "Atlantis")).await.json().await.unwrap();
    let other = app.create_key("other", &["all"]).await;
    let theirs: Value = app.post_json("/api/v1/segments", &other, &segment("Pune", "Pune")).await.json().await.unwrap();
    assert!(theirs["id"].is_i64() && nobody["id"].is_i64());
    let hour = chrono::Duration::hours(1);

    let cases: Vec<(Value, &[&str], &str)> = vec![
        (with(json!({"template": "Hi {{ first_name "})), &["template"], "line 1, column"),
        (with(json!({"template": "Hi\n{{ frist_name }}"})), &["template"], "line 2, column 4"),
        (with(json!({"template": "  "})), &["template"], "required"),
        (with(json!({"template": null})), &["template"], "required"),
        (with(json!({"rule": city_rule("Atlantis")})), &["rule"], "the audience is empty: no customer matches"),
        (with(json!({"rule": null, "segment_id": nobody["id"]})), &["segment_id"], "the audience is empty"),
        (with(json!({"rule": null, "segment_id": 999_999})), &["segment_id"], "no such segment"),
        (with(json!({"rule": null, "segment_id": theirs["id"]})), &["segment_id"], "no such segment"),
        (with(json!({"segment_id": nobody["id"]})), &["segment_id"], "not both"),
        (with(json!({"rule": null})), &["rule"], "either"),
        (
            with(json!({"rule": {"combinator": "and", "rules": [{"field": "visits", "operator": ">", "value": "x"}]}})),
            &["rule.rules[0].value"],
            "",
        ),
        (with(json!({"channel": "fax"})), &["channel"], "sms, email, whatsapp, preferred"),
        (with(json!({"channel": null})), &["channel"], "required"),
        (with(json!({"send_at": "tomorrow"})), &["send_at"], "RFC 3339"),
        (with(json!({"send_at": (Utc::now() - hour).to_rfc3339()})), &["send_at"], "is in the past"),
        (with(json!({"send_at": (Utc::now() + hour * 24 * 400).to_rfc3339()})), &["send_at"], "366 days"),
        (with(json!({"name": null})), &["name"], "required"),
        (with(json!({"name": "   "})), &["name"], "required"),
        (with(json!({"name": "x".repeat(201)})), &["name"], "200"),
        (with(json!({"name": 42})), &["name"], ""),
        (with(json!({"idempotency_key": "k".repeat(201)})), &["idempotency_key"], "200"),
        (with(json!({"colour": "red"})), &["colour"], "unknown field"),
        (with(json!({"name": null, "channel": "fax", "send_at": "soon"})), &["name", "channel", "send_at"], ""),
    ];
    for (body, expected, needle) in cases {
        let response = app.post_json("/api/v1/campaigns", &app.key, &body).await;
        assert_eq!(response.status(), 422, "{body}");
        let problem = problem(response).await;
        assert_eq!(fields(&problem), expected, "{body}: {problem}");
        assert!(problem["errors"][0]["message"].as_str().unwrap().contains(needle), "{body}: {problem}");
        assert_eq!(campaign_ids(&app).await, [kept], "{body} left a campaign behind");
    }

    let bad_header = app
        .client
        .post(app.url("/api/v1/campaigns"))
        .bearer_auth(&app.key)
        .header("Idempotency-Key", "k".repeat(201))
        .json(&body("Bad"))
        .send()
        .await
        .unwrap();
    assert_eq!(bad_header.status(), 422);
    assert_eq!(fields(&problem(bad_header).await), ["idempotency_key"]);
    let not_json = app.post_raw("/api/v1/campaigns", Some(&app.key), "application/json", b"{\"name\":".to_vec());
    assert_eq!(not_json.await.status(), 400);
    let not_declared = app.post_raw("/api/v1/campaigns", Some(&app.key), "text/plain", b"{}".to_vec());
    assert_eq!(not_declared.await.status(), 415);
    assert_eq!(campaign_ids(&app).await, [kept]);
    let ws = app.workspace_id("default").await;
    let stats = app.state.store.campaign_log_counts(ws, CampaignId::new(kept)).await.unwrap();
    assert_eq!(stats.audience, 3, "only the kept campaign has messages");
}

async fn campaign_routes_need_a_key_with_the_scope(mode: Mode) {
    let Some(app) = TestApp::spawn(mode).await else { return };
    seed(&app).await;
    let id = create(&app, &body("Scoped")).await["id"].as_i64().unwrap();
    let ingest = app.create_key("default", &["ingest"]).await;
    let read = app.create_key("default", &["read"]).await;
    let campaigns = app.create_key("default", &["campaigns"]).await;

    let anonymous = app.client.post(app.url("/api/v1/campaigns")).json(&body("Anon")).send().await.unwrap();
    assert_eq!(anonymous.status(), 401);
    assert_eq!(problem(anonymous).await["status"], 401);
    assert_eq!(app.client.get(app.url("/api/v1/campaigns")).send().await.unwrap().status(), 401);

    let reads = [
        "/api/v1/campaigns".to_owned(),
        format!("/api/v1/campaigns/{id}"),
        format!("/api/v1/campaigns/{id}/log"),
        format!("/api/v1/campaigns/{id}/log?format=csv"),
    ];
    for path in &reads {
        let forbidden = app.get(path, &ingest).await;
        assert_eq!(forbidden.status(), 403, "{path}");
        problem(forbidden).await;
        assert_eq!(app.get(path, &read).await.status(), 200, "{path}");
        assert_eq!(app.get(path, &campaigns).await.status(), 200, "{path}");
    }
    for key in [&ingest, &read] {
        assert_eq!(app.post_json("/api/v1/campaigns", key, &body("No")).await.status(), 403);
        let preview = json!({"template": "Hi", "channel": "sms"});
        assert_eq!(app.post_json("/api/v1/campaigns/message-preview", key, &preview).await.status(), 403);
    }
    assert_eq!(campaign_ids(&app).await, [id]);
    assert_eq!(app.post_json("/api/v1/campaigns", &campaigns, &body("Yes")).await.status(), 201);
}
