-- Drafts (issue M2.3): a campaign can be saved as `draft`, edited, and launched later. A draft has no
-- audience snapshot (no communication_log rows) until it is launched; the status check gains the word.
ALTER TABLE campaigns DROP CONSTRAINT campaigns_status_check;
ALTER TABLE campaigns ADD CONSTRAINT campaigns_status_check
    CHECK (status IN ('draft', 'scheduled', 'running', 'paused', 'completed', 'cancelled'));
