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
mod store;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use converge_domain::Role;
use serde::Serialize;

use crate::{StoreError, StoreResult, Workspace};

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct User {
    pub id: i64,
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
    pub id: i64,
    pub workspace_id: i64,
    pub email: String,
    pub role: Role,
    pub invited_by: Option<i64>,
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
    pub user_id: i64,
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
    pub link_user_id: Option<i64>,
}

/// An API key as listed (never its secret or hash).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ApiKeyRow {
    pub id: i64,
    pub workspace_id: i64,
    pub prefix: String,
    pub scopes: Vec<String>,
    pub label: String,
    pub created_at: DateTime<Utc>,
    pub last_used_at: Option<DateTime<Utc>>,
    pub revoked_at: Option<DateTime<Utc>>,
    pub created_by: Option<i64>,
}

/// Who did something: a person, an API key, or Converge itself (`both None`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Actor {
    pub user_id: Option<i64>,
    pub key_id: Option<i64>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct NewAuditEntry {
    /// `None` for events outside any workspace (a failed sign-in, the first owner's setup).
    pub workspace_id: Option<i64>,
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
    pub id: i64,
    pub workspace_id: Option<i64>,
    pub actor: Actor,
    pub action: String,
    pub target: String,
    pub details: serde_json::Value,
    pub at: DateTime<Utc>,
}

/// What the store knows about people and access. Every `Store` is one.
#[async_trait]
pub trait IdentityStore: Send + Sync {
    // --- users and identities ---

    /// Creates a user; [`crate::StoreError::Conflict`] if the e-mail is taken.
    async fn create_user(&self, user: &NewUser, now: DateTime<Utc>) -> StoreResult<User>;
    async fn user(&self, id: i64) -> StoreResult<Option<User>>;
    /// The user with this e-mail and their password hash (if they have one).
    async fn user_by_email(&self, email: &str) -> StoreResult<Option<(User, Option<String>)>>;
    /// The user linked to this identity-provider account.
    async fn user_by_identity(&self, issuer: &str, subject: &str) -> StoreResult<Option<User>>;
    /// Links an identity-provider account to a user (idempotent for the same user; Conflict if the account
    /// is linked to someone else).
    async fn link_identity(&self, issuer: &str, subject: &str, user_id: i64, now: DateTime<Utc>) -> StoreResult<()>;
    async fn set_password(&self, user_id: i64, password_hash: &str) -> StoreResult<()>;
    /// Marks the e-mail verified (a provider vouched for it) and records the sign-in time.
    async fn record_login(&self, user_id: i64, email_verified: bool, now: DateTime<Utc>) -> StoreResult<()>;
    async fn count_users(&self) -> StoreResult<i64>;

    // --- memberships, domains, invitations ---

    /// Adds the user to the workspace with `role`, or changes their role if already a member.
    async fn put_member(&self, workspace_id: i64, user_id: i64, role: Role, now: DateTime<Utc>) -> StoreResult<()>;
    async fn member_role(&self, workspace_id: i64, user_id: i64) -> StoreResult<Option<Role>>;
    /// Members of a workspace, by e-mail.
    async fn members(&self, workspace_id: i64) -> StoreResult<Vec<Member>>;
    /// The workspaces a user belongs to, with their role, by workspace slug.
    async fn memberships(&self, user_id: i64) -> StoreResult<Vec<(Workspace, Role)>>;
    /// Removes a member and, in the same transaction, revokes the workspace's API keys they created (a key
    /// must not outlive its creator's access). `None` if they were not a member; else the ids of the keys
    /// revoked now (already revoked ones are left as they were).
    async fn remove_member(&self, workspace_id: i64, user_id: i64, now: DateTime<Utc>)
        -> StoreResult<Option<Vec<i64>>>;
    /// Owners of the workspace (a workspace must keep at least one; the caller checks).
    async fn count_owners(&self, workspace_id: i64) -> StoreResult<i64>;
    /// Replaces the workspace's allowed domains (each joins as its role). A domain kept from the old list
    /// keeps its token and proof; a new one gets a fresh random token and starts unverified. A domain listed
    /// twice is a Conflict.
    async fn set_workspace_domains(&self, workspace_id: i64, domains: &[(String, Role)]) -> StoreResult<()>;
    async fn workspace_domains(&self, workspace_id: i64) -> StoreResult<Vec<(String, Role)>>;
    /// The allowed domains with their tokens and proofs, by domain.
    async fn workspace_domain_records(&self, workspace_id: i64) -> StoreResult<Vec<WorkspaceDomain>>;
    /// Records that the workspace proved `domain` (the first proof's time is kept); false if the workspace
    /// does not list it.
    async fn mark_domain_verified(&self, workspace_id: i64, domain: &str, now: DateTime<Utc>) -> StoreResult<bool>;
    /// Workspaces that listed `domain` *and proved it*, with the role they grant.
    async fn workspaces_for_domain(&self, domain: &str) -> StoreResult<Vec<(i64, Role)>>;
    /// Invites `email` (replacing an earlier invitation of the same address to the same workspace).
    async fn create_invitation(
        &self,
        workspace_id: i64,
        email: &str,
        role: Role,
        invited_by: Option<i64>,
        now: DateTime<Utc>,
        expires_at: DateTime<Utc>,
    ) -> StoreResult<Invitation>;
    /// Open (unaccepted, unexpired) invitations of `email`, in any workspace.
    async fn open_invitations(&self, email: &str, now: DateTime<Utc>) -> StoreResult<Vec<Invitation>>;
    /// The workspace's invitations, newest first (accepted and expired ones included).
    async fn invitations(&self, workspace_id: i64) -> StoreResult<Vec<Invitation>>;
    /// Deletes a pending invitation; false if there is none with this id in the workspace.
    async fn revoke_invitation(&self, workspace_id: i64, id: i64) -> StoreResult<bool>;
    /// Accepts every open (unaccepted, unexpired) invitation of `email` for `user_id` in one transaction:
    /// the user becomes a member with the invited role (an existing membership keeps the higher role).
    /// Returns the workspaces joined.
    async fn accept_invitations(&self, email: &str, user_id: i64, now: DateTime<Utc>) -> StoreResult<Vec<i64>>;
    /// The invitee accepts one open invitation: only if it is addressed to `email` (the signed-in person's
    /// own address), unaccepted and unexpired. The user becomes a member with the invited role (an existing
    /// membership keeps the higher role). Returns the workspace and role, `None` if there is no such open
    /// invitation for this address.
    async fn accept_invitation(
        &self,
        id: i64,
        email: &str,
        user_id: i64,
        now: DateTime<Utc>,
    ) -> StoreResult<Option<(i64, Role)>>;
    /// The invitee declines one open invitation addressed to `email`: it is deleted. Returns its workspace,
    /// `None` if there is no such open invitation for this address.
    async fn decline_invitation(&self, id: i64, email: &str, now: DateTime<Utc>) -> StoreResult<Option<i64>>;

