//! Insights queries on SQLite.

use sqlx::SqlitePool;

// SQLite compares text by bytes already.
insights_queries!(SqlitePool, "");
