//! Signing in through Converge's own HTTP routes with a real OpenID provider (npm's `oidc-provider` on
//! 127.0.0.1): the test plays the browser — our login route (and its state cookie), the provider's pages,
//! then our callback with the provider's `code`, `state` and `iss`. The ID-token checks themselves (nonce,
//! audience, expiry, signature) are proven against the same provider in the `oidc` test target. Login CSRF,
//! account linking and invitations are in `oidc_linking`.

use converge_domain::Role;
use converge_server::auth::oidc::Begin;
use reqwest::header::{COOKIE, LOCATION, SET_COOKIE};
use reqwest::{StatusCode, Url};
use serde_json::Value;

use crate::both_modes;
use crate::helpers::{Mode, TestApp};

#[path = "../oidc/provider.rs"]
#[allow(dead_code)]
mod oidc_provider;

pub(crate) use oidc_provider::{Callback, TestProvider};

pub(crate) struct Setup {
    pub app: TestApp,
    pub provider: TestProvider,
    pub browser: reqwest::Client,
}

pub(crate) async fn setup(mode: Mode) -> Option<Setup> {
    setup_with(mode, |_| {}).await
}

/// A provider `test` (tweakable) and the default workspace admitting example.com, verified.
pub(crate) async fn setup_with(
    mode: Mode,
    tweak: impl FnOnce(&mut converge_server::auth::oidc::OidcProviderConfig),
) -> Option<Setup> {
    let provider = TestProvider::start().await?;
    let mut config = provider.config("converge-test");
    tweak(&mut config);
    let app = TestApp::spawn_with(mode, move |settings| settings.auth.providers = vec![config]).await?;
    let browser = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    // example.com addresses may join the default workspace as members (a proven domain).
    let ws = app.workspace_id("default").await;
    app.state.store.set_workspace_domains(ws, &[("example.com".into(), Role::Member)]).await.unwrap();
    app.state.store.mark_domain_verified(ws, "example.com", chrono::Utc::now()).await.unwrap();
    Some(Setup { app, provider, browser })
}

/// The provider's redirect back, not yet delivered, and the state cookie our login route set in the browser
/// that started it (`converge_oidc_state=…`).
pub(crate) struct Back {
    pub callback: Callback,
    pub state_cookie: String,
}

impl Setup {
    /// Our login route → the provider (as `login_hint`) → the provider's redirect back, not yet delivered.
    pub(crate) async fn to_provider_and_back(&self, login_hint: &str) -> Back {
        let started = self.browser.get(self.app.url("/api/v1/auth/oidc/test/login?return_to=/campaigns")).send();
        let started = started.await.unwrap();
        assert_eq!(started.status(), StatusCode::SEE_OTHER);
        let state_cookie = state_cookie(&started);
        let location = started.headers()[LOCATION].to_str().unwrap();
        self.through_provider(location, login_hint, state_cookie).await
    }

    /// The provider's pages for an authorization URL our server handed out.
    pub(crate) async fn through_provider(&self, authorize_url: &str, login_hint: &str, state_cookie: String) -> Back {
        let authorize_url = Url::parse(authorize_url).unwrap();
        assert_eq!(query(&authorize_url, "code_challenge_method").as_deref(), Some("S256"));
        let begin = Begin { authorize_url, state: String::new(), nonce: String::new(), pkce_verifier: String::new() };
        Back { callback: self.provider.authorize(&begin, login_hint).await, state_cookie }
    }

    /// Delivers a callback to our callback route, carrying `cookies` (`name=value; …`, or none).
    pub(crate) async fn deliver(&self, back: &Callback, cookies: Option<&str>) -> reqwest::Response {
        self.callback_with(back.code.as_deref(), back.state.as_deref(), back.iss.as_deref(), cookies).await
    }

    pub(crate) async fn callback_with(
        &self,
        code: Option<&str>,
        state: Option<&str>,
        iss: Option<&str>,
        cookies: Option<&str>,
    ) -> reqwest::Response {
        let mut url = Url::parse(&self.app.url("/api/v1/auth/oidc/test/callback")).unwrap();
        for (name, value) in [("code", code), ("state", state), ("iss", iss)] {
            if let Some(value) = value {
                url.query_pairs_mut().append_pair(name, value);
            }
        }
        let mut request = self.browser.get(url);
        if let Some(cookies) = cookies {
            request = request.header(COOKIE, cookies);
        }
        request.send().await.unwrap()
    }

    /// The same browser that started the sign-in (it carries the state cookie).
    async fn callback(
        &self,
        back: &Back,
        code: Option<&str>,
        state: Option<&str>,
        iss: Option<&str>,
    ) -> reqwest::Response {
        self.callback_with(code, state, iss, Some(&back.state_cookie)).await
    }

