//! Users, linked identities, memberships, domain rules and invitations on Postgres.

use chrono::{DateTime, Utc};
use converge_domain::Role;
use sqlx::postgres::PgRow;
use sqlx::{PgPool, Row};

use super::{rank, role};
use crate::error::conflict_on_unique;
use crate::identity::{Invitation, Member, NewUser, User};
use crate::{StoreError, StoreResult, Workspace};

const USER_COLUMNS: &str = "u.id, u.email, u.name, u.email_verified, u.created_at, u.last_login_at";

const INVITATION_COLUMNS: &str = "id, workspace_id, email, role, invited_by, created_at, expires_at, accepted_at";

fn user_row(row: &PgRow) -> StoreResult<User> {
    Ok(User {
        id: row.try_get("id")?,
        email: row.try_get("email")?,
        name: row.try_get("name")?,
        email_verified: row.try_get("email_verified")?,
        created_at: row.try_get("created_at")?,
        last_login_at: row.try_get("last_login_at")?,
    })
}

fn invitation_row(row: &PgRow) -> StoreResult<Invitation> {
    Ok(Invitation {
        id: row.try_get("id")?,
        workspace_id: row.try_get("workspace_id")?,
        email: row.try_get("email")?,
        role: role(row.try_get("role")?)?,
        invited_by: row.try_get("invited_by")?,
        created_at: row.try_get("created_at")?,
        expires_at: row.try_get("expires_at")?,
        accepted_at: row.try_get("accepted_at")?,
    })
}

pub(super) async fn create_user(pool: &PgPool, new: &NewUser, now: DateTime<Utc>) -> StoreResult<User> {
    let sql = format!(
        "INSERT INTO users AS u (email, name, password_hash, email_verified, created_at) VALUES ($1, $2, $3, $4, $5) \
         RETURNING {USER_COLUMNS}"
    );
    let row = sqlx::query(&sql)
        .bind(&new.email)
        .bind(&new.name)
        .bind(&new.password_hash)
        .bind(new.email_verified)
        .bind(now)
        .fetch_one(pool)
        .await
        .map_err(|e| conflict_on_unique(e, "user with this e-mail"))?;
    user_row(&row)
}

pub(super) async fn user(pool: &PgPool, id: i64) -> StoreResult<Option<User>> {
    let sql = format!("SELECT {USER_COLUMNS} FROM users u WHERE u.id = $1");
    let row = sqlx::query(&sql).bind(id).fetch_optional(pool).await?;
    row.as_ref().map(user_row).transpose()
}

pub(super) async fn user_by_email(pool: &PgPool, email: &str) -> StoreResult<Option<(User, Option<String>)>> {
    let sql = format!("SELECT {USER_COLUMNS}, u.password_hash FROM users u WHERE u.email = $1");
    let row = sqlx::query(&sql).bind(email).fetch_optional(pool).await?;
    row.map(|row| Ok((user_row(&row)?, row.try_get("password_hash")?))).transpose()
}

pub(super) async fn user_by_identity(pool: &PgPool, issuer: &str, subject: &str) -> StoreResult<Option<User>> {
    let sql = format!(
        "SELECT {USER_COLUMNS} FROM user_identities i JOIN users u ON u.id = i.user_id \
         WHERE i.issuer = $1 AND i.subject = $2"
    );
    let row = sqlx::query(&sql).bind(issuer).bind(subject).fetch_optional(pool).await?;
    row.as_ref().map(user_row).transpose()
}

/// One statement: the no-op update makes `RETURNING` name whoever holds the account, new link or old.
pub(super) async fn link_identity(
    pool: &PgPool,
    issuer: &str,
    subject: &str,
    user_id: i64,
    now: DateTime<Utc>,
) -> StoreResult<()> {
    let holder: i64 = sqlx::query_scalar(
        "INSERT INTO user_identities (issuer, subject, user_id, created_at) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (issuer, subject) DO UPDATE SET user_id = user_identities.user_id RETURNING user_id",
    )
    .bind(issuer)
    .bind(subject)
    .bind(user_id)
    .bind(now)
    .fetch_one(pool)
    .await?;
    if holder != user_id {
        return Err(StoreError::Conflict("identity linked to another user".into()));
    }
    Ok(())
}

