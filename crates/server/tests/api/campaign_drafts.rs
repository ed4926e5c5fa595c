//! Drafts over HTTP: save with `"status": "draft"`, edit with PATCH, duplicate, launch now or later; edits of
//! a running campaign and incomplete launches refused naming the field, with nothing changed.

use serde_json::{json, Value};

use crate::both_modes;
use crate::campaigns::{body, city_rule, seed};
use crate::helpers::{fields, problem, Mode, TestApp};

both_modes!(
    a_draft_is_saved_edited_duplicated_and_launched,
    a_scheduled_campaign_is_edited_and_brought_forward,
    bad_edits_and_launches_name_the_field_and_change_nothing,
);

async fn campaign(app: &TestApp, id: i64) -> Value {
    app.get_json(&format!("/api/v1/campaigns/{id}")).await
}

async fn patch(app: &TestApp, id: i64, body: &Value) -> reqwest::Response {
    app.patch_json(&format!("/api/v1/campaigns/{id}"), &app.key, body).await
}

async fn launch(app: &TestApp, id: i64, body: &Value) -> reqwest::Response {
    app.post_json(&format!("/api/v1/campaigns/{id}/launch"), &app.key, body).await
}

async fn draft(app: &TestApp, body: &Value) -> Value {
    let response = app.post_json("/api/v1/campaigns", &app.key, body).await;
    assert_eq!(response.status(), 201, "draft {body}");
    response.json().await.unwrap()
}

async fn a_draft_is_saved_edited_duplicated_and_launched(mode: Mode) {
    let Some(app) = TestApp::spawn(mode).await else { return };
    seed(&app).await;
    // Only a name and a channel: no audience, a half-typed template kept as typed.
    let saved =
        draft(&app, &json!({"name": "Diwali", "channel": "sms", "status": "draft", "template": "Hi {{ first_"})).await;
    let id = saved["id"].as_i64().unwrap();
    assert_eq!((saved["status"].as_str(), saved["audience"].as_i64()), (Some("draft"), Some(0)));
    assert_eq!((saved["rule"].clone(), saved["template"].as_str()), (Value::Null, Some("Hi {{ first_")));
    // Launching it now names what is missing.
    let response = launch(&app, id, &json!({})).await;
    assert_eq!(response.status(), 422);
    assert_eq!(fields(&problem(response).await), ["rule"]);
    // Edited: the audience and a finished template; still a draft, nobody snapshotted.
    let response =
        patch(&app, id, &json!({"rule": city_rule("Pune"), "template": "Hi {{ first_name }}, {{ brand }} misses you"}))
            .await;
    assert_eq!(response.status(), 200);
    let edited: Value = response.json().await.unwrap();
    assert_eq!((edited["status"].as_str(), edited["stats"]["audience"].as_i64()), (Some("draft"), Some(0)));
    assert_eq!(edited["rule"], city_rule("Pune"));
    assert_eq!(edited["name"], "Diwali");
    let log = app.get_json(&format!("/api/v1/campaigns/{id}/log")).await;
    assert_eq!(log["items"].as_array().map(Vec::len), Some(0), "{log}");
    // Duplicated: a new draft with the same message and audience.
    let response = app.post_json(&format!("/api/v1/campaigns/{id}/duplicate"), &app.key, &json!({})).await;
    assert_eq!(response.status(), 201);
    let copy: Value = response.json().await.unwrap();
    assert_eq!((copy["name"].as_str(), copy["status"].as_str()), (Some("Diwali (copy)"), Some("draft")));
    assert_eq!((copy["template"].clone(), copy["rule"].clone()), (edited["template"].clone(), city_rule("Pune")));
    assert_ne!(copy["id"], saved["id"]);
    // Launched for later: scheduled with Pune's three snapshotted.
    let later = (chrono::Utc::now() + chrono::Duration::hours(2)).to_rfc3339();
    let response = launch(&app, id, &json!({"send_at": later})).await;
    assert_eq!(response.status(), 200);
    let scheduled: Value = response.json().await.unwrap();
    assert_eq!((scheduled["status"].as_str(), scheduled["stats"]["audience"].as_i64()), (Some("scheduled"), Some(3)));
    // Launching again is a conflict on a scheduled campaign only if it is not a draft: it brings it forward.
    let copy_id = copy["id"].as_i64().unwrap();
    let response = launch(&app, copy_id, &json!({})).await;
    assert_eq!(response.status(), 200);
    let running: Value = response.json().await.unwrap();
    assert_eq!((running["status"].as_str(), running["stats"]["audience"].as_i64()), (Some("running"), Some(3)));
    let response = launch(&app, copy_id, &json!({})).await;
    assert_eq!(response.status(), 409);
    assert!(problem(response).await["detail"].as_str().unwrap().contains("status"));
    // The launch is audited like a create.
    let audit = app.get_json("/api/v1/audit").await;
    let launches = audit["items"].as_array().unwrap().iter().filter(|e| e["action"] == "campaign.launch").count();
    assert_eq!(launches, 2, "{audit}");
}

