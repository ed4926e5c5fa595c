//! API keys: 401 without or with a bad key, 403 without the scope, workspaces see only their own data.

use crate::both_modes;
use crate::helpers::{order, problem, Mode, TestApp};

both_modes!(scopes_are_enforced, another_workspace_sees_nothing, rate_limit_answers_429_with_retry_after);

async fn scopes_are_enforced(mode: Mode) {
    let Some(app) = TestApp::spawn(mode).await else { return };
    let ingest = app.create_key("default", &["ingest"]).await;
    let read = app.create_key("default", &["read"]).await;
    assert_eq!(app.post_json("/api/v1/orders", &ingest, &order("O1", "C1", "1")).await.status(), 202);
    assert_eq!(app.get("/api/v1/customers", &ingest).await.status(), 403);
    assert_eq!(app.get("/api/v1/customers", &read).await.status(), 200);
    let anonymous = app.client.get(app.url("/api/v1/customers")).send().await.unwrap();
    assert_eq!(anonymous.status(), 401);
    assert_eq!(anonymous.headers().get("www-authenticate").unwrap(), "Bearer");
    let body =
        problem(app.client.get(app.url("/api/v1/customers")).bearer_auth("cvg_nope").send().await.unwrap()).await;
    assert_eq!(body["status"], 401);
}

async fn another_workspace_sees_nothing(mode: Mode) {
    let Some(app) = TestApp::spawn(mode).await else { return };
    let other = app.create_key("other", &["all"]).await;
    app.post_json("/api/v1/orders", &app.key, &order("O1", "C1", "10.00")).await;
    app.drain().await;
    assert_eq!(app.get("/api/v1/customers/C1", &app.key).await.status(), 200);
    assert_eq!(app.get("/api/v1/customers/C1", &other).await.status(), 404);
    let page: serde_json::Value = app.get("/api/v1/customers", &other).await.json().await.unwrap();
    assert_eq!(page["items"].as_array().unwrap().len(), 0);
}

async fn rate_limit_answers_429_with_retry_after(mode: Mode) {
    let Some(app) = TestApp::spawn_with(mode, |s| {
        s.ingest.rate_per_second = 1;
        s.ingest.rate_burst = 3;
    })
    .await
    else {
        return;
    };
    let mut statuses = Vec::new();
    for i in 0..6 {
        let r = app.post_json("/api/v1/orders", &app.key, &order(&format!("O{i}"), "C1", "1")).await;
        if r.status() == 429 {
            let retry: u64 = r.headers().get("retry-after").unwrap().to_str().unwrap().parse().unwrap();
            assert!((1..=2).contains(&retry));
            assert_eq!(problem(r).await["status"], 429);
            statuses.push(429);
        } else {
            statuses.push(r.status().as_u16());
        }
    }
    assert_eq!(statuses.iter().filter(|s| **s == 202).count(), 3, "{statuses:?}");
    assert_eq!(statuses.iter().filter(|s| **s == 429).count(), 3, "{statuses:?}");
    // Only the accepted ones were enqueued.
    assert_eq!(app.drain().await, 3);
}
