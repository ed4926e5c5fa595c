//! Users, linked identities, memberships, domain rules and invitations on both backends.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use converge_domain::{ApiKeyId, Currency, InvitationId, Role, UserId, WorkspaceId};
use sqlx::Row;

use super::rank;
use crate::backend::per_backend;
use crate::codec::At;
use crate::error::conflict_on_unique;
use crate::identity::{Invitation, Member, NewUser, User};
use crate::workspaces::workspace;
use crate::{StoreError, StoreResult, Workspace};

/// Users, their linked identities, memberships, domain rules and invitations.
#[async_trait]
pub trait People: Send + Sync {
    /// Creates a user; [`crate::StoreError::Conflict`] if the e-mail is taken.
    async fn create_user(&self, user: &NewUser, now: DateTime<Utc>) -> StoreResult<User>;

    async fn user(&self, id: UserId) -> StoreResult<Option<User>>;

    /// The user with this e-mail and their password hash (if they have one).
    async fn user_by_email(&self, email: &str) -> StoreResult<Option<(User, Option<String>)>>;

    /// The user linked to this identity-provider account.
    async fn user_by_identity(&self, issuer: &str, subject: &str) -> StoreResult<Option<User>>;

    /// Links an identity-provider account to a user (idempotent for the same user; Conflict if the account
    /// is linked to someone else).
    async fn link_identity(&self, issuer: &str, subject: &str, user_id: UserId, now: DateTime<Utc>) -> StoreResult<()>;

    async fn set_password(&self, user_id: UserId, password_hash: &str) -> StoreResult<()>;

    /// Marks the e-mail verified (a provider vouched for it) and records the sign-in time.
    async fn record_login(&self, user_id: UserId, email_verified: bool, now: DateTime<Utc>) -> StoreResult<()>;

    async fn count_users(&self) -> StoreResult<i64>;

    /// Adds the user to the workspace with `role`, or changes their role if already a member.
    async fn put_member(
        &self,
        workspace_id: WorkspaceId,
        user_id: UserId,
        role: Role,
        now: DateTime<Utc>,
    ) -> StoreResult<()>;

    async fn member_role(&self, workspace_id: WorkspaceId, user_id: UserId) -> StoreResult<Option<Role>>;

    /// Members of a workspace, by e-mail.
    async fn members(&self, workspace_id: WorkspaceId) -> StoreResult<Vec<Member>>;

    /// The workspaces a user belongs to, with their role, by workspace slug.
    async fn memberships(&self, user_id: UserId) -> StoreResult<Vec<(Workspace, Role)>>;

    /// Removes a member and, in the same transaction, revokes the workspace's API keys they created (a key
    /// must not outlive its creator's access). `None` if they were not a member; else the ids of the keys
    /// revoked now (already revoked ones are left as they were).
    async fn remove_member(
        &self,
        workspace_id: WorkspaceId,
        user_id: UserId,
        now: DateTime<Utc>,
    ) -> StoreResult<Option<Vec<ApiKeyId>>>;

    /// Owners of the workspace (a workspace must keep at least one; the caller checks).
    async fn count_owners(&self, workspace_id: WorkspaceId) -> StoreResult<i64>;

    /// Replaces the workspace's allowed domains (each joins as its role). A domain kept from the old list
    /// keeps its token and proof; a new one gets a fresh random token and starts unverified. A domain listed
    /// twice is a Conflict.
    async fn set_workspace_domains(&self, workspace_id: WorkspaceId, domains: &[(String, Role)]) -> StoreResult<()>;

    async fn workspace_domains(&self, workspace_id: WorkspaceId) -> StoreResult<Vec<(String, Role)>>;

    /// Workspaces that listed `domain` *and proved it*, with the role they grant.
    async fn workspaces_for_domain(&self, domain: &str) -> StoreResult<Vec<(WorkspaceId, Role)>>;

    /// Invites `email` (replacing an earlier invitation of the same address to the same workspace, and its
    /// link: `token_hash` is the SHA-256 of the new link's token, `None` for an invitation without a link).
    #[allow(clippy::too_many_arguments)]
    async fn create_invitation(
        &self,
        workspace_id: WorkspaceId,
        email: &str,
        role: Role,
        invited_by: Option<UserId>,
        now: DateTime<Utc>,
        expires_at: DateTime<Utc>,
        token_hash: Option<&[u8]>,
    ) -> StoreResult<Invitation>;

