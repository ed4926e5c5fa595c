//! People signing in over HTTP: local login (cookie attributes, one answer for a wrong password and an unknown
//! account, throttling per account and per client address, a fresh session id at every sign-in), sessions on
//! API routes (workspace choice, CSRF token and Origin, idle and absolute expiry, sign-out), the first owner's
//! setup, and `converge admin create` through the real binary.

use std::net::{IpAddr, Ipv4Addr};
use std::process::Stdio;

use chrono::{Duration, Utc};
use converge_domain::{Role, UserId};
use converge_server::auth::session::{hash_token, random_token};
use converge_store::{NewUser, SessionRecord};
use serde_json::{json, Value};

use crate::both_modes;
use crate::helpers::{fields, problem, Mode, TestApp};
use crate::process::{free_port, Deployment};

both_modes!(
    login_answers_me_and_sets_a_session_cookie,
    the_cookie_is_secure_behind_an_https_public_url,
    a_wrong_password_and_an_unknown_account_answer_alike,
    repeated_failures_cool_off_the_account,
    repeated_failures_cool_off_the_address,
    signing_in_again_replaces_the_session,
    a_session_acts_in_the_persons_workspaces,
    state_changes_need_the_csrf_token_and_this_origin,
    idle_and_expired_sessions_end,
    logout_ends_the_session,
    setup_creates_the_first_owner_once,
    admin_create_through_the_binary_then_sign_in,
);

const PASSWORD: &str = "correct horse battery staple";

/// Creates a local account with `PASSWORD` and `role` in workspace `slug` (created if missing).
async fn person(app: &TestApp, slug: &str, email: &str, role: Role) -> UserId {
    let store = &app.state.store;
    let ws = match store.workspace_by_slug(slug).await.unwrap() {
        Some(ws) => ws,
        None => store.create_workspace(slug, slug, &converge_domain::Currency::parse("INR").unwrap()).await.unwrap(),
    };
    let hash = converge_server::auth::password::hash(PASSWORD).unwrap();
    let new = NewUser { email: email.into(), name: None, password_hash: Some(hash), email_verified: false };
    let now = Utc::now();
    let user = store.create_user(&new, now).await.unwrap();
    store.put_member(ws.id, user.id, role, now).await.unwrap();
    user.id
}

/// POST /api/v1/auth/login from `client`, sending `cookie` (`converge_session=…`) if given.
async fn login(
    app: &TestApp,
    client: &reqwest::Client,
    email: &str,
    password: &str,
    cookie: Option<&str>,
) -> reqwest::Response {
    let mut request = client.post(app.url("/api/v1/auth/login")).json(&json!({"email": email, "password": password}));
    if let Some(cookie) = cookie {
        request = request.header("cookie", cookie);
    }
    request.send().await.unwrap()
}

/// The whole `Set-Cookie` header naming the session cookie.
fn set_cookie(response: &reqwest::Response) -> String {
    response
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with("converge_session="))
        .expect("a session Set-Cookie")
        .to_owned()
}

/// A signed-in person: `converge_session=<id>` and the session's CSRF token.
struct Signed {
    cookie: String,
    csrf: String,
}

impl Signed {
    fn id(&self) -> &str {
        self.cookie.trim_start_matches("converge_session=")
    }
}

async fn sign_in(app: &TestApp, email: &str) -> Signed {
    let response = login(app, &app.client, email, PASSWORD, None).await;
    assert_eq!(response.status(), 200, "sign-in of {email}");
    let cookie = set_cookie(&response).split(';').next().unwrap().to_owned();
    let me: Value = response.json().await.unwrap();
    Signed { cookie, csrf: me["csrf_token"].as_str().unwrap().to_owned() }
}

async fn me_status(app: &TestApp, cookie: &str) -> u16 {
    let response = app.client.get(app.url("/api/v1/auth/me")).header("cookie", cookie).send().await.unwrap();
    response.status().as_u16()
}

/// A client whose connections come from `ip` (any 127/8 address is this machine).
fn client_from(ip: [u8; 4]) -> reqwest::Client {
    reqwest::Client::builder().local_address(IpAddr::V4(Ipv4Addr::from(ip))).build().unwrap()
}

