//! Channel settings over HTTP: the default, storing SMTP for e-mail, secrets that never come back but survive
//! a round trip, bad documents named by path, scopes, workspace isolation, and senders rebuilt after a change.

use converge_domain::Channel;
use serde_json::{json, Value};

use crate::both_modes;
use crate::helpers::{fields, problem, Mode, TestApp};

both_modes!(
    get_shows_the_default_or_none,
    a_channel_left_on_the_default_stays_on_it,
    a_test_message_goes_through_the_configured_channel,
    smtp_for_email_round_trips_without_retyping_the_password,
    bad_documents_are_refused_with_their_paths,
    only_an_all_key_changes_settings,
    each_workspace_sees_its_own_settings,
    senders_follow_a_change_at_once,
    openapi_documents_both_methods,
    unreadable_stored_settings_can_be_replaced,
);

const PATH: &str = "/api/v1/settings/channels";

/// SMS and WhatsApp through a vendor, e-mail through a local SMTP relay with credentials.
fn smtp_settings(port: u16) -> Value {
    let vendor = json!({"kind": "vendor", "base_url": "http://127.0.0.1:9090", "api_key": "k_vendor",
        "signing_secret": "whsec-test-vendor-secret"});
    json!({
        "sms": vendor,
        "whatsapp": vendor,
        "email": {"kind": "smtp", "host": "127.0.0.1", "port": port, "tls": "none", "username": "mailer",
            "password": "s3cret-pass", "from_address": "offers@brand.example", "from_name": "Brand"}
    })
}

async fn put(app: &TestApp, key: &str, body: &Value) -> reqwest::Response {
    app.client.put(app.url(PATH)).bearer_auth(key).json(body).send().await.unwrap()
}

async fn put_ok(app: &TestApp, body: &Value) -> Value {
    let response = put(app, &app.key, body).await;
    let status = response.status();
    let answer: Value = response.json().await.unwrap();
    assert_eq!(status, 200, "{answer}");
    answer
}

/// The raw stored document of workspace `slug`, secrets and all.
async fn stored(app: &TestApp, slug: &str) -> Option<Value> {
    app.state.store.channel_settings(app.workspace_id(slug).await).await.unwrap()
}

async fn get_shows_the_default_or_none(mode: Mode) {
    let Some(app) = TestApp::spawn(mode).await else { return };
    let body = app.get_json(PATH).await;
    match mode {
        // The embedded default runs the vendor simulator: every channel through it.
        Mode::Embedded => {
            assert_eq!(body["source"], "default");
            for channel in ["sms", "whatsapp", "email"] {
                assert_eq!(body["channels"][channel]["kind"], "vendor", "{body}");
                assert_eq!(body["channels"][channel]["api_key"], "[redacted]", "{body}");
            }
        }
        Mode::Production => {
            assert_eq!(body, json!({"channels": null, "source": "none", "sources": {}, "receipt_urls": {}}))
        }
    }
}

/// Saving e-mail alone keeps SMS and WhatsApp on the server's default: stored as that choice (not a copy of
/// today's default), shown per channel, and used by the senders. Without a default there is nothing to keep.
async fn a_channel_left_on_the_default_stays_on_it(mode: Mode) {
    let Some(app) = TestApp::spawn(mode).await else { return };
    let body = json!({"sms": {"kind": "default"}, "whatsapp": {"kind": "default"},
        "email": {"kind": "smtp", "host": "127.0.0.1", "port": 2525, "tls": "none",
            "from_address": "offers@brand.example"}});
    if mode == Mode::Production {
        let response = put(&app, &app.key, &body).await;
        assert_eq!(response.status(), 422);
        assert_eq!(fields(&problem(response).await), ["sms.kind", "whatsapp.kind"]);
        assert!(stored(&app, "default").await.is_none(), "nothing stored");
        return;
    }
    let answer = put_ok(&app, &body).await;
    assert_eq!(answer["sources"], json!({"sms": "default", "whatsapp": "default", "email": "workspace"}));
    assert_eq!(answer["channels"]["sms"]["kind"], "vendor");
    let raw = stored(&app, "default").await.unwrap();
    assert_eq!((raw["sms"].clone(), raw["whatsapp"].clone()), (json!({"kind": "default"}), json!({"kind": "default"})));
    assert_eq!(raw["email"]["kind"], "smtp");
    assert_eq!(app.get_json(PATH).await["sources"], answer["sources"]);
    let ws = app.workspace_id("default").await;
    let senders = app.state.senders.for_workspace(app.state.store.as_ref(), ws).await.unwrap();
    assert_eq!(&*senders.for_channel(Channel::Sms).route, converge_channels::DEFAULT_ROUTE);
    assert!(!senders.for_channel(Channel::Email).sender.receipts_expected(), "e-mail goes by SMTP");
    // Saved again as read back (redacted secrets and all): still on the default, not detached.
    let mut again = answer["channels"].clone();
    again["sms"] = json!({"kind": "default"});
    again["whatsapp"] = json!({"kind": "default"});
    let answer = put_ok(&app, &again).await;
    assert_eq!(answer["sources"]["sms"], "default");
}

