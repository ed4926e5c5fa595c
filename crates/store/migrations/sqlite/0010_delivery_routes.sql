-- SQLite twin of migrations/postgres/0010_delivery_routes.sql (read it for why): time is INTEGER milliseconds.
CREATE TABLE delivery_routes (
    route           TEXT PRIMARY KEY,
    workspace_id    INTEGER NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    signing_secret  TEXT NOT NULL,
    created_at      INTEGER NOT NULL
);
CREATE INDEX delivery_routes_workspace_id ON delivery_routes (workspace_id);

ALTER TABLE communication_log ADD COLUMN route TEXT;
DROP INDEX communication_log_vendor_message_id;

DROP TABLE unmatched_receipts;
CREATE TABLE unmatched_receipts (
    log_id             INTEGER NOT NULL,
    route              TEXT NOT NULL,
    vendor_message_id  TEXT NOT NULL,
    status             TEXT NOT NULL CHECK (status IN ('SENT', 'FAILED')),
    error              TEXT,
    occurred_at        INTEGER NOT NULL,
    received_at        INTEGER NOT NULL,
    PRIMARY KEY (log_id, route, vendor_message_id)
);
CREATE INDEX unmatched_receipts_received_at ON unmatched_receipts (received_at);
