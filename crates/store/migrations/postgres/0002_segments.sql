-- Segment rules match text case-insensitively. Folding is done in Rust (Unicode lowercase, identical on both
-- backends and in the reference evaluator), never with lower(), and kept in shadow columns written by the
-- ingest path. attributes_fold is the attributes object with strings folded and numbers replaced by
-- order-preserving keys (converge_domain::segment::NumberKey), so numbers compare exactly as text.
-- attributes_fold IS NULL marks rows written before this migration; the store backfills them at startup.
ALTER TABLE customers
    ADD COLUMN name_fold TEXT,
    ADD COLUMN email_fold TEXT,
    ADD COLUMN city_fold TEXT,
    ADD COLUMN attributes_fold JSONB;

CREATE INDEX customers_city_fold ON customers (workspace_id, city_fold);
CREATE INDEX customers_email_fold ON customers (workspace_id, email_fold);
CREATE INDEX customers_unfolded ON customers (id) WHERE attributes_fold IS NULL;
