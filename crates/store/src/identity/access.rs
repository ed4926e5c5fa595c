//! Sessions, login flows, setup tokens, API-key listing and the audit log on both backends.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use sqlx::Row;

use crate::backend::per_backend;
use crate::codec::At;
use crate::error::conflict_on_unique;
use crate::identity::{Actor, ApiKeyRow, AuditEntry, LoginFlow, NewAuditEntry, SessionRecord};
use crate::model::split_scopes;
use crate::StoreResult;
use converge_domain::{ApiKeyId, AuditEntryId, UserId, WorkspaceId};

/// Sessions, login flows, setup tokens, API-key listing and the audit log.
#[async_trait]
pub trait Access: Send + Sync {
    async fn create_session(&self, id_hash: &[u8], session: &SessionRecord) -> StoreResult<()>;

    async fn session(&self, id_hash: &[u8]) -> StoreResult<Option<SessionRecord>>;

    async fn touch_session(&self, id_hash: &[u8], now: DateTime<Utc>) -> StoreResult<()>;

    async fn delete_session(&self, id_hash: &[u8]) -> StoreResult<()>;

    /// Ends every session of a user (e.g. after a password change); returns how many.
    async fn delete_user_sessions(&self, user_id: UserId) -> StoreResult<u64>;

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

    /// The workspace's keys, newest first, revoked ones included.
    async fn api_keys(&self, workspace_id: WorkspaceId) -> StoreResult<Vec<ApiKeyRow>>;

    /// Revokes a key of the workspace; false if no such unrevoked key.
    async fn revoke_api_key(&self, workspace_id: WorkspaceId, id: ApiKeyId, now: DateTime<Utc>) -> StoreResult<bool>;

    async fn record_audit(&self, entry: &NewAuditEntry, now: DateTime<Utc>) -> StoreResult<()>;

    /// One page of the workspace's audit log, newest first (`before_id`: the previous page's last id).
    async fn audit_log(
        &self,
        workspace_id: WorkspaceId,
        before_id: Option<AuditEntryId>,
        limit: u32,
    ) -> StoreResult<Vec<AuditEntry>>;
}

