-- Per-workspace settings that are documents rather than columns: today the delivery channels (which
-- transport each channel uses and its credentials), validated by the server before they are stored.
CREATE TABLE workspace_settings (
    workspace_id  BIGINT PRIMARY KEY REFERENCES workspaces (id) ON DELETE CASCADE,
    channels      JSONB NOT NULL,
    updated_at    TIMESTAMPTZ NOT NULL
);
