//! Server-side request forgery, tried as a tenant would: point a channel at loopback, a private address or the
//! cloud metadata service, directly or by name, and at a local listener standing in for an internal service.
//! The save is refused naming the field; settings that reach the store anyway (a name that resolved to a
//! public address when saved and to loopback later) never connect at send time. A stored secret never goes to
//! another port or path under `[redacted]`.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use converge_store::NewDeliveryRoute;
use serde_json::{json, Value};

use crate::both_modes;
use crate::helpers::{customer, fields, problem, Mode, TestApp};

both_modes!(
    channels_aimed_inward_are_refused_at_save,
    inward_settings_never_connect_at_send_time,
    a_redacted_secret_never_follows_a_new_port_or_path,
);

const PATH: &str = "/api/v1/settings/channels";

/// The app with the operator's default egress policy: nothing non-public allowed.
async fn strict(mode: Mode) -> Option<TestApp> {
    TestApp::spawn_with(mode, |settings| settings.egress.allow.clear()).await
}

/// A TCP listener standing in for an internal service; counts the connections it is offered.
async fn internal_service() -> (u16, Arc<AtomicUsize>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let seen = Arc::new(AtomicUsize::new(0));
    let count = seen.clone();
    tokio::spawn(async move {
        while let Ok((_socket, _)) = listener.accept().await {
            count.fetch_add(1, Ordering::SeqCst);
        }
    });
    (port, seen)
}

fn vendor(base_url: &str) -> Value {
    json!({"kind": "vendor", "base_url": base_url, "api_key": "k_tenant", "signing_secret": "tenant-signing-secret"})
}

fn smtp(host: &str, port: u16) -> Value {
    json!({"kind": "smtp", "host": host, "port": port, "tls": "none", "username": "u", "password": "p4ss",
        "from_address": "offers@brand.example", "from_name": "Brand"})
}

async fn put(app: &TestApp, body: &Value) -> reqwest::Response {
    app.client.put(app.url(PATH)).bearer_auth(&app.key).json(body).send().await.unwrap()
}

async fn channels_aimed_inward_are_refused_at_save(mode: Mode) {
    let Some(app) = strict(mode).await else { return };
    let (port, seen) = internal_service().await;
    let before = app.state.store.channel_settings(app.workspace_id("default").await).await.unwrap();
    let inward = [
        format!("http://127.0.0.1:{port}"),
        format!("http://localhost:{port}/hook"),
        "http://169.254.169.254/latest/meta-data".to_owned(),
        "http://10.1.2.3:8080".to_owned(),
        "http://[::1]:9090".to_owned(),
        "http://[::ffff:127.0.0.1]:9090".to_owned(),
        "http://100.64.0.1".to_owned(),
    ];
    for url in &inward {
        let body = json!({"sms": vendor(url), "whatsapp": vendor("https://vendor.invalid"),
            "email": smtp("127.0.0.1", port)});
        let response = put(&app, &body).await;
        assert_eq!(response.status(), 422, "{url}");
        let problem = problem(response).await;
        assert_eq!(fields(&problem), ["sms.base_url", "email.host"], "{url}: {problem}");
        let text = problem.to_string();
        assert!(text.contains("egress.allow"), "says how the operator allows it: {text}");
    }
    assert_eq!(app.state.store.channel_settings(app.workspace_id("default").await).await.unwrap(), before);
    assert_eq!(seen.load(Ordering::SeqCst), 0, "nothing connected to the internal service");
    // A name that does not resolve now is saved: what counts is the check on every connection.
    let mut relay = smtp("relay.invalid", 587);
    relay["tls"] = json!("starttls");
    let body = json!({"sms": vendor("https://vendor.invalid"), "whatsapp": vendor("https://vendor.invalid"),
        "email": relay});
    let response = put(&app, &body).await;
    assert_eq!(response.status(), 200, "{}", response.text().await.unwrap());
}