    // --- sessions, login flows, setup tokens ---

    async fn create_session(&self, id_hash: &[u8], session: &SessionRecord) -> StoreResult<()>;
    async fn session(&self, id_hash: &[u8]) -> StoreResult<Option<SessionRecord>>;
    async fn touch_session(&self, id_hash: &[u8], now: DateTime<Utc>) -> StoreResult<()>;
    async fn delete_session(&self, id_hash: &[u8]) -> StoreResult<()>;
    /// Ends every session of a user (e.g. after a password change); returns how many.
    async fn delete_user_sessions(&self, user_id: i64) -> StoreResult<u64>;
    /// Deletes sessions whose absolute end is before `now` or idle since before `idle_before`.
    async fn prune_sessions(&self, now: DateTime<Utc>, idle_before: DateTime<Utc>) -> StoreResult<u64>;
    async fn put_login_flow(&self, state_hash: &[u8], flow: &LoginFlow) -> StoreResult<()>;
    /// Removes and returns the flow if it exists and has not expired: a state works once.
    async fn take_login_flow(&self, state_hash: &[u8], now: DateTime<Utc>) -> StoreResult<Option<LoginFlow>>;
    async fn create_setup_token(
        &self,
        token_hash: &[u8],
        now: DateTime<Utc>,
        expires_at: DateTime<Utc>,
    ) -> StoreResult<()>;
    /// Marks the token used if it exists, is unused and unexpired; false otherwise.
    async fn use_setup_token(&self, token_hash: &[u8], now: DateTime<Utc>) -> StoreResult<bool>;

    // --- API keys ---

    /// The workspace's keys, newest first, revoked ones included.
    async fn api_keys(&self, workspace_id: i64) -> StoreResult<Vec<ApiKeyRow>>;
    /// Revokes a key of the workspace; false if no such unrevoked key.
    async fn revoke_api_key(&self, workspace_id: i64, id: i64, now: DateTime<Utc>) -> StoreResult<bool>;
    /// Records who created a key (set right after `create_api_key`).
    async fn set_api_key_creator(&self, key_id: i64, user_id: i64) -> StoreResult<()>;

    // --- audit ---

    async fn record_audit(&self, entry: &NewAuditEntry, now: DateTime<Utc>) -> StoreResult<()>;
    /// One page of the workspace's audit log, newest first (`before_id`: the previous page's last id).
    async fn audit_log(&self, workspace_id: i64, before_id: Option<i64>, limit: u32) -> StoreResult<Vec<AuditEntry>>;
}

/// A stored role; [`StoreError::Corrupt`] if it no longer parses.
fn role(raw: &str) -> StoreResult<Role> {
    Role::parse(raw).map_err(|e| StoreError::Corrupt(format!("role {raw:?}: {e}")))
}

/// SQL ranking a role column like `Role`'s `Ord` (owner = 0, most powerful).
fn rank(column: &str) -> String {
    let arms: String = Role::ALL.iter().enumerate().map(|(i, r)| format!(" WHEN '{}' THEN {i}", r.as_str())).collect();
    format!("(CASE {column}{arms} END)")
}
