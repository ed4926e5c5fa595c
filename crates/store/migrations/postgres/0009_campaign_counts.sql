-- Campaign counters in shards. Every writer that moves log rows between statuses (dispatch results,
-- receipts, cancel, retry) used to add its deltas to the one `campaigns` row, so all of them, on every worker
-- node, queued on that row's lock for the rest of their transaction: at a million recipients the receipt
-- applier and the dispatchers spent most of their time waiting for each other. Now each transaction adds its
-- deltas to one of 8 rows of its campaign here (in the same transaction as the log rows it changed, so the
-- totals still equal the log exactly), and readers add them up: a campaign's counters are the base on
-- `campaigns` (set at launch: pending = audience) plus the sum of its shards. A shard may be negative; the
-- totals may not (the conformance suite compares them with the log after every step).
--
-- SQLite has no twin: its single writer serialises transactions anyway, so it keeps the counters on the
-- campaign row.
CREATE TABLE campaign_counts (
    campaign_id  BIGINT NOT NULL REFERENCES campaigns (id) ON DELETE CASCADE,
    shard        SMALLINT NOT NULL,
    pending      BIGINT NOT NULL DEFAULT 0,
    sent         BIGINT NOT NULL DEFAULT 0,
    failed       BIGINT NOT NULL DEFAULT 0,
    skipped      BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (campaign_id, shard)
) WITH (fillfactor = 50);
