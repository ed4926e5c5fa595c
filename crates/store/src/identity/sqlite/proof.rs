//! Domain proofs and an invitee's answer to an invitation, on SQLite (see the Postgres twin).

use chrono::{DateTime, Utc};
use converge_domain::Role;
use sqlx::{Row, SqlitePool};

use super::{rank, role};
use crate::identity::WorkspaceDomain;
use crate::sqlite::{from_millis, millis};
use crate::StoreResult;

pub(super) async fn workspace_domain_records(
    pool: &SqlitePool,
    workspace_id: i64,
) -> StoreResult<Vec<WorkspaceDomain>> {
    let rows = sqlx::query(
        "SELECT domain, role, verify_token, verified_at FROM workspace_domains WHERE workspace_id = $1 \
         ORDER BY domain",
    )
    .bind(workspace_id)
    .fetch_all(pool)
    .await?;
    rows.iter()
        .map(|row| {
            Ok(WorkspaceDomain {
                domain: row.try_get("domain")?,
                role: role(row.try_get("role")?)?,
                verify_token: row.try_get("verify_token")?,
                verified_at: row.try_get::<Option<i64>, _>("verified_at")?.map(from_millis).transpose()?,
            })
        })
        .collect()
}

pub(super) async fn mark_domain_verified(
    pool: &SqlitePool,
    workspace_id: i64,
    domain: &str,
    now: DateTime<Utc>,
) -> StoreResult<bool> {
    let done = sqlx::query(
        "UPDATE workspace_domains SET verified_at = COALESCE(verified_at, $3) WHERE workspace_id = $1 AND domain = $2",
    )
    .bind(workspace_id)
    .bind(domain)
    .bind(millis(now))
    .execute(pool)
    .await?;
    Ok(done.rows_affected() > 0)
}

/// Two statements in one transaction that starts with the write, so it holds the write lock throughout.
pub(super) async fn accept_invitation(
    pool: &SqlitePool,
    id: i64,
    email: &str,
    user_id: i64,
    now: DateTime<Utc>,
) -> StoreResult<Option<(i64, Role)>> {
    let mut tx = pool.begin().await?;
    let accepted = sqlx::query(
        "UPDATE invitations SET accepted_at = $3 \
         WHERE id = $1 AND email = $2 AND accepted_at IS NULL AND expires_at > $3 RETURNING workspace_id, role",
    )
    .bind(id)
    .bind(email)
    .bind(millis(now))
    .fetch_optional(&mut *tx)
    .await?;
    let Some(accepted) = accepted else { return Ok(None) };
    let workspace_id: i64 = accepted.try_get("workspace_id")?;
    let invited: String = accepted.try_get("role")?;
    let sql = format!(
        "INSERT INTO memberships (workspace_id, user_id, role, created_at) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (workspace_id, user_id) DO UPDATE \
             SET role = CASE WHEN {} < {} THEN excluded.role ELSE memberships.role END \
         RETURNING role",
        rank("excluded.role"),
        rank("memberships.role"),
    );
    let kept: String = sqlx::query_scalar(&sql)
        .bind(workspace_id)
        .bind(user_id)
        .bind(&invited)
        .bind(millis(now))
        .fetch_one(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(Some((workspace_id, role(&kept)?)))
}

pub(super) async fn decline_invitation(
    pool: &SqlitePool,
    id: i64,
    email: &str,
    now: DateTime<Utc>,
) -> StoreResult<Option<i64>> {
    let workspace = sqlx::query_scalar(
        "DELETE FROM invitations WHERE id = $1 AND email = $2 AND accepted_at IS NULL AND expires_at > $3 \
         RETURNING workspace_id",
    )
    .bind(id)
    .bind(email)
    .bind(millis(now))
    .fetch_optional(pool)
    .await?;
    Ok(workspace)
}
