//! Members: listing, role changes under the manage rules, removal, the last owner, other workspaces.

use converge_domain::{Role, UserId};
use reqwest::Method;
use serde_json::{json, Value};

use super::last_audit;
use crate::both_modes;
use crate::helpers::{fields, problem, AdminSession, Mode, TestApp};

both_modes!(
    role_changes_follow_the_manage_rules,
    members_can_be_removed,
    a_removed_members_api_keys_stop_working,
    other_workspaces_are_not_found
);

async fn patch_role(app: &TestApp, who: &AdminSession, user_id: UserId, role: &str) -> reqwest::Response {
    let path = format!("/api/v1/workspace/members/{user_id}");
    app.admin_request(who, Method::PATCH, &path).json(&json!({"role": role})).send().await.unwrap()
}

async fn remove(app: &TestApp, who: &AdminSession, user_id: UserId) -> reqwest::Response {
    let path = format!("/api/v1/workspace/members/{user_id}");
    app.admin_request(who, Method::DELETE, &path).send().await.unwrap()
}

async fn role_changes_follow_the_manage_rules(mode: Mode) {
    let Some(app) = TestApp::spawn(mode).await else { return };
    let owner = app.admin_user("default", "owner@brand.in", Role::Owner).await;
    let admin = app.admin_user("default", "admin@brand.in", Role::Admin).await;
    let member = app.admin_user("default", "member@brand.in", Role::Member).await;
    let viewer = app.admin_user("default", "viewer@brand.in", Role::Viewer).await;

    // Anyone in the workspace may list its members.
    let response = app.admin_request(&viewer, Method::GET, "/api/v1/workspace/members").send().await.unwrap();
    assert_eq!(response.status(), 200);
    let members: Vec<Value> = response.json().await.unwrap();
    assert_eq!(members.len(), 4);
    let listed = members.iter().find(|m| m["email"] == "admin@brand.in").unwrap();
    assert_eq!(listed["user_id"], json!(admin.user_id));
    assert_eq!(listed["role"], "admin");
    assert!(listed["joined_at"].is_string());

    // A member or viewer changes no one.
    assert_eq!(patch_role(&app, &member, viewer.user_id, "member").await.status(), 403);
    assert_eq!(patch_role(&app, &viewer, member.user_id, "viewer").await.status(), 403);
    // An admin manages admins, members and viewers, never owners.
    assert_eq!(patch_role(&app, &admin, member.user_id, "owner").await.status(), 403);
    assert_eq!(patch_role(&app, &admin, owner.user_id, "admin").await.status(), 403);
    let response = patch_role(&app, &admin, member.user_id, "viewer").await;
    assert_eq!(response.status(), 200);
    let changed: Value = response.json().await.unwrap();
    assert_eq!((changed["user_id"].as_i64(), changed["role"].as_str()), (Some(member.user_id.get()), Some("viewer")));
    let entry = last_audit(&app, &owner, "member.role_change").await;
    assert_eq!(entry["actor"], json!({"user_id": admin.user_id, "key_id": null}));
    assert_eq!(entry["target"], format!("user:{}", member.user_id));
    assert_eq!(entry["details"], json!({"from": "member", "to": "viewer"}));

    // Bad input and unknown members.
    let bad = problem(patch_role(&app, &owner, member.user_id, "root").await).await;
    assert_eq!((bad["status"].as_u64(), fields(&bad)), (Some(422), vec!["role".to_owned()]));
    assert_eq!(patch_role(&app, &owner, UserId::new(999_999), "viewer").await.status(), 404);

    // The last owner cannot step down; with a second owner they can.
    let last = problem(patch_role(&app, &owner, owner.user_id, "admin").await).await;
    assert_eq!(last["status"], 409);
    assert_eq!(patch_role(&app, &owner, admin.user_id, "owner").await.status(), 200);
    assert_eq!(patch_role(&app, &owner, owner.user_id, "admin").await.status(), 200);
    let me = app.state.store.member_role(app.workspace_id("default").await, owner.user_id).await.unwrap();
    assert_eq!(me, Some(Role::Admin));

    // An API key with `all` acts as an admin.
    let key_change = app
        .client
        .patch(app.url(&format!("/api/v1/workspace/members/{}", admin.user_id)))
        .bearer_auth(&app.key)
        .json(&json!({"role": "member"}))
        .send()
        .await
        .unwrap();
    assert_eq!(key_change.status(), 403, "a key cannot demote an owner");
    let key_change = app
        .client
        .patch(app.url(&format!("/api/v1/workspace/members/{}", viewer.user_id)))
        .bearer_auth(&app.key)
        .json(&json!({"role": "member"}))
        .send()
        .await
        .unwrap();
    assert_eq!(key_change.status(), 200);
    let entry = last_audit(&app, &admin, "member.role_change").await;
    assert_eq!(entry["actor"]["user_id"], Value::Null);
    assert!(entry["actor"]["key_id"].as_i64().is_some());
}

