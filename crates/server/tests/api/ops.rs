//! Operations endpoints: health, readiness, metrics, request ids, OpenAPI and docs.

use crate::both_modes;
use crate::helpers::{order, problem, Mode, TestApp};

both_modes!(health_readiness_and_metrics, request_ids_are_echoed, openapi_and_docs_are_served);

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
