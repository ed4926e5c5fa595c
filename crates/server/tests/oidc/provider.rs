//! A real OpenID provider for the tests: `node server.mjs` in `tests/oidc-provider` (npm's `oidc-provider`),
//! with the clients and accounts of `fixtures.json`, issuer `http://127.0.0.1:<port>`.

use std::collections::{BTreeMap, HashMap};
use std::path::Path;
use std::process::Stdio;
use std::sync::LazyLock;
use std::time::Duration;

use converge_server::auth::oidc::{Begin, OidcClient, OidcHttpClient, OidcProviderConfig};
use converge_server::config::Secret;
use reqwest::header::{COOKIE, LOCATION, SET_COOKIE};
use reqwest::redirect::Policy;
use reqwest::Url;
use serde::Deserialize;
use serde_json::Value;
use tempfile::TempDir;
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, ChildStdout, Command};

const HARNESS_DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/oidc-provider");

/// Our client: `client_secret_basic`, the method Converge picks when the provider offers it.
pub const OURS: &str = "converge-test";
/// Another relying party at the same provider (`client_secret_post`), for tokens that are not ours.
pub const OTHER: &str = "other-app";

#[derive(Deserialize)]
pub struct Fixtures {
    pub clients: Vec<ClientFixture>,
    pub accounts: HashMap<String, AccountFixture>,
}

#[derive(Deserialize)]
pub struct ClientFixture {
    pub client_id: String,
    pub client_secret: String,
    pub redirect_uris: Vec<String>,
    pub token_endpoint_auth_method: String,
}

#[derive(Deserialize)]
pub struct AccountFixture {
    pub email: Option<String>,
    pub email_verified: Option<bool>,
    pub name: Option<String>,
}

/// Shared with `server.mjs`, so clients and accounts are defined once.
pub static FIXTURES: LazyLock<Fixtures> =
    LazyLock::new(|| serde_json::from_str(include_str!("../oidc-provider/fixtures.json")).unwrap());

pub fn client_fixture(client_id: &str) -> &'static ClientFixture {
    FIXTURES.clients.iter().find(|client| client.client_id == client_id).unwrap()
}

/// What the provider's final redirect to our callback carried.
#[derive(Debug)]
pub struct Callback {
    pub code: Option<String>,
    pub state: Option<String>,
    pub iss: Option<String>,
    pub error: Option<String>,
}

impl Callback {
    pub fn code(&self) -> &str {
        self.code.as_deref().unwrap_or_else(|| panic!("no code in the callback: {self:?}"))
    }
}

/// A running provider, killed when dropped.
pub struct TestProvider {
    pub issuer: String,
    _child: Child,
    _stdout: BufReader<ChildStdout>,
    logs: TempDir,
}

impl TestProvider {
    /// Starts the provider, or returns `None` after a skip notice when its npm packages are not installed.
    /// With `CI=true` missing packages fail the test instead: CI must run these tests.
    pub async fn start() -> Option<TestProvider> {
        if !Path::new(HARNESS_DIR).join("node_modules/oidc-provider").is_dir() {
            let hint = format!("{HARNESS_DIR}/node_modules is missing; run `npm ci` there");
            if std::env::var("CI").is_ok_and(|ci| ci == "true") {
                panic!("{hint} (.ci/run does this); CI=true, so the OpenID Connect tests may not be skipped");
            }
            eprintln!("SKIPPED: {hint}");
            return None;
        }
        // Node starting under a full test run's load (dozens of processes on two cores) has been seen to miss
        // the deadline once; a second start decides. A provider that cannot start twice fails the test.
        match Self::spawn(false).await {
            Some(provider) => Some(provider),
            None => Self::spawn(true).await,
        }
    }

    /// One start; `None` (or a panic, when `last`) if it did not announce its port within 60 s.
    async fn spawn(last: bool) -> Option<TestProvider> {
        let logs = tempfile::tempdir().unwrap();
        let stderr = std::fs::File::create(logs.path().join("stderr.log")).unwrap();
        let mut child = Command::new("node")
            .arg("server.mjs")
            .current_dir(HARNESS_DIR)
            .env("PORT", "0")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(stderr)
            .kill_on_drop(true)
            .spawn()
            .unwrap_or_else(|err| panic!("cannot run `node` (Node.js 20.19 or later is needed): {err}"));
        let mut stdout = BufReader::new(child.stdout.take().unwrap());
        let mut line = String::new();
        let read = tokio::time::timeout(Duration::from_secs(60), stdout.read_line(&mut line)).await;
        let stderr_log = || std::fs::read_to_string(logs.path().join("stderr.log")).unwrap_or_default();
        let port = match read {
            Ok(Ok(n)) if n > 0 => serde_json::from_str::<Value>(&line).ok().and_then(|v| v["port"].as_u64()),
            _ => None,
        };
        let Some(port) = port else {
            if !last {
                eprintln!("the OpenID provider did not start (first line {line:?}), trying again: {}", stderr_log());
                return None;
            }
            panic!("the OpenID provider did not start twice (first line {line:?}): {}", stderr_log());
        };
        Some(TestProvider { issuer: format!("http://127.0.0.1:{port}"), _child: child, _stdout: stdout, logs })
    }

