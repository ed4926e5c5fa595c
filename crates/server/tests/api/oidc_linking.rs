//! OpenID Connect under attack, against the real provider: a callback delivered to a browser that did not
//! start the sign-in (login CSRF) signs nobody in; a first provider sign-in never takes over an existing
//! account by e-mail unless the provider is trusted for linking; a signed-in person links a provider
//! explicitly; invitations are joined only by the invitee accepting them.

use converge_domain::Role;
use reqwest::header::{COOKIE, LOCATION, SET_COOKIE};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use crate::admin::last_audit;
use crate::both_modes;
use crate::helpers::{problem, AdminSession, Mode, TestApp};
use crate::oidc_login::{session_cookie, setup, setup_with, state_cookie};

fn sets_a_session(response: &reqwest::Response) -> bool {
    response
        .headers()
        .get_all(SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .any(|v| v.starts_with("converge_session=") && !v.starts_with("converge_session=;"))
}

both_modes!(
    a_callback_in_a_browser_that_did_not_start_the_sign_in_is_refused,
    a_first_provider_sign_in_never_takes_over_an_existing_account,
    a_provider_trusted_for_linking_links_a_verified_email,
    a_signed_in_person_links_a_provider_account,
    invitations_are_joined_only_by_the_invitee_accepting_them,
);

async fn a_callback_in_a_browser_that_did_not_start_the_sign_in_is_refused(mode: Mode) {
    let Some(s) = setup(mode).await else { return };
    // The attacker signs in at the provider with their own account and keeps the callback URL…
    let attacker = s.to_provider_and_back("alice").await;
    // …and makes the victim's browser open it: without the attacker's state cookie.
    let no_cookie = s.deliver(&attacker.callback, None).await;
    assert_eq!(no_cookie.status(), StatusCode::BAD_REQUEST);
    assert!(!sets_a_session(&no_cookie));
    let body = problem(no_cookie).await;
    assert!(body["detail"].as_str().unwrap().contains("another browser"), "{body}");
    // A victim that started a sign-in of their own carries another state cookie: refused as well.
    let victim = s.browser.get(s.app.url("/api/v1/auth/oidc/test/login")).send().await.unwrap();
    let victim_cookie = state_cookie(&victim);
    let victim_session = "converge_session=victim-session-id";
    let other_browser = s.deliver(&attacker.callback, Some(&format!("{victim_cookie}; {victim_session}"))).await;
    assert_eq!(other_browser.status(), StatusCode::BAD_REQUEST);
    assert!(!sets_a_session(&other_browser));
    assert!(s.app.state.store.user_by_email("alice.martin@example.com").await.unwrap().is_none(), "nobody signed in");

    // The browser that started it finishes it (the refused attempts did not use the flow up), and the
    // state cookie is cleared.
    let own = s.deliver(&attacker.callback, Some(&attacker.state_cookie)).await;
    assert_eq!(own.status(), StatusCode::SEE_OTHER);
    session_cookie(&own);
    let cleared = own
        .headers()
        .get_all(SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .any(|v| v.starts_with("converge_oidc_state=;") && v.contains("Max-Age=0"));
    assert!(cleared, "{:?}", own.headers());
}

async fn a_first_provider_sign_in_never_takes_over_an_existing_account(mode: Mode) {
    let Some(s) = setup(mode).await else { return };
    // A local account already holds the address the provider vouches for.
    let local = s.app.admin_user("default", "alice.martin@example.com", Role::Owner).await;
    let refused = s.sign_in("alice").await;
    assert_eq!(refused.status(), StatusCode::CONFLICT);
    assert!(!sets_a_session(&refused));
    let body = problem(refused).await;
    let detail = body["detail"].as_str().unwrap();
    assert!(detail.contains("already exists") && detail.contains("link"), "{detail}");
    assert!(s.app.state.store.user_by_identity(&s.provider.issuer, "alice").await.unwrap().is_none(), "not linked");
    // A browser gets the sign-in page with the reason.
    let back = s.to_provider_and_back("alice").await;
    let mut url = reqwest::Url::parse(&s.app.url("/api/v1/auth/oidc/test/callback")).unwrap();
    for (name, value) in [("code", &back.callback.code), ("state", &back.callback.state), ("iss", &back.callback.iss)] {
        url.query_pairs_mut().append_pair(name, value.as_deref().unwrap());
    }
    let page =
        s.browser.get(url).header(COOKIE, &back.state_cookie).header("accept", "text/html").send().await.unwrap();
    assert_eq!(page.status(), StatusCode::SEE_OTHER);
    assert!(page.headers()[LOCATION].to_str().unwrap().starts_with("/sign-in?error=an+account+with"));
    assert!(!sets_a_session(&page));
    // The local account is untouched and still the only way in.
    let me = s.app.admin_request(&local, Method::GET, "/api/v1/auth/me").send().await.unwrap();
    assert_eq!(me.status(), 200);
}

async fn a_provider_trusted_for_linking_links_a_verified_email(mode: Mode) {
    let Some(s) = setup_with(mode, |config| config.link_existing_accounts = true).await else { return };
    let local = s.app.admin_user("default", "alice.martin@example.com", Role::Admin).await;
    let done = s.sign_in("alice").await;
    assert_eq!(done.status(), StatusCode::SEE_OTHER, "{:?}", done.text().await);
    let linked = s.app.state.store.user_by_identity(&s.provider.issuer, "alice").await.unwrap();
    assert_eq!(linked.map(|u| u.id), Some(local.user_id));
    let entry = last_audit(&s.app, &local, "auth.identity_link").await;
    assert_eq!(entry["details"], json!({"provider": "test", "how": "link_existing_accounts"}));
    // Even a trusted provider links only an e-mail it has verified.
    s.app.admin_user("default", "bob@example.com", Role::Member).await;
    let bob = s.sign_in("bob").await;
    assert_eq!(bob.status(), StatusCode::FORBIDDEN);
    assert!(!sets_a_session(&bob));
    assert!(s.app.state.store.user_by_identity(&s.provider.issuer, "bob").await.unwrap().is_none());
}

async fn a_signed_in_person_links_a_provider_account(mode: Mode) {
    let Some(s) = setup(mode).await else { return };
    let ana = s.app.admin_user("default", "ana@corp.test", Role::Owner).await;
    let link_path = "/api/v1/auth/oidc/test/link?return_to=/settings";
    // Signed out, or without the CSRF token: refused.
    assert_eq!(s.app.client.post(s.app.url(link_path)).send().await.unwrap().status(), 401);
    let no_csrf = s.app.client.post(s.app.url(link_path)).header(COOKIE, &ana.cookie).send().await.unwrap();
    assert_eq!(no_csrf.status(), 403);

    let started = s.app.admin_request(&ana, Method::POST, link_path).send().await.unwrap();
    assert_eq!(started.status(), 200);
    let cookie = state_cookie(&started);
    let start: Value = started.json().await.unwrap();
    // carol's provider account (another address than ana's) is linked to ana, who proved both.
    let back = s.through_provider(start["authorize_url"].as_str().unwrap(), "carol", cookie).await;
    let done = s.deliver(&back.callback, Some(&format!("{}; {}", back.state_cookie, ana.cookie))).await;
    assert_eq!(done.status(), StatusCode::SEE_OTHER, "{:?}", done.text().await);
    assert_eq!(done.headers()[LOCATION], "/settings");
    let linked = s.app.state.store.user_by_identity(&s.provider.issuer, "carol").await.unwrap();
    assert_eq!(linked.map(|u| u.id), Some(ana.user_id));
    assert_eq!(last_audit(&s.app, &ana, "auth.identity_link").await["details"]["how"], "signed_in");
    // From now on that provider account signs ana in.
    let signed_in = s.sign_in("carol").await;
    assert_eq!(signed_in.status(), StatusCode::SEE_OTHER);
    let me: Value = s
        .app
        .client
        .get(s.app.url("/api/v1/auth/me"))
        .header(COOKIE, session_cookie(&signed_in))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(me["email"], "ana@corp.test");

    // A link flow finished in a browser that is no longer signed in as ana links nothing.
    let started = s.app.admin_request(&ana, Method::POST, link_path).send().await.unwrap();
    let cookie = state_cookie(&started);
    let start: Value = started.json().await.unwrap();
    let back = s.through_provider(start["authorize_url"].as_str().unwrap(), "alice", cookie).await;
    let signed_out = s.deliver(&back.callback, Some(&back.state_cookie)).await;
    assert_eq!(signed_out.status(), StatusCode::UNAUTHORIZED);
    assert!(!sets_a_session(&signed_out));
    assert!(s.app.state.store.user_by_identity(&s.provider.issuer, "alice").await.unwrap().is_none());
}

async fn invitations(app: &TestApp, who: &AdminSession) -> Vec<Value> {
    let answer = app.client.get(app.url("/api/v1/auth/invitations")).header(COOKIE, &who.cookie).send().await;
    answer.unwrap().json().await.unwrap()
}

async fn invitations_are_joined_only_by_the_invitee_accepting_them(mode: Mode) {
    let Some(app) = TestApp::spawn(mode).await else { return };
    let owner = app.admin_user("default", "owner@brand.in", Role::Owner).await;
    let third_owner = app.admin_user("third", "third@brand.in", Role::Owner).await;
    // Priya and mallory have accounts (elsewhere); priya is invited here.
    let priya = app.admin_user("priya-ws", "priya@brand.in", Role::Owner).await;
    let mallory = app.admin_user("mallory-ws", "mallory@brand.in", Role::Owner).await;
    let invite = json!({"email": "Priya@Brand.in", "role": "member"});
    let created = app.admin_request(&owner, Method::POST, "/api/v1/workspace/invitations").json(&invite).send().await;
    let invitation: Value = created.unwrap().json().await.unwrap();
    let ws = app.workspace_id("default").await;
    let store = &app.state.store;
    assert_eq!(store.member_role(ws, priya.user_id).await.unwrap(), None, "an invitation joins nobody by itself");

    let mine = invitations(&app, &priya).await;
    assert_eq!(mine.len(), 1);
    assert_eq!(
        (mine[0]["id"].clone(), mine[0]["workspace"].clone(), mine[0]["role"].clone()),
        (invitation["id"].clone(), json!("default"), json!("member"))
    );
    assert!(invitations(&app, &mallory).await.is_empty());

    let accept = format!("/api/v1/auth/invitations/{}/accept", invitation["id"]);
    let decline = format!("/api/v1/auth/invitations/{}/decline", invitation["id"]);
    // Mallory knows the id: she can neither accept nor decline priya's invitation.
    assert_eq!(app.admin_request(&mallory, Method::POST, &accept).send().await.unwrap().status(), 404);
    assert_eq!(app.admin_request(&mallory, Method::POST, &decline).send().await.unwrap().status(), 404);
    assert_eq!(store.member_role(ws, mallory.user_id).await.unwrap(), None);
    // No CSRF token, or an API key: refused.
    let no_csrf = app.client.post(app.url(&accept)).header(COOKIE, &priya.cookie).send().await.unwrap();
    assert_eq!(no_csrf.status(), 403);
    let key = app.create_key("default", &["all"]).await;
    let by_key = app.client.post(app.url(&accept)).bearer_auth(&key).send().await.unwrap();
    assert_eq!(by_key.status(), 401);
    assert_eq!(store.member_role(ws, priya.user_id).await.unwrap(), None);

    let accepted = app.admin_request(&priya, Method::POST, &accept).send().await.unwrap();
    assert_eq!(accepted.status(), 200);
    let joined: Value = accepted.json().await.unwrap();
    assert_eq!((joined["slug"].as_str(), joined["role"].as_str()), (Some("default"), Some("member")));
    assert_eq!(store.member_role(ws, priya.user_id).await.unwrap(), Some(Role::Member));
    assert_eq!(app.admin_request(&priya, Method::POST, &accept).send().await.unwrap().status(), 404, "once");
    let entry = last_audit(&app, &owner, "member.invite_accept").await;
    assert_eq!(entry["actor"]["user_id"], json!(priya.user_id));
    assert!(invitations(&app, &priya).await.is_empty());

    // Declining: the invitation is withdrawn and joins nobody.
    let other = json!({"email": "priya@brand.in", "role": "admin"});
    let created = app.admin_request(&third_owner, Method::POST, "/api/v1/workspace/invitations").json(&other).send();
    let other: Value = created.await.unwrap().json().await.unwrap();
    let decline = format!("/api/v1/auth/invitations/{}/decline", other["id"]);
    assert_eq!(app.admin_request(&priya, Method::POST, &decline).send().await.unwrap().status(), 204);
    let third = app.workspace_id("third").await;
    assert_eq!(store.member_role(third, priya.user_id).await.unwrap(), None);
    assert!(store.invitations(third).await.unwrap().is_empty());
    assert_eq!(last_audit(&app, &third_owner, "member.invite_decline").await["actor"]["user_id"], json!(priya.user_id));
}