async fn login_answers_me_and_sets_a_session_cookie(mode: Mode) {
    let Some(app) = TestApp::spawn(mode).await else { return };
    let id = person(&app, "default", "asha@brand.in", Role::Member).await;
    // E-mail addresses are matched trimmed and case-insensitively.
    let response = login(&app, &app.client, "  Asha@Brand.IN ", PASSWORD, None).await;
    assert_eq!(response.status(), 200);
    let cookie = set_cookie(&response);
    let attributes: Vec<&str> = cookie.split(';').map(str::trim).collect();
    for wanted in ["HttpOnly", "SameSite=Lax", "Path=/"] {
        assert!(attributes.contains(&wanted), "{wanted} missing in {cookie}");
    }
    let max_age = attributes.iter().find_map(|a| a.strip_prefix("Max-Age=")).expect("Max-Age");
    assert_eq!(max_age.parse::<i64>().unwrap(), 7 * 24 * 3600, "{cookie}");
    assert!(!attributes.contains(&"Secure"), "no Secure over plain http: {cookie}");
    let session_id = attributes[0].strip_prefix("converge_session=").unwrap();
    assert_eq!(session_id.len(), 43, "32 random bytes");
    // Only the id's hash is stored.
    assert!(app.state.store.session(session_id.as_bytes()).await.unwrap().is_none());
    let stored = app.state.store.session(&hash_token(session_id)).await.unwrap().expect("the session row");
    assert_eq!(stored.user_id, id);

    let me: Value = response.json().await.unwrap();
    assert_eq!(me["id"], json!(id));
    assert_eq!(me["email"], "asha@brand.in");
    assert_eq!(
        me["workspaces"],
        json!([{"slug": "default", "name": "Default workspace", "role": "member", "currency": "INR"}])
    );
    let csrf = me["csrf_token"].as_str().unwrap();
    assert_eq!(csrf, stored.csrf_token);
    assert_eq!(csrf.len(), 43);

    let again = app.client.get(app.url("/api/v1/auth/me")).header("cookie", attributes[0]).send().await.unwrap();
    assert_eq!(again.status(), 200);
    let again: Value = again.json().await.unwrap();
    assert_eq!((&again["id"], &again["csrf_token"]), (&me["id"], &me["csrf_token"]));
    // No cookie, or an unknown one: 401.
    assert_eq!(app.client.get(app.url("/api/v1/auth/me")).send().await.unwrap().status(), 401);
    assert_eq!(me_status(&app, &format!("converge_session={}", random_token())).await, 401);
}

async fn the_cookie_is_secure_behind_an_https_public_url(mode: Mode) {
    let Some(app) = TestApp::spawn_with(mode, |s| s.auth.public_url = Some("https://crm.example".into())).await else {
        return;
    };
    person(&app, "default", "asha@brand.in", Role::Member).await;
    let response = login(&app, &app.client, "asha@brand.in", PASSWORD, None).await;
    assert_eq!(response.status(), 200);
    let cookie = set_cookie(&response);
    assert!(cookie.split(';').any(|a| a.trim() == "Secure"), "{cookie}");
    // With a public URL, browsers' requests must come from its origin (not the address the server saw).
    let cookie = cookie.split(';').next().unwrap().to_owned();
    let me: Value = response.json().await.unwrap();
    let csrf = me["csrf_token"].as_str().unwrap();
    for (origin, expected) in [("https://crm.example", 200), (app.base.as_str(), 403), ("http://crm.example", 403)] {
        assert_eq!(preview(&app, &cookie, Some(csrf), Some(origin)).await.status(), expected, "{origin}");
    }
}

/// POST /api/v1/segments/preview (a state-changing route) with a session cookie and what else is given.
async fn preview(app: &TestApp, cookie: &str, token: Option<&str>, origin: Option<&str>) -> reqwest::Response {
    let mut request = app.client.post(app.url("/api/v1/segments/preview")).header("cookie", cookie);
    if let Some(token) = token {
        request = request.header("x-csrf-token", token);
    }
    if let Some(origin) = origin {
        request = request.header("origin", origin);
    }
    request.json(&json!({"rule": {"combinator": "and", "rules": []}})).send().await.unwrap()
}

