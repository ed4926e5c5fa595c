-- People, how they sign in, where they belong, and what they did.
--
-- E-mail addresses are stored lower-cased and trimmed (the caller normalises) and are unique: one person,
-- one account, whichever way they sign in. Secrets (session ids, login-flow states, setup tokens) are stored
-- only as SHA-256 hashes, like API keys.
CREATE TABLE users (
    id             BIGSERIAL PRIMARY KEY,
    email          TEXT NOT NULL UNIQUE,
    name           TEXT,
    -- argon2id PHC string; NULL for people who only sign in through an identity provider.
    password_hash  TEXT,
    email_verified BOOLEAN NOT NULL DEFAULT false,
    created_at     TIMESTAMPTZ NOT NULL,
    last_login_at  TIMESTAMPTZ
);

-- An identity provider's account (issuer + subject) linked to a user.
CREATE TABLE user_identities (
    issuer      TEXT NOT NULL,
    subject     TEXT NOT NULL,
    user_id     BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at  TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (issuer, subject)
);
CREATE INDEX user_identities_user ON user_identities (user_id);

CREATE TABLE memberships (
    workspace_id  BIGINT NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    user_id       BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    role          TEXT NOT NULL CHECK (role IN ('owner', 'admin', 'member', 'viewer')),
    created_at    TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (workspace_id, user_id)
);
CREATE INDEX memberships_user ON memberships (user_id);

-- Who may join a workspace without an invitation: verified e-mail addresses of these domains join as
-- `role` on first sign-in.
CREATE TABLE workspace_domains (
    workspace_id  BIGINT NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    domain        TEXT NOT NULL,
    role          TEXT NOT NULL CHECK (role IN ('admin', 'member', 'viewer')),
    PRIMARY KEY (workspace_id, domain)
);
CREATE INDEX workspace_domains_domain ON workspace_domains (domain);

-- An invitation is for an e-mail address; it is accepted by signing in with that (verified) address.
CREATE TABLE invitations (
    id            BIGSERIAL PRIMARY KEY,
    workspace_id  BIGINT NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    email         TEXT NOT NULL,
    role          TEXT NOT NULL CHECK (role IN ('owner', 'admin', 'member', 'viewer')),
    invited_by    BIGINT REFERENCES users (id) ON DELETE SET NULL,
    created_at    TIMESTAMPTZ NOT NULL,
    expires_at    TIMESTAMPTZ NOT NULL,
    accepted_at   TIMESTAMPTZ,
    UNIQUE (workspace_id, email)
);
CREATE INDEX invitations_email ON invitations (email);

CREATE TABLE sessions (
    id_hash       BYTEA PRIMARY KEY,
    user_id       BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    csrf_token    TEXT NOT NULL,
    created_at    TIMESTAMPTZ NOT NULL,
    last_seen_at  TIMESTAMPTZ NOT NULL,
    -- The absolute end; the idle limit is checked against last_seen_at.
    expires_at    TIMESTAMPTZ NOT NULL
);
CREATE INDEX sessions_user ON sessions (user_id);
CREATE INDEX sessions_expires ON sessions (expires_at);

-- An OpenID Connect login in progress, keyed by its `state`; taken (deleted) exactly once by the callback.
CREATE TABLE login_flows (
    state_hash     BYTEA PRIMARY KEY,
    provider       TEXT NOT NULL,
    nonce          TEXT NOT NULL,
    pkce_verifier  TEXT NOT NULL,
    return_to      TEXT NOT NULL,
    created_at     TIMESTAMPTZ NOT NULL,
    expires_at     TIMESTAMPTZ NOT NULL
);

-- One-time links that create the first owner.
CREATE TABLE setup_tokens (
    token_hash  BYTEA PRIMARY KEY,
    created_at  TIMESTAMPTZ NOT NULL,
    expires_at  TIMESTAMPTZ NOT NULL,
    used_at     TIMESTAMPTZ
);

CREATE TABLE audit_log (
    id             BIGSERIAL PRIMARY KEY,
    workspace_id   BIGINT REFERENCES workspaces (id) ON DELETE CASCADE,
    actor_user_id  BIGINT REFERENCES users (id) ON DELETE SET NULL,
    actor_key_id   BIGINT REFERENCES api_keys (id) ON DELETE SET NULL,
    action         TEXT NOT NULL,
    target         TEXT NOT NULL DEFAULT '',
    details        JSONB NOT NULL DEFAULT '{}',
    at             TIMESTAMPTZ NOT NULL
);
CREATE INDEX audit_log_workspace ON audit_log (workspace_id, id);

ALTER TABLE api_keys ADD COLUMN created_by BIGINT REFERENCES users (id) ON DELETE SET NULL;