    /// The workspace's invitations, newest first (accepted and expired ones included).
    async fn invitations(&self, workspace_id: WorkspaceId) -> StoreResult<Vec<Invitation>>;

    /// Deletes a pending invitation; false if there is none with this id in the workspace.
    async fn revoke_invitation(&self, workspace_id: WorkspaceId, id: InvitationId) -> StoreResult<bool>;

    /// Accepts every open (unaccepted, unexpired) invitation of `email` for `user_id` in one transaction:
    /// the user becomes a member with the invited role (an existing membership keeps the higher role).
    /// Returns the workspaces joined.
    async fn accept_invitations(
        &self,
        email: &str,
        user_id: UserId,
        now: DateTime<Utc>,
    ) -> StoreResult<Vec<WorkspaceId>>;

    /// Open (unaccepted, unexpired) invitations of `email`, in any workspace.
    async fn open_invitations(&self, email: &str, now: DateTime<Utc>) -> StoreResult<Vec<Invitation>>;
}

per_backend! {
    const USER_COLUMNS: &str = "u.id, u.email, u.name, u.email_verified, u.created_at, u.last_login_at";

    pub(crate) const INVITATION_COLUMNS: &str = "id, workspace_id, email, role, invited_by, created_at, expires_at, accepted_at";

    fn user_row(row: &DbRow) -> StoreResult<User> {
        Ok(User {
            id: row.try_get("id")?,
            email: row.try_get("email")?,
            name: row.try_get("name")?,
            email_verified: row.try_get("email_verified")?,
            created_at: row.try_get::<At, _>("created_at")?.0,
            last_login_at: row.try_get::<Option<At>, _>("last_login_at")?.map(DateTime::from),
        })
    }

    /// Inserts a user; Conflict when the e-mail has an account already.
    pub(crate) async fn insert_user(
        conn: &mut <Db as sqlx::Database>::Connection,
        new: &NewUser,
        now: DateTime<Utc>,
    ) -> StoreResult<User> {
        // SQLite's RETURNING takes no table alias, so the columns are named bare here.
        let row = sqlx::query(
            "INSERT INTO users (email, name, password_hash, email_verified, created_at) VALUES ($1, $2, $3, $4, $5) \
             RETURNING id, email, name, email_verified, created_at, last_login_at",
        )
        .bind(&new.email)
        .bind(&new.name)
        .bind(&new.password_hash)
        .bind(new.email_verified)
        .bind(At(now))
        .fetch_one(&mut *conn)
        .await
        .map_err(|e| conflict_on_unique(e, "user with this e-mail"))?;
        user_row(&row)
    }

    pub(crate) fn invitation_row(row: &DbRow) -> StoreResult<Invitation> {
        Ok(Invitation {
            id: row.try_get("id")?,
            workspace_id: row.try_get("workspace_id")?,
            email: row.try_get("email")?,
            role: row.try_get("role")?,
            invited_by: row.try_get("invited_by")?,
            created_at: row.try_get::<At, _>("created_at")?.0,
            expires_at: row.try_get::<At, _>("expires_at")?.0,
            accepted_at: row.try_get::<Option<At>, _>("accepted_at")?.map(DateTime::from),
        })
    }

    /// Makes the user a member with the invited role, or keeps the role they already hold if it is higher;
    /// returns the role they end with.
    pub(crate) async fn join(
        tx: &mut sqlx::Transaction<'_, Db>,
        workspace_id: WorkspaceId,
        user_id: UserId,
        invited: &str,
        now: DateTime<Utc>,
    ) -> StoreResult<Role> {
        let sql = format!(
            "INSERT INTO memberships (workspace_id, user_id, role, created_at) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (workspace_id, user_id) DO UPDATE \
                 SET role = CASE WHEN {} < {} THEN excluded.role ELSE memberships.role END \
             RETURNING role",
            rank("excluded.role"),
            rank("memberships.role"),
        );
        let kept: Role = sqlx::query_scalar(&sql)
            .bind(workspace_id)
            .bind(user_id)
            .bind(invited)
            .bind(At(now))
            .fetch_one(&mut **tx)
            .await?;
        Ok(kept)
    }

    #[async_trait]
    impl People for BackendStore {
        async fn create_user(&self, new: &NewUser, now: DateTime<Utc>) -> StoreResult<User> {
            insert_user(&mut *self.pool().acquire().await?, new, now).await
        }

        async fn user(&self, id: UserId) -> StoreResult<Option<User>> {
            let sql = format!("SELECT {USER_COLUMNS} FROM users u WHERE u.id = $1");
            let row = sqlx::query(&sql).bind(id).fetch_optional(self.pool()).await?;
            row.as_ref().map(user_row).transpose()
        }

        async fn user_by_email(&self, email: &str) -> StoreResult<Option<(User, Option<String>)>> {
            let sql = format!("SELECT {USER_COLUMNS}, u.password_hash FROM users u WHERE u.email = $1");
            let row = sqlx::query(&sql).bind(email).fetch_optional(self.pool()).await?;
            row.map(|row| Ok((user_row(&row)?, row.try_get("password_hash")?))).transpose()
        }

        async fn user_by_identity(&self, issuer: &str, subject: &str) -> StoreResult<Option<User>> {
            let sql = format!(
                "SELECT {USER_COLUMNS} FROM user_identities i JOIN users u ON u.id = i.user_id \
                 WHERE i.issuer = $1 AND i.subject = $2"
            );
            let row = sqlx::query(&sql).bind(issuer).bind(subject).fetch_optional(self.pool()).await?;
            row.as_ref().map(user_row).transpose()
        }

        /// One statement: the no-op update makes `RETURNING` name whoever holds the account, new link or old.
        async fn link_identity(
            &self,
            issuer: &str,
            subject: &str,
            user_id: UserId,
            now: DateTime<Utc>,
        ) -> StoreResult<()> {
            let holder: UserId = sqlx::query_scalar(
                "INSERT INTO user_identities (issuer, subject, user_id, created_at) VALUES ($1, $2, $3, $4) \
                 ON CONFLICT (issuer, subject) DO UPDATE SET user_id = user_identities.user_id RETURNING user_id",
            )
            .bind(issuer)
            .bind(subject)
            .bind(user_id)
            .bind(At(now))
            .fetch_one(self.pool())
            .await?;
            if holder != user_id {
                return Err(StoreError::Conflict("identity linked to another user".into()));
            }
            Ok(())
        }

        async fn set_password(&self, user_id: UserId, password_hash: &str) -> StoreResult<()> {
            sqlx::query("UPDATE users SET password_hash = $2 WHERE id = $1")
                .bind(user_id)
                .bind(password_hash)
                .execute(self.pool())
                .await?;
            Ok(())
        }

        /// `email_verified` only ever turns verification on: a sign-in without a provider's word keeps it.
        async fn record_login(&self, user_id: UserId, email_verified: bool, now: DateTime<Utc>) -> StoreResult<()> {
            sqlx::query("UPDATE users SET email_verified = email_verified OR $2, last_login_at = $3 WHERE id = $1")
                .bind(user_id)
                .bind(email_verified)
                .bind(At(now))
                .execute(self.pool())
                .await?;
            Ok(())
        }

        async fn count_users(&self) -> StoreResult<i64> {
            Ok(sqlx::query_scalar("SELECT count(*) FROM users").fetch_one(self.pool()).await?)
        }

        async fn put_member(
            &self,
            workspace_id: WorkspaceId,
            user_id: UserId,
            role: Role,
            now: DateTime<Utc>,
        ) -> StoreResult<()> {
            sqlx::query(
                "INSERT INTO memberships (workspace_id, user_id, role, created_at) VALUES ($1, $2, $3, $4) \
                 ON CONFLICT (workspace_id, user_id) DO UPDATE SET role = excluded.role",
            )
            .bind(workspace_id)
            .bind(user_id)
            .bind(role.as_str())
            .bind(At(now))
            .execute(self.pool())
            .await?;
            Ok(())
        }

        async fn member_role(&self, workspace_id: WorkspaceId, user_id: UserId) -> StoreResult<Option<Role>> {
            Ok(sqlx::query_scalar("SELECT role FROM memberships WHERE workspace_id = $1 AND user_id = $2")
                .bind(workspace_id)
                .bind(user_id)
                .fetch_optional(self.pool())
                .await?)
        }

        async fn members(&self, workspace_id: WorkspaceId) -> StoreResult<Vec<Member>> {
            let sql = format!(
                "SELECT {USER_COLUMNS}, m.role, m.created_at AS joined_at FROM memberships m \
                 JOIN users u ON u.id = m.user_id WHERE m.workspace_id = $1 ORDER BY u.email"
            );
            let rows = sqlx::query(&sql).bind(workspace_id).fetch_all(self.pool()).await?;
            rows.iter()
                .map(|row| {
                    Ok(Member { user: user_row(row)?, role: row.try_get("role")?, joined_at: row.try_get::<At, _>("joined_at")?.0 })
                })
                .collect()
        }

        async fn memberships(&self, user_id: UserId) -> StoreResult<Vec<(Workspace, Role)>> {
            type Row = (WorkspaceId, String, String, Currency, At, serde_json::Value, Role);
            let rows: Vec<Row> = sqlx::query_as(
                "SELECT w.id, w.slug, w.name, w.currency, w.created_at, w.profile, m.role FROM memberships m \
                 JOIN workspaces w ON w.id = m.workspace_id WHERE m.user_id = $1 ORDER BY w.slug",
            )
            .bind(user_id)
            .fetch_all(self.pool())
            .await?;
            rows.into_iter()
                .map(|(id, slug, name, cur, at, profile, role)| Ok((workspace((id, slug, name, cur, at, profile))?, role)))
                .collect()
        }

        async fn remove_member(
            &self,
            workspace_id: WorkspaceId,
            user_id: UserId,
            now: DateTime<Utc>,
        ) -> StoreResult<Option<Vec<ApiKeyId>>> {
            let mut tx = self.pool().begin().await?;
            let done = sqlx::query("DELETE FROM memberships WHERE workspace_id = $1 AND user_id = $2")
                .bind(workspace_id)
                .bind(user_id)
                .execute(&mut *tx)
                .await?;
            if done.rows_affected() == 0 {
                return Ok(None);
            }
            let revoked: Vec<ApiKeyId> = sqlx::query_scalar(
                "UPDATE api_keys SET revoked_at = $3 WHERE workspace_id = $1 AND created_by = $2 AND revoked_at IS NULL \
                 RETURNING id",
            )
            .bind(workspace_id)
            .bind(user_id)
            .bind(At(now))
            .fetch_all(&mut *tx)
            .await?;
            tx.commit().await?;
            Ok(Some(revoked))
        }

        async fn count_owners(&self, workspace_id: WorkspaceId) -> StoreResult<i64> {
            Ok(sqlx::query_scalar("SELECT count(*) FROM memberships WHERE workspace_id = $1 AND role = 'owner'")
                .bind(workspace_id)
                .fetch_one(self.pool())
                .await?)
        }

        /// One transaction: domains no longer listed are deleted, listed ones upserted (a kept domain keeps its token
        /// and proof, a new one gets a random token from the database's strong random source, `Backend::random_hex`).
        /// A domain listed twice is a [`StoreError::Conflict`](crate::StoreError::Conflict); an owner rule is refused by the table's CHECK (domains
        /// grant admin at most).
        async fn set_workspace_domains(
            &self,
            workspace_id: WorkspaceId,
            domains: &[(String, Role)],
        ) -> StoreResult<()> {
            let names: Vec<&str> = domains.iter().map(|(domain, _)| domain.as_str()).collect();
            if names.iter().enumerate().any(|(i, name)| names[..i].contains(name)) {
                return Err(StoreError::Conflict("workspace domain".into()));
            }
            let mut tx = self.pool().begin_with(BACKEND.begin_write()).await?;
            let existing: Vec<String> = sqlx::query_scalar("SELECT domain FROM workspace_domains WHERE workspace_id = $1")
                .bind(workspace_id)
                .fetch_all(&mut *tx)
                .await?;
            for gone in existing.iter().filter(|domain| !names.contains(&domain.as_str())) {
                sqlx::query("DELETE FROM workspace_domains WHERE workspace_id = $1 AND domain = $2")
                    .bind(workspace_id)
                    .bind(gone)
                    .execute(&mut *tx)
                    .await?;
            }
            let upsert = format!(
                "INSERT INTO workspace_domains (workspace_id, domain, role, verify_token) VALUES ($1, $2, $3, {}) \
                 ON CONFLICT (workspace_id, domain) DO UPDATE SET role = excluded.role",
                BACKEND.random_hex()
            );
            for (domain, role) in domains {
                sqlx::query(&upsert)
                    .bind(workspace_id)
                    .bind(domain)
                    .bind(role.as_str())
                    .execute(&mut *tx)
                    .await
                    .map_err(|e| conflict_on_unique(e, "workspace domain"))?;
            }
            tx.commit().await?;
            Ok(())
        }

        async fn workspace_domains(&self, workspace_id: WorkspaceId) -> StoreResult<Vec<(String, Role)>> {
            Ok(sqlx::query_as("SELECT domain, role FROM workspace_domains WHERE workspace_id = $1 ORDER BY domain")
                .bind(workspace_id)
                .fetch_all(self.pool())
                .await?)
        }

        async fn workspaces_for_domain(&self, domain: &str) -> StoreResult<Vec<(WorkspaceId, Role)>> {
            Ok(sqlx::query_as(
                "SELECT workspace_id, role FROM workspace_domains WHERE domain = $1 AND verified_at IS NOT NULL \
                     ORDER BY workspace_id",
            )
            .bind(domain)
            .fetch_all(self.pool())
            .await?)
        }

        /// Re-inviting replaces the role, inviter and dates, and reopens an accepted invitation (the id is kept).
        async fn create_invitation(
            &self,
            workspace_id: WorkspaceId,
            email: &str,
            role: Role,
            invited_by: Option<UserId>,
            now: DateTime<Utc>,
            expires_at: DateTime<Utc>,
            token_hash: Option<&[u8]>,
        ) -> StoreResult<Invitation> {
            let sql = format!(
                "INSERT INTO invitations (workspace_id, email, role, invited_by, created_at, expires_at, token_hash) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7) \
                 ON CONFLICT (workspace_id, email) DO UPDATE SET role = excluded.role, invited_by = excluded.invited_by, \
                     created_at = excluded.created_at, expires_at = excluded.expires_at, accepted_at = NULL, \
                     token_hash = excluded.token_hash \
                 RETURNING {INVITATION_COLUMNS}"
            );
            let row = sqlx::query(&sql)
                .bind(workspace_id)
                .bind(email)
                .bind(role.as_str())
                .bind(invited_by)
                .bind(At(now))
                .bind(At(expires_at))
                .bind(token_hash)
                .fetch_one(self.pool())
                .await?;
            invitation_row(&row)
        }

        async fn invitations(&self, workspace_id: WorkspaceId) -> StoreResult<Vec<Invitation>> {
            let sql = format!(
                "SELECT {INVITATION_COLUMNS} FROM invitations WHERE workspace_id = $1 ORDER BY created_at DESC, id DESC"
            );
            let rows = sqlx::query(&sql).bind(workspace_id).fetch_all(self.pool()).await?;
            rows.iter().map(invitation_row).collect()
        }

        /// Only a pending (unaccepted) invitation is deleted; an accepted one stays as the record of who joined how.
        async fn revoke_invitation(&self, workspace_id: WorkspaceId, id: InvitationId) -> StoreResult<bool> {
            let done = sqlx::query("DELETE FROM invitations WHERE workspace_id = $1 AND id = $2 AND accepted_at IS NULL")
                .bind(workspace_id)
                .bind(id)
                .execute(self.pool())
                .await?;
            Ok(done.rows_affected() > 0)
        }

        /// One transaction that starts with the write: the open invitations are marked accepted, then each joins
        /// its workspace (a concurrent second call waits on the first's row locks or write lock, then finds them
        /// accepted and joins nothing).
        async fn accept_invitations(
            &self,
            email: &str,
            user_id: UserId,
            now: DateTime<Utc>,
        ) -> StoreResult<Vec<WorkspaceId>> {
            let mut tx = self.pool().begin().await?;
            let accepted: Vec<(WorkspaceId, String)> = sqlx::query_as(
                "UPDATE invitations SET accepted_at = $2 WHERE email = $1 AND accepted_at IS NULL AND expires_at > $2 \
                 RETURNING workspace_id, role",
            )
            .bind(email)
            .bind(At(now))
            .fetch_all(&mut *tx)
            .await?;
            let mut joined = Vec::with_capacity(accepted.len());
            for (workspace_id, invited) in accepted {
                join(&mut tx, workspace_id, user_id, &invited, now).await?;
                joined.push(workspace_id);
            }
            tx.commit().await?;
            joined.sort_unstable();
            Ok(joined)
        }

        /// By id (a re-invitation keeps its id).
        async fn open_invitations(&self, email: &str, now: DateTime<Utc>) -> StoreResult<Vec<Invitation>> {
            let sql = format!(
                "SELECT {INVITATION_COLUMNS} FROM invitations WHERE email = $1 AND accepted_at IS NULL AND expires_at > $2 \
                 ORDER BY id"
            );
            let rows = sqlx::query(&sql).bind(email).bind(At(now)).fetch_all(self.pool()).await?;
            rows.iter().map(invitation_row).collect()
        }
    }
}
