//! Invitations: create, list, revoke; validation and the manage rules.

use converge_domain::Role;
use reqwest::Method;
use serde_json::{json, Value};

use super::last_audit;
use crate::both_modes;
use crate::helpers::{fields, problem, AdminSession, Mode, TestApp};

both_modes!(owner_invites_lists_and_revokes, invitations_are_validated_and_role_bound);

async fn invite(app: &TestApp, who: &AdminSession, body: Value) -> reqwest::Response {
    app.admin_request(who, Method::POST, "/api/v1/workspace/invitations").json(&body).send().await.unwrap()
}

async fn owner_invites_lists_and_revokes(mode: Mode) {
    let Some(app) = TestApp::spawn(mode).await else { return };
    let owner = app.admin_user("default", "owner@brand.in", Role::Owner).await;

    let response = invite(&app, &owner, json!({"email": " Priya@Brand.in ", "role": "Admin"})).await;
    assert_eq!(response.status(), 201);
    let invitation: Value = response.json().await.unwrap();
    assert_eq!(invitation["email"], "priya@brand.in");
    assert_eq!(invitation["role"], "admin");
    assert_eq!(invitation["status"], "pending");
    assert_eq!(invitation["invited_by"], json!(owner.user_id));
    let created: chrono::DateTime<chrono::Utc> = invitation["created_at"].as_str().unwrap().parse().unwrap();
    let expires: chrono::DateTime<chrono::Utc> = invitation["expires_at"].as_str().unwrap().parse().unwrap();
    assert_eq!((expires - created).num_days(), 7);

    let listed: Vec<Value> = app
        .admin_request(&owner, Method::GET, "/api/v1/workspace/invitations")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0]["id"], invitation["id"]);

    let entry = last_audit(&app, &owner, "member.invite").await;
    assert_eq!(entry["actor"]["user_id"], json!(owner.user_id));
    assert_eq!(entry["details"], json!({"email": "priya@brand.in", "role": "admin"}));

    let path = format!("/api/v1/workspace/invitations/{}", invitation["id"]);
    assert_eq!(app.admin_request(&owner, Method::DELETE, &path).send().await.unwrap().status(), 204);
    assert_eq!(app.admin_request(&owner, Method::DELETE, &path).send().await.unwrap().status(), 404);
    let listed: Vec<Value> = app
        .admin_request(&owner, Method::GET, "/api/v1/workspace/invitations")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(listed.is_empty());
}

async fn invitations_are_validated_and_role_bound(mode: Mode) {
    let Some(app) = TestApp::spawn(mode).await else { return };
    let admin = app.admin_user("default", "admin@brand.in", Role::Admin).await;
    let member = app.admin_user("default", "member@brand.in", Role::Member).await;

    let bad = problem(invite(&app, &admin, json!({"email": "not-an-address", "role": "root"})).await).await;
    assert_eq!(bad["status"], 422);
    assert_eq!(fields(&bad), vec!["email".to_owned(), "role".to_owned()]);
    let missing = problem(invite(&app, &admin, json!({"email": "a@brand.in"})).await).await;
    assert_eq!(fields(&missing), vec!["role".to_owned()]);

    assert_eq!(invite(&app, &admin, json!({"email": "boss@brand.in", "role": "owner"})).await.status(), 403);
    assert_eq!(invite(&app, &member, json!({"email": "x@brand.in", "role": "viewer"})).await.status(), 403);
    let listing = app.admin_request(&member, Method::GET, "/api/v1/workspace/invitations").send().await.unwrap();
    assert_eq!(listing.status(), 403);
    assert_eq!(invite(&app, &admin, json!({"email": "x@brand.in", "role": "viewer"})).await.status(), 201);
    // An API key with `all` may invite below owner.
    let by_key = app
        .post_json("/api/v1/workspace/invitations", &app.key, &json!({"email": "y@brand.in", "role": "member"}))
        .await;
    assert_eq!(by_key.status(), 201);
    let by_key: Value = by_key.json().await.unwrap();
    assert_eq!(by_key["invited_by"], Value::Null);
}
