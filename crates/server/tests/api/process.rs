//! The real `converge` binary: end to end in both modes, `kill -9` mid-stream, and two worker processes
//! sharing one Redis consumer group.

use converge_domain::WorkspaceId;
use std::collections::HashSet;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use converge_store::testing::TestDatabase;
use converge_store::{CustomerQuery, Store};
use serde_json::json;

use crate::helpers::{delete_redis_prefix, order, redis_available, Mode, REDIS_URL};

const BIN: &str = env!("CARGO_BIN_EXE_converge");

/// Where a test's processes keep their data: a temp dir, plus Postgres and a Redis prefix in production.
pub(crate) struct Deployment {
    dir: tempfile::TempDir,
    db: Option<TestDatabase>,
    prefix: String,
}

impl Drop for Deployment {
    fn drop(&mut self) {
        if self.db.is_some() {
            delete_redis_prefix(&self.prefix);
        }
    }
}

impl Deployment {
    pub(crate) async fn new(mode: Mode) -> Option<Deployment> {
        let dir = tempfile::tempdir().ok()?;
        let db = match mode {
            Mode::Embedded => None,
            Mode::Production => {
                if !redis_available().await {
                    return None;
                }
                Some(TestDatabase::create().await?)
            }
        };
        Some(Deployment { dir, db, prefix: format!("ptest:{}:", uuid::Uuid::new_v4().simple()) })
    }

    pub(crate) fn command(&self, args: &[&str]) -> Command {
        let mut command = Command::new(BIN);
        command
            .args(args)
            .arg("--data-dir")
            .arg(self.dir.path())
            .env("CONVERGE_INGEST__RECLAIM_IDLE_MS", "1000")
            .env("CONVERGE_LOG_FORMAT", "json")
            .env_remove("DATABASE_URL")
            .env_remove("REDIS_URL");
        if let Some(db) = &self.db {
            command.env("DATABASE_URL", &db.url).env("REDIS_URL", REDIS_URL).env("CONVERGE_REDIS_PREFIX", &self.prefix);
            // Production mode refuses to start without a receipt signing secret of its own.
            command.env("CONVERGE_VENDOR__SIGNING_SECRET", format!("process-test-{}", self.prefix));
        }
        command
    }

    /// `converge api-key create`: the key is alone on the last line of stdout.
    fn create_key(&self) -> String {
        self.create_key_with("ingest,read")
    }

    pub(crate) fn create_key_with(&self, scopes: &str) -> String {
        let output =
            self.command(&["api-key", "create", "--workspace", "default", "--scope", scopes]).output().unwrap();
        assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
        let stdout = String::from_utf8(output.stdout).unwrap();
        stdout.lines().last().unwrap().trim().to_owned()
    }

    fn start(&self, args: &[&str], extra_env: &[(&str, &str)]) -> Server {
        self.start_on(free_port(), args, extra_env)
    }

    /// Starts `converge <args>` listening on `port`.
    pub(crate) fn start_on(&self, port: u16, args: &[&str], extra_env: &[(&str, &str)]) -> Server {
        let bind = format!("127.0.0.1:{port}");
        let mut command = self.command(args);
        command.arg("--bind").arg(&bind).stdout(Stdio::null()).stderr(Stdio::null());
        for (k, v) in extra_env {
            command.env(k, v);
        }
        Server { child: command.spawn().unwrap(), base: format!("http://{bind}") }
    }

    pub(crate) async fn store(&self) -> Arc<dyn Store> {
        let url = match &self.db {
            Some(db) => db.url.clone(),
            None => format!("sqlite://{}", self.dir.path().join("converge.db").display()),
        };
        converge_store::connect(&url, 2).await.unwrap()
    }
}

pub(crate) struct Server {
    pub(crate) child: Child,
    pub(crate) base: String,
}

