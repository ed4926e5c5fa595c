-- SQLite twin of migrations/postgres/0008_ingest_daily.sql: the day is TEXT 'YYYY-MM-DD' (UTC), time columns
-- it is computed from are INTEGER milliseconds.
CREATE TABLE ingest_daily (
    workspace_id       INTEGER NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    day                TEXT NOT NULL,
    shard              INTEGER NOT NULL,
    customers_created  INTEGER NOT NULL DEFAULT 0,
    orders_recorded    INTEGER NOT NULL DEFAULT 0,
    revenue_minor      INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (workspace_id, day, shard)
);

INSERT INTO ingest_daily (workspace_id, day, shard, customers_created, orders_recorded, revenue_minor)
SELECT workspace_id, day, 0, sum(c), sum(o), sum(r)
FROM (
    SELECT workspace_id, date(received_at / 1000, 'unixepoch') AS day, 0 AS c, count(*) AS o,
           sum(amount_minor) AS r
    FROM orders GROUP BY 1, 2
    UNION ALL
    SELECT workspace_id, date(COALESCE(profile_received_at, created_at) / 1000, 'unixepoch'), count(*), 0, 0
    FROM customers GROUP BY 1, 2
)
GROUP BY workspace_id, day;
