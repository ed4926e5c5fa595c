-- Invitation links (issue M2.3): an invitation carries the SHA-256 of a one-time token; the link holding the
-- token lets the invitee set a password (or sign in) and join without an OpenID provider. Only the hash is
-- kept, so the link is shown once, when the invitation is made; re-inviting makes a new one and the old link
-- stops working. Invitations made before this have none.
ALTER TABLE invitations ADD COLUMN token_hash BYTEA;
CREATE UNIQUE INDEX invitations_token_hash ON invitations (token_hash);
