-- The workspace's profile (issue M2.3): brand name, postal address, default country, logo and senders, as a
-- JSON document validated by the domain (`converge_domain::WorkspaceProfile`). `{}` is "nothing set".
ALTER TABLE workspaces ADD COLUMN profile TEXT NOT NULL DEFAULT '{}';
