-- Consent follow-ups (issue M2.2): suppression keys on customers, permanent failures that always reach the
-- suppression list, and frequency-cap holds.
--
-- Suppression keys: each customer's address hashes, computed in Rust exactly as
-- suppressions.address_hash is (SHA-256 of `email:<lowercased address>` / `phone:<number>`), so the segment
-- field `suppressed` is a join on the suppression list's unique key rather than a hash SQL cannot compute.
-- Written with the address by the ingest path (merged like the address), cleared by erasure; rows written
-- before this migration are keyed at startup through customers_unkeyed.
ALTER TABLE customers ADD COLUMN email_key TEXT;
ALTER TABLE customers ADD COLUMN phone_key TEXT;
CREATE INDEX customers_unkeyed ON customers (id)
    WHERE (email IS NOT NULL AND email_key IS NULL) OR (phone IS NOT NULL AND phone_key IS NULL);

-- A receipt parked before its message's acceptance was recorded keeps the vendor's "permanent" flag, so the
-- message is marked (never retried) and its address suppressed when the receipt applies later.
ALTER TABLE unmatched_receipts ADD COLUMN permanent BOOLEAN NOT NULL DEFAULT false;

-- Permanent failures whose address is still to be added to the suppression list (source `bounce`): written
-- in the same statement that settles the message (whichever path settles it: the receipt applier, a
-- dispatcher applying a parked receipt, or the reconcile sweep), drained by the receipt applier and the
-- scheduler in one transaction with the suppression it adds. Crash-safe and exactly once.
CREATE TABLE pending_bounces (
    log_id       BIGINT PRIMARY KEY,
    recorded_at  TIMESTAMPTZ NOT NULL
);

-- Frequency-cap holds: a message a dispatcher decided to send under its workspace's frequency cap, held
-- from that decision until its result is recorded (the statement recording an acceptance deletes the hold,
-- so the message is counted exactly once: held, then accepted). Deciding takes the customers' row locks
-- (Postgres) or the write lock (SQLite), counts accepted and held messages, and holds what fits, so two
-- dispatchers sending to one customer at the same moment cannot both pass the cap. A hold older than the
-- longest claim lease (a dispatcher that died mid-send) no longer counts.
CREATE TABLE cap_holds (
    log_id       BIGINT PRIMARY KEY,
    customer_id  BIGINT NOT NULL,
    held_at      TIMESTAMPTZ NOT NULL
);
CREATE INDEX cap_holds_customer ON cap_holds (customer_id, held_at);
