//! Saved templates through the API in both modes: starters, create/read/replace/delete, every bad field
//! named, another workspace's template invisible, and a campaign that copies a template keeps its copy.

use serde_json::{json, Value};

use crate::both_modes;
use crate::helpers::{Mode, TestApp};

both_modes!(templates_are_saved_reused_and_checked);

async fn send(app: &TestApp, method: reqwest::Method, path: &str, body: Option<&Value>) -> (u16, Value) {
    let mut request = app.client.request(method, app.url(path)).bearer_auth(&app.key);
    if let Some(body) = body {
        request = request.json(body);
    }
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

fn fields(problem: &Value) -> Vec<String> {
    problem["errors"].as_array().unwrap().iter().map(|e| e["field"].as_str().unwrap().to_owned()).collect()
}

async fn templates_are_saved_reused_and_checked(mode: Mode) {
    let Some(app) = TestApp::spawn_with_simulator(mode, 0.0).await else {
        return;
    };
    let (status, list) = send(&app, reqwest::Method::GET, "/api/v1/templates", None).await;
    assert_eq!(status, 200);
    let items = list["items"].as_array().unwrap();
    assert_eq!(items.len(), 9, "three starters per channel: {list}");
    for channel in ["sms", "email", "whatsapp"] {
        assert_eq!(items.iter().filter(|t| t["channel"] == channel && t["starter"] == true).count(), 3);
    }

    let welcome = json!({"name": "Diwali", "channel": "email", "subject": "{{ first_name }}, lights and 20% off",
        "preheader": "Until Sunday", "body": "<p>Hi {{ first_name }}</p><a href=\"{{ unsubscribe_url }}\">Unsubscribe</a>"});
    let (status, created) = send(&app, reqwest::Method::POST, "/api/v1/templates", Some(&welcome)).await;
    assert_eq!(status, 201, "{created}");
    let id = created["id"].as_i64().unwrap();
    assert_eq!(
        (created["subject"].as_str(), created["starter"].as_bool()),
        (Some("{{ first_name }}, lights and 20% off"), Some(false))
    );
    let (status, _) = send(&app, reqwest::Method::POST, "/api/v1/templates", Some(&welcome)).await;
    assert_eq!(status, 409, "names are unique per workspace");

    // Every bad field is named; nothing is stored.
    for (body, field) in [
        (json!({"name": "X", "channel": "sms", "body": "Hi {{ frist_name }}"}), "body"),
        (json!({"name": "X", "channel": "email", "body": "<p>no link</p>"}), "body"),
        (json!({"name": "X", "channel": "sms", "body": "Hi", "subject": "S"}), "subject"),
        (
            json!({"name": "X", "channel": "email", "body": "{{ unsubscribe_url }}", "subject": "s".repeat(201)}),
            "subject",
        ),
        (json!({"name": "", "channel": "sms", "body": "Hi"}), "name"),
        (json!({"name": "X", "channel": "fax", "body": "Hi"}), "channel"),
    ] {
        let (status, problem) = send(&app, reqwest::Method::POST, "/api/v1/templates", Some(&body)).await;
        assert_eq!(status, 422, "{body}: {problem}");
        assert!(fields(&problem).contains(&field.to_owned()), "{field} not in {problem}");
    }
    let (_, list) = send(&app, reqwest::Method::GET, "/api/v1/templates", None).await;
    assert_eq!(list["items"].as_array().unwrap().len(), 10);

    // A campaign made from an SMS template copies it; editing the template later changes nothing sent.
    let sms = json!({"name": "Nudge", "channel": "sms", "body": "Hi {{ first_name }}, your cart at {{ brand }} waits"});
    let (_, nudge) = send(&app, reqwest::Method::POST, "/api/v1/templates", Some(&sms)).await;
    let nudge_id = nudge["id"].as_i64().unwrap();
    let customer = json!({"external_id": "T1", "name": "Asha Rao", "phone": "+919800000001"});
    assert_eq!(app.post_json("/api/v1/customers", &app.key, &customer).await.status(), 202);
    app.drain().await;
    let everyone = json!({"combinator": "and", "rules": []});
    let campaign = json!({"name": "From a template", "rule": everyone, "template_id": nudge_id});
    let (status, made) = send(&app, reqwest::Method::POST, "/api/v1/campaigns", Some(&campaign)).await;
    assert_eq!(status, 201, "{made}");
    assert_eq!((made["channel"].as_str(), made["template"].as_str()), (Some("sms"), sms["body"].as_str()), "{made}");
    let edited = json!({"name": "Nudge", "channel": "sms", "body": "Changed"});
    let (status, replaced) =
        send(&app, reqwest::Method::PUT, &format!("/api/v1/templates/{nudge_id}"), Some(&edited)).await;
    assert_eq!((status, replaced["body"].as_str()), (200, Some("Changed")));
    let (_, kept) = send(&app, reqwest::Method::GET, &format!("/api/v1/campaigns/{}", made["id"]), None).await;
    assert_eq!(kept["template"], sms["body"], "the campaign kept its copy");
    for (body, field) in [
        (json!({"name": "Both", "rule": everyone, "template_id": nudge_id, "template": "Hi"}), "template_id"),
        (
            json!({"name": "Other channel", "rule": everyone, "template_id": nudge_id, "channel": "email"}),
            "template_id",
        ),
        (json!({"name": "Missing", "rule": everyone, "template_id": 999_999}), "template_id"),
    ] {
        let (status, problem) = send(&app, reqwest::Method::POST, "/api/v1/campaigns", Some(&body)).await;
        assert_eq!(status, 422, "{body}: {problem}");
        assert!(fields(&problem).contains(&field.to_owned()), "{field} not in {problem}");
    }

    // An e-mail campaign from the e-mail template takes its subject (rendered per recipient) and preheader.
    let reader = json!({"external_id": "T2", "name": "Kabir Das", "email": "kabir@example.in"});
    assert_eq!(app.post_json("/api/v1/customers", &app.key, &reader).await.status(), 202);
    app.drain().await;
    let only_kabir =
        json!({"combinator": "and", "rules": [{"field": "email", "operator": "=", "value": "kabir@example.in"}]});
    let mail = json!({"name": "Diwali mail", "rule": only_kabir, "template_id": id});
    let (status, mail) = send(&app, reqwest::Method::POST, "/api/v1/campaigns", Some(&mail)).await;
    assert_eq!(status, 201, "{mail}");
    assert_eq!(
        (mail["subject"].as_str(), mail["preheader"].as_str()),
        (Some("{{ first_name }}, lights and 20% off"), Some("Until Sunday"))
    );
    let dispatcher = converge_server::startup::dispatcher(&app.state, "templates-test");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    let mut entry = None;
    while entry.is_none() && std::time::Instant::now() < deadline {
        dispatcher.step().await.unwrap();
        entry = app.simulator_ledger().await.into_iter().find(|e| e["to"] == "kabir@example.in");
    }
    let entry = entry.expect("the e-mail reached the vendor");
    assert_eq!(entry["subject"], "Kabir, lights and 20% off");
    assert!(entry["body"].as_str().unwrap().starts_with("<div style=\"display:none"), "the preheader leads: {entry}");
    assert!(entry["body"].as_str().unwrap().contains("Until Sunday"));
    for (body, field) in [
        (json!({"name": "S", "channel": "sms", "rule": everyone, "template": "Hi", "subject": "Hello"}), "subject"),
        (
            json!({"name": "S", "channel": "email", "rule": everyone, "template": "{{ unsubscribe_url }}", "subject": "s".repeat(201)}),
            "subject",
        ),
        (
            json!({"name": "S", "channel": "email", "rule": everyone, "template": "{{ unsubscribe_url }}", "preheader": "p".repeat(151)}),
            "preheader",
        ),
    ] {
        let (status, problem) = send(&app, reqwest::Method::POST, "/api/v1/campaigns", Some(&body)).await;
        assert_eq!(status, 422, "{body}: {problem}");
        assert!(fields(&problem).contains(&field.to_owned()), "{field} not in {problem}");
    }

    // Another workspace sees, changes and deletes nothing of ours.
    let other = app.create_key("other-tpl", &["all"]).await;
    let foreign = app.client.get(app.url(&format!("/api/v1/templates/{id}"))).bearer_auth(&other).send().await.unwrap();
    assert_eq!(foreign.status(), 404);
    let foreign_list: Value =
        app.client.get(app.url("/api/v1/templates")).bearer_auth(&other).send().await.unwrap().json().await.unwrap();
    assert!(foreign_list["items"].as_array().unwrap().iter().all(|t| t["starter"] == true), "only its own starters");
    let gone = app.client.delete(app.url(&format!("/api/v1/templates/{id}"))).bearer_auth(&other).send().await.unwrap();
    assert_eq!(gone.status(), 404);
    let (status, _) = send(&app, reqwest::Method::DELETE, &format!("/api/v1/templates/{id}"), None).await;
    assert_eq!(status, 204);
    let (status, _) = send(&app, reqwest::Method::GET, &format!("/api/v1/templates/{id}"), None).await;
    assert_eq!(status, 404);
}
