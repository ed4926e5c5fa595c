//! Sign-in under attack, each test written as the attack: parallel guesses against the failure budget, a
//! flood against the hashing slots, forged forwarding headers, one address trying to lock others out, and
//! failed sign-ins in the audit log of the account's workspaces.

use std::net::{IpAddr, Ipv4Addr};

use chrono::Utc;
use converge_domain::{Role, UserId, WorkspaceId};
use converge_server::config::Settings;
use converge_store::NewUser;
use serde_json::{json, Value};

use crate::both_modes;
use crate::helpers::{problem, Mode, TestApp};

both_modes!(
    parallel_wrong_passwords_get_only_the_budget,
    a_hashing_flood_is_refused_not_queued,
    forwarded_headers_count_only_from_trusted_proxies,
    a_guessing_address_cannot_lock_the_owner_out,
    an_account_under_distributed_attack_still_lets_its_owner_in,
    failed_sign_ins_show_in_the_accounts_workspaces,
);

const PASSWORD: &str = "correct horse battery staple";

async fn person(app: &TestApp, slug: &str, email: &str) -> UserId {
    let store = &app.state.store;
    let ws = match store.workspace_by_slug(slug).await.unwrap() {
        Some(ws) => ws,
        None => store.create_workspace(slug, slug, &converge_domain::Currency::parse("INR").unwrap()).await.unwrap(),
    };
    let user = match store.user_by_email(email).await.unwrap() {
        Some((user, _)) => user,
        None => {
            let hash = converge_server::auth::password::hash(PASSWORD).unwrap();
            let new = NewUser { email: email.into(), name: None, password_hash: Some(hash), email_verified: false };
            store.create_user(&new, Utc::now()).await.unwrap()
        }
    };
    store.put_member(ws.id, user.id, Role::Member, Utc::now()).await.unwrap();
    user.id
}

/// A client whose connections come from `ip` (any 127/8 address is this machine).
fn client_from(ip: [u8; 4]) -> reqwest::Client {
    reqwest::Client::builder().local_address(IpAddr::V4(Ipv4Addr::from(ip))).build().unwrap()
}

async fn login(app: &TestApp, client: &reqwest::Client, email: &str, password: &str) -> reqwest::Response {
    login_via(app, client, email, password, None).await
}

async fn login_via(
    app: &TestApp,
    client: &reqwest::Client,
    email: &str,
    password: &str,
    forwarded_for: Option<&str>,
) -> reqwest::Response {
    let mut request = client.post(app.url("/api/v1/auth/login")).json(&json!({"email": email, "password": password}));
    if let Some(hop) = forwarded_for {
        request = request.header("x-forwarded-for", hop);
    }
    request.send().await.unwrap()
}

