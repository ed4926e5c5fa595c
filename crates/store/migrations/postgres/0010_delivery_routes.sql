-- Delivery routes: the channel configuration a message was sent through, so that only receipts signed for
-- that configuration can change it (issue M2.0).
--
-- Before, vendor message ids were unique across every workspace and receipts were applied by vendor id
-- alone: a workspace pointing its channel at a vendor of its own could answer with ids another workspace
-- would get next, make that workspace's dispatch fail on the unique index, and receive its outcomes. Now:
--
-- * `communication_log.route` names the route a message was accepted through: `default` (the node's own
--   vendor, receipts signed with `vendor.signing_secret`), `smtp` (no external receipts: the dispatcher
--   writes them), or a workspace's own vendor route (`rt_…`, below). Receipts name their message by its log id
--   (the reference the vendor echoes) and are applied only where log id, route and vendor id all match, so a
--   vendor id is just a fact stored on its row: no index, no uniqueness across tenants, nothing to collide.
-- * Each workspace vendor configuration gets a route with its own signing secret and receipt URL
--   (`/api/v1/delivery-receipts/{route}`); a receipt is verified with the secret of the route it was posted to
--   and can only touch messages sent through that route. Routes are kept when a workspace changes its
--   settings, so late receipts of the previous vendor still verify (they cannot touch anything else).
CREATE TABLE delivery_routes (
    route           TEXT PRIMARY KEY,
    workspace_id    BIGINT NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    signing_secret  TEXT NOT NULL,
    created_at      TIMESTAMPTZ NOT NULL
);
CREATE INDEX delivery_routes_workspace_id ON delivery_routes (workspace_id);

-- Not indexed: receipts find their row by primary key, and `route` changes only with `vendor_message_id`.
ALTER TABLE communication_log ADD COLUMN route TEXT;
DROP INDEX communication_log_vendor_message_id;

-- Parked receipts are keyed by the message they name (log id), the route they came through and the vendor
-- id they report: a parked receipt applies only to that message, once it is recorded as accepted through that
-- route with that id. One route cannot park anything that another route's messages would pick up.
DROP TABLE unmatched_receipts;
CREATE TABLE unmatched_receipts (
    log_id             BIGINT NOT NULL,
    route              TEXT NOT NULL,
    vendor_message_id  TEXT NOT NULL,
    status             TEXT NOT NULL CHECK (status IN ('SENT', 'FAILED')),
    error              TEXT,
    occurred_at        TIMESTAMPTZ NOT NULL,
    received_at        TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (log_id, route, vendor_message_id)
);
CREATE INDEX unmatched_receipts_received_at ON unmatched_receipts (received_at);