    pub(crate) async fn sign_in(&self, login_hint: &str) -> reqwest::Response {
        let back = self.to_provider_and_back(login_hint).await;
        self.deliver(&back.callback, Some(&back.state_cookie)).await
    }
}

/// `converge_oidc_state=…` from a response that starts a flow, after checking its attributes.
pub(crate) fn state_cookie(response: &reqwest::Response) -> String {
    let set = response
        .headers()
        .get_all(SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with("converge_oidc_state="))
        .expect("a state cookie")
        .to_owned();
    for part in ["HttpOnly", "SameSite=Lax", "Path=/api/v1/auth/oidc/test/callback", "Max-Age=600"] {
        assert!(set.contains(part), "{part} in {set}");
    }
    set.split(';').next().unwrap().to_owned()
}

fn query(url: &Url, name: &str) -> Option<String> {
    url.query_pairs().find(|(k, _)| k == name).map(|(_, v)| v.into_owned())
}

/// Whether an answer starts a session (clearing the sign-in's state cookie is not one).
fn signs_in(response: &reqwest::Response) -> bool {
    response.headers().get_all(SET_COOKIE).iter().any(|v| v.as_bytes().starts_with(b"converge_session="))
}

pub(crate) fn session_cookie(response: &reqwest::Response) -> String {
    let set = response
        .headers()
        .get_all(SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with("converge_session="))
        .unwrap_or_else(|| panic!("a session cookie: {} {:?}", response.status(), response.headers()));
    assert!(set.contains("HttpOnly") && set.contains("SameSite=Lax"), "{set}");
    set.split(';').next().unwrap().to_owned()
}

async fn a_verified_person_of_an_allowed_domain_signs_in(mode: Mode) {
    let Some(s) = setup(mode).await else { return };
    let providers: Value =
        s.app.client.get(s.app.url("/api/v1/auth/providers")).send().await.unwrap().json().await.unwrap();
    assert_eq!(providers[0]["name"], "test");

    let done = s.sign_in("alice").await;
    assert_eq!(done.status(), StatusCode::SEE_OTHER, "{:?}", done.text().await);
    assert_eq!(done.headers()[LOCATION], "/campaigns");
    let cookie = session_cookie(&done);
    let me: Value = s
        .app
        .client
        .get(s.app.url("/api/v1/auth/me"))
        .header(COOKIE, &cookie)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(me["email"], "alice.martin@example.com");
    assert_eq!(me["email_verified"], true);
    assert_eq!(me["workspaces"][0]["slug"], "default");
    assert_eq!(me["workspaces"][0]["role"], "member");
    // The session acts in the workspace with the member's rights.
    let customers = s.app.client.get(s.app.url("/api/v1/customers")).header(COOKIE, &cookie).send().await.unwrap();
    assert_eq!(customers.status(), 200);

    // Signing in again finds the same linked account.
    let again = s.sign_in("alice").await;
    assert_eq!(again.status(), StatusCode::SEE_OTHER);
    let store = &s.app.state.store;
    let (user, _) = store.user_by_email("alice.martin@example.com").await.unwrap().unwrap();
    assert_eq!(store.user_by_identity(&s.provider.issuer, "alice").await.unwrap().map(|u| u.id), Some(user.id));
}

