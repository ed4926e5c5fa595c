//! `TestApp`: the real application on a random port, with one helper per endpoint.

use converge_domain::{UserId, WorkspaceId};
use std::time::Duration;

use converge_server::auth::GeneratedKey;
use converge_server::config::{Role, Secret, Settings};
use converge_server::state::SharedState;
use converge_server::workers::ingest::IngestWorker;
use converge_server::Application;
use converge_store::testing::{services_required, TestDatabase};
use converge_store::NewApiKey;
use serde_json::Value;
use tokio_util::sync::CancellationToken;

pub const REDIS_URL: &str = "redis://127.0.0.1:6379";

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// SQLite and the embedded queue.
    Embedded,
    /// PostgreSQL and Redis Streams.
    Production,
}

pub struct TestApp {
    pub base: String,
    pub client: reqwest::Client,
    /// A key with every scope in the default workspace.
    pub key: String,
    pub state: SharedState,
    pub worker: IngestWorker,
    stop: CancellationToken,
    /// The Redis key prefix of a production-mode app, deleted when the test ends.
    redis_prefix: Option<String>,
    _dir: tempfile::TempDir,
    _db: Option<TestDatabase>,
}

/// Runs a test body on both modes.
#[macro_export]
macro_rules! both_modes {
    ($($name:ident),* $(,)?) => {
        mod embedded { $( #[tokio::test(flavor = "multi_thread", worker_threads = 2)] async fn $name() { super::$name($crate::helpers::Mode::Embedded).await } )* }
        mod production { $( #[tokio::test(flavor = "multi_thread", worker_threads = 2)] async fn $name() { super::$name($crate::helpers::Mode::Production).await } )* }
    };
}

/// Checks Redis answers; outside CI an unreachable Redis skips the test.
pub async fn redis_available() -> bool {
    let probe = tokio::time::timeout(Duration::from_secs(2), tokio::net::TcpStream::connect("127.0.0.1:6379")).await;
    match probe {
        Ok(Ok(_)) => true,
        _ => {
            assert!(!services_required(), "CI=true but Redis is unreachable at 127.0.0.1:6379");
            eprintln!("skipping: Redis unreachable; set CI=true to make this fatal");
            false
        }
    }
}

/// Settings for a test app of `mode`; `None` when its services are unavailable outside CI.
pub async fn test_settings(mode: Mode, dir: &std::path::Path) -> Option<(Settings, Option<TestDatabase>)> {
    let mut settings = Settings {
        bind: "127.0.0.1:0".parse().ok()?,
        data_dir: dir.to_path_buf(),
        role: Role::Api,
        ..Settings::default()
    };
    settings.ingest.reclaim_idle_ms = 200;
    // The tests' own peers (fake vendors, aiosmtpd) listen on loopback; the egress tests clear this again.
    settings.egress.allow = vec!["127.0.0.1".into()];
    let db = match mode {
        Mode::Embedded => None,
        Mode::Production => {
            if !redis_available().await {
                return None;
            }
            let db = TestDatabase::create().await?;
            settings.database_url = Some(Secret::new(db.url.clone()));
            settings.redis_url = Some(Secret::new(REDIS_URL));
            settings.redis_prefix = format!("test:{}:", uuid::Uuid::new_v4().simple());
            settings.database_max_connections = 5;
            settings.vendor.signing_secret = Some(Secret::new(uuid::Uuid::new_v4().simple().to_string()));
            Some(db)
        }
    };
    Some((settings, db))
}

impl TestApp {
    pub async fn spawn(mode: Mode) -> Option<TestApp> {
        Self::spawn_with(mode, |_| {}).await
    }

    /// Starts the app with adjusted settings. Background consumers are off: tests call [`TestApp::drain`].
    pub async fn spawn_with(mode: Mode, tweak: impl FnOnce(&mut Settings)) -> Option<TestApp> {
        let dir = tempfile::tempdir().ok()?;
        let (mut settings, db) = test_settings(mode, dir.path()).await?;
        tweak(&mut settings);
        let redis_prefix = settings.redis_prefix.clone();
        let app = Application::build(settings).await.expect("application builds");
        let base = format!("http://127.0.0.1:{}", app.port());
        let state = app.state();
        let mut worker = app.ingest_worker("test-consumer");
        worker.block = Duration::from_millis(20);
        let stop = app.stop_token();
        tokio::spawn(app.run_until_stopped());
        let mut test = TestApp {
            base,
            client: reqwest::Client::new(),
            key: String::new(),
            state,
            worker,
            stop,
            redis_prefix: db.as_ref().map(|_| redis_prefix.clone()),
            _dir: dir,
            _db: db,
        };
        test.key = test.create_key("default", &["all"]).await;
        Some(test)
    }

    /// Creates an API key with `scopes` in workspace `slug` (created if missing).
    pub async fn create_key(&self, slug: &str, scopes: &[&str]) -> String {
        let store = &self.state.store;
        let ws = match store.workspace_by_slug(slug).await.unwrap() {
            Some(ws) => ws,
            None => {
                store.create_workspace(slug, slug, &converge_domain::Currency::parse("INR").unwrap()).await.unwrap()
            }
        };
        let key = GeneratedKey::generate();
        store
            .create_api_key(&NewApiKey {
                workspace_id: ws.id,
                prefix: key.prefix.clone(),
                key_hash: key.hash.clone(),
                scopes: scopes.iter().map(|s| converge_domain::Scope::parse(s).unwrap()).collect(),
                label: String::new(),
                created_by: None,
            })
            .await
            .unwrap();
        key.secret
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    pub async fn post_json(&self, path: &str, key: &str, body: &Value) -> reqwest::Response {
        self.client.post(self.url(path)).bearer_auth(key).json(body).send().await.unwrap()
    }

    pub async fn patch_json(&self, path: &str, key: &str, body: &Value) -> reqwest::Response {
        self.client.patch(self.url(path)).bearer_auth(key).json(body).send().await.unwrap()
    }

    pub async fn post_raw(
        &self,
        path: &str,
        key: Option<&str>,
        content_type: &str,
        body: Vec<u8>,
    ) -> reqwest::Response {
        let mut request = self.client.post(self.url(path)).header("content-type", content_type).body(body);
        if let Some(key) = key {
            request = request.bearer_auth(key);
        }
        request.send().await.unwrap()
    }

    pub async fn get(&self, path: &str, key: &str) -> reqwest::Response {
        self.client.get(self.url(path)).bearer_auth(key).send().await.unwrap()
    }

    pub async fn get_json(&self, path: &str) -> Value {
        let response = self.get(path, &self.key).await;
        assert_eq!(response.status(), 200, "GET {path}");
        response.json().await.unwrap()
    }

    /// Runs the ingest consumer's step until the stream is empty; returns entries acknowledged.
    pub async fn drain(&self) -> usize {
        let mut total = 0;
        for _ in 0..10_000 {
            let report = self.worker.step().await.expect("ingest step");
            total += report.acknowledged;
            if report.delivered == 0 {
                return total;
            }
        }
        panic!("the ingest stream did not drain");
    }

    /// An app whose default vendor is the in-process simulator, failing `failure_rate` of the messages with
    /// receipts 5–20 ms after acceptance.
    pub async fn spawn_with_simulator(mode: Mode, failure_rate: f64) -> Option<TestApp> {
        TestApp::spawn_with(mode, |s| {
            s.vendor.simulator.enabled = Some(true);
            s.vendor.simulator.failure_rate = failure_rate;
            s.vendor.simulator.min_delay_ms = 5;
            s.vendor.simulator.max_delay_ms = 20;
        })
        .await
    }

    /// The in-process simulator's address and API key (for apps spawned with `vendor.simulator.enabled`).
    pub fn simulator(&self) -> (String, String) {
        let Some(converge_channels::ChannelConfig::Vendor(vendor)) =
            self.state.senders.default_settings().map(|s| s.sms.clone())
        else {
            panic!("the test app runs the simulator as its default vendor");
        };
        (vendor.base_url.clone(), self.state.settings.vendor.api_key.expose().to_owned())
    }

    /// Every message the simulator accepted (its ledger, first page of 1,000), oldest first.
    pub async fn simulator_ledger(&self) -> Vec<Value> {
        let (base, key) = self.simulator();
        let url = format!("{base}/v1/ledger?limit=1000");
        let page: Value = self.client.get(url).bearer_auth(key).send().await.unwrap().json().await.unwrap();
        page["entries"].as_array().unwrap().clone()
    }

    pub async fn workspace_id(&self, slug: &str) -> WorkspaceId {
        self.state.store.workspace_by_slug(slug).await.unwrap().unwrap().id
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        self.stop.cancel();
        if let Some(prefix) = &self.redis_prefix {
            delete_redis_prefix(prefix);
        }
    }
}

/// Deletes every Redis key under a test's own `prefix`, so tests leave nothing in the shared Redis. Best
/// effort (a failure is printed, never a panic in `Drop`), on a thread and runtime of its own since `Drop`
/// cannot await.
pub fn delete_redis_prefix(prefix: &str) {
    let pattern = format!("{prefix}*");
    let outcome = std::thread::spawn(move || -> Result<(), String> {
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().map_err(|e| e.to_string())?;
        runtime.block_on(async {
            let client = redis::Client::open(REDIS_URL).map_err(|e| e.to_string())?;
            let mut conn = client.get_multiplexed_async_connection().await.map_err(|e| e.to_string())?;
            let keys: Vec<String> =
                redis::cmd("KEYS").arg(&pattern).query_async(&mut conn).await.map_err(|e| e.to_string())?;
            if !keys.is_empty() {
                let _: i64 = redis::cmd("DEL").arg(keys).query_async(&mut conn).await.map_err(|e| e.to_string())?;
            }
            Ok(())
        })
    })
    .join();
    match outcome {
        Ok(Ok(())) => {}
        Ok(Err(e)) => eprintln!("could not delete the test's Redis keys under {prefix}: {e}"),
        Err(_) => eprintln!("could not delete the test's Redis keys under {prefix}: the cleanup thread panicked"),
    }
}

/// A customer body with the given id.
/// `converge_session=<id>` from an answer that signed someone in, ready for a `Cookie` header.
pub fn session_cookie(response: &reqwest::Response) -> String {
    response
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with("converge_session="))
        .and_then(|v| v.split(';').next())
        .expect("a session cookie")
        .to_owned()
}

impl TestApp {
    /// Sends the default workspace's e-mail through the SMTP server on `port` (from offers@brand.example,
    /// "Brand"), its SMS and WhatsApp to a vendor nobody answers.
    pub async fn use_smtp(&self, port: u16) {
        let vendor = serde_json::json!({"kind": "vendor", "base_url": "http://127.0.0.1:9", "api_key": "unused",
            "signing_secret": "unused-signing-secret"});
        let settings = serde_json::json!({"sms": vendor, "whatsapp": vendor, "email": {"kind": "smtp",
            "host": "127.0.0.1", "port": port, "tls": "none", "from_address": "offers@brand.example",
            "from_name": "Brand"}});
        let put = self.client.put(self.url("/api/v1/settings/channels")).bearer_auth(&self.key).json(&settings);
        let put = put.send().await.unwrap();
        assert_eq!(put.status(), 200, "{}", put.text().await.unwrap());
    }
}

pub fn customer(id: &str) -> Value {
    serde_json::json!({"external_id": id, "name": "Asha Verma", "email": "asha@example.in", "phone": "+91 98765 43210",
        "city": "Pune", "gender": "female", "preferred_channel": "whatsapp", "attributes": {"tier": "gold"}})
}

/// An order body.
pub fn order(id: &str, customer: &str, amount: &str) -> Value {
    serde_json::json!({"external_id": id, "customer_external_id": customer, "amount": amount, "currency": "INR",
        "ordered_at": "2026-05-01T10:00:00Z"})
}

/// Reads a problem+json body, checking its content type.
pub async fn problem(response: reqwest::Response) -> Value {
    let content_type = response.headers().get("content-type").and_then(|v| v.to_str().ok()).unwrap_or("").to_owned();
    assert_eq!(content_type, "application/problem+json");
    response.json().await.unwrap()
}

/// The field names a problem lists.
pub fn fields(problem: &Value) -> Vec<String> {
    problem["errors"]
        .as_array()
        .map(|a| a.iter().filter_map(|e| e["field"].as_str().map(str::to_owned)).collect())
        .unwrap_or_default()
}

/// A person signed in with a session cookie, acting in one workspace (admin tests).
pub struct AdminSession {
    pub user_id: UserId,
    /// `converge_session=<id>`, ready for a `Cookie` header.
    pub cookie: String,
    pub csrf: String,
    pub workspace: String,
}

impl TestApp {
    /// Creates a local account `email` with `role` in workspace `slug` (created if missing) and signs in.
    pub async fn admin_user(&self, slug: &str, email: &str, role: converge_domain::Role) -> AdminSession {
        const PASSWORD: &str = "correct horse battery staple";
        let store = &self.state.store;
        let ws = match store.workspace_by_slug(slug).await.unwrap() {
            Some(ws) => ws,
            None => {
                store.create_workspace(slug, slug, &converge_domain::Currency::parse("INR").unwrap()).await.unwrap()
            }
        };
        let hash = converge_server::auth::password::hash(PASSWORD).unwrap();
        let new = converge_store::NewUser {
            email: email.to_owned(),
            name: Some(email.split('@').next().unwrap_or("someone").to_owned()),
            password_hash: Some(hash),
            email_verified: true,
        };
        let now = chrono::Utc::now();
        let user = store.create_user(&new, now).await.unwrap();
        store.put_member(ws.id, user.id, role, now).await.unwrap();
        let response = self
            .client
            .post(self.url("/api/v1/auth/login"))
            .json(&serde_json::json!({"email": email, "password": PASSWORD}))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200, "sign-in of {email}");
        let cookie = session_cookie(&response);
        let me: Value = response.json().await.unwrap();
        let csrf = me["csrf_token"].as_str().expect("a CSRF token").to_owned();
        AdminSession { user_id: user.id, cookie, csrf, workspace: slug.to_owned() }
    }

    /// A request as a signed-in person: session cookie, CSRF token and workspace header.
    pub fn admin_request(&self, who: &AdminSession, method: reqwest::Method, path: &str) -> reqwest::RequestBuilder {
        self.client
            .request(method, self.url(path))
            .header("cookie", &who.cookie)
            .header("x-csrf-token", &who.csrf)
            .header("x-converge-workspace", &who.workspace)
    }
}
