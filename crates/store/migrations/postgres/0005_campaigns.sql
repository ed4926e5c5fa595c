-- Campaigns and their delivery log (communication_log): one row per recipient, snapshotted at creation.
--
-- Counters (pending/sent/failed/skipped) are changed only in the same transaction as the log rows they
-- count, so they always equal `SELECT status, count(*) FROM communication_log GROUP BY status` and the
-- campaign list never has to count a million rows. audience = pending + sent + failed + skipped.
CREATE TABLE campaigns (
    id               BIGSERIAL PRIMARY KEY,
    workspace_id     BIGINT NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    name             TEXT NOT NULL,
    channel          TEXT NOT NULL CHECK (channel IN ('sms', 'email', 'whatsapp', 'preferred')),
    template         TEXT NOT NULL,
    segment_id       BIGINT REFERENCES segments (id) ON DELETE SET NULL,
    rule             JSONB NOT NULL,
    status           TEXT NOT NULL CHECK (status IN ('scheduled', 'running', 'paused', 'completed', 'cancelled')),
    send_at          TIMESTAMPTZ NOT NULL,
    idempotency_key  TEXT,
    audience         BIGINT NOT NULL DEFAULT 0,
    pending          BIGINT NOT NULL DEFAULT 0 CHECK (pending >= 0),
    sent             BIGINT NOT NULL DEFAULT 0 CHECK (sent >= 0),
    failed           BIGINT NOT NULL DEFAULT 0 CHECK (failed >= 0),
    skipped          BIGINT NOT NULL DEFAULT 0 CHECK (skipped >= 0),
    created_at       TIMESTAMPTZ NOT NULL,
    updated_at       TIMESTAMPTZ NOT NULL,
    launched_at      TIMESTAMPTZ,
    completed_at     TIMESTAMPTZ,
    UNIQUE (workspace_id, idempotency_key)
) WITH (fillfactor = 50);
CREATE INDEX campaigns_workspace_id ON campaigns (workspace_id, id);
CREATE INDEX campaigns_status ON campaigns (status, send_at);

-- No foreign keys on this hot table (a launch inserts up to millions of rows in one statement; Postgres
-- checks each key with a per-row query). Integrity holds by construction: the only inserter
-- (store::campaigns create) takes campaign_id from the row it just inserted and customer_id from customers of
-- the same workspace.
--
-- next_attempt_at is "when a dispatcher should next look at this row": set while the row waits to be sent
-- (send time, retry time, or the end of a worker's lease while claimed), NULL once the vendor accepted the
-- message or the row is final. The CHECK pins that meaning, so the due index below holds exactly the rows
-- a dispatcher may claim. Receipts change only status, error, completed_at and updated_at, none of which is
-- indexed, so applying a receipt is a HOT update (no index writes): that is what makes 50k receipts/s cheap.
-- Keep it so: do not index status or completed_at.
CREATE TABLE communication_log (
    id                 BIGSERIAL PRIMARY KEY,
    campaign_id        BIGINT NOT NULL,
    workspace_id       BIGINT NOT NULL,
    customer_id        BIGINT NOT NULL,
    status             TEXT NOT NULL CHECK (status IN ('PENDING', 'SENT', 'FAILED', 'SKIPPED')),
    attempts           INTEGER NOT NULL DEFAULT 0,
    generation         INTEGER NOT NULL DEFAULT 0,
    channel            TEXT,
    address            TEXT,
    message            TEXT,
    vendor_message_id  TEXT,
    error              TEXT,
    claimed_by         TEXT,
    claimed_until      TIMESTAMPTZ,
    next_attempt_at    TIMESTAMPTZ,
    created_at         TIMESTAMPTZ NOT NULL,
    updated_at         TIMESTAMPTZ NOT NULL,
    dispatched_at      TIMESTAMPTZ,
    completed_at       TIMESTAMPTZ,
    UNIQUE (campaign_id, customer_id),
    CHECK ((next_attempt_at IS NULL) = (status <> 'PENDING' OR vendor_message_id IS NOT NULL))
) WITH (fillfactor = 70);
-- A campaign's log in id order (listing with cursor pagination, status as a filter).
CREATE INDEX communication_log_campaign_id ON communication_log (campaign_id, id);
-- Claiming: per running campaign, the rows that are due, in claim order. `id` is a key column so a claim
-- walks the index instead of sorting every row that shares a send time (a launch's rows all do).
CREATE INDEX communication_log_due ON communication_log (campaign_id, next_attempt_at, id)
    WHERE next_attempt_at IS NOT NULL;
-- Receipts find their message by the vendor's id, which must be unique across vendors.
CREATE UNIQUE INDEX communication_log_vendor_message_id ON communication_log (vendor_message_id)
    WHERE vendor_message_id IS NOT NULL;

-- Receipts that named no known message when they arrived. The vendor may report an outcome before the
-- dispatcher has recorded the vendor's id (its answer and the receipt race), so such receipts are parked
-- here and applied when the id is recorded (record_dispatch) or by the periodic sweep (finish_campaigns);
-- truly unknown ones are pruned by age. Not a business row: a receipt belongs to no workspace until matched.
CREATE TABLE unmatched_receipts (
    vendor_message_id  TEXT PRIMARY KEY,
    status             TEXT NOT NULL CHECK (status IN ('SENT', 'FAILED')),
    error              TEXT,
    occurred_at        TIMESTAMPTZ NOT NULL,
    received_at        TIMESTAMPTZ NOT NULL
);
CREATE INDEX unmatched_receipts_received_at ON unmatched_receipts (received_at);
