//! A vendor a workspace points its channel at, under the test's control: it accepts every message with the next
//! id of its own sequence (`{prefix}{n}`, so two fake vendors with one prefix answer the same ids) and records
//! each message's reference, so a test can write the receipts this vendor (or an attacker) would send.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use axum::routing::post;
use axum::{Json, Router};
use serde_json::{json, Value};

/// One message the fake vendor accepted: Converge's reference and the id it answered.
#[derive(Clone, Debug)]
pub struct Taken {
    pub reference: String,
    pub id: String,
}

pub struct FakeVendor {
    pub addr: SocketAddr,
    taken: Arc<Mutex<Vec<Taken>>>,
}

impl FakeVendor {
    /// Listens on a random loopback port; ids are `{prefix}1`, `{prefix}2`, ...
    pub async fn start(prefix: &str) -> FakeVendor {
        let taken = Arc::new(Mutex::new(Vec::new()));
        let state = (taken.clone(), prefix.to_owned());
        let app = Router::new().route("/v1/messages/batch", post(batch)).with_state(state);
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move { axum::serve(listener, app).await });
        FakeVendor { addr, taken }
    }

    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Every message accepted so far, in order.
    pub fn taken(&self) -> Vec<Taken> {
        self.taken.lock().unwrap().clone()
    }
}

type VendorState = (Arc<Mutex<Vec<Taken>>>, String);

async fn batch(
    axum::extract::State((taken, prefix)): axum::extract::State<VendorState>,
    Json(body): Json<Value>,
) -> Json<Value> {
    let mut taken = taken.lock().unwrap();
    let mut results = Vec::new();
    for message in body["messages"].as_array().cloned().unwrap_or_default() {
        let reference = message["reference"].as_str().unwrap_or_default().to_owned();
        let id = format!("{prefix}{}", taken.len() + 1);
        results.push(json!({"id": id, "reference": reference, "status": "queued", "duplicate": false}));
        taken.push(Taken { reference, id });
    }
    Json(json!({ "results": results }))
}

/// A receipt for `message` as its vendor would write it.
pub fn receipt(message: &Taken, status: &str) -> Value {
    let now = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
    let mut r = json!({"message_id": message.id, "reference": message.reference, "status": status, "occurred_at": now});
    if status == "FAILED" {
        r["error"] = json!("handset unreachable");
    }
    r
}
