//! API keys over HTTP: created once, scoped, listed without secrets, revoked at once; the audit log.

use converge_domain::Role;
use reqwest::Method;
use serde_json::{json, Value};

use super::{audit_entries, last_audit};
use crate::both_modes;
use crate::helpers::{customer, fields, problem, Mode, TestApp};

both_modes!(keys_are_created_scoped_listed_and_revoked, key_input_is_validated, audit_log_pages);

async fn keys_are_created_scoped_listed_and_revoked(mode: Mode) {
    let Some(app) = TestApp::spawn(mode).await else { return };
    let owner = app.admin_user("default", "owner@brand.in", Role::Owner).await;

    let response = app
        .admin_request(&owner, Method::POST, "/api/v1/api-keys")
        .json(&json!({"scopes": ["read", "read"], "label": "dashboard"}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 201);
    let created: Value = response.json().await.unwrap();
    let secret = created["key"].as_str().unwrap().to_owned();
    assert!(secret.starts_with("cvg_") && secret.starts_with(created["prefix"].as_str().unwrap()));
    assert_eq!(created["scopes"], json!(["read"]));
    assert_eq!(created["label"], "dashboard");
    assert_eq!(created["created_by"], json!(owner.user_id));
    let id = created["id"].as_i64().unwrap();

    // It works for its scopes only.
    assert_eq!(app.get("/api/v1/customers", &secret).await.status(), 200);
    assert_eq!(app.post_json("/api/v1/customers", &secret, &customer("C1")).await.status(), 403);
    assert_eq!(app.get("/api/v1/api-keys", &secret).await.status(), 403);

    // Listed with its prefix, never the secret.
    let response = app.admin_request(&owner, Method::GET, "/api/v1/api-keys").send().await.unwrap();
    assert_eq!(response.status(), 200);
    let text = response.text().await.unwrap();
    assert!(!text.contains(&secret));
    let keys: Vec<Value> = serde_json::from_str(&text).unwrap();
    let listed = keys.iter().find(|k| k["id"] == id).unwrap();
    assert_eq!(listed["prefix"], created["prefix"]);
    assert_eq!(listed["created_by"], json!(owner.user_id));
    assert_eq!(listed["revoked_at"], Value::Null);
    assert!(listed.get("key").is_none() && listed.get("hash").is_none());

    // Revoked: refused at once on this node.
    let path = format!("/api/v1/api-keys/{id}");
    assert_eq!(app.admin_request(&owner, Method::DELETE, &path).send().await.unwrap().status(), 204);
    assert_eq!(app.get("/api/v1/customers", &secret).await.status(), 401);
    assert_eq!(app.admin_request(&owner, Method::DELETE, &path).send().await.unwrap().status(), 404);
    assert_eq!(
        app.admin_request(&owner, Method::DELETE, "/api/v1/api-keys/999999").send().await.unwrap().status(),
        404
    );
    let keys: Vec<Value> = app.get("/api/v1/api-keys", &app.key).await.json().await.unwrap();
    assert!(keys.iter().find(|k| k["id"] == id).unwrap()["revoked_at"].is_string());

    // Audited with the right actor, never the secret.
    let create = last_audit(&app, &owner, "api_key.create").await;
    assert_eq!(create["actor"], json!({"user_id": owner.user_id, "key_id": null}));
    assert_eq!(create["target"], format!("api_key:{id}"));
    assert_eq!(create["details"]["prefix"], created["prefix"]);
    assert_eq!(create["details"]["scopes"], json!(["read"]));
    let revoke = last_audit(&app, &owner, "api_key.revoke").await;
    assert_eq!(revoke["actor"]["user_id"], json!(owner.user_id));
    assert_eq!(revoke["target"], format!("api_key:{id}"));
    let log = serde_json::to_string(&audit_entries(&app, &owner).await).unwrap();
    assert!(!log.contains(&secret));

    // A key with `all` creates keys too; the creator is then the key.
    let by_key = app.post_json("/api/v1/api-keys", &app.key, &json!({"scopes": ["ingest"]})).await;
    assert_eq!(by_key.status(), 201);
    let by_key: Value = by_key.json().await.unwrap();
    assert_eq!(by_key["created_by"], Value::Null);
    let ingest = by_key["key"].as_str().unwrap();
    assert_eq!(app.post_json("/api/v1/customers", ingest, &customer("C2")).await.status(), 202);
    let entry = last_audit(&app, &owner, "api_key.create").await;
    let master = keys.iter().find(|k| app.key.starts_with(k["prefix"].as_str().unwrap())).unwrap();
    assert_eq!(entry["actor"], json!({"user_id": null, "key_id": master["id"]}));
}

async fn create(app: &TestApp, body: Value) -> reqwest::Response {
    app.post_json("/api/v1/api-keys", &app.key, &body).await
}

async fn key_input_is_validated(mode: Mode) {
    let Some(app) = TestApp::spawn(mode).await else { return };
    let member = app.admin_user("default", "member@brand.in", Role::Member).await;

    let bad = problem(create(&app, json!({"scopes": ["read", "write"]})).await).await;
    assert_eq!((bad["status"].as_u64(), fields(&bad)), (Some(422), vec!["scopes[1]".to_owned()]));
    assert_eq!(fields(&problem(create(&app, json!({"scopes": []})).await).await), vec!["scopes".to_owned()]);
    assert_eq!(fields(&problem(create(&app, json!({"label": "x"})).await).await), vec!["scopes".to_owned()]);
    let long = "x".repeat(101);
    assert_eq!(fields(&problem(create(&app, json!({"scopes": ["read"], "label": long})).await).await), vec!["label"]);

    let refused = app.admin_request(&member, Method::POST, "/api/v1/api-keys").json(&json!({"scopes": ["read"]}));
    assert_eq!(refused.send().await.unwrap().status(), 403);
    assert_eq!(app.admin_request(&member, Method::GET, "/api/v1/api-keys").send().await.unwrap().status(), 403);
    assert_eq!(app.admin_request(&member, Method::GET, "/api/v1/audit").send().await.unwrap().status(), 403);
    // A session without the CSRF token changes nothing.
    let no_csrf = app
        .client
        .post(app.url("/api/v1/api-keys"))
        .header("cookie", &member.cookie)
        .json(&json!({"scopes": ["read"]}))
        .send()
        .await
        .unwrap();
    assert_eq!(no_csrf.status(), 403);
}

async fn audit_log_pages(mode: Mode) {
    let Some(app) = TestApp::spawn(mode).await else { return };
    for i in 0..3 {
        let label = format!("k{i}");
        let r = app.post_json("/api/v1/api-keys", &app.key, &json!({"scopes": ["read"], "label": label})).await;
        assert_eq!(r.status(), 201);
    }
    assert_eq!(problem(app.get("/api/v1/audit?limit=0", &app.key).await).await["status"], 422);
    assert_eq!(problem(app.get("/api/v1/audit?limit=201", &app.key).await).await["status"], 422);
    assert_eq!(app.get("/api/v1/audit?limit=abc", &app.key).await.status(), 422);

    let first: Value = app.get("/api/v1/audit?limit=2", &app.key).await.json().await.unwrap();
    let items = first["items"].as_array().unwrap();
    assert_eq!(items.len(), 2);
    assert_eq!(items[0]["details"]["label"], "k2");
    assert!(items[0]["id"].as_i64() > items[1]["id"].as_i64());
    let before = first["next_before"].as_i64().unwrap();
    assert_eq!(before, items[1]["id"].as_i64().unwrap());
    let second: Value =
        app.get(&format!("/api/v1/audit?limit=2&before={before}"), &app.key).await.json().await.unwrap();
    let items = second["items"].as_array().unwrap();
    assert_eq!(items[0]["details"]["label"], "k0");
    assert!(items.iter().all(|e| e["id"].as_i64().unwrap() < before));

    // Another workspace sees none of it.
    let other = app.create_key("other", &["all"]).await;
    let theirs: Value = app.get("/api/v1/audit", &other).await.json().await.unwrap();
    assert_eq!(theirs["items"], json!([]));
    assert_eq!(theirs["next_before"], Value::Null);
}
