-- Saved message templates (issue M2.3): named, per channel, reused by campaigns (which copy them when made).
-- E-mail templates also carry a subject line and a preheader. `starter` marks the ones Converge seeded;
-- `templates_seeded_at` records that a workspace got its starters, so one a member deleted stays deleted.
CREATE TABLE templates (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    workspace_id  INTEGER NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    name          TEXT NOT NULL,
    channel       TEXT NOT NULL CHECK (channel IN ('sms', 'email', 'whatsapp')),
    body          TEXT NOT NULL,
    subject       TEXT,
    preheader     TEXT,
    starter       INTEGER NOT NULL DEFAULT 0,
    created_at    INTEGER NOT NULL,
    updated_at    INTEGER NOT NULL,
    UNIQUE (workspace_id, name)
);
ALTER TABLE workspaces ADD COLUMN templates_seeded_at INTEGER;