async fn smtp_for_email_round_trips_without_retyping_the_password(mode: Mode) {
    let Some(app) = TestApp::spawn(mode).await else { return };
    let answer = put_ok(&app, &smtp_settings(2525)).await;
    assert_eq!(answer["source"], "workspace");
    assert_eq!(answer["channels"]["email"]["password"], "[redacted]");

    let shown = app.get_json(PATH).await;
    assert_eq!(shown["source"], "workspace");
    assert_eq!(shown["channels"]["email"]["password"], "[redacted]");
    assert_eq!(shown["channels"]["email"]["username"], "mailer");
    assert_eq!(shown["channels"]["sms"]["api_key"], "[redacted]");
    assert!(!shown.to_string().contains("s3cret-pass") && !shown.to_string().contains("k_vendor"), "{shown}");
    let raw = stored(&app, "default").await.unwrap();
    assert_eq!(raw["email"]["password"], "s3cret-pass");
    assert_eq!(raw["sms"]["api_key"], "k_vendor");

    // What the GET showed goes back as is, with another sender name: the secrets are kept.
    let mut edited = shown["channels"].clone();
    edited["email"]["from_name"] = json!("Brand Offers");
    let answer = put_ok(&app, &edited).await;
    assert_eq!(answer["channels"]["email"]["from_name"], "Brand Offers");
    // Another port may be another service: the password is not carried there unless sent again.
    edited["email"]["port"] = json!(2526);
    let response = put(&app, &app.key, &edited).await;
    assert_eq!(response.status(), 422);
    assert_eq!(fields(&problem(response).await), ["email.password"]);
    edited["email"]["password"] = json!("s3cret-pass");
    let answer = put_ok(&app, &edited).await;
    assert_eq!(answer["channels"]["email"]["port"], 2526);
    assert_eq!(answer["channels"]["email"]["password"], "[redacted]");
    let raw = stored(&app, "default").await.unwrap();
    assert_eq!(raw["email"]["port"], 2526);
    assert_eq!(raw["email"]["password"], "s3cret-pass");
    assert_eq!(raw["sms"]["api_key"], "k_vendor");
    assert_eq!(raw["whatsapp"]["api_key"], "k_vendor");

    // A redacted secret is not carried to another server.
    let mut moved = edited.clone();
    moved["email"]["host"] = json!("localhost");
    moved["email"]["password"] = json!("[redacted]");
    let response = put(&app, &app.key, &moved).await;
    assert_eq!(response.status(), 422);
    assert_eq!(fields(&problem(response).await), ["email.password"]);
    assert_eq!(stored(&app, "default").await.unwrap(), raw);
}

