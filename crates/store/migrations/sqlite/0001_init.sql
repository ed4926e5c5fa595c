-- SQLite twin of migrations/postgres. Timestamps are INTEGER milliseconds since the Unix epoch (UTC),
-- JSON is TEXT; everything else mirrors the Postgres schema column for column.
CREATE TABLE workspaces (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    slug        TEXT NOT NULL UNIQUE,
    name        TEXT NOT NULL,
    currency    TEXT NOT NULL,
    created_at  INTEGER NOT NULL
);

CREATE TABLE api_keys (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    workspace_id  INTEGER NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    prefix        TEXT NOT NULL,
    key_hash      BLOB NOT NULL UNIQUE,
    scopes        TEXT NOT NULL,
    label         TEXT NOT NULL DEFAULT '',
    created_at    INTEGER NOT NULL,
    last_used_at  INTEGER,
    revoked_at    INTEGER
);
CREATE INDEX api_keys_workspace ON api_keys (workspace_id);

CREATE TABLE customers (
    id                   INTEGER PRIMARY KEY AUTOINCREMENT,
    workspace_id         INTEGER NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    external_id          TEXT NOT NULL,
    name                 TEXT,
    email                TEXT,
    phone                TEXT,
    city                 TEXT,
    gender               TEXT,
    preferred_channel    TEXT,
    attributes           TEXT NOT NULL DEFAULT '{}',
    created_at           INTEGER NOT NULL,
    updated_at           INTEGER NOT NULL,
    profile_received_at  INTEGER,
    total_spend          INTEGER NOT NULL DEFAULT 0,
    order_count          INTEGER NOT NULL DEFAULT 0,
    visits               INTEGER NOT NULL DEFAULT 0,
    last_order_at        INTEGER,
    UNIQUE (workspace_id, external_id)
);
CREATE INDEX customers_workspace_id ON customers (workspace_id, id);

CREATE TABLE orders (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    workspace_id  INTEGER NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    external_id   TEXT NOT NULL,
    customer_id   INTEGER NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
    amount_minor  INTEGER NOT NULL CHECK (amount_minor >= 0),
    currency      TEXT NOT NULL,
    status        TEXT NOT NULL,
    channel       TEXT,
    items         TEXT NOT NULL DEFAULT '[]',
    ordered_at    INTEGER NOT NULL,
    received_at   INTEGER NOT NULL,
    UNIQUE (workspace_id, external_id)
);
CREATE INDEX orders_customer ON orders (customer_id, ordered_at DESC);
