//! The embedded web UI as HTTP: the app for every page path, its hashed files cached for good, API paths never
//! answered with the app, and gzip for what is worth compressing. (The UI itself is tested in a browser by
//! the `web` test target.)

use serde_json::Value;

use crate::helpers::{Mode, TestApp};

#[tokio::test]
async fn pages_get_the_app_files_are_cached_and_api_paths_stay_json() {
    let Some(app) = TestApp::spawn(Mode::Embedded).await else { return };
    let get = |path: &str| app.client.get(app.url(path)).send();
    let index = get("/").await.unwrap();
    assert_eq!(index.status(), 200);
    let headers = index.headers().clone();
    assert_eq!(headers["content-type"], "text/html; charset=utf-8");
    assert_eq!(headers["cache-control"], "no-cache");
    let csp = headers["content-security-policy"].to_str().unwrap();
    assert!(csp.contains("script-src 'self'") && csp.contains("frame-ancestors 'none'"), "{csp}");
    let page = index.text().await.unwrap();
    assert!(page.contains("<div id=\"root\"></div>"), "the app's page: {page}");
    // A client-side route is the same page.
    let deep = get("/campaigns/12?tab=log").await.unwrap();
    assert_eq!(deep.status(), 200);
    assert_eq!(deep.text().await.unwrap(), page);
    // The script it names is served, typed, and cached for good (its name changes with its content).
    let script = page.split("src=\"").nth(1).and_then(|rest| rest.split('"').next()).expect("a script tag");
    assert!(script.starts_with("/assets/"), "{script}");
    let asset = get(script).await.unwrap();
    assert_eq!(asset.status(), 200);
    assert_eq!(asset.headers()["content-type"], "text/javascript; charset=utf-8");
    assert_eq!(asset.headers()["cache-control"], "public, max-age=31536000, immutable");
    // What is not there is a 404, not the app: a missing asset, an unknown API route, a write to a page.
    assert_eq!(get("/assets/gone-0000.js").await.unwrap().status(), 404);
    let api = get("/api/v1/nope").await.unwrap();
    assert_eq!(api.status(), 404);
    assert_eq!(api.headers()["content-type"], "application/problem+json");
    let problem: Value = api.json().await.unwrap();
    assert_eq!(problem["status"], 404);
    assert_eq!(app.client.post(app.url("/campaigns")).send().await.unwrap().status(), 404);
}

#[tokio::test]
async fn big_answers_are_gzipped_for_clients_that_accept_it() {
    let Some(app) = TestApp::spawn(Mode::Embedded).await else { return };
    let spec = |encoding: Option<&str>| {
        let request = app.client.get(app.url("/api/openapi.json"));
        match encoding {
            Some(e) => request.header("accept-encoding", e),
            None => request,
        }
        .send()
    };
    let zipped = spec(Some("gzip, deflate, br")).await.unwrap();
    assert_eq!(zipped.headers()["content-encoding"], "gzip");
    let plain = spec(None).await.unwrap();
    assert!(plain.headers().get("content-encoding").is_none());
    let full = plain.bytes().await.unwrap().len();
    let compressed = zipped.bytes().await.unwrap().len();
    assert!(compressed * 3 < full, "gzip {compressed} B of {full} B");
    // Small answers are not worth it.
    let health = app.client.get(app.url("/healthz")).header("accept-encoding", "gzip").send().await.unwrap();
    assert!(health.headers().get("content-encoding").is_none());
}