/// In embedded mode a workspace without settings can start from the default: its redacted vendor key is kept.
async fn default_secrets_are_kept_from_a_round_trip(app: &TestApp) {
    let other = app.create_key("fresh", &["all"]).await;
    let response = app.get(PATH, &other).await;
    let mut channels = response.json::<Value>().await.unwrap()["channels"].clone();
    channels["email"] = smtp_settings(2525)["email"].clone();
    let response = put(app, &other, &channels).await;
    assert_eq!(response.status(), 200);
    let raw = stored(app, "fresh").await.unwrap();
    let default_key = app.state.senders.default_settings().map(|d| serde_json::to_value(d).unwrap());
    assert_eq!(raw["sms"]["api_key"], default_key.unwrap()["sms"]["api_key"]);
    assert_ne!(raw["sms"]["api_key"], "[redacted]");
}

async fn bad_documents_are_refused_with_their_paths(mode: Mode) {
    let Some(app) = TestApp::spawn(mode).await else { return };
    if mode == Mode::Embedded {
        default_secrets_are_kept_from_a_round_trip(&app).await;
    }
    // Without settings of its own, a redacted secret has only the default to keep from.
    let mut redacted = smtp_settings(2525);
    redacted["email"]["password"] = json!("[redacted]");
    redacted["sms"]["api_key"] = json!("[redacted]");
    let fresh = app.create_key("blank", &["all"]).await;
    let response = put(&app, &fresh, &redacted).await;
    assert_eq!(response.status(), 422);
    // Not the default vendor's URL (embedded) and no default at all (production): nothing to keep.
    assert_eq!(fields(&problem(response).await), ["sms.api_key", "email.password"]);
    assert_eq!(stored(&app, "blank").await, None);

    put_ok(&app, &smtp_settings(2525)).await;
    let before = stored(&app, "default").await;
    let edit = |change: &dyn Fn(&mut Value)| {
        let mut body = smtp_settings(2525);
        change(&mut body);
        body
    };
    let cases: Vec<(Value, Vec<&str>)> = vec![
        (edit(&|b| b["email"]["port"] = json!(0)), vec!["email.port"]),
        (edit(&|b| b["email"]["port"] = json!("587")), vec!["email.port"]),
        (edit(&|b| b["email"]["port"] = json!(70000)), vec!["email.port"]),
        (edit(&|b| b["sms"] = b["email"].clone()), vec!["sms.kind"]),
        (
            edit(&|b| {
                let password = b["email"]["password"].take();
                b["email"].as_object_mut().unwrap().remove("password");
                b["email"]["pasword"] = password;
            }),
            vec!["email.pasword"],
        ),
        (edit(&|b| b["whatsapp"]["base_url"] = json!("not a url")), vec!["whatsapp.base_url"]),
        (edit(&|b| b["whatsapp"]["base_url"] = json!("ftp://vendor.example")), vec!["whatsapp.base_url"]),
        (edit(&|b| _ = b["email"].as_object_mut().unwrap().remove("from_address")), vec!["email.from_address"]),
        (edit(&|b| b["email"]["from_address"] = json!("not-an-address")), vec!["email.from_address"]),
        (edit(&|b| b["email"]["tls"] = json!("maybe")), vec!["email.tls"]),
        (edit(&|b| b["email"]["host"] = json!("smtp.brand.example")), vec!["email.tls"]),
        (edit(&|b| b["sms"]["kind"] = json!("pigeon")), vec!["sms.kind"]),
        (edit(&|b| b["sms"] = json!("vendor")), vec!["sms"]),
        (edit(&|b| b["fax"] = json!({})), vec!["fax"]),
        (edit(&|b| _ = b.as_object_mut().unwrap().remove("whatsapp")), vec!["whatsapp"]),
        (
            edit(&|b| {
                b["sms"]["timeout_ms"] = json!(120_001);
                b["email"]["pool_size"] = json!(0);
            }),
            vec!["sms.timeout_ms", "email.pool_size"],
        ),
    ];
    for (body, expected) in cases {
        let response = put(&app, &app.key, &body).await;
        assert_eq!(response.status(), 422, "{body}");
        let problem = problem(response).await;
        assert_eq!(fields(&problem), expected, "{body} -> {problem}");
        assert!(!problem.to_string().contains("s3cret-pass"), "{problem}");
        assert_eq!(stored(&app, "default").await, before, "{body} changed the stored settings");
    }

    let response = app.client.put(app.url(PATH)).bearer_auth(&app.key).header("content-type", "application/json");
    assert_eq!(response.body("{\"sms\":").send().await.unwrap().status(), 400);
    assert_eq!(stored(&app, "default").await, before);
}

