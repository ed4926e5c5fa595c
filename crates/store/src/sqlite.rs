//! SQLite implementation of [`Store`](crate::Store), for the zero-setup embedded mode.
//!
//! Timestamps are stored as INTEGER milliseconds (UTC) and JSON as TEXT. The database runs in WAL mode with
//! `synchronous=FULL`: the ingest consumer acknowledges a stream entry only after its transaction commits,
//! so a commit must survive power loss, not only a process crash.

use std::str::FromStr;
use std::time::Duration;

use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous};

use crate::StoreResult;

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("migrations/sqlite");

#[derive(Clone)]
pub struct SqliteStore {
    pool: SqlitePool,
}

impl SqliteStore {
    /// Opens (creating if missing) the database at a `sqlite:` URL.
    pub async fn connect(url: &str) -> StoreResult<Self> {
        let options = SqliteConnectOptions::from_str(url)?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Full)
            .busy_timeout(Duration::from_secs(10))
            .foreign_keys(true);
        let pool = SqlitePoolOptions::new().max_connections(8).connect_with(options).await?;
        Ok(Self { pool })
    }

    /// The migrations compiled into the binary for this backend.
    pub(crate) fn migrator() -> &'static sqlx::migrate::Migrator {
        &MIGRATOR
    }

    pub fn pool(&self) -> &SqlitePool {
        &self.pool
    }
}
