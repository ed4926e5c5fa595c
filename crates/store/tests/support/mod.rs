//! Helpers for the store tests: backends and record builders.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use converge_domain::{Currency, CustomerInput, IngestEnvelope, IngestEvent, OrderInput, WorkspaceId};
use converge_store::testing::TestDatabase;
use converge_store::{postgres::PgStore, sqlite::SqliteStore, Store};

/// A migrated store and whatever keeps it alive (temp dir or test database).
pub struct Backend {
    store: Arc<dyn Store>,
    #[allow(dead_code)] // only the suites that look at every table read it
    url: String,
    _dir: Option<tempfile::TempDir>,
    _db: Option<TestDatabase>,
}

impl Backend {
    pub async fn sqlite() -> Option<Backend> {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}", dir.path().join("t.db").display());
        let store: Arc<dyn Store> = Arc::new(SqliteStore::connect(&url).await.unwrap());
        store.migrate().await.unwrap();
        Some(Backend { store, url, _dir: Some(dir), _db: None })
    }

    pub async fn postgres() -> Option<Backend> {
        let db = TestDatabase::create().await?;
        let store: Arc<dyn Store> = Arc::new(PgStore::connect(&db.url, 5).await.unwrap());
        store.migrate().await.unwrap();
        Some(Backend { store, url: db.url.clone(), _dir: None, _db: Some(db) })
    }

    pub fn store(&self) -> &dyn Store {
        self.store.as_ref()
    }

    /// The database's URL, for tests that look at every table directly.
    #[allow(dead_code)]
    pub fn url(&self) -> &str {
        &self.url
    }

    pub fn name(&self) -> &'static str {
        self.store.backend().as_str()
    }
}

pub fn inr() -> Currency {
    Currency::parse("INR").unwrap()
}

pub fn customer(workspace_id: WorkspaceId, received_at: DateTime<Utc>, body: serde_json::Value) -> IngestEnvelope {
    let input: CustomerInput = serde_json::from_value(body).unwrap();
    let record = input.validate(Utc::now()).unwrap();
    IngestEnvelope { workspace_id, received_at, event: IngestEvent::Customer(record) }
}

pub fn order(workspace_id: WorkspaceId, id: &str, customer: &str, amount: &str) -> IngestEnvelope {
    order_at(workspace_id, id, customer, amount, Utc::now() - chrono::Duration::hours(1))
}

pub fn order_at(
    workspace_id: WorkspaceId,
    id: &str,
    customer: &str,
    amount: &str,
    at: DateTime<Utc>,
) -> IngestEnvelope {
    let input: OrderInput = serde_json::from_value(serde_json::json!({
        "external_id": id, "customer_external_id": customer, "amount": amount, "ordered_at": at.to_rfc3339()
    }))
    .unwrap();
    let record = input.validate(Utc::now(), &inr()).unwrap();
    IngestEnvelope { workspace_id, received_at: Utc::now(), event: IngestEvent::Order(record) }
}
