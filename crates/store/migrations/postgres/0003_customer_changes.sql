-- The change log that keeps in-memory audience indexes exact. Every ingest transaction records, per
-- workspace, the customers it may have changed, stamped with its transaction id. A reader remembers the
-- oldest transaction still running when it last read (its snapshot's xmin) and next time fetches every
-- change stamped at or after it: whatever committed since is included, whatever it saw before is not lost.
-- Rows older than the retention window are pruned; an index idle for longer than that reloads in full.
CREATE TABLE customer_changes (
    id            BIGSERIAL PRIMARY KEY,
    workspace_id  BIGINT NOT NULL,
    change_xid    BIGINT NOT NULL DEFAULT (pg_current_xact_id()::text::bigint),
    external_ids  TEXT[] NOT NULL,
    recorded_at   TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX customer_changes_workspace_xid ON customer_changes (workspace_id, change_xid);
CREATE INDEX customer_changes_recorded_at ON customer_changes (recorded_at);
