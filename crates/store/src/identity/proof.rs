//! Domain proofs and an invitee's answer to an invitation, on both backends.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use converge_domain::{InvitationId, Role, UserId, WorkspaceId};
use sqlx::Row;

use super::people;
use crate::backend::per_backend;
use crate::codec::At;
use crate::identity::{Invitation, WorkspaceDomain};
use crate::StoreResult;
use crate::{NewUser, User};

/// Domain proofs and an invitee's answer to an invitation.
#[async_trait]
pub trait Proofs: Send + Sync {
    /// The allowed domains with their tokens and proofs, by domain.
    async fn workspace_domain_records(&self, workspace_id: WorkspaceId) -> StoreResult<Vec<WorkspaceDomain>>;

    /// Records that the workspace proved `domain` (the first proof's time is kept); false if the workspace
    /// does not list it.
    async fn mark_domain_verified(
        &self,
        workspace_id: WorkspaceId,
        domain: &str,
        now: DateTime<Utc>,
    ) -> StoreResult<bool>;

    /// The invitee accepts one open invitation: only if it is addressed to `email` (the signed-in person's
    /// own address), unaccepted and unexpired. The user becomes a member with the invited role (an existing
    /// membership keeps the higher role). Returns the workspace and role, `None` if there is no such open
    /// invitation for this address.
    async fn accept_invitation(
        &self,
        id: InvitationId,
        email: &str,
        user_id: UserId,
        now: DateTime<Utc>,
    ) -> StoreResult<Option<(WorkspaceId, Role)>>;

    /// The open (unaccepted, unexpired) invitation whose link token hashes to `token_hash`, if any.
    async fn invitation_by_token(&self, token_hash: &[u8], now: DateTime<Utc>) -> StoreResult<Option<Invitation>>;

    /// In one transaction: accepts the open invitation whose link token hashes to `token_hash`, makes the
    /// account `new` for the invitation's address (whatever `new.email` says) and joins it to that one
    /// workspace with the invited role (other workspaces' invitations of the address wait for their own
    /// answer). `None`, with nothing written, if the link is unknown, used, revoked, replaced by a
    /// re-invitation or expired; [`StoreError::Conflict`](crate::StoreError::Conflict), with nothing written
    /// either, if the address has an account already.
    async fn join_with_new_account(
        &self,
        token_hash: &[u8],
        new: &NewUser,
        now: DateTime<Utc>,
    ) -> StoreResult<Option<(User, Invitation)>>;

    /// The invitee declines one open invitation addressed to `email`: it is deleted. Returns its workspace,
    /// `None` if there is no such open invitation for this address.
    async fn decline_invitation(
        &self,
        id: InvitationId,
        email: &str,
        now: DateTime<Utc>,
    ) -> StoreResult<Option<WorkspaceId>>;
}

per_backend! {
        use people;

    #[async_trait]
    impl Proofs for BackendStore {
        async fn workspace_domain_records(&self, workspace_id: WorkspaceId) -> StoreResult<Vec<WorkspaceDomain>> {
            let rows = sqlx::query(
                "SELECT domain, role, verify_token, verified_at FROM workspace_domains WHERE workspace_id = $1 \
                 ORDER BY domain",
            )
            .bind(workspace_id)
            .fetch_all(self.pool())
            .await?;
            rows.iter()
                .map(|row| {
                    Ok(WorkspaceDomain {
                        domain: row.try_get("domain")?,
                        role: row.try_get("role")?,
                        verify_token: row.try_get("verify_token")?,
                        verified_at: row.try_get::<Option<At>, _>("verified_at")?.map(DateTime::from),
                    })
                })
                .collect()
        }

        async fn mark_domain_verified(
            &self,
            workspace_id: WorkspaceId,
            domain: &str,
            now: DateTime<Utc>,
        ) -> StoreResult<bool> {
            let done = sqlx::query(
                "UPDATE workspace_domains SET verified_at = COALESCE(verified_at, $3) WHERE workspace_id = $1 AND domain = $2",
            )
            .bind(workspace_id)
            .bind(domain)
            .bind(At(now))
            .execute(self.pool())
            .await?;
            Ok(done.rows_affected() > 0)
        }

        /// One transaction that starts with the write (the invitation marked accepted, then the membership), so of
        /// two concurrent accepts exactly one joins.
        async fn accept_invitation(
            &self,
            id: InvitationId,
            email: &str,
            user_id: UserId,
            now: DateTime<Utc>,
        ) -> StoreResult<Option<(WorkspaceId, Role)>> {
            let mut tx = self.pool().begin().await?;
            let accepted: Option<(WorkspaceId, String)> = sqlx::query_as(
                "UPDATE invitations SET accepted_at = $3 \
                 WHERE id = $1 AND email = $2 AND accepted_at IS NULL AND expires_at > $3 RETURNING workspace_id, role",
            )
            .bind(id)
            .bind(email)
            .bind(At(now))
            .fetch_optional(&mut *tx)
            .await?;
            let Some((workspace_id, invited)) = accepted else { return Ok(None) };
            let kept = people::join(&mut tx, workspace_id, user_id, &invited, now).await?;
            tx.commit().await?;
            Ok(Some((workspace_id, kept)))
        }

        async fn invitation_by_token(&self, token_hash: &[u8], now: DateTime<Utc>) -> StoreResult<Option<Invitation>> {
            let sql = format!(
                "SELECT {} FROM invitations WHERE token_hash = $1 AND accepted_at IS NULL AND expires_at > $2",
                people::INVITATION_COLUMNS
            );
            let row = sqlx::query(&sql).bind(token_hash).bind(At(now)).fetch_optional(self.pool()).await?;
            row.as_ref().map(people::invitation_row).transpose()
        }

        /// The invitation is marked first (taking its row lock, or SQLite's write lock), so a second join with
        /// the same link waits, then finds it accepted and writes nothing.
        async fn join_with_new_account(
            &self,
            token_hash: &[u8],
            new: &NewUser,
            now: DateTime<Utc>,
        ) -> StoreResult<Option<(User, Invitation)>> {
            let mut tx = self.pool().begin().await?;
            let sql = format!(
                "UPDATE invitations SET accepted_at = $2 \
                 WHERE token_hash = $1 AND accepted_at IS NULL AND expires_at > $2 RETURNING {}",
                people::INVITATION_COLUMNS
            );
            let row = sqlx::query(&sql).bind(token_hash).bind(At(now)).fetch_optional(&mut *tx).await?;
            let Some(invitation) = row.as_ref().map(people::invitation_row).transpose()? else { return Ok(None) };
            let account = NewUser { email: invitation.email.clone(), ..new.clone() };
            let user = people::insert_user(&mut tx, &account, now).await?;
            people::join(&mut tx, invitation.workspace_id, user.id, invitation.role.as_str(), now).await?;
            tx.commit().await?;
            Ok(Some((user, invitation)))
        }

        async fn decline_invitation(
            &self,
            id: InvitationId,
            email: &str,
            now: DateTime<Utc>,
        ) -> StoreResult<Option<WorkspaceId>> {
            let workspace = sqlx::query_scalar(
                "DELETE FROM invitations WHERE id = $1 AND email = $2 AND accepted_at IS NULL AND expires_at > $3 \
                 RETURNING workspace_id",
            )
            .bind(id)
            .bind(email)
            .bind(At(now))
            .fetch_optional(self.pool())
            .await?;
            Ok(workspace)
        }
    }
}
