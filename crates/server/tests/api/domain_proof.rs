//! Workspace domains are proven, not claimed: a listed domain joins nobody until the workspace's TXT record
//! is found by a real resolver (dnsmasq started by the test) or the operator assigns it. Wrong or missing
//! records are 422 naming `domain`; the right one proves it, and then people of that domain join.

use converge_domain::Role;
use reqwest::header::COOKIE;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use crate::admin::last_audit;
use crate::both_modes;
use crate::dns_server::DnsServer;
use crate::helpers::{fields, problem, Mode, TestApp};
use crate::oidc_login::{session_cookie, Setup, TestProvider};

both_modes!(
    a_domain_is_proven_by_its_txt_record_and_only_then_joins_people,
    the_resolver_not_answering_is_503_not_a_proof
);

async fn a_domain_is_proven_by_its_txt_record_and_only_then_joins_people(mode: Mode) {
    let Some(dns) = DnsServer::reserve() else { return };
    let Some(provider) = TestProvider::start().await else { return };
    let config = provider.config("converge-test");
    let Some(app) = TestApp::spawn_with(mode, move |settings| {
        settings.auth.providers = vec![config];
        settings.dns.resolver = Some(dns);
    })
    .await
    else {
        return;
    };
    let browser = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    let s = Setup { app, provider, browser };
    let app = &s.app;
    let owner = app.admin_user("default", "owner@brand.in", Role::Owner).await;
    let member = app.admin_user("default", "member@brand.in", Role::Member).await;
    let body = json!({"domains": [
        {"domain": "example.com", "role": "member"},
        {"domain": "brand.in", "role": "viewer"},
        {"domain": "ops.brand.in", "role": "viewer"},
    ]});
    let put = app.admin_request(&owner, Method::PUT, "/api/v1/workspace/domains").json(&body).send().await.unwrap();
    assert_eq!(put.status(), 200);
    let listed: Vec<Value> = put.json().await.unwrap();
    let record = |domain: &str| listed.iter().find(|d| d["domain"] == domain).unwrap().clone();
    let example = record("example.com");
    assert_eq!(
        (example["verified"].as_bool(), example["txt_name"].as_str()),
        (Some(false), Some("_converge.example.com"))
    );
    let right = example["txt_value"].as_str().unwrap().to_owned();
    // brand.in publishes another workspace's token (or a typo); ops.brand.in publishes nothing.
    let wrong = record("brand.in")["txt_value"].as_str().unwrap().replace("converge-verify=", "converge-verify=x");
    let _dns = DnsServer::start(
        dns,
        &["example.com", "brand.in"],
        &[
            ("_converge.example.com", "v=spf1 -all"),
            ("_converge.example.com", right.as_str()),
            ("_converge.brand.in", &wrong),
        ],
    )
    .await;

    // Listed but unproven: alice (a verified example.com address) does not join, and gets no account.
    let refused = s.sign_in("alice").await;
    assert_eq!(refused.status(), StatusCode::FORBIDDEN, "{:?}", refused.text().await);
    assert!(app.state.store.user_by_email("alice.martin@example.com").await.unwrap().is_none());

    let verify = |domain: &str| {
        app.admin_request(&owner, Method::POST, &format!("/api/v1/workspace/domains/{domain}/verify")).send()
    };
    let mismatch = problem(verify("brand.in").await.unwrap()).await;
    assert_eq!(mismatch["status"], 422, "{mismatch}");
    assert_eq!(fields(&mismatch), vec!["domain".to_owned()]);
    assert!(mismatch["errors"][0]["message"].as_str().unwrap().contains("_converge.brand.in"), "{mismatch}");
    let missing = problem(verify("ops.brand.in").await.unwrap()).await;
    assert_eq!((missing["status"].as_i64(), fields(&missing)), (Some(422), vec!["domain".to_owned()]), "{missing}");
    assert!(missing["errors"][0]["message"].as_str().unwrap().contains("no TXT record"), "{missing}");
    assert_eq!(verify("unlisted.in").await.unwrap().status(), 404);
    assert_eq!(fields(&problem(verify("not_a_domain").await.unwrap()).await), vec!["domain".to_owned()]);
    let by_member = app.admin_request(&member, Method::POST, "/api/v1/workspace/domains/example.com/verify");
    assert_eq!(by_member.send().await.unwrap().status(), 403);
    let ws = app.workspace_id("default").await;
    assert!(app.state.store.workspaces_for_domain("brand.in").await.unwrap().is_empty(), "still unproven");

    let proven = verify("example.com").await.unwrap();
    assert_eq!(proven.status(), 200);
    let proven: Value = proven.json().await.unwrap();
    assert_eq!(proven["verified"], true);
    assert!(proven["verified_at"].is_string());
    let entry = last_audit(app, &owner, "workspace.domain_verify").await;
    assert_eq!(entry["details"], json!({"domain": "example.com", "how": "dns"}));
    // Saving the list again keeps the proof.
    let again = app.admin_request(&owner, Method::PUT, "/api/v1/workspace/domains").json(&body).send().await.unwrap();
    let again: Vec<Value> = again.json().await.unwrap();
    assert_eq!(again.iter().find(|d| d["domain"] == "example.com").unwrap()["verified"], true);

    // Now alice joins through the proven domain.
    let joined = s.sign_in("alice").await;
    assert_eq!(joined.status(), StatusCode::SEE_OTHER, "{:?}", joined.text().await);
    let cookie = session_cookie(&joined);
    let me: Value =
        app.client.get(app.url("/api/v1/auth/me")).header(COOKIE, &cookie).send().await.unwrap().json().await.unwrap();
    assert_eq!(
        me["workspaces"],
        json!([{"slug": "default", "name": me["workspaces"][0]["name"], "role": "member", "currency": "INR"}])
    );
    let (alice, _) = app.state.store.user_by_email("alice.martin@example.com").await.unwrap().unwrap();
    assert_eq!(app.state.store.member_role(ws, alice.id).await.unwrap(), Some(Role::Member));
}

async fn the_resolver_not_answering_is_503_not_a_proof(mode: Mode) {
    // Nothing listens on this port: every query times out.
    let Some(dns) = DnsServer::reserve() else { return };
    let Some(app) = TestApp::spawn_with(mode, move |settings| {
        settings.dns.resolver = Some(dns);
        settings.dns.timeout_secs = 1;
    })
    .await
    else {
        return;
    };
    let owner = app.admin_user("default", "owner@brand.in", Role::Owner).await;
    let body = json!({"domains": [{"domain": "brand.in", "role": "member"}]});
    app.admin_request(&owner, Method::PUT, "/api/v1/workspace/domains").json(&body).send().await.unwrap();
    let answer = app.admin_request(&owner, Method::POST, "/api/v1/workspace/domains/brand.in/verify").send().await;
    let answer = answer.unwrap();
    assert_eq!(answer.status(), 503);
    assert!(app.state.store.workspaces_for_domain("brand.in").await.unwrap().is_empty());
}
