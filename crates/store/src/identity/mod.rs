//! People and access on both backends: users and their linked identity-provider accounts, workspace
//! memberships with roles, e-mail-domain rules and invitations, sessions, OpenID Connect login flows in
//! progress, first-owner setup tokens, API-key listing/revocation, and the audit log.
//!
//! Conventions: e-mail addresses and domains arrive normalised (trimmed, lower-case) from the caller;
//! every secret (session id, login state, setup token) arrives as a SHA-256 hash; times are the caller's
//! `now`, so tests control expiry. What must not live here: password hashing, token generation, the
//! meaning of roles (`converge_domain::Role`), HTTP.

mod access;
mod people;
mod proof;

pub use access::Access;
pub use people::People;
pub use proof::Proofs;

use chrono::{DateTime, Utc};
use converge_domain::{ApiKeyId, AuditEntryId, InvitationId, Role, Scope, UserId, WorkspaceId};
use serde::Serialize;

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct User {
    pub id: UserId,
    pub email: String,
    pub name: Option<String>,
    pub email_verified: bool,
    pub created_at: DateTime<Utc>,
    pub last_login_at: Option<DateTime<Utc>>,
}

#[derive(Clone, Debug)]
pub struct NewUser {
    pub email: String,
    pub name: Option<String>,
    /// argon2id PHC string, or `None` for identity-provider-only accounts.
    pub password_hash: Option<String>,
    pub email_verified: bool,
}

/// A workspace member.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Member {
    pub user: User,
    pub role: Role,
    pub joined_at: DateTime<Utc>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Invitation {
    pub id: InvitationId,
    pub workspace_id: WorkspaceId,
    pub email: String,
    pub role: Role,
    pub invited_by: Option<UserId>,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    pub accepted_at: Option<DateTime<Utc>>,
}

/// An allowed e-mail domain with its proof: it joins people only once `verified_at` is set.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct WorkspaceDomain {
    pub domain: String,
    pub role: Role,
    /// The random value the workspace publishes as `converge-verify=<token>` in DNS to prove the domain.
    pub verify_token: String,
    /// When the proof was checked (or the operator assigned the domain); `None`: joins nobody.
    pub verified_at: Option<DateTime<Utc>>,
}

/// A signed-in browser session (looked up by the hash of its cookie value).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SessionRecord {
    pub user_id: UserId,
    /// The token state-changing requests must echo in `X-CSRF-Token`.
    pub csrf_token: String,
    pub created_at: DateTime<Utc>,
    pub last_seen_at: DateTime<Utc>,
    /// The absolute end of the session.
    pub expires_at: DateTime<Utc>,
}

/// An OpenID Connect login between the redirect to the provider and its callback.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LoginFlow {
    pub provider: String,
    pub nonce: String,
    pub pkce_verifier: String,
    /// Where to send the browser afterwards (a local path, checked by the caller).
    pub return_to: String,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    /// Set when a signed-in person started the flow to link a provider account to themselves: the callback
    /// then links to this user and signs nobody else in.
    pub link_user_id: Option<UserId>,
}

/// An API key as listed (never its secret or hash).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ApiKeyRow {
    pub id: ApiKeyId,
    pub workspace_id: WorkspaceId,
    pub prefix: String,
    pub scopes: Vec<Scope>,
    pub label: String,
    pub created_at: DateTime<Utc>,
    pub last_used_at: Option<DateTime<Utc>>,
    pub revoked_at: Option<DateTime<Utc>>,
    pub created_by: Option<UserId>,
}

/// Who did something: a person, an API key, or Converge itself (`both None`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Actor {
    pub user_id: Option<UserId>,
    pub key_id: Option<ApiKeyId>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct NewAuditEntry {
    /// `None` for events outside any workspace (a failed sign-in, the first owner's setup).
    pub workspace_id: Option<WorkspaceId>,
    pub actor: Actor,
    /// Dotted verb, e.g. `auth.login`, `auth.login_failed`, `api_key.create`, `member.role_change`,
    /// `campaign.launch`.
    pub action: String,
    /// What it was done to, e.g. `user:12`, `api_key:3`, `campaign:9`.
    pub target: String,
    pub details: serde_json::Value,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct AuditEntry {
    pub id: AuditEntryId,
    pub workspace_id: Option<WorkspaceId>,
    pub actor: Actor,
    pub action: String,
    pub target: String,
    pub details: serde_json::Value,
    pub at: DateTime<Utc>,
}

/// SQL ranking a role column like `Role`'s `Ord` (owner = 0, most powerful).
fn rank(column: &str) -> String {
    let arms: String = Role::ALL.iter().enumerate().map(|(i, r)| format!(" WHEN '{}' THEN {i}", r.as_str())).collect();
    format!("(CASE {column}{arms} END)")
}
