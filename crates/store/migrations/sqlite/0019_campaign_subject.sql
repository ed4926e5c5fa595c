-- E-mail campaigns' subject line (a one-line template, rendered per recipient) and preheader (the preview
-- text mail clients show after the subject), copied from a saved template or given on create (issue M2.3).
-- NULL subject: the campaign's name, as before.
ALTER TABLE campaigns ADD COLUMN subject TEXT;
ALTER TABLE campaigns ADD COLUMN preheader TEXT;
