//! Domain proofs and an invitee's answer to an invitation, on Postgres.

use chrono::{DateTime, Utc};
use converge_domain::Role;
use sqlx::{PgPool, Row};

use super::{rank, role};
use crate::identity::WorkspaceDomain;
use crate::StoreResult;

pub(super) async fn workspace_domain_records(pool: &PgPool, workspace_id: i64) -> StoreResult<Vec<WorkspaceDomain>> {
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
                verified_at: row.try_get("verified_at")?,
            })
        })
        .collect()
}

pub(super) async fn mark_domain_verified(
    pool: &PgPool,
    workspace_id: i64,
    domain: &str,
    now: DateTime<Utc>,
) -> StoreResult<bool> {
    let done = sqlx::query(
        "UPDATE workspace_domains SET verified_at = COALESCE(verified_at, $3) WHERE workspace_id = $1 AND domain = $2",
    )
    .bind(workspace_id)
    .bind(domain)
    .bind(now)
    .execute(pool)
    .await?;
    Ok(done.rows_affected() > 0)
}

/// One statement: the invitation marked accepted feeds the membership upsert, so of two concurrent accepts
/// exactly one joins.
pub(super) async fn accept_invitation(
    pool: &PgPool,
    id: i64,
    email: &str,
    user_id: i64,
    now: DateTime<Utc>,
) -> StoreResult<Option<(i64, Role)>> {
    let sql = format!(
        "WITH accepted AS ( \
             UPDATE invitations SET accepted_at = $4 \
             WHERE id = $1 AND email = $2 AND accepted_at IS NULL AND expires_at > $4 RETURNING workspace_id, role) \
         INSERT INTO memberships (workspace_id, user_id, role, created_at) \
         SELECT workspace_id, $3, role, $4 FROM accepted \
         ON CONFLICT (workspace_id, user_id) DO UPDATE \
             SET role = CASE WHEN {} < {} THEN EXCLUDED.role ELSE memberships.role END \
         RETURNING workspace_id, role",
        rank("EXCLUDED.role"),
        rank("memberships.role"),
    );
    let row = sqlx::query(&sql).bind(id).bind(email).bind(user_id).bind(now).fetch_optional(pool).await?;
    row.map(|row| Ok((row.try_get("workspace_id")?, role(row.try_get("role")?)?))).transpose()
}

pub(super) async fn decline_invitation(
    pool: &PgPool,
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
    .bind(now)
    .fetch_optional(pool)
    .await?;
    Ok(workspace)
}