async fn a_wrong_password_and_an_unknown_account_answer_alike(mode: Mode) {
    let Some(app) = TestApp::spawn(mode).await else { return };
    person(&app, "default", "asha@brand.in", Role::Member).await;
    let wrong = login(&app, &app.client, "asha@brand.in", "not the password at all", None).await;
    let unknown = login(&app, &app.client, "nobody@brand.in", PASSWORD, None).await;
    assert_eq!(wrong.status(), 401);
    assert_eq!(unknown.status(), wrong.status());
    let header = |r: &reqwest::Response, name: &str| r.headers().get(name).map(|v| v.as_bytes().to_vec());
    for name in ["content-type", "www-authenticate", "set-cookie"] {
        assert_eq!(header(&wrong, name), header(&unknown, name), "{name}");
    }
    assert!(header(&wrong, "set-cookie").is_none());
    let (wrong, unknown) = (wrong.bytes().await.unwrap(), unknown.bytes().await.unwrap());
    assert_eq!(wrong, unknown, "byte-identical problem bodies");
    let body: Value = serde_json::from_slice(&wrong).unwrap();
    assert_eq!(body["status"], 401);
    // An account without a password (provider sign-in only) answers the same too.
    let store = &app.state.store;
    let new = NewUser { email: "sso@brand.in".into(), name: None, password_hash: None, email_verified: true };
    store.create_user(&new, Utc::now()).await.unwrap();
    let sso = login(&app, &app.client, "sso@brand.in", PASSWORD, None).await;
    assert_eq!(sso.status(), 401);
    assert_eq!(sso.bytes().await.unwrap(), wrong);
}

async fn repeated_failures_cool_off_the_account(mode: Mode) {
    let Some(app) = TestApp::spawn_with(mode, |s| {
        s.auth.login_failures_per_account_and_address = 3;
        s.auth.login_failures_per_address = 1000;
        s.auth.login_cooloff_secs = 600;
    })
    .await
    else {
        return;
    };
    person(&app, "default", "asha@brand.in", Role::Member).await;
    person(&app, "default", "ravi@brand.in", Role::Member).await;
    for _ in 0..3 {
        assert_eq!(login(&app, &app.client, "asha@brand.in", "wrong password here", None).await.status(), 401);
    }
    // Cooling off: even the right password is refused from the address that failed (auth_attack.rs has
    // why another address is not).
    let refused = login(&app, &app.client, "ASHA@brand.in", PASSWORD, None).await;
    assert_eq!(refused.status(), 429);
    let retry: u64 = refused.headers().get("retry-after").unwrap().to_str().unwrap().parse().unwrap();
    assert!((1..=600).contains(&retry), "{retry}");
    assert!(refused.headers().get("set-cookie").is_none());
    assert_eq!(problem(refused).await["status"], 429);
    // Another account is unaffected, from this address and another.
    assert_eq!(login(&app, &app.client, "ravi@brand.in", PASSWORD, None).await.status(), 200);
    assert_eq!(login(&app, &client_from([127, 0, 0, 3]), "ravi@brand.in", PASSWORD, None).await.status(), 200);
}

async fn repeated_failures_cool_off_the_address(mode: Mode) {
    let Some(app) = TestApp::spawn_with(mode, |s| {
        s.auth.login_failures_per_account = 1000;
        s.auth.login_failures_per_address = 3;
    })
    .await
    else {
        return;
    };
    person(&app, "default", "asha@brand.in", Role::Member).await;
    let guesser = client_from([127, 0, 0, 4]);
    // Addresses and passwords no account can have are refused outright, without counting (or storing them).
    let long = format!("{}@brand.in", "a".repeat(300));
    for (email, password, field) in
        [(long.as_str(), PASSWORD, "email"), ("asha@brand.in", &*"p".repeat(257), "password")]
    {
        for _ in 0..4 {
            let refused = login(&app, &guesser, email, password, None).await;
            assert_eq!(refused.status(), 422);
            assert_eq!(fields(&problem(refused).await), [field]);
        }
    }
    for i in 0..3 {
        let email = format!("guess{i}@brand.in");
        assert_eq!(login(&app, &guesser, &email, "some password guess", None).await.status(), 401);
    }
    // The address cools off for every account, the right password included.
    let refused = login(&app, &guesser, "asha@brand.in", PASSWORD, None).await;
    assert_eq!(refused.status(), 429);
    assert!(refused.headers().contains_key("retry-after"));
    // Other addresses are unaffected.
    assert_eq!(login(&app, &client_from([127, 0, 0, 5]), "asha@brand.in", PASSWORD, None).await.status(), 200);
    assert_eq!(login(&app, &app.client, "asha@brand.in", PASSWORD, None).await.status(), 200);
}

