-- What ingestion added per workspace and UTC day: customers created, orders recorded, their revenue.
--
-- Written by the ingest transaction itself (from what its statements actually inserted, so redeliveries add
-- nothing), which makes the dashboard's totals and its ingestion chart a read of a few dozen rows instead of
-- a scan of every customer and order. Each batch adds to one of 8 shards of its day, so concurrent consumers
-- do not queue on one row's lock; readers sum the shards.
CREATE TABLE ingest_daily (
    workspace_id       BIGINT NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    day                DATE NOT NULL,
    shard              SMALLINT NOT NULL,
    customers_created  BIGINT NOT NULL DEFAULT 0,
    orders_recorded    BIGINT NOT NULL DEFAULT 0,
    revenue_minor      BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (workspace_id, day, shard)
);

-- Data ingested before this table existed: orders by the day they were received; customers by the day their
-- profile was last received (or created, for customers only orders have named).
INSERT INTO ingest_daily (workspace_id, day, shard, customers_created, orders_recorded, revenue_minor)
SELECT workspace_id, day, 0, sum(c), sum(o), sum(r)
FROM (
    SELECT workspace_id, (received_at AT TIME ZONE 'UTC')::date AS day, 0 AS c, count(*) AS o,
           sum(amount_minor) AS r
    FROM orders GROUP BY 1, 2
    UNION ALL
    SELECT workspace_id, (COALESCE(profile_received_at, created_at) AT TIME ZONE 'UTC')::date, count(*), 0, 0
    FROM customers GROUP BY 1, 2
) AS t
GROUP BY workspace_id, day;