async fn only_an_all_key_changes_settings(mode: Mode) {
    let Some(app) = TestApp::spawn(mode).await else { return };
    let body = smtp_settings(2525);
    for scopes in [&["read"][..], &["campaigns"], &["ingest", "read", "campaigns"]] {
        let key = app.create_key("default", scopes).await;
        assert_eq!(put(&app, &key, &body).await.status(), 403, "{scopes:?}");
    }
    for scopes in [&["read"][..], &["ingest"]] {
        let key = app.create_key("default", scopes).await;
        assert_eq!(app.get(PATH, &key).await.status(), 403, "{scopes:?}");
    }
    let campaigns = app.create_key("default", &["campaigns"]).await;
    assert_eq!(app.get(PATH, &campaigns).await.status(), 200);

    let anonymous = app.client.put(app.url(PATH)).json(&body).send().await.unwrap();
    assert_eq!(anonymous.status(), 401);
    assert_eq!(app.client.get(app.url(PATH)).send().await.unwrap().status(), 401);
    assert_eq!(stored(&app, "default").await, None);
}

async fn each_workspace_sees_its_own_settings(mode: Mode) {
    let Some(app) = TestApp::spawn(mode).await else { return };
    let acme = app.create_key("acme", &["all"]).await;
    put_ok(&app, &smtp_settings(2525)).await;

    let theirs: Value = app.get(PATH, &acme).await.json().await.unwrap();
    let expected_source = if mode == Mode::Embedded { "default" } else { "none" };
    assert_eq!(theirs["source"], expected_source, "{theirs}");

    let response = put(&app, &acme, &smtp_settings(4025)).await;
    assert_eq!(response.status(), 200);
    let theirs: Value = app.get(PATH, &acme).await.json().await.unwrap();
    assert_eq!(
        (theirs["source"].as_str(), theirs["channels"]["email"]["port"].as_u64()),
        (Some("workspace"), Some(4025))
    );
    let ours = app.get_json(PATH).await;
    assert_eq!(ours["channels"]["email"]["port"], 2525);
    assert_eq!(stored(&app, "default").await.unwrap()["email"]["port"], 2525);
}

async fn senders_follow_a_change_at_once(mode: Mode) {
    let Some(app) = TestApp::spawn(mode).await else { return };
    let ws = app.workspace_id("default").await;
    let senders = &app.state.senders;
    // Build (and cache) the senders before the change; production mode has no default to build from.
    match mode {
        Mode::Embedded => {
            let before = senders.for_workspace(app.state.store.as_ref(), ws).await.unwrap();
            assert!(before.for_channel(Channel::Email).sender.receipts_expected());
        }
        Mode::Production => assert!(senders.for_workspace(app.state.store.as_ref(), ws).await.is_err()),
    }
    put_ok(&app, &smtp_settings(2525)).await;
    let after = senders.for_workspace(app.state.store.as_ref(), ws).await.unwrap();
    assert!(!after.for_channel(Channel::Email).sender.receipts_expected(), "e-mail goes by SMTP: no receipts");
    assert!(after.for_channel(Channel::Sms).sender.receipts_expected());
    assert!(after.for_channel(Channel::Whatsapp).sender.receipts_expected());
}

async fn openapi_documents_both_methods(mode: Mode) {
    let Some(app) = TestApp::spawn(mode).await else { return };
    let spec: Value = app.client.get(app.url("/api/openapi.json")).send().await.unwrap().json().await.unwrap();
    let route = &spec["paths"][PATH];
    assert_eq!(route["get"]["tags"], json!(["settings"]), "{route}");
    let statuses = |method: &str| -> Vec<String> {
        route[method]["responses"].as_object().map(|r| r.keys().cloned().collect()).unwrap_or_default()
    };
    // 400 (an unreadable workspace header) and 429 (the caller's rate limit) apply to every signed-in call,
    // 414 and 431 (an oversized request head) to every call.
    assert_eq!(statuses("get"), ["200", "400", "401", "403", "414", "429", "431"]);
    assert_eq!(statuses("put"), ["200", "400", "401", "403", "413", "414", "415", "422", "429", "431"]);
    assert_eq!(route["put"]["requestBody"]["content"]["application/json"]["schema"]["type"], "object", "{route}");
    let view = &spec["components"]["schemas"]["ChannelSettingsView"];
    assert!(view["properties"]["source"].is_object(), "{view}");
}