async fn signing_in_again_replaces_the_session(mode: Mode) {
    let Some(app) = TestApp::spawn(mode).await else { return };
    person(&app, "default", "asha@brand.in", Role::Member).await;
    let first = sign_in(&app, "asha@brand.in").await;
    assert_eq!(me_status(&app, &first.cookie).await, 200);
    let second = login(&app, &app.client, "asha@brand.in", PASSWORD, Some(&first.cookie)).await;
    assert_eq!(second.status(), 200);
    let second_cookie = set_cookie(&second).split(';').next().unwrap().to_owned();
    let me: Value = second.json().await.unwrap();
    assert_ne!(second_cookie, first.cookie, "a fresh session id");
    assert_ne!(me["csrf_token"], first.csrf.as_str(), "a fresh CSRF token");
    assert_eq!(me_status(&app, &first.cookie).await, 401, "the old session ended");
    assert!(app.state.store.session(&hash_token(first.id())).await.unwrap().is_none());
    assert_eq!(me_status(&app, &second_cookie).await, 200);
    // A failed sign-in leaves the session it carried alone.
    let failed = login(&app, &app.client, "asha@brand.in", "wrong password here", Some(&second_cookie)).await;
    assert_eq!(failed.status(), 401);
    assert_eq!(me_status(&app, &second_cookie).await, 200);
}

async fn a_session_acts_in_the_persons_workspaces(mode: Mode) {
    let Some(app) = TestApp::spawn(mode).await else { return };
    app.post_json("/api/v1/customers", &app.key, &crate::helpers::customer("C1")).await;
    app.drain().await;
    person(&app, "default", "asha@brand.in", Role::Viewer).await;
    person(&app, "other", "ravi@other.in", Role::Owner).await;
    let asha = sign_in(&app, "asha@brand.in").await;
    let get = |path: &str, workspace: Option<&str>| {
        let mut request = app.client.get(app.url(path)).header("cookie", &asha.cookie);
        if let Some(slug) = workspace {
            request = request.header("x-converge-workspace", slug);
        }
        request.send()
    };
    for workspace in [None, Some("default"), Some(" default ")] {
        let response = get("/api/v1/customers", workspace).await.unwrap();
        assert_eq!(response.status(), 200, "{workspace:?}");
        let page: Value = response.json().await.unwrap();
        assert_eq!(page["items"][0]["external_id"], "C1");
    }
    assert_eq!(get("/api/v1/customers/C1", None).await.unwrap().status(), 200);
    // A workspace she is not in is not hers to know about, whether it exists or not.
    for slug in ["other", "nowhere"] {
        let response = get("/api/v1/customers", Some(slug)).await.unwrap();
        assert_eq!(response.status(), 404, "{slug}");
        assert_eq!(problem(response).await["status"], 404);
    }
    // Her role applies: a viewer reads but does not send data.
    let ingest = app
        .client
        .post(app.url("/api/v1/customers"))
        .header("cookie", &asha.cookie)
        .header("x-csrf-token", &asha.csrf)
        .json(&crate::helpers::customer("C2"))
        .send()
        .await
        .unwrap();
    assert_eq!(ingest.status(), 403);
    // Someone in two workspaces chooses with the header; the first by slug is the default.
    let other = app.state.store.workspace_by_slug("other").await.unwrap().unwrap();
    let asha_id = app.state.store.user_by_email("asha@brand.in").await.unwrap().unwrap().0.id;
    app.state.store.put_member(other.id, asha_id, Role::Owner, Utc::now()).await.unwrap();
    let default_page: Value = get("/api/v1/customers", None).await.unwrap().json().await.unwrap();
    assert_eq!(default_page["items"].as_array().unwrap().len(), 1);
    let other_page: Value = get("/api/v1/customers", Some("other")).await.unwrap().json().await.unwrap();
    assert_eq!(other_page["items"].as_array().unwrap().len(), 0);
    let me: Value = app
        .client
        .get(app.url("/api/v1/auth/me"))
        .header("cookie", &asha.cookie)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let roles: Vec<(&str, &str)> = me["workspaces"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| (w["slug"].as_str().unwrap(), w["role"].as_str().unwrap()))
        .collect();
    assert_eq!(roles, [("default", "viewer"), ("other", "owner")]);
}