pub(super) async fn set_password(pool: &PgPool, user_id: i64, password_hash: &str) -> StoreResult<()> {
    sqlx::query("UPDATE users SET password_hash = $2 WHERE id = $1")
        .bind(user_id)
        .bind(password_hash)
        .execute(pool)
        .await?;
    Ok(())
}

/// `email_verified` only ever turns verification on: a sign-in without a provider's word keeps it.
pub(super) async fn record_login(
    pool: &PgPool,
    user_id: i64,
    email_verified: bool,
    now: DateTime<Utc>,
) -> StoreResult<()> {
    sqlx::query("UPDATE users SET email_verified = email_verified OR $2, last_login_at = $3 WHERE id = $1")
        .bind(user_id)
        .bind(email_verified)
        .bind(now)
        .execute(pool)
        .await?;
    Ok(())
}

pub(super) async fn count_users(pool: &PgPool) -> StoreResult<i64> {
    Ok(sqlx::query_scalar("SELECT count(*) FROM users").fetch_one(pool).await?)
}

pub(super) async fn put_member(
    pool: &PgPool,
    workspace_id: i64,
    user_id: i64,
    role: Role,
    now: DateTime<Utc>,
) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO memberships (workspace_id, user_id, role, created_at) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (workspace_id, user_id) DO UPDATE SET role = EXCLUDED.role",
    )
    .bind(workspace_id)
    .bind(user_id)
    .bind(role.as_str())
    .bind(now)
    .execute(pool)
    .await?;
    Ok(())
}

pub(super) async fn member_role(pool: &PgPool, workspace_id: i64, user_id: i64) -> StoreResult<Option<Role>> {
    let raw: Option<String> =
        sqlx::query_scalar("SELECT role FROM memberships WHERE workspace_id = $1 AND user_id = $2")
            .bind(workspace_id)
            .bind(user_id)
            .fetch_optional(pool)
            .await?;
    raw.as_deref().map(role).transpose()
}

pub(super) async fn members(pool: &PgPool, workspace_id: i64) -> StoreResult<Vec<Member>> {
    let sql = format!(
        "SELECT {USER_COLUMNS}, m.role, m.created_at AS joined_at FROM memberships m \
         JOIN users u ON u.id = m.user_id WHERE m.workspace_id = $1 ORDER BY u.email"
    );
    let rows = sqlx::query(&sql).bind(workspace_id).fetch_all(pool).await?;
    rows.iter()
        .map(|row| {
            Ok(Member { user: user_row(row)?, role: role(row.try_get("role")?)?, joined_at: row.try_get("joined_at")? })
        })
        .collect()
}

pub(super) async fn memberships(pool: &PgPool, user_id: i64) -> StoreResult<Vec<(Workspace, Role)>> {
    let rows = sqlx::query(
        "SELECT w.id, w.slug, w.name, w.currency, w.created_at, m.role FROM memberships m \
         JOIN workspaces w ON w.id = m.workspace_id WHERE m.user_id = $1 ORDER BY w.slug",
    )
    .bind(user_id)
    .fetch_all(pool)
    .await?;
    rows.iter()
        .map(|row| {
            let workspace = Workspace {
                id: row.try_get("id")?,
                slug: row.try_get("slug")?,
                name: row.try_get("name")?,
                currency: row.try_get("currency")?,
                created_at: row.try_get("created_at")?,
            };
            Ok((workspace, role(row.try_get("role")?)?))
        })
        .collect()
}

