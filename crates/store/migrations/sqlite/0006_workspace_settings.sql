-- SQLite twin of migrations/postgres/0006_workspace_settings.sql: JSON is TEXT, time is INTEGER milliseconds.
CREATE TABLE workspace_settings (
    workspace_id  INTEGER PRIMARY KEY REFERENCES workspaces (id) ON DELETE CASCADE,
    channels      TEXT NOT NULL,
    updated_at    INTEGER NOT NULL
);