async fn members_can_be_removed(mode: Mode) {
    let Some(app) = TestApp::spawn(mode).await else { return };
    let owner = app.admin_user("default", "owner@brand.in", Role::Owner).await;
    let admin = app.admin_user("default", "admin@brand.in", Role::Admin).await;
    let member = app.admin_user("default", "member@brand.in", Role::Member).await;

    assert_eq!(remove(&app, &member, admin.user_id).await.status(), 403);
    assert_eq!(remove(&app, &admin, owner.user_id).await.status(), 403);
    assert_eq!(problem(remove(&app, &owner, owner.user_id).await).await["status"], 409);
    assert_eq!(remove(&app, &owner, UserId::new(999_999)).await.status(), 404);

    assert_eq!(remove(&app, &admin, member.user_id).await.status(), 204);
    assert_eq!(remove(&app, &admin, member.user_id).await.status(), 404);
    // The removed person's session no longer reaches the workspace.
    let response = app.admin_request(&member, Method::GET, "/api/v1/workspace/members").send().await.unwrap();
    assert_eq!(response.status(), 404);
    let entry = last_audit(&app, &owner, "member.remove").await;
    assert_eq!(entry["actor"]["user_id"], json!(admin.user_id));
    assert_eq!(entry["target"], format!("user:{}", member.user_id));
    let members: Vec<Value> =
        app.admin_request(&owner, Method::GET, "/api/v1/workspace/members").send().await.unwrap().json().await.unwrap();
    assert_eq!(members.len(), 2);
}

/// The attack: an admin mints an API key, is removed, and keeps using the key. Removal revokes the keys they
/// created (this node at once: its key cache forgets them); a key someone else made keeps working.
async fn a_removed_members_api_keys_stop_working(mode: Mode) {
    let Some(app) = TestApp::spawn(mode).await else { return };
    let owner = app.admin_user("default", "owner@brand.in", Role::Owner).await;
    let leaver = app.admin_user("default", "leaver@brand.in", Role::Admin).await;
    let mint = |who: &AdminSession| {
        app.admin_request(who, Method::POST, "/api/v1/api-keys").json(&json!({"scopes": ["read"], "label": "etl"}))
    };
    let created: Value = mint(&leaver).send().await.unwrap().json().await.unwrap();
    let theirs = created["key"].as_str().unwrap().to_owned();
    let kept: Value = mint(&owner).send().await.unwrap().json().await.unwrap();
    let kept = kept["key"].as_str().unwrap().to_owned();
    // Used once, so this node's key cache holds it.
    assert_eq!(app.get("/api/v1/customers", &theirs).await.status(), 200);

    assert_eq!(remove(&app, &owner, leaver.user_id).await.status(), 204);
    let refused = app.get("/api/v1/customers", &theirs).await;
    assert_eq!(refused.status(), 401, "the removed member's key is revoked");
    assert_eq!(problem(refused).await["status"], 401);
    assert_eq!(app.get("/api/v1/customers", &kept).await.status(), 200, "the owner's key still works");
    let keys: Vec<Value> =
        app.admin_request(&owner, Method::GET, "/api/v1/api-keys").send().await.unwrap().json().await.unwrap();
    let listed = keys.iter().find(|k| k["id"] == created["id"]).unwrap();
    assert!(listed["revoked_at"].is_string(), "listed as revoked: {listed}");
    let entry = last_audit(&app, &owner, "member.remove").await;
    assert_eq!(entry["details"]["revoked_api_keys"], json!([created["id"]]));
}

async fn other_workspaces_are_not_found(mode: Mode) {
    let Some(app) = TestApp::spawn(mode).await else { return };
    let owner = app.admin_user("default", "owner@brand.in", Role::Owner).await;
    let stranger = app.admin_user("other", "owner@other.in", Role::Owner).await;
    let outsider = app.admin_user("other", "member@other.in", Role::Member).await;

    assert_eq!(patch_role(&app, &owner, outsider.user_id, "viewer").await.status(), 404);
    assert_eq!(remove(&app, &owner, outsider.user_id).await.status(), 404);
    // Asking for a workspace one is not in is a 404 too.
    let mut wrong = AdminSession { workspace: "other".into(), ..owner };
    let response = app.admin_request(&wrong, Method::GET, "/api/v1/workspace/members").send().await.unwrap();
    assert_eq!(response.status(), 404);
    wrong.workspace = "default".into();

    let invited = app
        .admin_request(&stranger, Method::POST, "/api/v1/workspace/invitations")
        .json(&json!({"email": "new@other.in", "role": "member"}))
        .send()
        .await
        .unwrap();
    assert_eq!(invited.status(), 201);
    let invitation: Value = invited.json().await.unwrap();
    let path = format!("/api/v1/workspace/invitations/{}", invitation["id"]);
    assert_eq!(app.admin_request(&wrong, Method::DELETE, &path).send().await.unwrap().status(), 404);

    let created = app
        .admin_request(&stranger, Method::POST, "/api/v1/api-keys")
        .json(&json!({"scopes": ["read"]}))
        .send()
        .await
        .unwrap();
    assert_eq!(created.status(), 201);
    let key: Value = created.json().await.unwrap();
    let path = format!("/api/v1/api-keys/{}", key["id"]);
    assert_eq!(app.admin_request(&wrong, Method::DELETE, &path).send().await.unwrap().status(), 404);
    let secret = key["key"].as_str().unwrap();
    assert_eq!(app.get("/api/v1/customers", secret).await.status(), 200, "the other workspace's key still works");
}
