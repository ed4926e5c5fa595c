-- Issue 11 items 5 and 6 (see the Postgres twin).
ALTER TABLE login_flows ADD COLUMN link_user_id INTEGER REFERENCES users (id) ON DELETE CASCADE;

ALTER TABLE workspace_domains ADD COLUMN verify_token TEXT NOT NULL DEFAULT '';
ALTER TABLE workspace_domains ADD COLUMN verified_at INTEGER;
UPDATE workspace_domains SET verify_token = lower(hex(randomblob(16))) WHERE verify_token = '';
