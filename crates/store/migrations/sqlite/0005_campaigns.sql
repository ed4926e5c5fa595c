-- SQLite twin of migrations/postgres/0005_campaigns.sql (see there for the reasoning): timestamps are
-- INTEGER milliseconds, JSON is TEXT. Foreign keys are kept here as on orders: SQLite checks them with a
-- cheap in-process lookup.
CREATE TABLE campaigns (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    workspace_id     INTEGER NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    name             TEXT NOT NULL,
    channel          TEXT NOT NULL CHECK (channel IN ('sms', 'email', 'whatsapp', 'preferred')),
    template         TEXT NOT NULL,
    segment_id       INTEGER REFERENCES segments (id) ON DELETE SET NULL,
    rule             TEXT NOT NULL,
    status           TEXT NOT NULL CHECK (status IN ('scheduled', 'running', 'paused', 'completed', 'cancelled')),
    send_at          INTEGER NOT NULL,
    idempotency_key  TEXT,
    audience         INTEGER NOT NULL DEFAULT 0,
    pending          INTEGER NOT NULL DEFAULT 0 CHECK (pending >= 0),
    sent             INTEGER NOT NULL DEFAULT 0 CHECK (sent >= 0),
    failed           INTEGER NOT NULL DEFAULT 0 CHECK (failed >= 0),
    skipped          INTEGER NOT NULL DEFAULT 0 CHECK (skipped >= 0),
    created_at       INTEGER NOT NULL,
    updated_at       INTEGER NOT NULL,
    launched_at      INTEGER,
    completed_at     INTEGER,
    UNIQUE (workspace_id, idempotency_key)
);
CREATE INDEX campaigns_workspace_id ON campaigns (workspace_id, id);
CREATE INDEX campaigns_status ON campaigns (status, send_at);

CREATE TABLE communication_log (
    id                 INTEGER PRIMARY KEY AUTOINCREMENT,
    campaign_id        INTEGER NOT NULL REFERENCES campaigns (id) ON DELETE CASCADE,
    workspace_id       INTEGER NOT NULL,
    customer_id        INTEGER NOT NULL,
    status             TEXT NOT NULL CHECK (status IN ('PENDING', 'SENT', 'FAILED', 'SKIPPED')),
    attempts           INTEGER NOT NULL DEFAULT 0,
    generation         INTEGER NOT NULL DEFAULT 0,
    channel            TEXT,
    address            TEXT,
    message            TEXT,
    vendor_message_id  TEXT,
    error              TEXT,
    claimed_by         TEXT,
    claimed_until      INTEGER,
    next_attempt_at    INTEGER,
    created_at         INTEGER NOT NULL,
    updated_at         INTEGER NOT NULL,
    dispatched_at      INTEGER,
    completed_at       INTEGER,
    UNIQUE (campaign_id, customer_id),
    CHECK ((next_attempt_at IS NULL) = (status <> 'PENDING' OR vendor_message_id IS NOT NULL))
);
CREATE INDEX communication_log_campaign_id ON communication_log (campaign_id, id);
-- SQLite index entries end with the rowid (= id), so this already walks in claim order.
CREATE INDEX communication_log_due ON communication_log (campaign_id, next_attempt_at)
    WHERE next_attempt_at IS NOT NULL;
CREATE UNIQUE INDEX communication_log_vendor_message_id ON communication_log (vendor_message_id)
    WHERE vendor_message_id IS NOT NULL;

CREATE TABLE unmatched_receipts (
    vendor_message_id  TEXT PRIMARY KEY,
    status             TEXT NOT NULL CHECK (status IN ('SENT', 'FAILED')),
    error              TEXT,
    occurred_at        INTEGER NOT NULL,
    received_at        INTEGER NOT NULL
);
CREATE INDEX unmatched_receipts_received_at ON unmatched_receipts (received_at);
