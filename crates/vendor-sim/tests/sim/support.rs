//! Test helpers: the simulator on a random port, a receiving server standing in for Converge's receipt
//! endpoint, and one helper per endpoint.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use axum::Router;
use converge_vendor_sim::wire::{BatchResponse, LedgerPage, SendResponse};
use converge_vendor_sim::{spawn, LedgerEntry, Receipt, ReceiptBatch, SimConfig, SimHandle, Stats};
use serde_json::{json, Value};

pub const KEY: &str = "test_key";
pub const SECRET: &str = "test_secret";

/// One callback request as the receiver saw it.
#[derive(Debug, Clone)]
pub struct Delivery {
    pub timestamp: String,
    pub signature: String,
    pub body: Bytes,
    pub receipts: Vec<Receipt>,
    pub answered: u16,
}

#[derive(Default)]
struct ReceiverState {
    deliveries: Mutex<Vec<Delivery>>,
    /// Statuses to answer the next requests with; 200 once it runs out.
    script: Mutex<VecDeque<u16>>,
}

/// A small axum server that records every receipt request and answers as scripted.
pub struct Receiver {
    pub url: String,
    state: Arc<ReceiverState>,
}

async fn receive(State(state): State<Arc<ReceiverState>>, headers: HeaderMap, body: Bytes) -> StatusCode {
    let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned();
    let answered = state.script.lock().unwrap().pop_front().unwrap_or(200);
    let batch: ReceiptBatch = serde_json::from_slice(&body).expect("receipt batch JSON");
    state.deliveries.lock().unwrap().push(Delivery {
        timestamp: header("x-converge-timestamp"),
        signature: header("x-converge-signature"),
        body,
        receipts: batch.receipts,
        answered,
    });
    StatusCode::from_u16(answered).unwrap()
}

impl Receiver {
    pub async fn start() -> Receiver {
        let state = Arc::new(ReceiverState::default());
        let app = Router::new().route("/receipts", post(receive)).with_state(state.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}/receipts", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, app).await });
        Receiver { url, state }
    }

    pub fn answer_next(&self, statuses: &[u16]) {
        self.state.script.lock().unwrap().extend(statuses);
    }

    pub fn deliveries(&self) -> Vec<Delivery> {
        self.state.deliveries.lock().unwrap().clone()
    }

    /// Receipts from requests answered 2xx, in arrival order.
    pub fn receipts(&self) -> Vec<Receipt> {
        self.deliveries().into_iter().filter(|d| d.answered < 300).flat_map(|d| d.receipts).collect()
    }

    /// Waits (up to 10 s) until at least `count` receipts were accepted.
    pub async fn wait_for_receipts(&self, count: usize) -> Vec<Receipt> {
        wait_until(|| self.receipts().len() >= count).await;
        self.receipts()
    }
}

/// Polls `done` every 10 ms for at most 10 s; fails the test on time-out.
pub async fn wait_until(mut done: impl FnMut() -> bool) {
    for _ in 0..1_000 {
        if done() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    panic!("condition not met within 10 s");
}

/// The simulator under test with its receiver and an HTTP client.
pub struct TestSim {
    pub handle: SimHandle,
    pub receiver: Receiver,
    pub http: reqwest::Client,
}

/// Fast settings for tests: 5 ms outcome delay, test credentials, the given receiver.
pub fn config(receiver: &Receiver) -> SimConfig {
    SimConfig {
        api_key: KEY.into(),
        signing_secret: SECRET.into(),
        callback_url: receiver.url.clone(),
        min_delay_ms: 5,
        max_delay_ms: 5,
        ..SimConfig::default()
    }
}

pub fn client() -> reqwest::Client {
    reqwest::Client::builder().no_proxy().build().unwrap()
}

pub fn sms(reference: &str) -> Value {
    json!({"to": "+919812345678", "channel": "sms", "body": format!("Hello {reference}"), "reference": reference})
}

impl TestSim {
    pub async fn start() -> TestSim {
        TestSim::start_with(|_| {}).await
    }

    pub async fn start_with(adjust: impl FnOnce(&mut SimConfig)) -> TestSim {
        let receiver = Receiver::start().await;
        let mut config = config(&receiver);
        adjust(&mut config);
        let handle = spawn(config).await.unwrap();
        TestSim { handle, receiver, http: client() }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.handle.base_url())
    }

    pub async fn post(&self, path: &str, body: &Value) -> reqwest::Result<reqwest::Response> {
        self.http.post(self.url(path)).bearer_auth(KEY).json(body).send().await
    }

    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.http.get(self.url(path)).bearer_auth(KEY).send().await.unwrap()
    }

    /// Sends one message and expects it accepted (new or duplicate).
    pub async fn send(&self, message: &Value) -> SendResponse {
        let response = self.post("/v1/messages", message).await.unwrap();
        assert!(response.status().is_success(), "{}", response.status());
        response.json().await.unwrap()
    }

    pub async fn send_batch(&self, messages: Vec<Value>) -> BatchResponse {
        let response = self.post("/v1/messages/batch", &json!({ "messages": messages })).await.unwrap();
        assert_eq!(response.status(), 202);
        response.json().await.unwrap()
    }

    pub async fn put_chaos(&self, chaos: &Value) -> reqwest::Response {
        self.http.put(self.url("/admin/chaos")).bearer_auth(KEY).json(chaos).send().await.unwrap()
    }

    /// The whole ledger read over HTTP, page by page.
    pub async fn ledger_over_http(&self, page_size: usize) -> Vec<LedgerEntry> {
        let mut entries = Vec::new();
        let mut after: Option<u64> = None;
        for _ in 0..10_000 {
            let cursor = after.map(|seq| format!("&after={seq}")).unwrap_or_default();
            let page: LedgerPage =
                self.get(&format!("/v1/ledger?limit={page_size}{cursor}")).await.json().await.unwrap();
            entries.extend(page.entries);
            match page.next {
                Some(next) => after = Some(next),
                None => return entries,
            }
        }
        panic!("ledger pagination did not end");
    }

    pub async fn stats(&self) -> Stats {
        self.get("/v1/stats").await.json().await.unwrap()
    }

    /// Waits until every accepted message has its outcome and no receipt is pending.
    pub async fn wait_settled(&self) {
        wait_until(|| {
            let stats = self.handle.stats();
            stats.queued == 0 && stats.receipts_pending == 0
        })
        .await;
    }
}