async fn state_changes_need_the_csrf_token_and_this_origin(mode: Mode) {
    let Some(app) = TestApp::spawn(mode).await else { return };
    person(&app, "default", "asha@brand.in", Role::Member).await;
    let asha = sign_in(&app, "asha@brand.in").await;
    let body = json!({"rule": {"combinator": "and", "rules": []}});
    let refused = preview(&app, &asha.cookie, None, None).await;
    assert_eq!(refused.status(), 403);
    assert_eq!(problem(refused).await["status"], 403);
    assert_eq!(preview(&app, &asha.cookie, Some("not-the-token"), None).await.status(), 403);
    assert_eq!(preview(&app, &asha.cookie, Some(""), None).await.status(), 403);
    assert_eq!(preview(&app, &asha.cookie, Some(&asha.csrf), Some("http://evil.example")).await.status(), 403);
    assert_eq!(preview(&app, &asha.cookie, Some(&asha.csrf), Some("null")).await.status(), 403);
    assert_eq!(preview(&app, &asha.cookie, Some(&asha.csrf), Some(&app.base)).await.status(), 200);
    assert_eq!(preview(&app, &asha.cookie, Some(&asha.csrf), None).await.status(), 200, "no Origin (not a browser)");
    // Another session's token does not do.
    person(&app, "default", "ravi@brand.in", Role::Member).await;
    let ravi = sign_in(&app, "ravi@brand.in").await;
    assert_eq!(preview(&app, &asha.cookie, Some(&ravi.csrf), None).await.status(), 403);
    // Every method that changes state needs it (here: a DELETE), reading does not.
    let delete = app.client.delete(app.url("/api/v1/segments/1")).header("cookie", &asha.cookie).send().await.unwrap();
    assert_eq!(delete.status(), 403);
    let read = app.client.get(app.url("/api/v1/segments")).header("cookie", &asha.cookie).send().await.unwrap();
    assert_eq!(read.status(), 200);
    // API keys are not exposed to CSRF: no token needed.
    let keyed = app
        .client
        .post(app.url("/api/v1/segments/preview"))
        .bearer_auth(&app.key)
        .header("origin", "http://evil.example")
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(keyed.status(), 200);
}

async fn idle_and_expired_sessions_end(mode: Mode) {
    let Some(app) = TestApp::spawn_with(mode, |s| s.auth.session_idle_minutes = 30).await else { return };
    let user_id = person(&app, "default", "asha@brand.in", Role::Member).await;
    let store = &app.state.store;
    let now = Utc::now();
    let session = |created: Duration, seen: Duration, ends: Duration| SessionRecord {
        user_id,
        csrf_token: random_token(),
        created_at: now - created,
        last_seen_at: now - seen,
        expires_at: now + ends,
    };
    let cases = [
        ("idle past the limit", session(Duration::hours(2), Duration::minutes(31), Duration::hours(5)), false),
        ("past its absolute end", session(Duration::days(8), Duration::seconds(5), -Duration::seconds(1)), false),
        ("idle but within the limit", session(Duration::hours(2), Duration::minutes(29), Duration::hours(5)), true),
    ];
    for (what, record, alive) in cases {
        for path in ["/api/v1/auth/me", "/api/v1/customers"] {
            let id = random_token();
            store.create_session(&hash_token(&id), &record).await.unwrap();
            let cookie = format!("converge_session={id}");
            let status = app.client.get(app.url(path)).header("cookie", &cookie).send().await.unwrap().status();
            let row = store.session(&hash_token(&id)).await.unwrap();
            if alive {
                assert_eq!(status, 200, "{what}: {path}");
                let row = row.expect("a live session stays");
                assert!(row.last_seen_at > record.last_seen_at, "{what}: use refreshes last_seen_at");
            } else {
                assert_eq!(status, 401, "{what}: {path}");
                assert!(row.is_none(), "{what}: the ended session's row is deleted");
            }
        }
    }
    // Ended sessions nobody presents again are pruned; live ones stay.
    let (idle, ended, live) = (random_token(), random_token(), random_token());
    store
        .create_session(&hash_token(&idle), &session(Duration::hours(2), Duration::minutes(31), Duration::hours(5)))
        .await
        .unwrap();
    store
        .create_session(&hash_token(&ended), &session(Duration::days(8), Duration::seconds(5), -Duration::seconds(1)))
        .await
        .unwrap();
    store
        .create_session(&hash_token(&live), &session(Duration::hours(2), Duration::minutes(1), Duration::hours(5)))
        .await
        .unwrap();
    let policy = app.state.session_policy();
    assert!(converge_server::auth::session::prune(store.as_ref(), &policy, Utc::now()).await.unwrap() >= 2);
    assert!(store.session(&hash_token(&idle)).await.unwrap().is_none());
    assert!(store.session(&hash_token(&ended)).await.unwrap().is_none());
    assert!(store.session(&hash_token(&live)).await.unwrap().is_some());

    // Sessions started with a tiny absolute lifetime end by themselves.
    let policy = converge_server::auth::SessionPolicy {
        idle: Duration::minutes(30),
        absolute: Duration::milliseconds(300),
        secure: false,
    };
    let (id, _csrf) =
        converge_server::auth::session::start(store.as_ref(), user_id, None, &policy, Utc::now()).await.unwrap();
    let cookie = format!("converge_session={id}");
    assert_eq!(me_status(&app, &cookie).await, 200);
    tokio::time::sleep(std::time::Duration::from_millis(400)).await;
    assert_eq!(me_status(&app, &cookie).await, 401);
    assert!(store.session(&hash_token(&id)).await.unwrap().is_none());
}