    /// The provider's stderr so far, for failure messages.
    pub fn logs(&self) -> String {
        std::fs::read_to_string(self.logs.path().join("stderr.log")).unwrap_or_default()
    }

    pub fn config(&self, client_id: &str) -> OidcProviderConfig {
        let client = client_fixture(client_id);
        OidcProviderConfig {
            name: "test".into(),
            display_name: "Test provider".into(),
            issuer: self.issuer.clone(),
            client_id: client.client_id.clone(),
            client_secret: Secret::new(client.client_secret.clone()),
            scopes: ["openid", "email", "profile"].map(String::from).to_vec(),
            redirect_url: client.redirect_uris[0].clone(),
            link_existing_accounts: false,
        }
    }

    /// Discovers the provider as `client_id`.
    pub async fn client(&self, client_id: &str) -> OidcClient {
        let http = OidcHttpClient::new().unwrap();
        match OidcClient::discover(&self.config(client_id), http).await {
            Ok(client) => client,
            Err(err) => panic!("discovery failed: {err}\n{}", self.logs()),
        }
    }

    /// Plays the browser: opens `begin.authorize_url` with `login_hint` (the account the provider signs in),
    /// follows the provider's redirects with its cookies, and stops at the redirect to our callback.
    pub async fn authorize(&self, begin: &Begin, login_hint: &str) -> Callback {
        let browser = reqwest::Client::builder().redirect(Policy::none()).build().unwrap();
        let mut url = Url::parse(begin.authorize_url.as_str()).unwrap();
        let redirect_uri = url.query_pairs().find(|(k, _)| k == "redirect_uri").map(|(_, v)| v.into_owned());
        let redirect_uri = redirect_uri.expect("redirect_uri in the authorization URL");
        url.query_pairs_mut().append_pair("login_hint", login_hint);
        let mut cookies = CookieJar::default();
        for _ in 0..10 {
            let response = browser.get(url.clone()).header(COOKIE, cookies.header()).send().await.unwrap();
            cookies.store(&response);
            let status = response.status();
            let Some(location) = response.headers().get(LOCATION).and_then(|l| l.to_str().ok()) else {
                let body = response.text().await.unwrap_or_default();
                panic!("the provider answered {status} without a redirect at {url}: {body}\n{}", self.logs());
            };
            let next = url.join(location).unwrap();
            if next.as_str().starts_with(&redirect_uri) {
                let param = |name: &str| next.query_pairs().find(|(k, _)| k == name).map(|(_, v)| v.into_owned());
                return Callback {
                    code: param("code"),
                    state: param("state"),
                    iss: param("iss"),
                    error: param("error"),
                };
            }
            url = next;
        }
        panic!("no redirect to {redirect_uri} after 10 hops\n{}", self.logs());
    }

    /// Exchanges `code` directly (not through Converge's client) and returns the raw ID token, so tests can
    /// hand real tokens to `verify_id_token`.
    pub async fn exchange_raw(&self, client_id: &str, code: &str, pkce_verifier: &str) -> String {
        let client = client_fixture(client_id);
        let mut form = vec![
            ("grant_type", "authorization_code"),
            ("code", code),
            ("redirect_uri", client.redirect_uris[0].as_str()),
            ("code_verifier", pkce_verifier),
        ];
        let request = reqwest::Client::new().post(format!("{}/token", self.issuer));
        let request = match client.token_endpoint_auth_method.as_str() {
            "client_secret_basic" => request.basic_auth(&client.client_id, Some(&client.client_secret)),
            _ => {
                form.push(("client_id", &client.client_id));
                form.push(("client_secret", &client.client_secret));
                request
            }
        };
        let response = request.form(&form).send().await.unwrap();
        let status = response.status();
        let body: Value = response.json().await.unwrap();
        match body["id_token"].as_str() {
            Some(token) => token.to_owned(),
            None => panic!("token endpoint answered {status}: {body}\n{}", self.logs()),
        }
    }

    /// `begin` → provider → callback for `login_hint`, as `client`.
    pub async fn sign_in(&self, client: &OidcClient, login_hint: &str) -> (Begin, Callback) {
        let begin = client.begin();
        let callback = self.authorize(&begin, login_hint).await;
        (begin, callback)
    }
}

/// Just enough of a cookie jar for one provider on one host: the provider scopes its interaction cookies by
/// path, but sending every cookie everywhere is harmless here.
#[derive(Default)]
struct CookieJar(BTreeMap<String, String>);

impl CookieJar {
    fn store(&mut self, response: &reqwest::Response) {
        for header in response.headers().get_all(SET_COOKIE) {
            let Ok(header) = header.to_str() else { continue };
            let Some((name, value)) = header.split(';').next().and_then(|pair| pair.split_once('=')) else {
                continue;
            };
            let expired = header.to_ascii_lowercase().contains("expires=thu, 01 jan 1970");
            if value.is_empty() || expired {
                self.0.remove(name.trim());
            } else {
                self.0.insert(name.trim().to_owned(), value.trim().to_owned());
            }
        }
    }

    fn header(&self) -> String {
        self.0.iter().map(|(name, value)| format!("{name}={value}")).collect::<Vec<_>>().join("; ")
    }
}
