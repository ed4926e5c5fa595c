//! Operations endpoints: health, readiness, metrics, request ids, OpenAPI and docs.

use crate::both_modes;
use crate::helpers::{order, problem, Mode, TestApp};

both_modes!(
    health_readiness_and_metrics,
    anonymous_metrics_name_no_workspace,
    metrics_with_a_token_need_it,
    metrics_bind_serves_them_on_their_own_port,
    request_ids_are_echoed,
    openapi_and_docs_are_served
);

async fn health_readiness_and_metrics(mode: Mode) {
    let Some(app) = TestApp::spawn(mode).await else { return };
    assert_eq!(app.client.get(app.url("/healthz")).send().await.unwrap().status(), 200);
    let ready: serde_json::Value = app.client.get(app.url("/readyz")).send().await.unwrap().json().await.unwrap();
    assert_eq!(ready["status"], "ready");
    app.post_json("/api/v1/orders", &app.key, &order("O1", "C1", "1")).await;
    app.drain().await;
    let text = app.client.get(app.url("/metrics")).send().await.unwrap().text().await.unwrap();
    for name in
        ["converge_http_requests_total", "converge_http_request_duration_seconds_bucket", "converge_ingest_batch_size"]
    {
        assert!(text.contains(name), "metrics lack {name}");
    }
    assert!(text.contains("route=\"/api/v1/orders\""), "requests are labelled by route");
}

/// Loads a workspace's audience index, which publishes a per-workspace gauge.
async fn load_an_audience(app: &TestApp) {
    app.post_json("/api/v1/orders", &app.key, &order("O1", "C1", "1")).await;
    app.drain().await;
    let rule = serde_json::json!({"rule": {"combinator": "and", "rules": []}});
    for _ in 0..50 {
        app.post_json("/api/v1/segments/preview", &app.key, &rule).await;
        if app.state.metrics.render().contains("workspace=\"") {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    panic!("no per-workspace series appeared");
}

/// Before, anyone reaching the port read `converge_audience_index_customers{workspace="<id>"}`: the list of
/// workspace ids. Now an anonymous caller sees the figure summed over workspaces.
async fn anonymous_metrics_name_no_workspace(mode: Mode) {
    let Some(app) = TestApp::spawn(mode).await else { return };
    load_an_audience(&app).await;
    let answer = app.client.get(app.url("/metrics")).send().await.unwrap();
    assert_eq!(answer.status(), 200);
    let text = answer.text().await.unwrap();
    assert!(!text.contains("workspace=\""), "no workspace label: {text}");
    assert!(text.lines().any(|l| l.starts_with("converge_audience_index_customers ")), "the sum is there");
    assert!(text.contains("converge_http_requests_total"));
}

async fn metrics_with_a_token_need_it(mode: Mode) {
    let Some(app) = TestApp::spawn_with(mode, |s| {
        s.metrics.token = Some(converge_server::config::Secret::new("scrape-me-0123456789"));
    })
    .await
    else {
        return;
    };
    load_an_audience(&app).await;
    for token in [None, Some("wrong-token"), Some(app.key.as_str())] {
        let mut request = app.client.get(app.url("/metrics"));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        let refused = request.send().await.unwrap();
        assert_eq!(refused.status(), 401, "{token:?}");
        assert_eq!(problem(refused).await["status"], 401);
    }
    let answer = app.client.get(app.url("/metrics")).bearer_auth("scrape-me-0123456789").send().await.unwrap();
    assert_eq!(answer.status(), 200);
    let text = answer.text().await.unwrap();
    assert!(text.contains("converge_http_requests_total") && text.contains("workspace=\""), "every series");
}

/// `metrics.bind`: every series on that address, and none on the main port.
async fn metrics_bind_serves_them_on_their_own_port(mode: Mode) {
    let Some(dir) = tempfile::tempdir().ok() else { return };
    let Some((mut settings, _db)) = crate::helpers::test_settings(mode, dir.path()).await else { return };
    settings.metrics.bind = Some("127.0.0.1:0".parse().unwrap());
    let app = converge_server::Application::build(settings).await.unwrap();
    let (port, metrics_port) = (app.port(), app.metrics_port().expect("a metrics listener"));
    let stop = app.stop_token();
    let running = tokio::spawn(app.run_until_stopped());
    let client = reqwest::Client::new();
    let main = client.get(format!("http://127.0.0.1:{port}/metrics")).send().await.unwrap();
    assert_eq!(main.status(), 404);
    assert_eq!(problem(main).await["status"], 404);
    let own = client.get(format!("http://127.0.0.1:{metrics_port}/metrics")).send().await.unwrap();
    assert_eq!(own.status(), 200);
    assert!(own.text().await.unwrap().contains("converge_http_requests_total"));
    let other = client.get(format!("http://127.0.0.1:{metrics_port}/api/v1/customers")).send().await.unwrap();
    assert_eq!(other.status(), 404, "only metrics on the metrics port");
    stop.cancel();
    running.await.unwrap().unwrap();
}

async fn request_ids_are_echoed(mode: Mode) {
    let Some(app) = TestApp::spawn(mode).await else { return };
    let given = app.client.get(app.url("/healthz")).header("x-request-id", "abc-123").send().await.unwrap();
    assert_eq!(given.headers().get("x-request-id").unwrap(), "abc-123");
    let generated = app.client.get(app.url("/healthz")).send().await.unwrap();
    assert_eq!(generated.headers().get("x-request-id").unwrap().len(), 36);
    let missing = app.client.get(app.url("/api/no/such/route")).send().await.unwrap();
    assert!(missing.headers().get("x-request-id").is_some());
    assert_eq!(problem(missing).await["status"], 404);
}

async fn openapi_and_docs_are_served(mode: Mode) {
    let Some(app) = TestApp::spawn(mode).await else { return };
    let spec: serde_json::Value =
        app.client.get(app.url("/api/openapi.json")).send().await.unwrap().json().await.unwrap();
    for path in [
        "/api/v1/customers",
        "/api/v1/customers/batch",
        "/api/v1/orders",
        "/api/v1/orders/batch",
        "/api/v1/customers/{external_id}",
    ] {
        assert!(spec["paths"][path].is_object(), "spec lacks {path}");
    }
    assert!(spec["components"]["schemas"]["CustomerInput"].is_object());
    assert!(spec["components"]["securitySchemes"]["api_key"].is_object());
    let docs = app.client.get(app.url("/api/docs/")).send().await.unwrap();
    assert_eq!(docs.status(), 200);
    assert!(docs.text().await.unwrap().to_lowercase().contains("swagger"));
}
