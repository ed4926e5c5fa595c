-- Consent and compliance (issue M2.2).
--
-- subscriptions: a customer's current consent per subject, where a subject is a channel (`email`, `sms`,
-- `whatsapp`) or a topic (`topic:offers`). No row means "none recorded" (the workspace's policy decides).
-- `changed_at` is when the change was made (for API upserts, when the API received it), so an older change
-- arriving late never overwrites a newer one. Every change that took effect is appended to
-- subscription_history (what GDPR art. 7(1) asks a brand to be able to show).
CREATE TABLE subscriptions (
    customer_id   BIGINT NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
    workspace_id  BIGINT NOT NULL,
    subject       TEXT NOT NULL,
    status        TEXT NOT NULL CHECK (status IN ('subscribed', 'unsubscribed', 'pending')),
    source        TEXT NOT NULL,
    changed_at    TIMESTAMPTZ NOT NULL,
    -- Double opt-in: when the confirmation request for a `pending` status went out (NULL: not yet; a new
    -- pending change clears it). Claimed by setting it, so one node sends each request.
    confirmation_sent_at  TIMESTAMPTZ,
    PRIMARY KEY (customer_id, subject)
);
CREATE INDEX subscriptions_unconfirmed ON subscriptions (changed_at) WHERE status = 'pending' AND confirmation_sent_at IS NULL;

CREATE TABLE subscription_history (
    id            BIGSERIAL PRIMARY KEY,
    workspace_id  BIGINT NOT NULL,
    customer_id   BIGINT NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
    subject       TEXT NOT NULL,
    status        TEXT NOT NULL,
    source        TEXT NOT NULL,
    changed_at    TIMESTAMPTZ NOT NULL
);
CREATE INDEX subscription_history_customer ON subscription_history (customer_id, id);

-- Addresses that never receive marketing, per workspace: a hash to match (hex SHA-256 of `email:` or
-- `phone:` and the normalised address) and a masked form to show; never the address itself, so an entry
-- outlives its customer's erasure without keeping the person.
CREATE TABLE suppressions (
    id            BIGSERIAL PRIMARY KEY,
    workspace_id  BIGINT NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    address_hash  TEXT NOT NULL,
    kind          TEXT NOT NULL CHECK (kind IN ('email', 'phone')),
    masked        TEXT NOT NULL,
    reason        TEXT NOT NULL,
    source        TEXT NOT NULL,
    created_at    TIMESTAMPTZ NOT NULL,
    UNIQUE (workspace_id, address_hash)
);

-- The compliance settings document (policy per channel, quiet hours, frequency cap, opt-out line, topics),
-- validated by the server before it is stored.
CREATE TABLE workspace_compliance (
    workspace_id  BIGINT PRIMARY KEY REFERENCES workspaces (id) ON DELETE CASCADE,
    settings      JSONB NOT NULL,
    updated_at    TIMESTAMPTZ NOT NULL
);

-- The frequency cap counts a customer's messages accepted by a channel in a rolling window. Partial: rows
-- enter it only when accepted (an update that already rewrites the due index), so a launch's bulk insert
-- does not touch it.
CREATE INDEX communication_log_customer_dispatched ON communication_log (customer_id, dispatched_at)
    WHERE dispatched_at IS NOT NULL;

-- A campaign may name a topic: customers who left it are skipped as unsubscribed.
ALTER TABLE campaigns ADD COLUMN topic TEXT;
-- A failure the vendor reported as permanent (the number is on a do-not-disturb list, the mailbox does not
-- exist): "retry failed" never sends it again, and its address is suppressed.
ALTER TABLE communication_log ADD COLUMN permanent BOOLEAN NOT NULL DEFAULT false;

-- Inbound replies (STOP) find the customers of a number.
CREATE INDEX customers_phone ON customers (phone, workspace_id) WHERE phone IS NOT NULL;

-- The key each workspace's unsubscribe links are signed with (HMAC-SHA256), made on first use: every node
-- verifies every link, and links keep working across restarts.
CREATE TABLE link_keys (
    workspace_id  BIGINT PRIMARY KEY REFERENCES workspaces (id) ON DELETE CASCADE,
    secret        TEXT NOT NULL,
    created_at    TIMESTAMPTZ NOT NULL
);
