-- Issue 11 items 5 and 6.
--
-- A login flow started by a signed-in person to link a provider account to themselves names that person;
-- a plain sign-in names nobody.
ALTER TABLE login_flows ADD COLUMN link_user_id BIGINT REFERENCES users (id) ON DELETE CASCADE;

-- A domain auto-joins people only once the workspace has proven it controls it: a DNS TXT record
-- `converge-verify=<verify_token>` at `_converge.<domain>`, or the operator's CLI. Domains listed before
-- this migration start unverified: they join nobody until verified.
ALTER TABLE workspace_domains ADD COLUMN verify_token TEXT NOT NULL DEFAULT '';
ALTER TABLE workspace_domains ADD COLUMN verified_at TIMESTAMPTZ;
UPDATE workspace_domains SET verify_token = replace(gen_random_uuid()::text, '-', '') WHERE verify_token = '';