per_backend! {

    fn audit_entry(row: &DbRow) -> StoreResult<AuditEntry> {
        Ok(AuditEntry {
            id: row.try_get("id")?,
            workspace_id: row.try_get("workspace_id")?,
            actor: Actor { user_id: row.try_get("actor_user_id")?, key_id: row.try_get("actor_key_id")? },
            action: row.try_get("action")?,
            target: row.try_get("target")?,
            details: row.try_get("details")?,
            at: row.try_get::<At, _>("at")?.0,
        })
    }

    #[async_trait]
    impl Access for BackendStore {
        async fn create_session(&self, id_hash: &[u8], session: &SessionRecord) -> StoreResult<()> {
            sqlx::query(
                "INSERT INTO sessions (id_hash, user_id, csrf_token, created_at, last_seen_at, expires_at) \
                 VALUES ($1, $2, $3, $4, $5, $6)",
            )
            .bind(id_hash)
            .bind(session.user_id)
            .bind(&session.csrf_token)
            .bind(At(session.created_at))
            .bind(At(session.last_seen_at))
            .bind(At(session.expires_at))
            .execute(self.pool())
            .await
            .map_err(|e| conflict_on_unique(e, "session"))?;
            Ok(())
        }

        async fn session(&self, id_hash: &[u8]) -> StoreResult<Option<SessionRecord>> {
            let row = sqlx::query(
                "SELECT user_id, csrf_token, created_at, last_seen_at, expires_at FROM sessions WHERE id_hash = $1",
            )
            .bind(id_hash)
            .fetch_optional(self.pool())
            .await?;
            row.map(|row| {
                Ok(SessionRecord {
                    user_id: row.try_get("user_id")?,
                    csrf_token: row.try_get("csrf_token")?,
                    created_at: row.try_get::<At, _>("created_at")?.0,
                    last_seen_at: row.try_get::<At, _>("last_seen_at")?.0,
                    expires_at: row.try_get::<At, _>("expires_at")?.0,
                })
            })
            .transpose()
        }

        /// Never moves `last_seen_at` back (concurrent requests may touch out of order).
        async fn touch_session(&self, id_hash: &[u8], now: DateTime<Utc>) -> StoreResult<()> {
            let sql = format!("UPDATE sessions SET last_seen_at = {}(last_seen_at, $2) WHERE id_hash = $1", BACKEND.greatest());
            sqlx::query(&sql)
                .bind(id_hash)
                .bind(At(now))
                .execute(self.pool())
                .await?;
            Ok(())
        }

        async fn delete_session(&self, id_hash: &[u8]) -> StoreResult<()> {
            sqlx::query("DELETE FROM sessions WHERE id_hash = $1").bind(id_hash).execute(self.pool()).await?;
            Ok(())
        }

        async fn delete_user_sessions(&self, user_id: UserId) -> StoreResult<u64> {
            Ok(sqlx::query("DELETE FROM sessions WHERE user_id = $1").bind(user_id).execute(self.pool()).await?.rows_affected())
        }

        async fn prune_sessions(&self, now: DateTime<Utc>, idle_before: DateTime<Utc>) -> StoreResult<u64> {
            let done = sqlx::query("DELETE FROM sessions WHERE expires_at < $1 OR last_seen_at < $2")
                .bind(At(now))
                .bind(At(idle_before))
                .execute(self.pool())
                .await?;
            Ok(done.rows_affected())
        }

        /// Also deletes flows that expired before this one was created, so abandoned logins do not pile up.
        async fn put_login_flow(&self, state_hash: &[u8], flow: &LoginFlow) -> StoreResult<()> {
            let pool = self.pool();
            sqlx::query("DELETE FROM login_flows WHERE expires_at <= $1").bind(At(flow.created_at)).execute(pool).await?;
            sqlx::query(
                "INSERT INTO login_flows \
                     (state_hash, provider, nonce, pkce_verifier, return_to, created_at, expires_at, link_user_id) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
            )
            .bind(state_hash)
            .bind(&flow.provider)
            .bind(&flow.nonce)
            .bind(&flow.pkce_verifier)
            .bind(&flow.return_to)
            .bind(At(flow.created_at))
            .bind(At(flow.expires_at))
            .bind(flow.link_user_id)
            .execute(pool)
            .await
            .map_err(|e| conflict_on_unique(e, "login flow"))?;
            Ok(())
        }

        /// `DELETE … RETURNING`: of two concurrent callbacks with the same state, exactly one gets the flow. An
        /// expired flow is deleted all the same and reads as absent.
        async fn take_login_flow(&self, state_hash: &[u8], now: DateTime<Utc>) -> StoreResult<Option<LoginFlow>> {
            let row = sqlx::query(
                "DELETE FROM login_flows WHERE state_hash = $1 \
                 RETURNING provider, nonce, pkce_verifier, return_to, created_at, expires_at, link_user_id",
            )
            .bind(state_hash)
            .fetch_optional(self.pool())
            .await?;
            let Some(row) = row else { return Ok(None) };
            let flow = LoginFlow {
                provider: row.try_get("provider")?,
                nonce: row.try_get("nonce")?,
                pkce_verifier: row.try_get("pkce_verifier")?,
                return_to: row.try_get("return_to")?,
                link_user_id: row.try_get("link_user_id")?,
                created_at: row.try_get::<At, _>("created_at")?.0,
                expires_at: row.try_get::<At, _>("expires_at")?.0,
            };
            Ok((flow.expires_at > now).then_some(flow))
        }

        async fn create_setup_token(
            &self,
            token_hash: &[u8],
            now: DateTime<Utc>,
            expires_at: DateTime<Utc>,
        ) -> StoreResult<()> {
            sqlx::query("INSERT INTO setup_tokens (token_hash, created_at, expires_at) VALUES ($1, $2, $3)")
                .bind(token_hash)
                .bind(At(now))
                .bind(At(expires_at))
                .execute(self.pool())
                .await
                .map_err(|e| conflict_on_unique(e, "setup token"))?;
            Ok(())
        }

        async fn use_setup_token(&self, token_hash: &[u8], now: DateTime<Utc>) -> StoreResult<bool> {
            let done = sqlx::query(
                "UPDATE setup_tokens SET used_at = $2 WHERE token_hash = $1 AND used_at IS NULL AND expires_at > $2",
            )
            .bind(token_hash)
            .bind(At(now))
            .execute(self.pool())
            .await?;
            Ok(done.rows_affected() == 1)
        }

        async fn api_keys(&self, workspace_id: WorkspaceId) -> StoreResult<Vec<ApiKeyRow>> {
            let rows = sqlx::query(
                "SELECT id, workspace_id, prefix, scopes, label, created_at, last_used_at, revoked_at, created_by \
                 FROM api_keys WHERE workspace_id = $1 ORDER BY id DESC",
            )
            .bind(workspace_id)
            .fetch_all(self.pool())
            .await?;
            rows.iter()
                .map(|row| {
                    Ok(ApiKeyRow {
                        id: row.try_get("id")?,
                        workspace_id: row.try_get("workspace_id")?,
                        prefix: row.try_get("prefix")?,
                        scopes: split_scopes(row.try_get("scopes")?)?,
                        label: row.try_get("label")?,
                        created_at: row.try_get::<At, _>("created_at")?.0,
                        last_used_at: row.try_get::<Option<At>, _>("last_used_at")?.map(DateTime::from),
                        revoked_at: row.try_get::<Option<At>, _>("revoked_at")?.map(DateTime::from),
                        created_by: row.try_get("created_by")?,
                    })
                })
                .collect()
        }

        async fn revoke_api_key(&self, workspace_id: WorkspaceId, id: ApiKeyId, now: DateTime<Utc>) -> StoreResult<bool> {
            let done =
                sqlx::query("UPDATE api_keys SET revoked_at = $3 WHERE workspace_id = $1 AND id = $2 AND revoked_at IS NULL")
                    .bind(workspace_id)
                    .bind(id)
                    .bind(At(now))
                    .execute(self.pool())
                    .await?;
            Ok(done.rows_affected() == 1)
        }

        async fn record_audit(&self, entry: &NewAuditEntry, now: DateTime<Utc>) -> StoreResult<()> {
            sqlx::query(
                "INSERT INTO audit_log (workspace_id, actor_user_id, actor_key_id, action, target, details, at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7)",
            )
            .bind(entry.workspace_id)
            .bind(entry.actor.user_id)
            .bind(entry.actor.key_id)
            .bind(&entry.action)
            .bind(&entry.target)
            .bind(&entry.details)
            .bind(At(now))
            .execute(self.pool())
            .await?;
            Ok(())
        }

        async fn audit_log(
            &self,
            workspace_id: WorkspaceId,
            before_id: Option<AuditEntryId>,
            limit: u32,
        ) -> StoreResult<Vec<AuditEntry>> {
            let rows = sqlx::query(
                "SELECT id, workspace_id, actor_user_id, actor_key_id, action, target, details, at FROM audit_log \
                 WHERE workspace_id = $1 AND id < COALESCE($2, 9223372036854775807) ORDER BY id DESC LIMIT $3",
            )
            .bind(workspace_id)
            .bind(before_id)
            .bind(i64::from(limit))
            .fetch_all(self.pool())
            .await?;
            rows.iter().map(audit_entry).collect()
        }
    }
}
