-- SQLite twin of migrations/postgres/0015_consent.sql (see there for the reasoning): timestamps are INTEGER
-- milliseconds, JSON is TEXT.
CREATE TABLE subscriptions (
    customer_id   INTEGER NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
    workspace_id  INTEGER NOT NULL,
    subject       TEXT NOT NULL,
    status        TEXT NOT NULL CHECK (status IN ('subscribed', 'unsubscribed', 'pending')),
    source        TEXT NOT NULL,
    changed_at    INTEGER NOT NULL,
    confirmation_sent_at  INTEGER,
    PRIMARY KEY (customer_id, subject)
);
CREATE INDEX subscriptions_unconfirmed ON subscriptions (changed_at) WHERE status = 'pending' AND confirmation_sent_at IS NULL;

CREATE TABLE subscription_history (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    workspace_id  INTEGER NOT NULL,
    customer_id   INTEGER NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
    subject       TEXT NOT NULL,
    status        TEXT NOT NULL,
    source        TEXT NOT NULL,
    changed_at    INTEGER NOT NULL
);
CREATE INDEX subscription_history_customer ON subscription_history (customer_id, id);

CREATE TABLE suppressions (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    workspace_id  INTEGER NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    address_hash  TEXT NOT NULL,
    kind          TEXT NOT NULL CHECK (kind IN ('email', 'phone')),
    masked        TEXT NOT NULL,
    reason        TEXT NOT NULL,
    source        TEXT NOT NULL,
    created_at    INTEGER NOT NULL,
    UNIQUE (workspace_id, address_hash)
);

CREATE TABLE workspace_compliance (
    workspace_id  INTEGER PRIMARY KEY REFERENCES workspaces (id) ON DELETE CASCADE,
    settings      TEXT NOT NULL,
    updated_at    INTEGER NOT NULL
);

CREATE INDEX communication_log_customer_dispatched ON communication_log (customer_id, dispatched_at)
    WHERE dispatched_at IS NOT NULL;

ALTER TABLE campaigns ADD COLUMN topic TEXT;
ALTER TABLE communication_log ADD COLUMN permanent INTEGER NOT NULL DEFAULT 0;

CREATE INDEX customers_phone ON customers (phone, workspace_id) WHERE phone IS NOT NULL;

CREATE TABLE link_keys (
    workspace_id  INTEGER PRIMARY KEY REFERENCES workspaces (id) ON DELETE CASCADE,
    secret        TEXT NOT NULL,
    created_at    INTEGER NOT NULL
);
