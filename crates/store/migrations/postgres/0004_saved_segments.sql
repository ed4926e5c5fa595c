-- Saved segments: a named rule (stored as the react-querybuilder JSON the user sent, validated before it is
-- stored and parsed again whenever it is used) and its size when last counted.
CREATE TABLE segments (
    id               BIGSERIAL PRIMARY KEY,
    workspace_id     BIGINT NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    name             TEXT NOT NULL,
    description      TEXT NOT NULL DEFAULT '',
    rule             JSONB NOT NULL,
    last_count       BIGINT,
    last_counted_at  TIMESTAMPTZ,
    created_at       TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at       TIMESTAMPTZ NOT NULL DEFAULT now(),
    UNIQUE (workspace_id, name)
);