pub(super) async fn remove_member(
    pool: &PgPool,
    workspace_id: i64,
    user_id: i64,
    now: DateTime<Utc>,
) -> StoreResult<Option<Vec<i64>>> {
    let mut tx = pool.begin().await?;
    let done = sqlx::query("DELETE FROM memberships WHERE workspace_id = $1 AND user_id = $2")
        .bind(workspace_id)
        .bind(user_id)
        .execute(&mut *tx)
        .await?;
    if done.rows_affected() == 0 {
        return Ok(None);
    }
    let revoked: Vec<i64> = sqlx::query_scalar(
        "UPDATE api_keys SET revoked_at = $3 WHERE workspace_id = $1 AND created_by = $2 AND revoked_at IS NULL \
         RETURNING id",
    )
    .bind(workspace_id)
    .bind(user_id)
    .bind(now)
    .fetch_all(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(Some(revoked))
}

pub(super) async fn count_owners(pool: &PgPool, workspace_id: i64) -> StoreResult<i64> {
    Ok(sqlx::query_scalar("SELECT count(*) FROM memberships WHERE workspace_id = $1 AND role = 'owner'")
        .bind(workspace_id)
        .fetch_one(pool)
        .await?)
}

/// One transaction: domains no longer listed are deleted, listed ones upserted (a kept domain keeps its token
/// and proof, a new one gets a random token from `gen_random_uuid`, a strong random source). A domain listed
/// twice is a [`StoreError::Conflict`]; an owner rule is refused by the table's CHECK (domains grant admin at
/// most).
pub(super) async fn set_workspace_domains(
    pool: &PgPool,
    workspace_id: i64,
    domains: &[(String, Role)],
) -> StoreResult<()> {
    let names: Vec<&str> = domains.iter().map(|(domain, _)| domain.as_str()).collect();
    let roles: Vec<&str> = domains.iter().map(|(_, role)| role.as_str()).collect();
    if names.iter().enumerate().any(|(i, name)| names[..i].contains(name)) {
        return Err(StoreError::Conflict("workspace domain".into()));
    }
    let mut tx = pool.begin().await?;
    sqlx::query("DELETE FROM workspace_domains WHERE workspace_id = $1 AND NOT (domain = ANY($2::text[]))")
        .bind(workspace_id)
        .bind(&names)
        .execute(&mut *tx)
        .await?;
    sqlx::query(
        "INSERT INTO workspace_domains (workspace_id, domain, role, verify_token) \
         SELECT $1, d.domain, d.role, replace(gen_random_uuid()::text, '-', '') \
         FROM UNNEST($2::text[], $3::text[]) AS d (domain, role) \
         ON CONFLICT (workspace_id, domain) DO UPDATE SET role = EXCLUDED.role",
    )
    .bind(workspace_id)
    .bind(&names)
    .bind(&roles)
    .execute(&mut *tx)
    .await
    .map_err(|e| conflict_on_unique(e, "workspace domain"))?;
    tx.commit().await?;
    Ok(())
}

pub(super) async fn workspace_domains(pool: &PgPool, workspace_id: i64) -> StoreResult<Vec<(String, Role)>> {
    let rows: Vec<(String, String)> =
        sqlx::query_as("SELECT domain, role FROM workspace_domains WHERE workspace_id = $1 ORDER BY domain")
            .bind(workspace_id)
            .fetch_all(pool)
            .await?;
    rows.into_iter().map(|(domain, raw)| Ok((domain, role(&raw)?))).collect()
}

pub(super) async fn workspaces_for_domain(pool: &PgPool, domain: &str) -> StoreResult<Vec<(i64, Role)>> {
    let rows: Vec<(i64, String)> = sqlx::query_as(
        "SELECT workspace_id, role FROM workspace_domains WHERE domain = $1 AND verified_at IS NOT NULL \
             ORDER BY workspace_id",
    )
    .bind(domain)
    .fetch_all(pool)
    .await?;
    rows.into_iter().map(|(id, raw)| Ok((id, role(&raw)?))).collect()
}

/// Re-inviting replaces the role, inviter and dates, and reopens an accepted invitation (the id is kept).
pub(super) async fn create_invitation(
    pool: &PgPool,
    workspace_id: i64,
    email: &str,
    role: Role,
    invited_by: Option<i64>,
    now: DateTime<Utc>,
    expires_at: DateTime<Utc>,
) -> StoreResult<Invitation> {
    let sql = format!(
        "INSERT INTO invitations (workspace_id, email, role, invited_by, created_at, expires_at) \
         VALUES ($1, $2, $3, $4, $5, $6) \
         ON CONFLICT (workspace_id, email) DO UPDATE SET role = EXCLUDED.role, invited_by = EXCLUDED.invited_by, \
             created_at = EXCLUDED.created_at, expires_at = EXCLUDED.expires_at, accepted_at = NULL \
         RETURNING {INVITATION_COLUMNS}"
    );
    let row = sqlx::query(&sql)
        .bind(workspace_id)
        .bind(email)
        .bind(role.as_str())
        .bind(invited_by)
        .bind(now)
        .bind(expires_at)
        .fetch_one(pool)
        .await?;
    invitation_row(&row)
}

pub(super) async fn invitations(pool: &PgPool, workspace_id: i64) -> StoreResult<Vec<Invitation>> {
    let sql = format!(
        "SELECT {INVITATION_COLUMNS} FROM invitations WHERE workspace_id = $1 ORDER BY created_at DESC, id DESC"
    );
    let rows = sqlx::query(&sql).bind(workspace_id).fetch_all(pool).await?;
    rows.iter().map(invitation_row).collect()
}

/// Only a pending (unaccepted) invitation is deleted; an accepted one stays as the record of who joined how.
pub(super) async fn revoke_invitation(pool: &PgPool, workspace_id: i64, id: i64) -> StoreResult<bool> {
    let done = sqlx::query("DELETE FROM invitations WHERE workspace_id = $1 AND id = $2 AND accepted_at IS NULL")
        .bind(workspace_id)
        .bind(id)
        .execute(pool)
        .await?;
    Ok(done.rows_affected() > 0)
}

/// One statement (so one transaction): the invitations marked accepted feed the membership upsert, so a
/// concurrent second call, which waits on the first's row locks and then finds them accepted, joins nothing.
pub(super) async fn accept_invitations(
    pool: &PgPool,
    email: &str,
    user_id: i64,
    now: DateTime<Utc>,
) -> StoreResult<Vec<i64>> {
    let sql = format!(
        "WITH accepted AS ( \
             UPDATE invitations SET accepted_at = $3 \
             WHERE email = $1 AND accepted_at IS NULL AND expires_at > $3 RETURNING workspace_id, role) \
         INSERT INTO memberships (workspace_id, user_id, role, created_at) \
         SELECT workspace_id, $2, role, $3 FROM accepted \
         ON CONFLICT (workspace_id, user_id) DO UPDATE \
             SET role = CASE WHEN {} < {} THEN EXCLUDED.role ELSE memberships.role END \
         RETURNING workspace_id",
        rank("EXCLUDED.role"),
        rank("memberships.role"),
    );
    let mut joined: Vec<i64> = sqlx::query_scalar(&sql).bind(email).bind(user_id).bind(now).fetch_all(pool).await?;
    joined.sort_unstable();
    Ok(joined)
}

/// By id (a re-invitation keeps its id).
pub(super) async fn open_invitations(pool: &PgPool, email: &str, now: DateTime<Utc>) -> StoreResult<Vec<Invitation>> {
    let sql = format!(
        "SELECT {INVITATION_COLUMNS} FROM invitations WHERE email = $1 AND accepted_at IS NULL AND expires_at > $2 \
         ORDER BY id"
    );
    let rows = sqlx::query(&sql).bind(email).bind(now).fetch_all(pool).await?;
    rows.iter().map(invitation_row).collect()
}