impl Server {
    pub(crate) async fn ready(&self) {
        let client = reqwest::Client::new();
        let deadline = Instant::now() + Duration::from_secs(60);
        while Instant::now() < deadline {
            if let Ok(r) = client.get(format!("{}/readyz", self.base)).send().await {
                if r.status() == 200 {
                    return;
                }
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("{} never became ready", self.base);
    }

    /// SIGKILL: no graceful shutdown, no flush.
    pub(crate) fn kill9(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.kill9();
    }
}

pub(crate) fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// Waits until every id in `expected` is stored, then checks no order is counted twice anywhere.
///
/// The store may hold more than `expected`: a request the kill cut off after its append but before the 202
/// is stored without being counted as accepted. So the wait is for the ids themselves (a count reaching
/// `expected.len()` proves nothing), and the final checks run once the order count has stopped moving.
async fn assert_all_stored_once(store: &dyn Store, expected: &HashSet<String>, workspace: &str) {
    let ws = store.workspace_by_slug(workspace).await.unwrap().unwrap().id;
    let deadline = Instant::now() + Duration::from_secs(90);
    loop {
        let stored = stored_orders(store, ws, false).await;
        let missing: Vec<_> = expected.difference(&stored).take(5).cloned().collect();
        if missing.is_empty() {
            break;
        }
        assert!(Instant::now() < deadline, "accepted but not stored after 90 s: {missing:?}");
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
    let mut last = store.counts(ws).await.unwrap().orders;
    loop {
        tokio::time::sleep(Duration::from_secs(1)).await;
        let now = store.counts(ws).await.unwrap().orders;
        if now == last {
            break;
        }
        assert!(Instant::now() < deadline, "orders still arriving after 90 s");
        last = now;
    }
    let stored = stored_orders(store, ws, true).await;
    assert_eq!(stored.len() as i64, last, "the order count equals the orders stored");
    let missing: Vec<_> = expected.difference(&stored).take(5).collect();
    assert!(missing.is_empty(), "accepted but not stored: {missing:?}");
}

/// The external ids of every order stored in workspace `ws`; with `check` (only once ingestion is quiet), also
/// that each customer's aggregates equal its orders and that no order is stored twice.
async fn stored_orders(store: &dyn Store, ws: WorkspaceId, check: bool) -> HashSet<String> {
    let mut stored = HashSet::new();
    let mut before_id = None;
    loop {
        let page =
            store.list_customers(ws, &CustomerQuery { before_id, limit: 500, ..Default::default() }).await.unwrap();
        let Some(last) = page.last() else { break };
        before_id = Some(last.id);
        for customer in &page {
            let orders = store.customer_orders(ws, customer.id, 100_000).await.unwrap();
            if check {
                assert_eq!(customer.order_count, orders.len() as i64, "order_count of {}", customer.external_id);
                assert_eq!(customer.total_spend, orders.iter().map(|o| o.amount_minor).sum::<i64>());
            }
            for o in orders {
                assert!(stored.insert(o.external_id.clone()) || !check, "order {} stored twice", o.external_id);
            }
        }
    }
    stored
}

async fn end_to_end_with_the_real_binary(mode: Mode) {
    let Some(deployment) = Deployment::new(mode).await else { return };
    let key = deployment.create_key();
    let server = deployment.start(&["serve"], &[]);
    server.ready().await;
    let client = reqwest::Client::new();
    let customers: Vec<_> =
        (0..100).map(|i| json!({"external_id": format!("C{i}"), "name": format!("Customer {i}")})).collect();
    let r = client
        .post(format!("{}/api/v1/customers/batch", server.base))
        .bearer_auth(&key)
        .json(&json!({"items": customers}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 202);
    let mut expected = HashSet::new();
    for chunk in 0..3 {
        let orders: Vec<_> = (0..500)
            .map(|i| {
                let n = chunk * 500 + i;
                expected.insert(format!("O{n}"));
                order(&format!("O{n}"), &format!("C{}", n % 100), "100.25")
            })
            .collect();
        let r = client
            .post(format!("{}/api/v1/orders/batch", server.base))
            .bearer_auth(&key)
            .json(&json!({"items": orders}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 202);
    }
    let store = deployment.store().await;
    assert_all_stored_once(store.as_ref(), &expected, "default").await;
    let c: serde_json::Value = client
        .get(format!("{}/api/v1/customers/C7", server.base))
        .bearer_auth(&key)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(c["order_count"], 15);
    assert_eq!(c["total_spend"], "1503.75");
    assert_eq!(c["name"], "Customer 7");
}

async fn kill_9_mid_stream_loses_nothing(mode: Mode) {
    let Some(deployment) = Deployment::new(mode).await else { return };
    let key = deployment.create_key();
    let mut server = deployment.start(&["serve"], &[]);
    server.ready().await;
    let accepted = Arc::new(Mutex::new(HashSet::new()));
    let client = reqwest::Client::new();
    let mut posters = Vec::new();
    for task in 0..8 {
        let (client, key, base, accepted) = (client.clone(), key.clone(), server.base.clone(), accepted.clone());
        posters.push(tokio::spawn(async move {
            for i in 0..5_000 {
                let id = format!("O{task}-{i}");
                let body = order(&id, &format!("C{}", i % 40), "10.00");
                match client.post(format!("{base}/api/v1/orders")).bearer_auth(&key).json(&body).send().await {
                    Ok(r) if r.status() == 202 => {
                        accepted.lock().unwrap().insert(id);
                    }
                    Ok(_) => {}
                    Err(_) => return,
                }
            }
        }));
    }
    // Let the stream fill and the consumers get busy, then pull the plug.
    let deadline = Instant::now() + Duration::from_secs(30);
    while accepted.lock().unwrap().len() < 1_500 && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    server.kill9();
    for poster in posters {
        let _ = poster.await;
    }
    let accepted = accepted.lock().unwrap().clone();
    assert!(accepted.len() >= 1_000, "only {} accepted before the kill", accepted.len());
    let restarted = deployment.start(&["serve"], &[]);
    restarted.ready().await;
    let store = deployment.store().await;
    assert_all_stored_once(store.as_ref(), &accepted, "default").await;
}

async fn two_workers_share_one_consumer_group() {
    let Some(deployment) = Deployment::new(Mode::Production).await else { return };
    let key = deployment.create_key();
    let small = [("CONVERGE_INGEST__CONSUMER_BATCH", "50"), ("CONVERGE_INGEST__CONSUMERS", "1")];
    let api = deployment.start(&["serve", "--role", "api"], &small);
    api.ready().await;
    let workers = [deployment.start(&["worker"], &small), deployment.start(&["worker"], &small)];
    for worker in &workers {
        worker.ready().await;
    }
    let client = reqwest::Client::new();
    let mut expected = HashSet::new();
    for chunk in 0..20 {
        let orders: Vec<_> = (0..250)
            .map(|i| {
                let id = format!("O{chunk}-{i}");
                expected.insert(id.clone());
                order(&id, &format!("C{}", i % 60), "1.50")
            })
            .collect();
        let r = client
            .post(format!("{}/api/v1/orders/batch", api.base))
            .bearer_auth(&key)
            .json(&json!({"items": orders}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 202);
    }
    let store = deployment.store().await;
    assert_all_stored_once(store.as_ref(), &expected, "default").await;
    for worker in &workers {
        let metrics = client.get(format!("{}/metrics", worker.base)).send().await.unwrap().text().await.unwrap();
        let applied = metrics
            .lines()
            .filter(|l| l.starts_with("converge_ingest_applied_total{outcome=\"order_inserted\"}"))
            .filter_map(|l| l.rsplit(' ').next()?.parse::<f64>().ok())
            .sum::<f64>();
        assert!(applied > 0.0, "worker {} applied nothing", worker.base);
    }
    // The API node serves no consumers: it must not have applied anything itself.
    let api_metrics = client.get(format!("{}/metrics", api.base)).send().await.unwrap().text().await.unwrap();
    assert!(!api_metrics.contains("converge_ingest_applied_total{outcome=\"order_inserted\"}"));
}

/// SIGTERM: in-flight work finishes, the process exits cleanly, and everything accepted is stored.
async fn sigterm_shuts_down_gracefully(mode: Mode) {
    let Some(deployment) = Deployment::new(mode).await else { return };
    let key = deployment.create_key();
    let mut server = deployment.start(&["serve"], &[]);
    server.ready().await;
    let client = reqwest::Client::new();
    let mut expected = HashSet::new();
    let orders: Vec<_> = (0..1000)
        .map(|i| {
            expected.insert(format!("O{i}"));
            order(&format!("O{i}"), &format!("C{}", i % 10), "3.00")
        })
        .collect();
    let r = client
        .post(format!("{}/api/v1/orders/batch", server.base))
        .bearer_auth(&key)
        .json(&json!({"items": orders}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 202);
    let status = Command::new("kill").arg("-TERM").arg(server.child.id().to_string()).status().unwrap();
    assert!(status.success());
    let deadline = Instant::now() + Duration::from_secs(20);
    let exit = loop {
        if let Some(exit) = server.child.try_wait().unwrap() {
            break exit;
        }
        assert!(Instant::now() < deadline, "converge did not stop within 20 s of SIGTERM");
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    assert!(exit.success(), "exit status {exit:?}");
    // Whatever the consumers had not reached is applied after a restart; nothing was lost either way.
    let restarted = deployment.start(&["serve"], &[]);
    restarted.ready().await;
    let store = deployment.store().await;
    assert_all_stored_once(store.as_ref(), &expected, "default").await;
}

/// `converge demo` loads the deterministic sample through the store, and the API serves it.
async fn demo_loads_a_sample(mode: Mode) {
    let Some(deployment) = Deployment::new(mode).await else { return };
    let output =
        deployment.command(&["demo", "--customers", "300", "--orders", "1500", "--seed", "7"]).output().unwrap();
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let store = deployment.store().await;
    let ws = store.workspace_by_slug("default").await.unwrap().unwrap().id;
    let counts = store.counts(ws).await.unwrap();
    assert_eq!((counts.customers, counts.orders), (300, 1500));
    let sample = store.customer(ws, "C00000007").await.unwrap().unwrap();
    assert!(sample.name.is_some() && sample.city.is_some());
}

/// `converge vendor-sim` runs the simulator on its own: it accepts a message and records it in its ledger.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn vendor_sim_command_serves_the_gateway_api() {
    let port = free_port();
    let mut child = Command::new(BIN)
        .args(["vendor-sim", "--bind", &format!("127.0.0.1:{port}"), "--callback-url", ""])
        .env("VENDOR_SIM_API_KEY", "test-key")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let base = format!("http://127.0.0.1:{port}");
    let client = reqwest::Client::new();
    let deadline = Instant::now() + Duration::from_secs(30);
    while client.get(format!("{base}/healthz")).send().await.is_err() {
        assert!(Instant::now() < deadline, "vendor-sim never answered");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let message = json!({"to": "+919876543210", "channel": "sms", "body": "Hi Asha", "reference": "log-1"});
    let unauthorised = client.post(format!("{base}/v1/messages")).json(&message).send().await.unwrap();
    assert_eq!(unauthorised.status(), 401);
    let accepted =
        client.post(format!("{base}/v1/messages")).bearer_auth("test-key").json(&message).send().await.unwrap();
    assert_eq!(accepted.status(), 202);
    let ledger =
        client.get(format!("{base}/v1/ledger")).bearer_auth("test-key").send().await.unwrap().text().await.unwrap();
    assert!(ledger.contains("log-1"), "{ledger}");
    let _ = child.kill();
    let _ = child.wait();
}

mod embedded {
    use super::*;

    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn sigterm() {
        sigterm_shuts_down_gracefully(Mode::Embedded).await
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn demo() {
        demo_loads_a_sample(Mode::Embedded).await
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn end_to_end() {
        end_to_end_with_the_real_binary(Mode::Embedded).await
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn kill_9() {
        kill_9_mid_stream_loses_nothing(Mode::Embedded).await
    }
}

mod production {
    use super::*;

    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn sigterm() {
        sigterm_shuts_down_gracefully(Mode::Production).await
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn demo() {
        demo_loads_a_sample(Mode::Production).await
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn end_to_end() {
        end_to_end_with_the_real_binary(Mode::Production).await
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn kill_9() {
        kill_9_mid_stream_loses_nothing(Mode::Production).await
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn two_workers() {
        two_workers_share_one_consumer_group().await
    }
}