async fn a_scheduled_campaign_is_edited_and_brought_forward(mode: Mode) {
    let Some(app) = TestApp::spawn(mode).await else { return };
    seed(&app).await;
    let mut create = body("Weekend");
    create["send_at"] = json!((chrono::Utc::now() + chrono::Duration::hours(3)).to_rfc3339());
    let response = app.post_json("/api/v1/campaigns", &app.key, &create).await;
    assert_eq!(response.status(), 201);
    let created: Value = response.json().await.unwrap();
    let id = created["id"].as_i64().unwrap();
    assert_eq!((created["status"].as_str(), created["audience"].as_i64()), (Some("scheduled"), Some(3)));
    // A new audience is snapshotted again (Mumbai: two), the template checked in full.
    let response = patch(&app, id, &json!({"rule": city_rule("Mumbai"), "name": "Weekend (Mumbai)"})).await;
    assert_eq!(response.status(), 200);
    let edited: Value = response.json().await.unwrap();
    assert_eq!((edited["stats"]["audience"].as_i64(), edited["name"].as_str()), (Some(2), Some("Weekend (Mumbai)")));
    let response = patch(&app, id, &json!({"template": "Hi {{ first_"})).await;
    assert_eq!(response.status(), 422);
    assert_eq!(fields(&problem(response).await), ["template"]);
    // On a saved segment whose rule changes later: renaming keeps the rule the snapshot was taken with.
    let segment =
        app.post_json("/api/v1/segments", &app.key, &json!({"name": "Pune", "rule": city_rule("Pune")})).await;
    assert_eq!(segment.status(), 201);
    let segment_id = segment.json::<Value>().await.unwrap()["id"].clone();
    let mut on_segment = json!({"name": "Segment", "segment_id": segment_id, "channel": "sms", "template": "Hi"});
    on_segment["send_at"] = create["send_at"].clone();
    let scheduled = crate::campaigns::create(&app, &on_segment).await;
    let put = app.client.put(app.url(&format!("/api/v1/segments/{segment_id}"))).bearer_auth(&app.key);
    let put = put.json(&json!({"name": "Pune", "rule": city_rule("Delhi")})).send().await.unwrap();
    assert_eq!(put.status(), 200);
    let renamed = patch(&app, scheduled["id"].as_i64().unwrap(), &json!({"name": "Segment (renamed)"})).await;
    let renamed: Value = renamed.json().await.unwrap();
    assert_eq!((renamed["rule"].clone(), renamed["stats"]["audience"].clone()), (city_rule("Pune"), json!(3)));
    // Launch without a time: now.
    let response = launch(&app, id, &json!({})).await;
    assert_eq!(response.status(), 200);
    let running: Value = response.json().await.unwrap();
    assert_eq!(running["status"], "running");
    assert_eq!(running["stats"]["audience"], 2);
}

async fn bad_edits_and_launches_name_the_field_and_change_nothing(mode: Mode) {
    let Some(app) = TestApp::spawn(mode).await else { return };
    seed(&app).await;
    let response =
        app.post_json("/api/v1/campaigns", &app.key, &json!({"name": "x", "channel": "sms", "status": "sent"})).await;
    assert_eq!(response.status(), 422);
    assert_eq!(fields(&problem(response).await), ["status"]);
    let response = app.post_json("/api/v1/campaigns", &app.key, &json!({"status": "draft"})).await;
    assert_eq!(response.status(), 422);
    assert_eq!(fields(&problem(response).await), ["name", "channel"]);
    let saved =
        draft(&app, &json!({"name": "Mail", "channel": "email", "status": "draft", "rule": city_rule("Pune")})).await;
    let id = saved["id"].as_i64().unwrap();
    let before = campaign(&app, id).await;
    for (patch_body, field) in [
        (json!({"subject": "s".repeat(201)}), "subject"),
        (json!({"channel": "fax"}), "channel"),
        (
            json!({"rule": {"combinator": "and", "rules": [{"field": "nope", "operator": "=", "value": 1}]}}),
            "rule.rules[0].field",
        ),
        (json!({"send_at": "yesterday"}), "send_at"),
        (json!({"segment_id": 999999}), "segment_id"),
        (json!({"name": ""}), "name"),
    ] {
        let response = patch(&app, id, &patch_body).await;
        assert_eq!(response.status(), 422, "{patch_body}");
        let names = fields(&problem(response).await);
        assert!(names.iter().any(|n| n.starts_with(field)), "{patch_body}: {names:?}");
    }
    let response = patch(&app, id, &json!({"status": "running"})).await;
    assert_eq!(response.status(), 422);
    assert_eq!(campaign(&app, id).await, before, "refused edits change nothing");
    // An e-mail draft without a template cannot launch; the field is named.
    let response = launch(&app, id, &json!({})).await;
    assert_eq!(response.status(), 422);
    assert_eq!(fields(&problem(response).await), ["template"]);
    // A running campaign is not edited.
    let running = crate::campaigns::create(&app, &body("Now")).await;
    let running_id = running["id"].as_i64().unwrap();
    assert_eq!(running["status"], "running");
    let response = patch(&app, running_id, &json!({"name": "Sneaky"})).await;
    assert_eq!(response.status(), 409);
    assert!(problem(response).await["detail"].as_str().unwrap().starts_with("status:"));
    assert_eq!(campaign(&app, running_id).await["name"], "Now");
    // Another workspace's key finds nothing to edit, launch or duplicate.
    let stranger = app.create_key("other-ws", &["all"]).await;
    for response in [
        app.patch_json(&format!("/api/v1/campaigns/{id}"), &stranger, &json!({"name": "Mine"})).await,
        app.post_json(&format!("/api/v1/campaigns/{id}/launch"), &stranger, &json!({})).await,
        app.post_json(&format!("/api/v1/campaigns/{id}/duplicate"), &stranger, &json!({})).await,
    ] {
        assert_eq!(response.status(), 404);
    }
    assert_eq!(campaign(&app, id).await, before);
}
