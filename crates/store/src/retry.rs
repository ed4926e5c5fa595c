//! Re-running a transaction that met another writer's row locks in a different order: Postgres aborts one
//! side of a deadlock (`40P01`) or a serialization conflict (`40001`), and the transaction is simply run
//! again. Every transaction retried here is safe to re-run: guards make repeated effects no-ops. SQLite has
//! one writer and never answers these codes, so the same code runs there without effect.

use std::future::Future;

use crate::{StoreError, StoreResult};

/// How many times a transaction is run before its error is returned.
const ATTEMPTS: u32 = 5;

pub(crate) async fn retrying<T, F, Fut>(what: &'static str, mut run: F) -> StoreResult<T>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = StoreResult<T>>,
{
    let mut attempt = 1;
    loop {
        match run().await {
            Err(StoreError::Database(err)) if attempt < ATTEMPTS && is_retryable(&err) => {
                tracing::warn!(attempt, what, "deadlock or serialization failure; retrying");
                attempt += 1;
            }
            other => return other,
        }
    }
}

fn is_retryable(err: &sqlx::Error) -> bool {
    match err {
        sqlx::Error::Database(db) => matches!(db.code().as_deref(), Some("40P01") | Some("40001")),
        _ => false,
    }
}
