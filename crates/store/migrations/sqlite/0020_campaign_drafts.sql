-- SQLite twin of migrations/postgres/0020_campaign_drafts.sql: the status check gains `draft`.
--
-- SQLite cannot alter a CHECK constraint, and the usual table rebuild needs foreign keys off, which cannot be
-- done inside the transaction sqlx runs every SQLite migration in (with foreign keys on, dropping the old
-- table would cascade into communication_log). A looser check changes nothing stored, so this takes the way
-- SQLite's documentation gives for such changes (https://www.sqlite.org/lang_altertable.html, "making other
-- kinds of table schema changes", the simpler procedure): rewrite the table's definition in sqlite_master in
-- place. `writable_schema = RESET` makes this connection re-read the schema, and re-creating an index bumps
-- the schema cookie so every other open connection re-reads it too. The store's tests insert drafts on both
-- backends, so a definition this did not change would fail them.
PRAGMA writable_schema = ON;
UPDATE sqlite_master
SET sql = replace(sql, 'CHECK (status IN (''scheduled'',', 'CHECK (status IN (''draft'', ''scheduled'',')
WHERE type = 'table' AND name = 'campaigns';
PRAGMA writable_schema = RESET;
DROP INDEX campaigns_status;
CREATE INDEX campaigns_status ON campaigns (status, send_at);
