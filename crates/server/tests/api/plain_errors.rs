//! Every error is `application/problem+json` (issue 11 item 10): bad path parameters (`/campaigns/1e3`),
//! parameters that are not UTF-8, a query string axum's own extractor refuses, unknown routes, and request
//! heads over the limits (414 and 431, which hyper used to answer with an empty body).

use crate::both_modes;
use crate::helpers::{fields, problem, Mode, TestApp};

both_modes!(
    bad_path_parameters_are_problems_naming_the_parameter,
    other_edge_errors_are_problems,
    oversized_heads_are_problems
);

async fn bad_path_parameters_are_problems_naming_the_parameter(mode: Mode) {
    let Some(app) = TestApp::spawn(mode).await else { return };
    for (method, path, field) in [
        ("GET", "/api/v1/campaigns/1e3", "id"),
        ("GET", "/api/v1/campaigns/-0.5/log", "id"),
        ("GET", "/api/v1/campaigns/99999999999999999999", "id"),
        ("POST", "/api/v1/campaigns/abc/pause", "id"),
        ("GET", "/api/v1/segments/%20", "id"),
        ("DELETE", "/api/v1/api-keys/1.0", "id"),
        ("DELETE", "/api/v1/workspace/members/me", "user_id"),
        ("DELETE", "/api/v1/workspace/invitations/x", "id"),
        ("GET", "/api/v1/customers/%FF%FE", "external_id"),
        ("GET", "/api/v1/customers/%C3%28/messages", "external_id"),
    ] {
        let method: reqwest::Method = method.parse().unwrap();
        let response = app.client.request(method.clone(), app.url(path)).bearer_auth(&app.key).send().await.unwrap();
        assert_eq!(response.status(), 422, "{method} {path}");
        let problem = problem(response).await;
        assert_eq!(fields(&problem), [field], "{method} {path}");
    }
}

async fn other_edge_errors_are_problems(mode: Mode) {
    let Some(app) = TestApp::spawn(mode).await else { return };
    // axum's Query extractor refuses a repeated field with its own text/plain 400.
    let response = app.client.get(app.url("/api/v1/auth/oidc/test/login?return_to=/a&return_to=/b")).send().await;
    let response = response.unwrap();
    assert_eq!(response.status(), 400);
    assert_eq!(problem(response).await["status"], 400);
    let unknown = app.get("/api/v1/no-such-route", &app.key).await;
    assert_eq!(unknown.status(), 404);
    assert_eq!(problem(unknown).await["status"], 404);
    let wrong_method = app.client.patch(app.url("/api/v1/campaigns")).bearer_auth(&app.key).send().await.unwrap();
    assert_eq!(wrong_method.status(), 405);
    assert_eq!(problem(wrong_method).await["status"], 405);
}

async fn oversized_heads_are_problems(mode: Mode) {
    let Some(app) = TestApp::spawn(mode).await else { return };
    // Just inside the limits: answered as usual.
    let search = "a".repeat(100);
    let fine = app.get(&format!("/api/v1/customers?search={search}"), &app.key).await;
    assert_eq!(fine.status(), 200);

    let long = format!("/api/v1/customers?search={}", "a".repeat(9 * 1024));
    let response = app.get(&long, &app.key).await;
    assert_eq!(response.status(), 414);
    assert_eq!(problem(response).await["status"], 414);

    let mut many = app.client.get(app.url("/api/v1/customers")).bearer_auth(&app.key);
    for i in 0..70 {
        many = many.header(format!("x-extra-{i}"), "1");
    }
    let response = many.send().await.unwrap();
    assert_eq!(response.status(), 431);
    assert_eq!(problem(response).await["status"], 431);

    let big = app.client.get(app.url("/api/v1/customers")).bearer_auth(&app.key).header("x-big", "b".repeat(17 * 1024));
    let response = big.send().await.unwrap();
    assert_eq!(response.status(), 431);
    assert_eq!(problem(response).await["status"], 431);
}
