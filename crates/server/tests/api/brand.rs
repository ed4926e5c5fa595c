//! The workspace's profile end to end, in both modes: set the brand, see it in the preview and in the
//! messages the simulator received (with the sender identity carried to the vendor); the time zone is the
//! compliance settings' own; bad input names its field and changes nothing.

use std::time::{Duration, Instant};

use serde_json::{json, Value};

use crate::both_modes;
use crate::helpers::{Mode, TestApp};

both_modes!(the_brand_is_what_customers_see, bad_profile_input_changes_nothing);

async fn app(mode: Mode) -> Option<TestApp> {
    TestApp::spawn_with_simulator(mode, 0.0).await
}

async fn patch(app: &TestApp, body: &Value) -> reqwest::Response {
    app.client.patch(app.url("/api/v1/workspace")).bearer_auth(&app.key).json(body).send().await.unwrap()
}

async fn the_brand_is_what_customers_see(mode: Mode) {
    let Some(app) = app(mode).await else { return };
    let before: Value = app.get_json("/api/v1/workspace").await;
    assert_eq!((before["brand_name"].clone(), before["timezone"].clone()), (Value::Null, json!("UTC")), "{before}");

    let profile = json!({
        "brand_name": "Tanvi", "postal_address": "Tanvi Foods, 12 MG Road, Bengaluru 560001",
        "default_country": "in", "timezone": "Asia/Kolkata", "logo_url": "https://tanvi.example/logo.png",
        "email_sender": {"from_name": "Tanvi", "from_address": "hello@tanvi.example", "reply_to": "care@tanvi.example"},
        "sms_sender": {"sender_id": "TANVIF", "dlt_entity_id": "1201159100000000001", "dlt_template_id": "1207161700000000002"}
    });
    let response = patch(&app, &profile).await;
    let status = response.status();
    let saved: Value = response.json().await.unwrap();
    assert_eq!(status, 200, "{saved}");
    assert_eq!((saved["brand_name"].as_str(), saved["default_country"].as_str()), (Some("Tanvi"), Some("IN")));
    assert_eq!(saved["name"], before["name"], "the display name is left alone");
    assert_eq!(app.get_json("/api/v1/workspace").await, saved, "read back as saved");
    let compliance: Value = app.get_json("/api/v1/settings/compliance").await;
    assert_eq!(compliance["timezone"], "Asia/Kolkata", "one time zone, shared with the compliance settings");

    // The preview's example customer speaks for this brand.
    let template = "Hi {{ first_name }}, {{ brand }} misses you! {{ postal_address }}";
    let preview = app
        .post_json("/api/v1/campaigns/message-preview", &app.key, &json!({"template": template, "channel": "sms"}))
        .await;
    let preview: Value = preview.json().await.unwrap();
    let text = preview["message"].as_str().unwrap();
    assert!(text.contains("Tanvi misses you!") && text.contains("12 MG Road"), "{preview}");

    // And so do the messages the vendor receives, with the sender identity for each channel.
    let items = json!({"items": [
        {"external_id": "B1", "name": "Asha Rao", "phone": "+919800000001", "preferred_channel": "sms"},
        {"external_id": "B2", "name": "Kabir Das", "email": "kabir@example.in"}]});
    assert_eq!(app.post_json("/api/v1/customers/batch", &app.key, &items).await.status(), 202);
    app.drain().await;
    let everyone = json!({"combinator": "and", "rules": []});
    let campaign = json!({"name": "Miss you", "channel": "preferred", "rule": everyone,
        "template": "Hi {{ first_name }}, {{ brand }} misses you! {{ unsubscribe_url }}"});
    let created = app.post_json("/api/v1/campaigns", &app.key, &campaign).await;
    assert_eq!(created.status(), 201);
    let dispatcher = converge_server::startup::dispatcher(&app.state, "brand-test");
    let deadline = Instant::now() + Duration::from_secs(20);
    while dispatcher.step().await.unwrap().claimed == 0 && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let entries = app.simulator_ledger().await;
    let sms = entries.iter().find(|e| e["to"] == "+919800000001").expect("the SMS");
    assert!(sms["body"].as_str().unwrap().contains("Tanvi misses you!"), "{sms}");
    assert_eq!(
        sms["sender"],
        json!({"sender_id": "TANVIF", "dlt_entity_id": "1201159100000000001", "dlt_template_id": "1207161700000000002"})
    );
    let mail = entries.iter().find(|e| e["to"] == "kabir@example.in").expect("the e-mail");
    assert!(mail["body"].as_str().unwrap().contains("Tanvi misses you!"), "{mail}");
    assert_eq!(
        mail["sender"],
        json!({"from_name": "Tanvi", "from_address": "hello@tanvi.example", "reply_to": "care@tanvi.example"})
    );

    // Cleared, `{{ brand }}` is the display name again; renamed, it is the new name.
    let cleared: Value = patch(&app, &json!({"brand_name": null, "name": "Tanvi Foods"})).await.json().await.unwrap();
    assert_eq!((cleared["brand_name"].clone(), cleared["name"].clone()), (Value::Null, json!("Tanvi Foods")));
    let preview = app
        .post_json("/api/v1/campaigns/message-preview", &app.key, &json!({"template": "{{ brand }}", "channel": "sms"}))
        .await;
    let preview: Value = preview.json().await.unwrap();
    assert!(preview["message"].as_str().unwrap().starts_with("Tanvi Foods"), "{preview}");
}

async fn bad_profile_input_changes_nothing(mode: Mode) {
    let Some(app) = app(mode).await else { return };
    let before: Value = app.get_json("/api/v1/workspace").await;
    for (body, field) in [
        (json!({"brand_name": "x".repeat(101)}), "brand_name"),
        (json!({"name": null}), "name"),
        (json!({"timezone": "Mars/Olympus"}), "timezone"),
        (json!({"default_country": "XX"}), "default_country"),
        (json!({"logo_url": "javascript:alert(1)"}), "logo_url"),
        (json!({"email_sender": {"from_address": "not-an-address"}}), "email_sender.from_address"),
        (json!({"sms_sender": {"sender_id": "A"}}), "sms_sender.sender_id"),
        (json!({"sms_sender": {"dlt_entity_id": "12ab"}}), "sms_sender.dlt_entity_id"),
        (json!({"brand_name": "Fine", "colour": "red"}), "colour"),
    ] {
        let response = patch(&app, &body).await;
        let status = response.status();
        let problem: Value = response.json().await.unwrap();
        assert_eq!(status, 422, "{body}: {problem}");
        let fields: Vec<&str> =
            problem["errors"].as_array().unwrap().iter().map(|e| e["field"].as_str().unwrap()).collect();
        assert!(fields.contains(&field), "{field} not in {problem}");
    }
    assert_eq!(app.get_json("/api/v1/workspace").await, before, "nothing changed");
    let compliance: Value = app.get_json("/api/v1/settings/compliance").await;
    assert_eq!(compliance["timezone"], "UTC");
}
