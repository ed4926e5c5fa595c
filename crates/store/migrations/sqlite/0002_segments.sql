-- SQLite twin of migrations/postgres/0002_segments.sql: folded shadow columns for case-insensitive segment
-- matching (SQLite's lower() folds ASCII only), computed in Rust by the ingest path; attributes_fold IS NULL
-- marks rows written before this migration, which the store backfills at startup.
ALTER TABLE customers ADD COLUMN name_fold TEXT;
ALTER TABLE customers ADD COLUMN email_fold TEXT;
ALTER TABLE customers ADD COLUMN city_fold TEXT;
ALTER TABLE customers ADD COLUMN attributes_fold TEXT;

CREATE INDEX customers_city_fold ON customers (workspace_id, city_fold);
CREATE INDEX customers_email_fold ON customers (workspace_id, email_fold);
CREATE INDEX customers_unfolded ON customers (id) WHERE attributes_fold IS NULL;
