-- SQLite twin of migrations/postgres/0007_identity.sql: timestamps are INTEGER milliseconds, JSON is TEXT,
-- hashes are BLOB.
--
-- People, how they sign in, where they belong, and what they did.
--
-- E-mail addresses are stored lower-cased and trimmed (the caller normalises) and are unique: one person,
-- one account, whichever way they sign in. Secrets (session ids, login-flow states, setup tokens) are stored
-- only as SHA-256 hashes, like API keys.
CREATE TABLE users (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    email          TEXT NOT NULL UNIQUE,
    name           TEXT,
    -- argon2id PHC string; NULL for people who only sign in through an identity provider.
    password_hash  TEXT,
    email_verified INTEGER NOT NULL DEFAULT 0,
    created_at     INTEGER NOT NULL,
    last_login_at  INTEGER
);

-- An identity provider's account (issuer + subject) linked to a user.
CREATE TABLE user_identities (
    issuer      TEXT NOT NULL,
    subject     TEXT NOT NULL,
    user_id     INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at  INTEGER NOT NULL,
    PRIMARY KEY (issuer, subject)
);
CREATE INDEX user_identities_user ON user_identities (user_id);

CREATE TABLE memberships (
    workspace_id  INTEGER NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    user_id       INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    role          TEXT NOT NULL CHECK (role IN ('owner', 'admin', 'member', 'viewer')),
    created_at    INTEGER NOT NULL,
    PRIMARY KEY (workspace_id, user_id)
);
CREATE INDEX memberships_user ON memberships (user_id);

-- Who may join a workspace without an invitation: verified e-mail addresses of these domains join as
-- `role` on first sign-in.
CREATE TABLE workspace_domains (
    workspace_id  INTEGER NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    domain        TEXT NOT NULL,
    role          TEXT NOT NULL CHECK (role IN ('admin', 'member', 'viewer')),
    PRIMARY KEY (workspace_id, domain)
);
CREATE INDEX workspace_domains_domain ON workspace_domains (domain);

-- An invitation is for an e-mail address; it is accepted by signing in with that (verified) address.
CREATE TABLE invitations (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    workspace_id  INTEGER NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    email         TEXT NOT NULL,
    role          TEXT NOT NULL CHECK (role IN ('owner', 'admin', 'member', 'viewer')),
    invited_by    INTEGER REFERENCES users (id) ON DELETE SET NULL,
    created_at    INTEGER NOT NULL,
    expires_at    INTEGER NOT NULL,
    accepted_at   INTEGER,
    UNIQUE (workspace_id, email)
);
CREATE INDEX invitations_email ON invitations (email);

CREATE TABLE sessions (
    id_hash       BLOB PRIMARY KEY,
    user_id       INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    csrf_token    TEXT NOT NULL,
    created_at    INTEGER NOT NULL,
    last_seen_at  INTEGER NOT NULL,
    -- The absolute end; the idle limit is checked against last_seen_at.
    expires_at    INTEGER NOT NULL
);
CREATE INDEX sessions_user ON sessions (user_id);
CREATE INDEX sessions_expires ON sessions (expires_at);

-- An OpenID Connect login in progress, keyed by its `state`; taken (deleted) exactly once by the callback.
CREATE TABLE login_flows (
    state_hash     BLOB PRIMARY KEY,
    provider       TEXT NOT NULL,
    nonce          TEXT NOT NULL,
    pkce_verifier  TEXT NOT NULL,
    return_to      TEXT NOT NULL,
    created_at     INTEGER NOT NULL,
    expires_at     INTEGER NOT NULL
);

-- One-time links that create the first owner.
CREATE TABLE setup_tokens (
    token_hash  BLOB PRIMARY KEY,
    created_at  INTEGER NOT NULL,
    expires_at  INTEGER NOT NULL,
    used_at     INTEGER
);

CREATE TABLE audit_log (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    workspace_id   INTEGER REFERENCES workspaces (id) ON DELETE CASCADE,
    actor_user_id  INTEGER REFERENCES users (id) ON DELETE SET NULL,
    actor_key_id   INTEGER REFERENCES api_keys (id) ON DELETE SET NULL,
    action         TEXT NOT NULL,
    target         TEXT NOT NULL DEFAULT '',
    details        TEXT NOT NULL DEFAULT '{}',
    at             INTEGER NOT NULL
);
CREATE INDEX audit_log_workspace ON audit_log (workspace_id, id);

ALTER TABLE api_keys ADD COLUMN created_by INTEGER REFERENCES users (id) ON DELETE SET NULL;
