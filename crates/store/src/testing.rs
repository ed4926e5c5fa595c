//! Test support shared by every crate's integration tests: a fresh Postgres database per test.
//!
//! Services are optional on a laptop and mandatory in CI: when `CI=true` and Postgres cannot be reached,
//! [`TestDatabase::create`] panics so the run fails instead of silently skipping.

use std::sync::atomic::{AtomicU64, Ordering};

use sqlx::{Connection, Executor, PgConnection};

/// The server used for test databases (override with `CONVERGE_TEST_PG_URL`).
pub fn admin_url() -> String {
    std::env::var("CONVERGE_TEST_PG_URL").unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into())
}

/// True when the run must not skip service-backed tests.
pub fn services_required() -> bool {
    std::env::var("CI").map(|v| v == "true" || v == "1").unwrap_or(false)
}

/// A database created for one test and dropped when this value is dropped.
pub struct TestDatabase {
    pub url: String,
    name: String,
}

impl TestDatabase {
    /// Creates an empty database; `None` (after printing why) when Postgres is unreachable outside CI.
    pub async fn create() -> Option<TestDatabase> {
        static COUNTER: AtomicU64 = AtomicU64::new(0);
        let admin = admin_url();
        let mut conn = match PgConnection::connect(&admin).await {
            Ok(conn) => conn,
            Err(err) => {
                assert!(!services_required(), "CI=true but PostgreSQL is unreachable at {admin}: {err}");
                eprintln!("skipping: PostgreSQL unreachable ({err}); set CI=true to make this fatal");
                return None;
            }
        };
        let nanos =
            std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.subsec_nanos()).unwrap_or(0);
        let name =
            format!("converge_test_{}_{}_{}", std::process::id(), COUNTER.fetch_add(1, Ordering::Relaxed), nanos);
        if let Err(err) = conn.execute(format!("CREATE DATABASE \"{name}\"").as_str()).await {
            panic!("could not create test database {name}: {err}");
        }
        let base = admin.rsplit_once('/').map(|(base, _)| base.to_owned()).unwrap_or(admin.clone());
        Some(TestDatabase { url: format!("{base}/{name}"), name })
    }
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        let name = self.name.clone();
        // Drop runs outside async context; a short-lived thread with its own runtime does the cleanup.
        let _ = std::thread::spawn(move || {
            let Ok(runtime) = tokio::runtime::Builder::new_current_thread().enable_all().build() else {
                return;
            };
            runtime.block_on(async move {
                if let Ok(mut conn) = PgConnection::connect(&admin_url()).await {
                    let _ = conn.execute(format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)").as_str()).await;
                }
            });
        })
        .join();
    }
}
