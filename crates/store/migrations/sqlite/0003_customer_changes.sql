-- SQLite twin of the Postgres change log. SQLite runs one writer at a time, so ids are assigned in commit
-- order and a reader's watermark is simply the largest id it has seen. external_ids is a JSON array.
CREATE TABLE customer_changes (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    workspace_id  INTEGER NOT NULL,
    external_ids  TEXT NOT NULL,
    recorded_at   INTEGER NOT NULL
);
CREATE INDEX customer_changes_workspace_id ON customer_changes (workspace_id, id);
CREATE INDEX customer_changes_recorded_at ON customer_changes (recorded_at);
