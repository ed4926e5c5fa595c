-- A campaign created with an idempotency key remembers a hash of the request body that created it, so the
-- same key sent with another body is refused (422) instead of silently replaying the first campaign.
-- Campaigns created before this migration have none and keep replaying on their key alone.
ALTER TABLE campaigns ADD COLUMN request_fingerprint TEXT;
