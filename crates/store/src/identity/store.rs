//! [`IdentityStore`] on both backends, delegating to `people` (users, identities, memberships, domains,
//! invitations), `access` (sessions, login flows, setup tokens, API keys, the audit log) and `proof` (domain
//! proofs, an invitee answering an invitation).

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use converge_domain::Role;

use super::*;
use crate::backend::per_backend;
use crate::{StoreResult, Workspace};

per_backend! {
    use people, access, proof;

    #[async_trait]
    impl IdentityStore for BackendStore {
        async fn create_user(&self, user: &NewUser, now: DateTime<Utc>) -> StoreResult<User> {
            people::create_user(self.pool(), user, now).await
        }

        async fn user(&self, id: i64) -> StoreResult<Option<User>> {
            people::user(self.pool(), id).await
        }

        async fn user_by_email(&self, email: &str) -> StoreResult<Option<(User, Option<String>)>> {
            people::user_by_email(self.pool(), email).await
        }

        async fn user_by_identity(&self, issuer: &str, subject: &str) -> StoreResult<Option<User>> {
            people::user_by_identity(self.pool(), issuer, subject).await
        }

        async fn link_identity(&self, issuer: &str, subject: &str, user_id: i64, now: DateTime<Utc>) -> StoreResult<()> {
            people::link_identity(self.pool(), issuer, subject, user_id, now).await
        }

        async fn set_password(&self, user_id: i64, password_hash: &str) -> StoreResult<()> {
            people::set_password(self.pool(), user_id, password_hash).await
        }

        async fn record_login(&self, user_id: i64, email_verified: bool, now: DateTime<Utc>) -> StoreResult<()> {
            people::record_login(self.pool(), user_id, email_verified, now).await
        }

        async fn count_users(&self) -> StoreResult<i64> {
            people::count_users(self.pool()).await
        }

        async fn put_member(&self, workspace_id: i64, user_id: i64, role: Role, now: DateTime<Utc>) -> StoreResult<()> {
            people::put_member(self.pool(), workspace_id, user_id, role, now).await
        }

        async fn member_role(&self, workspace_id: i64, user_id: i64) -> StoreResult<Option<Role>> {
            people::member_role(self.pool(), workspace_id, user_id).await
        }

        async fn members(&self, workspace_id: i64) -> StoreResult<Vec<Member>> {
            people::members(self.pool(), workspace_id).await
        }

        async fn memberships(&self, user_id: i64) -> StoreResult<Vec<(Workspace, Role)>> {
            people::memberships(self.pool(), user_id).await
        }

        async fn remove_member(
            &self,
            workspace_id: i64,
            user_id: i64,
            now: DateTime<Utc>,
        ) -> StoreResult<Option<Vec<i64>>> {
            people::remove_member(self.pool(), workspace_id, user_id, now).await
        }

        async fn count_owners(&self, workspace_id: i64) -> StoreResult<i64> {
            people::count_owners(self.pool(), workspace_id).await
        }

        async fn set_workspace_domains(&self, workspace_id: i64, domains: &[(String, Role)]) -> StoreResult<()> {
            people::set_workspace_domains(self.pool(), workspace_id, domains).await
        }

        async fn workspace_domains(&self, workspace_id: i64) -> StoreResult<Vec<(String, Role)>> {
            people::workspace_domains(self.pool(), workspace_id).await
        }

        async fn workspace_domain_records(&self, workspace_id: i64) -> StoreResult<Vec<WorkspaceDomain>> {
            proof::workspace_domain_records(self.pool(), workspace_id).await
        }

        async fn mark_domain_verified(&self, workspace_id: i64, domain: &str, now: DateTime<Utc>) -> StoreResult<bool> {
            proof::mark_domain_verified(self.pool(), workspace_id, domain, now).await
        }

        async fn workspaces_for_domain(&self, domain: &str) -> StoreResult<Vec<(i64, Role)>> {
            people::workspaces_for_domain(self.pool(), domain).await
        }

        async fn create_invitation(
            &self,
            workspace_id: i64,
            email: &str,
            role: Role,
            invited_by: Option<i64>,
            now: DateTime<Utc>,
            expires_at: DateTime<Utc>,
        ) -> StoreResult<Invitation> {
            people::create_invitation(self.pool(), workspace_id, email, role, invited_by, now, expires_at).await
        }

        async fn open_invitations(&self, email: &str, now: DateTime<Utc>) -> StoreResult<Vec<Invitation>> {
            people::open_invitations(self.pool(), email, now).await
        }

        async fn invitations(&self, workspace_id: i64) -> StoreResult<Vec<Invitation>> {
            people::invitations(self.pool(), workspace_id).await
        }

        async fn revoke_invitation(&self, workspace_id: i64, id: i64) -> StoreResult<bool> {
            people::revoke_invitation(self.pool(), workspace_id, id).await
        }

        async fn accept_invitations(&self, email: &str, user_id: i64, now: DateTime<Utc>) -> StoreResult<Vec<i64>> {
            people::accept_invitations(self.pool(), email, user_id, now).await
        }

        async fn accept_invitation(
            &self,
            id: i64,
            email: &str,
            user_id: i64,
            now: DateTime<Utc>,
        ) -> StoreResult<Option<(i64, Role)>> {
            proof::accept_invitation(self.pool(), id, email, user_id, now).await
        }

        async fn decline_invitation(&self, id: i64, email: &str, now: DateTime<Utc>) -> StoreResult<Option<i64>> {
            proof::decline_invitation(self.pool(), id, email, now).await
        }

        async fn create_session(&self, id_hash: &[u8], session: &SessionRecord) -> StoreResult<()> {
            access::create_session(self.pool(), id_hash, session).await
        }

        async fn session(&self, id_hash: &[u8]) -> StoreResult<Option<SessionRecord>> {
            access::session(self.pool(), id_hash).await
        }

        async fn touch_session(&self, id_hash: &[u8], now: DateTime<Utc>) -> StoreResult<()> {
            access::touch_session(self.pool(), id_hash, now).await
        }

        async fn delete_session(&self, id_hash: &[u8]) -> StoreResult<()> {
            access::delete_session(self.pool(), id_hash).await
        }

        async fn delete_user_sessions(&self, user_id: i64) -> StoreResult<u64> {
            access::delete_user_sessions(self.pool(), user_id).await
        }

        async fn prune_sessions(&self, now: DateTime<Utc>, idle_before: DateTime<Utc>) -> StoreResult<u64> {
            access::prune_sessions(self.pool(), now, idle_before).await
        }

        async fn put_login_flow(&self, state_hash: &[u8], flow: &LoginFlow) -> StoreResult<()> {
            access::put_login_flow(self.pool(), state_hash, flow).await
        }

        async fn take_login_flow(&self, state_hash: &[u8], now: DateTime<Utc>) -> StoreResult<Option<LoginFlow>> {
            access::take_login_flow(self.pool(), state_hash, now).await
        }

        async fn create_setup_token(
            &self,
            token_hash: &[u8],
            now: DateTime<Utc>,
            expires_at: DateTime<Utc>,
        ) -> StoreResult<()> {
            access::create_setup_token(self.pool(), token_hash, now, expires_at).await
        }

        async fn use_setup_token(&self, token_hash: &[u8], now: DateTime<Utc>) -> StoreResult<bool> {
            access::use_setup_token(self.pool(), token_hash, now).await
        }

        async fn api_keys(&self, workspace_id: i64) -> StoreResult<Vec<ApiKeyRow>> {
            access::api_keys(self.pool(), workspace_id).await
        }

        async fn revoke_api_key(&self, workspace_id: i64, id: i64, now: DateTime<Utc>) -> StoreResult<bool> {
            access::revoke_api_key(self.pool(), workspace_id, id, now).await
        }

        async fn set_api_key_creator(&self, key_id: i64, user_id: i64) -> StoreResult<()> {
            access::set_api_key_creator(self.pool(), key_id, user_id).await
        }

        async fn record_audit(&self, entry: &NewAuditEntry, now: DateTime<Utc>) -> StoreResult<()> {
            access::record_audit(self.pool(), entry, now).await
        }

        async fn audit_log(&self, workspace_id: i64, before_id: Option<i64>, limit: u32) -> StoreResult<Vec<AuditEntry>> {
            access::audit_log(self.pool(), workspace_id, before_id, limit).await
        }
    }
}