async fn logout_ends_the_session(mode: Mode) {
    let Some(app) = TestApp::spawn(mode).await else { return };
    person(&app, "default", "asha@brand.in", Role::Member).await;
    let asha = sign_in(&app, "asha@brand.in").await;
    let logout = |token: Option<&str>| {
        let mut request = app.client.post(app.url("/api/v1/auth/logout")).header("cookie", &asha.cookie);
        if let Some(token) = token {
            request = request.header("x-csrf-token", token);
        }
        request.send()
    };
    // Without the token (a cross-site form could sign people out): refused, the session lives on.
    let refused = logout(None).await.unwrap();
    assert_eq!(refused.status(), 403);
    assert_eq!(logout(Some("wrong")).await.unwrap().status(), 403);
    // Like every state-changing request, it must come from this server's origin when an Origin is sent.
    let foreign = app
        .client
        .post(app.url("/api/v1/auth/logout"))
        .header("cookie", &asha.cookie)
        .header("x-csrf-token", &asha.csrf)
        .header("origin", "http://evil.example")
        .send()
        .await
        .unwrap();
    assert_eq!(foreign.status(), 403);
    assert_eq!(me_status(&app, &asha.cookie).await, 200);

    let done = logout(Some(&asha.csrf)).await.unwrap();
    assert_eq!(done.status(), 204);
    let cleared = set_cookie(&done);
    let attributes: Vec<&str> = cleared.split(';').map(str::trim).collect();
    assert_eq!(attributes[0], "converge_session=", "{cleared}");
    assert!(attributes.contains(&"Max-Age=0") && attributes.contains(&"Path=/"), "{cleared}");
    assert_eq!(me_status(&app, &asha.cookie).await, 401);
    let customers = app.client.get(app.url("/api/v1/customers")).header("cookie", &asha.cookie).send().await.unwrap();
    assert_eq!(customers.status(), 401);
    assert!(app.state.store.session(&hash_token(asha.id())).await.unwrap().is_none());
    // Signing out again, or without any session, changes nothing and still clears the cookie.
    let again = logout(Some(&asha.csrf)).await.unwrap();
    assert_eq!(again.status(), 204);
    assert!(set_cookie(&again).contains("Max-Age=0"));
    assert_eq!(app.client.post(app.url("/api/v1/auth/logout")).send().await.unwrap().status(), 204);
}