async fn forged_replayed_and_refused_callbacks_sign_nobody_in(mode: Mode) {
    let Some(s) = setup(mode).await else { return };
    let back = s.to_provider_and_back("alice").await;
    let (code, state, iss) =
        (back.callback.code.as_deref(), back.callback.state.as_deref(), back.callback.iss.as_deref());

    // A state we never issued (e.g. a login CSRF attempt) is refused before the code is used.
    let forged = s.callback(&back, code, Some("forged-state"), iss).await;
    assert_eq!(forged.status(), StatusCode::BAD_REQUEST);
    assert!(!signs_in(&forged), "{:?}", forged.headers());
    // A missing state too.
    assert_eq!(s.callback(&back, code, None, iss).await.status(), StatusCode::BAD_REQUEST);
    // A person's browser asks for HTML: the same refusal comes as the sign-in page with the reason.
    let page = s
        .browser
        .get(s.app.url("/api/v1/auth/oidc/test/callback?code=x&state=forged-state"))
        .header(COOKIE, "converge_oidc_state=forged-state")
        .header("accept", "text/html,application/xhtml+xml,*/*;q=0.8")
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), StatusCode::SEE_OTHER);
    assert!(!signs_in(&page), "{:?}", page.headers());
    let to = page.headers()[LOCATION].to_str().unwrap();
    assert!(to.starts_with("/sign-in?error=this+sign-in+is+unknown"), "{to}");

    // The real callback works once…
    let first = s.callback(&back, code, state, iss).await;
    assert_eq!(first.status(), StatusCode::SEE_OTHER);
    // …and replaying it is refused: the state is used up.
    let replay = s.callback(&back, code, state, iss).await;
    assert_eq!(replay.status(), StatusCode::BAD_REQUEST);
    assert!(!signs_in(&replay), "{:?}", replay.headers());

    // The used code with a fresh, valid state: the provider refuses the replayed code.
    let fresh = s.to_provider_and_back("alice").await;
    let replayed_code = s.callback(&fresh, code, fresh.callback.state.as_deref(), fresh.callback.iss.as_deref()).await;
    assert_eq!(replayed_code.status(), StatusCode::UNAUTHORIZED);
    assert!(!signs_in(&replayed_code), "{:?}", replayed_code.headers());

    // A callback naming another issuer (a mix-up) is refused.
    let other = s.to_provider_and_back("alice").await;
    let (other_code, other_state) = (other.callback.code.as_deref(), other.callback.state.as_deref());
    let mixed = s.callback(&other, other_code, other_state, Some("https://evil.example")).await;
    assert_eq!(mixed.status(), StatusCode::UNAUTHORIZED);

    // The provider saying no (an account it refuses) is refused too.
    let denied = s.to_provider_and_back("mallory").await;
    assert_eq!(denied.callback.error.as_deref(), Some("access_denied"));
    let state = denied.callback.state.as_deref().unwrap();
    let url = format!("/api/v1/auth/oidc/test/callback?error=access_denied&state={state}");
    let refused = s.browser.get(s.app.url(&url)).header(COOKIE, &denied.state_cookie).send().await.unwrap();
    assert_eq!(refused.status(), StatusCode::UNAUTHORIZED);
}

async fn only_verified_and_admitted_people_enter(mode: Mode) {
    let Some(s) = setup(mode).await else { return };
    let store = &s.app.state.store;
    // Unverified e-mail: refused, no account made.
    let bob = s.sign_in("bob").await;
    assert_eq!(bob.status(), StatusCode::FORBIDDEN);
    assert!(store.user_by_email("bob@example.com").await.unwrap().is_none());
    // Another domain, not invited: refused, no account made.
    let carol = s.sign_in("carol").await;
    assert_eq!(carol.status(), StatusCode::FORBIDDEN);
    assert!(carol.text().await.unwrap().contains("not invited"));
    assert!(store.user_by_email("carol@elsewhere.test").await.unwrap().is_none());
    // No e-mail shared at all: refused.
    assert_eq!(s.sign_in("dave").await.status(), StatusCode::FORBIDDEN);

    // Invited: she enters with the invited role.
    let ws = s.app.workspace_id("default").await;
    let now = chrono::Utc::now();
    store
        .create_invitation(ws, "carol@elsewhere.test", Role::Viewer, None, now, now + chrono::Duration::days(1), None)
        .await
        .unwrap();
    let invited = s.sign_in("carol").await;
    assert_eq!(invited.status(), StatusCode::SEE_OTHER);
    let (carol, _) = store.user_by_email("carol@elsewhere.test").await.unwrap().unwrap();
    // Signed in to answer the invitation, but not a member until she accepts it.
    assert_eq!(store.member_role(ws, carol.id).await.unwrap(), None);
    let cookie = session_cookie(&invited);
    let me: Value = s
        .app
        .client
        .get(s.app.url("/api/v1/auth/me"))
        .header(COOKIE, &cookie)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(me["workspaces"], serde_json::json!([]));
    let csrf = me["csrf_token"].as_str().unwrap().to_owned();
    let mine: Value = s
        .app
        .client
        .get(s.app.url("/api/v1/auth/invitations"))
        .header(COOKIE, &cookie)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(mine[0]["workspace"], "default");
    let accept = format!("/api/v1/auth/invitations/{}/accept", mine[0]["id"]);
    let accepted = s
        .app
        .client
        .post(s.app.url(&accept))
        .header(COOKIE, &cookie)
        .header("x-csrf-token", &csrf)
        .send()
        .await
        .unwrap();
    assert_eq!(accepted.status(), StatusCode::OK);
    assert_eq!(store.member_role(ws, carol.id).await.unwrap(), Some(Role::Viewer));
    let body = serde_json::json!({"external_id": "C1"});
    let write = s.app.client.post(s.app.url("/api/v1/customers")).header(COOKIE, &cookie).json(&body).send().await;
    assert_eq!(write.unwrap().status(), StatusCode::FORBIDDEN, "a viewer (and no CSRF token) cannot write");
}

both_modes!(
    a_verified_person_of_an_allowed_domain_signs_in,
    forged_replayed_and_refused_callbacks_sign_nobody_in,
    only_verified_and_admitted_people_enter,
);
