-- Workspaces own every business row; every query is scoped by workspace_id.
CREATE TABLE workspaces (
    id          BIGSERIAL PRIMARY KEY,
    slug        TEXT NOT NULL UNIQUE,
    name        TEXT NOT NULL,
    currency    TEXT NOT NULL,
    created_at  TIMESTAMPTZ NOT NULL DEFAULT now()
);

-- Machine credentials. Only a SHA-256 of the key is stored; the key is shown once at creation.
CREATE TABLE api_keys (
    id            BIGSERIAL PRIMARY KEY,
    workspace_id  BIGINT NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    prefix        TEXT NOT NULL,
    key_hash      BYTEA NOT NULL UNIQUE,
    scopes        TEXT NOT NULL,
    label         TEXT NOT NULL DEFAULT '',
    created_at    TIMESTAMPTZ NOT NULL DEFAULT now(),
    last_used_at  TIMESTAMPTZ,
    revoked_at    TIMESTAMPTZ
);
CREATE INDEX api_keys_workspace ON api_keys (workspace_id);

-- A customer row exists as soon as a profile or an order mentions it (profile_received_at stays NULL until
-- the profile itself arrives). Aggregates are maintained by the ingest consumer, once per inserted order.
-- fillfactor leaves room in each page so those frequent aggregate updates are HOT (no index writes).
CREATE TABLE customers (
    id                   BIGSERIAL PRIMARY KEY,
    workspace_id         BIGINT NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    external_id          TEXT NOT NULL,
    name                 TEXT,
    email                TEXT,
    phone                TEXT,
    city                 TEXT,
    gender               TEXT,
    preferred_channel    TEXT,
    attributes           JSONB NOT NULL DEFAULT '{}'::jsonb,
    created_at           TIMESTAMPTZ NOT NULL,
    updated_at           TIMESTAMPTZ NOT NULL,
    profile_received_at  TIMESTAMPTZ,
    total_spend          BIGINT NOT NULL DEFAULT 0,
    order_count          BIGINT NOT NULL DEFAULT 0,
    visits               BIGINT NOT NULL DEFAULT 0,
    last_order_at        TIMESTAMPTZ,
    UNIQUE (workspace_id, external_id)
) WITH (fillfactor = 85);
CREATE INDEX customers_workspace_id ON customers (workspace_id, id);

-- No foreign keys on this hot table: Postgres checks each with a per-row query, which cost a third of the
-- ingest time. Integrity holds by construction instead: the only writer (store::postgres::ingest) takes
-- customer_id from a join on customers of the same workspace, and deleting a customer or workspace deletes
-- its orders explicitly.
CREATE TABLE orders (
    id            BIGSERIAL PRIMARY KEY,
    workspace_id  BIGINT NOT NULL,
    external_id   TEXT NOT NULL,
    customer_id   BIGINT NOT NULL,
    amount_minor  BIGINT NOT NULL CHECK (amount_minor >= 0),
    currency      TEXT NOT NULL,
    status        TEXT NOT NULL,
    channel       TEXT,
    items         JSONB NOT NULL DEFAULT '[]'::jsonb,
    ordered_at    TIMESTAMPTZ NOT NULL,
    received_at   TIMESTAMPTZ NOT NULL,
    UNIQUE (workspace_id, external_id)
);
CREATE INDEX orders_customer ON orders (customer_id, ordered_at DESC);