async fn setup_creates_the_first_owner_once(mode: Mode) {
    let Some(app) = TestApp::spawn(mode).await else { return };
    let store = &app.state.store;
    assert_eq!(store.count_users().await.unwrap(), 0);
    let now = Utc::now();
    let token = random_token();
    store.create_setup_token(&hash_token(&token), now, now + Duration::hours(1)).await.unwrap();
    let expired = random_token();
    store.create_setup_token(&hash_token(&expired), now - Duration::hours(2), now - Duration::hours(1)).await.unwrap();
    let setup = |body: Value| app.client.post(app.url("/api/v1/auth/setup")).json(&body).send();
    let required = || async { app.get_json("/api/v1/auth/setup").await["required"].as_bool() };
    assert_eq!(required().await, Some(true), "nobody exists yet");

    // Bad input names the fields (and does not use the token up).
    let bad = setup(json!({"token": token, "email": "not an address", "password": "short"})).await.unwrap();
    assert_eq!(bad.status(), 422);
    let mut named = fields(&problem(bad).await);
    named.sort();
    assert_eq!(named, ["email", "password"]);
    let bad = setup(json!({"token": token, "email": "boss@brand.in", "password": "short"})).await.unwrap();
    assert_eq!(fields(&problem(bad).await), ["password"]);
    // Unknown and expired tokens are refused.
    for wrong in [random_token(), expired] {
        let refused = setup(json!({"token": wrong, "email": "boss@brand.in", "password": PASSWORD})).await.unwrap();
        assert_eq!(refused.status(), 403);
    }
    assert_eq!(store.count_users().await.unwrap(), 0);

    let done =
        setup(json!({"token": token, "email": "Boss@Brand.in", "password": PASSWORD, "name": "Boss"})).await.unwrap();
    assert_eq!(done.status(), 200);
    let cookie = set_cookie(&done).split(';').next().unwrap().to_owned();
    let me: Value = done.json().await.unwrap();
    assert_eq!(me["email"], "boss@brand.in");
    assert_eq!(me["name"], "Boss");
    assert_eq!(
        me["workspaces"],
        json!([{"slug": "default", "name": "Default workspace", "role": "owner", "currency": "INR"}])
    );
    assert_eq!(me_status(&app, &cookie).await, 200, "signed in");
    assert_eq!(required().await, Some(false));
    let ws = app.workspace_id("default").await;
    let user_id = UserId::new(me["id"].as_i64().unwrap());
    assert_eq!(store.member_role(ws, user_id).await.unwrap(), Some(Role::Owner));
    assert_eq!(login(&app, &app.client, "boss@brand.in", PASSWORD, None).await.status(), 200);

    // The token works once; once anyone exists, no token does.
    let reused = setup(json!({"token": token, "email": "second@brand.in", "password": PASSWORD})).await.unwrap();
    assert_eq!(reused.status(), 403);
    let fresh = random_token();
    store.create_setup_token(&hash_token(&fresh), Utc::now(), Utc::now() + Duration::hours(1)).await.unwrap();
    let late = setup(json!({"token": fresh, "email": "second@brand.in", "password": PASSWORD})).await.unwrap();
    assert_eq!(late.status(), 403);
    assert_eq!(problem(late).await["status"], 403);
    assert_eq!(store.count_users().await.unwrap(), 1);
}

async fn admin_create_through_the_binary_then_sign_in(mode: Mode) {
    let Some(deployment) = Deployment::new(mode).await else { return };
    let create = |email: &str, password: &str| {
        let mut child = deployment
            .command(&["admin", "create", "--email", email, "--name", "The Boss"])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        use std::io::Write;
        writeln!(child.stdin.take().unwrap(), "{password}").unwrap();
        child.wait_with_output().unwrap()
    };
    let short = create("boss@brand.in", "short");
    assert!(!short.status.success(), "a short password is refused");
    assert!(String::from_utf8_lossy(&short.stderr).contains("password"));
    let bad_email = create("not-an-address", PASSWORD);
    assert!(!bad_email.status.success());
    let done = create("Boss@Brand.in", PASSWORD);
    assert!(done.status.success(), "{}", String::from_utf8_lossy(&done.stderr));
    assert!(!String::from_utf8_lossy(&done.stdout).contains(PASSWORD));

    let server = deployment.start_on(free_port(), &["serve"], &[]);
    server.ready().await;
    let client = reqwest::Client::new();
    let login = |password: &'static str| {
        client
            .post(format!("{}/api/v1/auth/login", server.base))
            .json(&json!({"email": "boss@brand.in", "password": password}))
            .send()
    };
    assert_eq!(login("not the password at all").await.unwrap().status(), 401);
    let response = login(PASSWORD).await.unwrap();
    assert_eq!(response.status(), 200);
    let me: Value = response.json().await.unwrap();
    assert_eq!(me["name"], "The Boss");
    assert_eq!(me["workspaces"][0]["slug"], "default");
    assert_eq!(me["workspaces"][0]["role"], "owner");
    // Setup over HTTP is closed now that someone exists.
    let store = deployment.store().await;
    let token = random_token();
    store.create_setup_token(&hash_token(&token), Utc::now(), Utc::now() + Duration::hours(1)).await.unwrap();
    let setup = client
        .post(format!("{}/api/v1/auth/setup", server.base))
        .json(&json!({"token": token, "email": "late@brand.in", "password": PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_eq!(setup.status(), 403);
}
