-- SQLite twin of migrations/postgres/0021_invitation_links.sql.
ALTER TABLE invitations ADD COLUMN token_hash BLOB;
CREATE UNIQUE INDEX invitations_token_hash ON invitations (token_hash);
