//! Domain proofs and an invitee's answer to an invitation, on both backends.

use chrono::{DateTime, Utc};
use converge_domain::Role;
use sqlx::Row;

use super::{people, role};
use crate::backend::per_backend;
use crate::codec::At;
use crate::identity::WorkspaceDomain;
use crate::StoreResult;

per_backend! {
    use people;

pub(crate) async fn workspace_domain_records(pool: &Pool, workspace_id: i64) -> StoreResult<Vec<WorkspaceDomain>> {
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
                verified_at: row.try_get::<Option<At>, _>("verified_at")?.map(DateTime::from),
            })
        })
        .collect()
}

pub(crate) async fn mark_domain_verified(
    pool: &Pool,
    workspace_id: i64,
    domain: &str,
    now: DateTime<Utc>,
) -> StoreResult<bool> {
    let done = sqlx::query(
        "UPDATE workspace_domains SET verified_at = COALESCE(verified_at, $3) WHERE workspace_id = $1 AND domain = $2",
    )
    .bind(workspace_id)
    .bind(domain)
    .bind(At(now))
    .execute(pool)
    .await?;
    Ok(done.rows_affected() > 0)
}

/// One transaction that starts with the write (the invitation marked accepted, then the membership), so of
/// two concurrent accepts exactly one joins.
pub(crate) async fn accept_invitation(
    pool: &Pool,
    id: i64,
    email: &str,
    user_id: i64,
    now: DateTime<Utc>,
) -> StoreResult<Option<(i64, Role)>> {
    let mut tx = pool.begin().await?;
    let accepted: Option<(i64, String)> = sqlx::query_as(
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

pub(crate) async fn decline_invitation(
    pool: &Pool,
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
    .bind(At(now))
    .fetch_optional(pool)
    .await?;
    Ok(workspace)
}
}
