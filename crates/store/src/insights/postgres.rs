//! Insights queries on Postgres.

use sqlx::PgPool;

// Ties among reasons sort by bytes, as on SQLite.
insights_queries!(PgPool, " COLLATE \"C\"");