async fn unreadable_stored_settings_can_be_replaced(mode: Mode) {
    let Some(app) = TestApp::spawn(mode).await else { return };
    let ws = app.workspace_id("default").await;
    let broken = json!({"sms": {"kind": "vendor", "base_url": "http://127.0.0.1:9090", "api_key": 42}});
    app.state.store.put_channel_settings(ws, &broken, &[], chrono::Utc::now()).await.unwrap();
    let response = app.get(PATH, &app.key).await;
    assert_eq!(response.status(), 500);
    let mut body = smtp_settings(2525);
    body["email"]["password"] = json!("[redacted]");
    let response = put(&app, &app.key, &body).await;
    assert_eq!(fields(&problem(response).await), ["email.password"]);
    put_ok(&app, &smtp_settings(2525)).await;
    assert_eq!(app.get_json(PATH).await["source"], "workspace");
}

/// "Send a test message" from the settings page: through the channel as configured, the provider's own words
/// when it fails, bad input named, and only for those who may change the settings.
async fn a_test_message_goes_through_the_configured_channel(mode: Mode) {
    let Some(smtp) = crate::smtp_campaign::smtp_server::SmtpServer::start() else { return };
    let Some(app) = TestApp::spawn(mode).await else { return };
    let test = |body: Value, key: String| {
        let app = &app;
        async move { app.post_json("/api/v1/settings/channels/test", &key, &body).await }
    };
    let vendor = json!({"kind": "vendor", "base_url": "http://127.0.0.1:9", "api_key": "k",
        "signing_secret": "whsec-test-vendor-secret"});
    let email = json!({"kind": "smtp", "host": "127.0.0.1", "port": smtp.port, "tls": "none",
        "from_address": "team@brand.example"});
    put_ok(&app, &json!({"sms": vendor, "whatsapp": vendor, "email": email})).await;
    let response = test(json!({"channel": "email", "to": "me@brand.in"}), app.key.clone()).await;
    assert_eq!(response.status(), 200);
    let outcome: Value = response.json().await.unwrap();
    assert_eq!((outcome["status"].as_str(), outcome["route"].as_str()), (Some("sent"), Some("smtp")), "{outcome}");
    let mail = smtp.wait_for(1).await[0].to_string();
    assert!(mail.contains("me@brand.in") && mail.contains("Test message from Converge"), "{mail}");
    // The SMS vendor is down (nothing listens on port 9): failed, with the reason.
    let response = test(json!({"channel": "sms", "to": "+919812345678"}), app.key.clone()).await;
    let outcome: Value = response.json().await.unwrap();
    assert_eq!(outcome["status"], "failed", "{outcome}");
    assert!(!outcome["error"].as_str().unwrap_or_default().is_empty(), "{outcome}");
    for (body, field) in [
        (json!({"channel": "fax", "to": "+919812345678"}), "channel"),
        (json!({"channel": "sms", "to": "me@brand.in"}), "to"),
        (json!({"channel": "email", "to": "+919812345678"}), "to"),
    ] {
        let response = test(body.clone(), app.key.clone()).await;
        assert_eq!(response.status(), 422, "{body}");
        assert_eq!(fields(&problem(response).await), [field], "{body}");
    }
    let campaigns_only = app.create_key("default", &["campaigns"]).await;
    let response = test(json!({"channel": "email", "to": "me@brand.in"}), campaigns_only).await;
    assert_eq!(response.status(), 403);
    assert_eq!(smtp.received().len(), 1, "refused requests sent nothing");
}