async fn inward_settings_never_connect_at_send_time(mode: Mode) {
    let Some(app) = strict(mode).await else { return };
    let (port, seen) = internal_service().await;
    let items: Vec<Value> = (0..2).map(|i| customer(&format!("C{i}"))).collect();
    assert_eq!(app.post_json("/api/v1/customers/batch", &app.key, &json!({ "items": items })).await.status(), 202);
    app.drain().await;
    // As if the names had resolved to public addresses when saved and now answer loopback (DNS rebinding).
    let route = "rt_rebindingtest00000001";
    let mut sms = vendor(&format!("http://127.0.0.1:{port}"));
    sms["route"] = json!(route);
    let settings = json!({"sms": sms, "whatsapp": sms, "email": smtp("127.0.0.1", port)});
    let ws = app.workspace_id("default").await;
    let routes = [NewDeliveryRoute { route: route.into(), signing_secret: "tenant-signing-secret".into() }];
    app.state.store.put_channel_settings(ws, &settings, &routes, chrono::Utc::now()).await.unwrap();
    app.state.senders.invalidate(ws);

    let dispatcher = converge_server::startup::dispatcher(&app.state, "egress-test");
    for channel in ["sms", "email"] {
        let body = json!({"name": channel, "channel": channel, "rule": {"combinator": "and", "rules": []},
            "template": "Hi {{ first_name }} {{ unsubscribe_url }}"});
        assert_eq!(app.post_json("/api/v1/campaigns", &app.key, &body).await.status(), 201);
        let report = dispatcher.step().await.unwrap();
        assert_eq!((report.claimed, report.accepted), (2, 0), "{channel}: {report:?}");
    }
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert_eq!(seen.load(Ordering::SeqCst), 0, "the dispatcher never connected to the internal service");
}

async fn a_redacted_secret_never_follows_a_new_port_or_path(mode: Mode) {
    let Some(app) = TestApp::spawn(mode).await else { return };
    let email = smtp("127.0.0.1", 2525);
    let saved = json!({"sms": vendor("http://127.0.0.1:9090/gw"), "whatsapp": vendor("http://127.0.0.1:9090/gw"),
        "email": email});
    assert_eq!(put(&app, &saved).await.status(), 200);
    let redacted = |mut channel: Value| {
        for secret in ["api_key", "signing_secret", "password"] {
            if channel.get(secret).is_some() {
                channel[secret] = json!("[redacted]");
            }
        }
        channel
    };
    let cases = [
        ("http://127.0.0.1:9091/gw", 2525, vec!["sms.api_key", "sms.signing_secret"]),
        ("http://127.0.0.1:9090/other", 2525, vec!["sms.api_key", "sms.signing_secret"]),
        ("https://127.0.0.1:9090/gw", 2525, vec!["sms.api_key", "sms.signing_secret"]),
        ("http://127.0.0.1:9090/gw", 2526, vec!["email.password"]),
    ];
    for (url, smtp_port, expected) in cases {
        let body = json!({"sms": redacted(vendor(url)), "whatsapp": redacted(vendor("http://127.0.0.1:9090/gw")),
            "email": redacted(smtp("127.0.0.1", smtp_port))});
        let response = put(&app, &body).await;
        assert_eq!(response.status(), 422, "{url} {smtp_port}");
        assert_eq!(fields(&problem(response).await), expected, "{url} {smtp_port}");
    }
    // The same places keep every secret.
    let same = json!({"sms": redacted(vendor("http://127.0.0.1:9090/gw/")),
        "whatsapp": redacted(vendor("http://127.0.0.1:9090/gw")), "email": redacted(email)});
    assert_eq!(put(&app, &same).await.status(), 200);
    let stored = app.state.store.channel_settings(app.workspace_id("default").await).await.unwrap().unwrap();
    assert_eq!(
        (stored["sms"]["api_key"].as_str(), stored["email"]["password"].as_str()),
        (Some("k_tenant"), Some("p4ss"))
    );
}
