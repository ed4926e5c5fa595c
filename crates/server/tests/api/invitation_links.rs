//! Joining from an invitation link without an OpenID provider: the inviter gets a link (and, when the
//! workspace has SMTP, the invitee an e-mail read back from a real SMTP server, Debian's aiosmtpd); the invitee
//! sets a password and is a member, signed in. A used, revoked, replaced or expired link names nothing, and
//! an address that already has an account is sent to sign in instead.

use converge_domain::Role;
use reqwest::Method;
use serde_json::{json, Value};

use crate::both_modes;
use crate::helpers::{fields, problem, session_cookie, AdminSession, Mode, TestApp};
use crate::smtp_campaign::smtp_server;

both_modes!(
    two_joins_with_one_link_make_one_account,
    an_invited_teammate_joins_with_a_password,
    a_link_works_once_and_only_while_open,
    an_invitation_is_emailed_over_smtp
);

async fn invite(app: &TestApp, admin: &AdminSession, email: &str, role: &str) -> Value {
    let response = app
        .admin_request(admin, Method::POST, "/api/v1/workspace/invitations")
        .json(&json!({"email": email, "role": role}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 201);
    response.json().await.unwrap()
}

fn token(created: &Value) -> String {
    let link = created["link"].as_str().unwrap();
    let (_, token) = link.split_once("/join?token=").expect("a join link");
    token.to_owned()
}

async fn preview(app: &TestApp, token: &str) -> reqwest::Response {
    app.client.post(app.url("/api/v1/auth/join/preview")).json(&json!({"token": token})).send().await.unwrap()
}

async fn join(app: &TestApp, token: &str, password: &str) -> reqwest::Response {
    let body = json!({"token": token, "password": password, "name": "Neha Joshi"});
    app.client.post(app.url("/api/v1/auth/join")).json(&body).send().await.unwrap()
}

const PASSWORD: &str = "a long enough passphrase";

async fn an_invited_teammate_joins_with_a_password(mode: Mode) {
    let Some(app) = TestApp::spawn(mode).await else { return };
    let admin = app.admin_user("default", "owner@brand.in", Role::Owner).await;
    let created = invite(&app, &admin, "Neha@Brand.in", "member").await;
    assert_eq!(
        (created["email_delivery"].as_str(), created["status"].as_str()),
        (Some("not_configured"), Some("pending"))
    );
    assert_eq!(created["email"], "neha@brand.in", "the address, not the delivery outcome");
    let token = token(&created);
    // The link says what it is for.
    let response = preview(&app, &token).await;
    assert_eq!(response.status(), 200);
    let shown: Value = response.json().await.unwrap();
    assert_eq!((shown["email"].as_str(), shown["role"].as_str()), (Some("neha@brand.in"), Some("member")));
    assert_eq!((shown["workspace_slug"].as_str(), shown["has_account"].as_bool()), (Some("default"), Some(false)));
    // A weak password is refused and nothing is made.
    let response = join(&app, &token, "short").await;
    assert_eq!(response.status(), 422);
    assert_eq!(fields(&problem(response).await), ["password"]);
    assert!(app.state.store.user_by_email("neha@brand.in").await.unwrap().is_none());
    // Joined: signed in, a member with the invited role.
    let response = join(&app, &token, PASSWORD).await;
    assert_eq!(response.status(), 200);
    let cookie = session_cookie(&response);
    let me: Value = response.json().await.unwrap();
    assert_eq!(me["email"], "neha@brand.in");
    assert_eq!(
        me["workspaces"],
        json!([{"slug": "default", "name": me["workspaces"][0]["name"], "role": "member", "currency": "INR"}])
    );
    let again = app.client.get(app.url("/api/v1/auth/me")).header("cookie", &cookie).send().await.unwrap();
    assert_eq!(again.status(), 200);
    // The password works for signing in later.
    let login = json!({"email": "neha@brand.in", "password": PASSWORD});
    assert_eq!(app.client.post(app.url("/api/v1/auth/login")).json(&login).send().await.unwrap().status(), 200);
    // The inviter sees it accepted; the audit log says how.
    let list = app.admin_request(&admin, Method::GET, "/api/v1/workspace/invitations").send().await.unwrap();
    let list: Value = list.json().await.unwrap();
    assert_eq!(list[0]["status"], "accepted");
    let audit = app.admin_request(&admin, Method::GET, "/api/v1/audit").send().await.unwrap();
    let audit: Value = audit.json().await.unwrap();
    let accepted = audit["items"].as_array().unwrap().iter().find(|e| e["action"] == "member.invite_accept");
    assert_eq!(accepted.map(|e| e["details"]["via"].clone()), Some(json!("link")), "{audit}");
}

/// The link opened in two tabs and both forms sent at once: one account, one membership, one 200.
async fn two_joins_with_one_link_make_one_account(mode: Mode) {
    let Some(app) = TestApp::spawn(mode).await else { return };
    let admin = app.admin_user("default", "owner@brand.in", Role::Owner).await;
    let token = token(&invite(&app, &admin, "twice@brand.in", "member").await);
    let (a, b) = tokio::join!(join(&app, &token, PASSWORD), join(&app, &token, PASSWORD));
    let mut statuses = [a.status().as_u16(), b.status().as_u16()];
    statuses.sort_unstable();
    assert_eq!(statuses[0], 200, "{statuses:?}");
    assert!(matches!(statuses[1], 404 | 409), "{statuses:?}");
    let members = app.admin_request(&admin, Method::GET, "/api/v1/workspace/members").send().await.unwrap();
    let members: Value = members.json().await.unwrap();
    let joined = members.as_array().map_or(0, |m| m.iter().filter(|m| m["email"] == "twice@brand.in").count());
    assert_eq!(joined, 1, "{members}");
}

async fn a_link_works_once_and_only_while_open(mode: Mode) {
    let Some(app) = TestApp::spawn(mode).await else { return };
    let admin = app.admin_user("default", "owner@brand.in", Role::Owner).await;
    // Used once: the second use names nothing.
    let first = token(&invite(&app, &admin, "one@brand.in", "viewer").await);
    assert_eq!(join(&app, &first, PASSWORD).await.status(), 200);
    assert_eq!(join(&app, &first, PASSWORD).await.status(), 404);
    assert_eq!(preview(&app, &first).await.status(), 404);
    // Re-inviting replaces the link.
    let old = token(&invite(&app, &admin, "two@brand.in", "viewer").await);
    let new = token(&invite(&app, &admin, "two@brand.in", "member").await);
    assert_eq!(preview(&app, &old).await.status(), 404);
    assert_eq!(preview(&app, &new).await.status(), 200);
    // Revoked.
    let created = invite(&app, &admin, "three@brand.in", "viewer").await;
    let path = format!("/api/v1/workspace/invitations/{}", created["id"]);
    assert_eq!(app.admin_request(&admin, Method::DELETE, &path).send().await.unwrap().status(), 204);
    assert_eq!(join(&app, &token(&created), PASSWORD).await.status(), 404);
    assert!(app.state.store.user_by_email("three@brand.in").await.unwrap().is_none());
    // Expired.
    let ws = app.workspace_id("default").await;
    let now = chrono::Utc::now();
    let hash = converge_server::auth::session::hash_token("expired-token");
    let past = now - chrono::Duration::hours(1);
    app.state.store.create_invitation(ws, "four@brand.in", Role::Viewer, None, past, past, Some(&hash)).await.unwrap();
    assert_eq!(join(&app, "expired-token", PASSWORD).await.status(), 404);
    // Unknown, empty and oversized tokens.
    for bad in ["nope", "", &"x".repeat(5000)] {
        assert_eq!(join(&app, bad, PASSWORD).await.status(), 404);
    }
    // An address with an account: sent to sign in, its password untouched, the invitation still open.
    app.admin_user("elsewhere", "five@brand.in", Role::Member).await;
    let created = invite(&app, &admin, "five@brand.in", "admin").await;
    let shown: Value = preview(&app, &token(&created)).await.json().await.unwrap();
    assert_eq!(shown["has_account"], true);
    let response = join(&app, &token(&created), PASSWORD).await;
    assert_eq!(response.status(), 409);
    assert!(problem(response).await["detail"].as_str().unwrap().starts_with("email:"));
    let login = json!({"email": "five@brand.in", "password": PASSWORD});
    assert_eq!(app.client.post(app.url("/api/v1/auth/login")).json(&login).send().await.unwrap().status(), 401);
    assert_eq!(preview(&app, &token(&created)).await.status(), 200);
}

async fn an_invitation_is_emailed_over_smtp(mode: Mode) {
    let Some(smtp) = smtp_server::SmtpServer::start() else { return };
    let Some(app) = TestApp::spawn(mode).await else { return };
    let admin = app.admin_user("default", "owner@brand.in", Role::Owner).await;
    app.use_smtp(smtp.port).await;
    let created = invite(&app, &admin, "neha@brand.in", "member").await;
    assert_eq!(created["email_delivery"], "sent", "{created}");
    let received = smtp.wait_for(1).await;
    let mail = received[0].to_string();
    assert!(mail.contains("neha@brand.in"), "{mail}");
    assert!(mail.contains(&token(&created)), "the e-mail carries the link: {mail}");
    // The e-mailed link works like the copied one.
    assert_eq!(join(&app, &token(&created), PASSWORD).await.status(), 200);
}