/// The workspace's `auth.login_failed` entries once there are `want` (they are written in the background).
async fn failures_in(app: &TestApp, workspace_id: WorkspaceId, want: usize) -> Vec<converge_store::AuditEntry> {
    for _ in 0..100 {
        let entries = app.state.store.audit_log(workspace_id, None, 100).await.unwrap();
        let failed: Vec<_> = entries.into_iter().filter(|e| e.action == "auth.login_failed").collect();
        if failed.len() >= want {
            return failed;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!("fewer than {want} failed sign-ins were audited");
}

/// Generous hashing limits: the tests about budgets must not meet the hashing queue.
fn roomy(settings: &mut Settings) {
    settings.auth.password_hashing_queue = 1000;
    settings.auth.password_hashing_wait_ms = 120_000;
}

/// 30 wrong passwords at once for one account: before, all 30 were checked (the budget was read before any
/// failure was counted); now exactly the budget is checked (401) and the rest are refused unhashed (429).
async fn parallel_wrong_passwords_get_only_the_budget(mode: Mode) {
    let Some(app) = TestApp::spawn_with(mode, roomy).await else { return };
    person(&app, "default", "asha@brand.in").await;
    let budget = app.state.settings.auth.login_failures_per_account_and_address as usize;
    let guesser = client_from([127, 0, 0, 21]);
    let attempts = (0..30).map(|i| {
        let (app, guesser) = (&app, &guesser);
        async move { login(app, guesser, "asha@brand.in", &format!("wrong guess number {i}")).await }
    });
    let answers = futures_util::future::join_all(attempts).await;
    let status = |code: u16| answers.iter().filter(|r| r.status().as_u16() == code).count();
    assert_eq!((status(401), status(429)), (budget, 30 - budget), "only the budget is checked");
    for refused in answers.into_iter().filter(|r| r.status() == 429) {
        assert!(refused.headers().contains_key("retry-after"));
        assert_eq!(problem(refused).await["status"], 429);
    }
}

/// 40 sign-ins at once, each for its own account from its own address (no budget is hit), against one
/// hashing slot and a queue of 4: the excess is answered 503 with `Retry-After` at once, never 500, and the
/// server still signs people in afterwards.
async fn a_hashing_flood_is_refused_not_queued(mode: Mode) {
    let Some(app) = TestApp::spawn_with(mode, |s| {
        s.auth.password_hashing_slots = 1;
        s.auth.password_hashing_queue = 4;
        s.auth.password_hashing_wait_ms = 60_000;
    })
    .await
    else {
        return;
    };
    person(&app, "default", "asha@brand.in").await;
    let attempts = (0..40u8).map(|i| {
        let app = &app;
        async move {
            let client = client_from([127, 0, 1, 10 + i]);
            login(app, &client, &format!("nobody{i}@brand.in"), "some password guess").await
        }
    });
    let answers = futures_util::future::join_all(attempts).await;
    let status = |code: u16| answers.iter().filter(|r| r.status().as_u16() == code).count();
    assert_eq!(status(401) + status(503), 40, "only 401 or 503");
    assert!(status(503) >= 20, "at most the slot and the queue were let through: {} 401s", status(401));
    let busy = answers.into_iter().find(|r| r.status() == 503).unwrap();
    assert_eq!(busy.headers().get("retry-after").unwrap(), "1");
    assert_eq!(problem(busy).await["status"], 503);
    // The refused attempts were never checked, so they cost their addresses nothing.
    let client = client_from([127, 0, 1, 10]);
    assert_eq!(login(&app, &client, "asha@brand.in", PASSWORD).await.status(), 200);
}

/// An untrusted peer sending `X-Forwarded-For` cannot pick a fresh address per guess; a trusted proxy's
/// header names the client, so one client behind it does not cool the proxy off for everyone.
async fn forwarded_headers_count_only_from_trusted_proxies(mode: Mode) {
    let Some(app) = TestApp::spawn_with(mode, |s| {
        roomy(s);
        s.auth.login_failures_per_address = 3;
        s.auth.trusted_proxies = vec!["127.0.0.30/31".into()];
    })
    .await
    else {
        return;
    };
    person(&app, "default", "asha@brand.in").await;
    let attacker = client_from([127, 0, 0, 29]);
    for i in 0..3 {
        let forged = format!("198.51.100.{i}");
        let answer = login_via(&app, &attacker, &format!("guess{i}@brand.in"), "nope nope nope", Some(&forged)).await;
        assert_eq!(answer.status(), 401);
    }
    let answer = login_via(&app, &attacker, "asha@brand.in", PASSWORD, Some("198.51.100.200")).await;
    assert_eq!(answer.status(), 429, "the forged header is ignored: the peer is cooled off");

    let proxy = client_from([127, 0, 0, 30]);
    for i in 0..3 {
        // The client wrote the left hop (a fresh one each time); our proxy appended the right one.
        let chain = format!("6.6.6.{i}, 203.0.113.7");
        assert_eq!(login_via(&app, &proxy, "asha@brand.in", "nope nope nope", Some(&chain)).await.status(), 401);
    }
    let answer = login_via(&app, &proxy, "asha@brand.in", PASSWORD, Some("203.0.113.7")).await;
    assert_eq!(answer.status(), 429, "the client behind the proxy is cooled off");
    let answer = login_via(&app, &proxy, "asha@brand.in", PASSWORD, Some("203.0.113.8")).await;
    assert_eq!(answer.status(), 200, "another client behind the same proxy is not");
    let failed = failures_in(&app, app.workspace_id("default").await, 3).await;
    assert_eq!(failed.len(), 3);
    assert!(failed.iter().all(|e| e.details["address"] == "203.0.113.7"), "the audit log names the real client");
}

/// The attack: guess an account's password until it locks, so its owner cannot sign in. The guessing
/// address is cooled off on that account; the owner's own address is not.
async fn a_guessing_address_cannot_lock_the_owner_out(mode: Mode) {
    let Some(app) = TestApp::spawn_with(mode, roomy).await else { return };
    person(&app, "default", "asha@brand.in").await;
    let budget = app.state.settings.auth.login_failures_per_account_and_address;
    let attacker = client_from([127, 0, 0, 41]);
    for _ in 0..budget {
        assert_eq!(login(&app, &attacker, "asha@brand.in", "wrong password here").await.status(), 401);
    }
    let refused = login(&app, &attacker, "asha@brand.in", PASSWORD).await;
    assert_eq!(refused.status(), 429, "even the right password, from the guessing address");
    let owner = client_from([127, 0, 0, 42]);
    assert_eq!(login(&app, &owner, "asha@brand.in", PASSWORD).await.status(), 200, "the owner gets in");
    assert_eq!(login(&app, &attacker, "ravi@brand.in", "wrong password here").await.status(), 401, "per account");
}

/// Many addresses guessing one account: past `login_failures_per_account`, an address that already failed
/// is refused and each fresh one gets one try, so the owner (a fresh address) still gets in.
async fn an_account_under_distributed_attack_still_lets_its_owner_in(mode: Mode) {
    let Some(app) = TestApp::spawn_with(mode, |s| {
        roomy(s);
        s.auth.login_failures_per_account = 4;
    })
    .await
    else {
        return;
    };
    person(&app, "default", "asha@brand.in").await;
    for host in [51, 52] {
        for _ in 0..2 {
            let status = login(&app, &client_from([127, 0, 0, host]), "asha@brand.in", "wrong password here").await;
            assert_eq!(status.status(), 401);
        }
    }
    let again = login(&app, &client_from([127, 0, 0, 51]), "asha@brand.in", "wrong password here").await;
    assert_eq!(again.status(), 429, "under attack: an address that failed is refused");
    let fresh = client_from([127, 0, 0, 53]);
    assert_eq!(login(&app, &fresh, "asha@brand.in", "wrong password here").await.status(), 401, "one try");
    assert_eq!(login(&app, &fresh, "asha@brand.in", "wrong password here").await.status(), 429);
    let owner = client_from([127, 0, 0, 54]);
    assert_eq!(login(&app, &owner, "asha@brand.in", PASSWORD).await.status(), 200);
}

/// A wrong password for a member shows in the audit log of each of their workspaces (address, no password);
/// a workspace they are not in sees nothing.
async fn failed_sign_ins_show_in_the_accounts_workspaces(mode: Mode) {
    let Some(app) = TestApp::spawn_with(mode, roomy).await else { return };
    let id = person(&app, "default", "asha@brand.in").await;
    person(&app, "acme", "asha@brand.in").await;
    let outsider_key = app.create_key("zeta", &["all"]).await;
    let acme_key = app.create_key("acme", &["all"]).await;
    let guess = "hunter2 hunter2 hunter2";
    let answer = login(&app, &client_from([127, 0, 0, 61]), "Asha@Brand.in", guess).await;
    assert_eq!(answer.status(), 401);
    for slug in ["default", "acme"] {
        failures_in(&app, app.workspace_id(slug).await, 1).await;
    }
    for key in [&app.key, &acme_key] {
        let page: Value = app.get("/api/v1/audit", key).await.json().await.unwrap();
        let failed: Vec<&Value> =
            page["items"].as_array().unwrap().iter().filter(|e| e["action"] == "auth.login_failed").collect();
        assert_eq!(failed.len(), 1, "{page}");
        assert_eq!(failed[0]["target"], format!("user:{id}"));
        assert_eq!(failed[0]["details"]["address"], "127.0.0.61");
        assert_eq!(failed[0]["details"]["method"], "password");
        assert!(!page.to_string().contains("hunter2"), "never the password");
    }
    let page: Value = app.get("/api/v1/audit", &outsider_key).await.json().await.unwrap();
    assert!(!page.to_string().contains("auth.login_failed"), "{page}");
}
