//! Users, linked identities, memberships, domain rules and invitations on SQLite.

use chrono::{DateTime, Utc};
use converge_domain::Role;
use sqlx::sqlite::SqliteRow;
use sqlx::{Row, SqlitePool};

use super::{rank, role};
use crate::error::conflict_on_unique;
use crate::identity::{Invitation, Member, NewUser, User};
use crate::sqlite::{from_millis, millis};
use crate::{StoreError, StoreResult, Workspace};

const USER_COLUMNS: &str = "u.id, u.email, u.name, u.email_verified, u.created_at, u.last_login_at";

const INVITATION_COLUMNS: &str = "id, workspace_id, email, role, invited_by, created_at, expires_at, accepted_at";

fn optional_time(row: &SqliteRow, column: &str) -> StoreResult<Option<DateTime<Utc>>> {
    row.try_get::<Option<i64>, _>(column)?.map(from_millis).transpose()
}

fn user_row(row: &SqliteRow) -> StoreResult<User> {
    Ok(User {
        id: row.try_get("id")?,
        email: row.try_get("email")?,
        name: row.try_get("name")?,
        email_verified: row.try_get("email_verified")?,
        created_at: from_millis(row.try_get("created_at")?)?,
        last_login_at: optional_time(row, "last_login_at")?,
    })
}

fn invitation_row(row: &SqliteRow) -> StoreResult<Invitation> {
    Ok(Invitation {
        id: row.try_get("id")?,
        workspace_id: row.try_get("workspace_id")?,
        email: row.try_get("email")?,
        role: role(row.try_get("role")?)?,
        invited_by: row.try_get("invited_by")?,
        created_at: from_millis(row.try_get("created_at")?)?,
        expires_at: from_millis(row.try_get("expires_at")?)?,
        accepted_at: optional_time(row, "accepted_at")?,
    })
}

pub(super) async fn create_user(pool: &SqlitePool, new: &NewUser, now: DateTime<Utc>) -> StoreResult<User> {
    let row = sqlx::query(
        "INSERT INTO users (email, name, password_hash, email_verified, created_at) VALUES ($1, $2, $3, $4, $5) \
         RETURNING id, email, name, email_verified, created_at, last_login_at",
    )
    .bind(&new.email)
    .bind(&new.name)
    .bind(&new.password_hash)
    .bind(new.email_verified)
    .bind(millis(now))
    .fetch_one(pool)
    .await
    .map_err(|e| conflict_on_unique(e, "user with this e-mail"))?;
    user_row(&row)
}

pub(super) async fn user(pool: &SqlitePool, id: i64) -> StoreResult<Option<User>> {
    let sql = format!("SELECT {USER_COLUMNS} FROM users u WHERE u.id = $1");
    let row = sqlx::query(&sql).bind(id).fetch_optional(pool).await?;
    row.as_ref().map(user_row).transpose()
}

pub(super) async fn user_by_email(pool: &SqlitePool, email: &str) -> StoreResult<Option<(User, Option<String>)>> {
    let sql = format!("SELECT {USER_COLUMNS}, u.password_hash FROM users u WHERE u.email = $1");
    let row = sqlx::query(&sql).bind(email).fetch_optional(pool).await?;
    row.map(|row| Ok((user_row(&row)?, row.try_get("password_hash")?))).transpose()
}

pub(super) async fn user_by_identity(pool: &SqlitePool, issuer: &str, subject: &str) -> StoreResult<Option<User>> {
    let sql = format!(
        "SELECT {USER_COLUMNS} FROM user_identities i JOIN users u ON u.id = i.user_id \
         WHERE i.issuer = $1 AND i.subject = $2"
    );
    let row = sqlx::query(&sql).bind(issuer).bind(subject).fetch_optional(pool).await?;
    row.as_ref().map(user_row).transpose()
}

/// One statement: the no-op update makes `RETURNING` name whoever holds the account, new link or old.
pub(super) async fn link_identity(
    pool: &SqlitePool,
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
    .bind(millis(now))
    .fetch_one(pool)
    .await?;
    if holder != user_id {
        return Err(StoreError::Conflict("identity linked to another user".into()));
    }
    Ok(())
}

pub(super) async fn set_password(pool: &SqlitePool, user_id: i64, password_hash: &str) -> StoreResult<()> {
    sqlx::query("UPDATE users SET password_hash = $2 WHERE id = $1")
        .bind(user_id)
        .bind(password_hash)
        .execute(pool)
        .await?;
    Ok(())
}

/// `email_verified` only ever turns verification on: a sign-in without a provider's word keeps it.
pub(super) async fn record_login(
    pool: &SqlitePool,
    user_id: i64,
    email_verified: bool,
    now: DateTime<Utc>,
) -> StoreResult<()> {
    sqlx::query("UPDATE users SET email_verified = (email_verified OR $2), last_login_at = $3 WHERE id = $1")
        .bind(user_id)
        .bind(email_verified)
        .bind(millis(now))
        .execute(pool)
        .await?;
    Ok(())
}

pub(super) async fn count_users(pool: &SqlitePool) -> StoreResult<i64> {
    Ok(sqlx::query_scalar("SELECT count(*) FROM users").fetch_one(pool).await?)
}

pub(super) async fn put_member(
    pool: &SqlitePool,
    workspace_id: i64,
    user_id: i64,
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
    .bind(millis(now))
    .execute(pool)
    .await?;
    Ok(())
}

pub(super) async fn member_role(pool: &SqlitePool, workspace_id: i64, user_id: i64) -> StoreResult<Option<Role>> {
    let raw: Option<String> =
        sqlx::query_scalar("SELECT role FROM memberships WHERE workspace_id = $1 AND user_id = $2")
            .bind(workspace_id)
            .bind(user_id)
            .fetch_optional(pool)
            .await?;
    raw.as_deref().map(role).transpose()
}

pub(super) async fn members(pool: &SqlitePool, workspace_id: i64) -> StoreResult<Vec<Member>> {
    let sql = format!(
        "SELECT {USER_COLUMNS}, m.role, m.created_at AS joined_at FROM memberships m \
         JOIN users u ON u.id = m.user_id WHERE m.workspace_id = $1 ORDER BY u.email"
    );
    let rows = sqlx::query(&sql).bind(workspace_id).fetch_all(pool).await?;
    rows.iter()
        .map(|row| {
            let joined_at = from_millis(row.try_get("joined_at")?)?;
            Ok(Member { user: user_row(row)?, role: role(row.try_get("role")?)?, joined_at })
        })
        .collect()
}

pub(super) async fn memberships(pool: &SqlitePool, user_id: i64) -> StoreResult<Vec<(Workspace, Role)>> {
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
                created_at: from_millis(row.try_get("created_at")?)?,
            };
            Ok((workspace, role(row.try_get("role")?)?))
        })
        .collect()
}

pub(super) async fn remove_member(
    pool: &SqlitePool,
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
    .bind(millis(now))
    .fetch_all(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(Some(revoked))
}

pub(super) async fn count_owners(pool: &SqlitePool, workspace_id: i64) -> StoreResult<i64> {
    Ok(sqlx::query_scalar("SELECT count(*) FROM memberships WHERE workspace_id = $1 AND role = 'owner'")
        .bind(workspace_id)
        .fetch_one(pool)
        .await?)
}

/// See the Postgres twin; here a statement per domain inside one transaction, tokens from `randomblob`
/// (SQLite's CSPRNG, seeded by the operating system).
pub(super) async fn set_workspace_domains(
    pool: &SqlitePool,
    workspace_id: i64,
    domains: &[(String, Role)],
) -> StoreResult<()> {
    let names: Vec<&str> = domains.iter().map(|(domain, _)| domain.as_str()).collect();
    if names.iter().enumerate().any(|(i, name)| names[..i].contains(name)) {
        return Err(StoreError::Conflict("workspace domain".into()));
    }
    // IMMEDIATE: this transaction reads before it writes, and a deferred one would then fail at once with
    // SQLITE_BUSY (not wait) if another connection wrote in between; the fuzzer hit that as a 500.
    let mut tx = pool.begin_with("BEGIN IMMEDIATE").await?;
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
    for (domain, role) in domains {
        sqlx::query(
            "INSERT INTO workspace_domains (workspace_id, domain, role, verify_token) \
             VALUES ($1, $2, $3, lower(hex(randomblob(16)))) \
             ON CONFLICT (workspace_id, domain) DO UPDATE SET role = excluded.role",
        )
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

pub(super) async fn workspace_domains(pool: &SqlitePool, workspace_id: i64) -> StoreResult<Vec<(String, Role)>> {
    let rows: Vec<(String, String)> =
        sqlx::query_as("SELECT domain, role FROM workspace_domains WHERE workspace_id = $1 ORDER BY domain")
            .bind(workspace_id)
            .fetch_all(pool)
            .await?;
    rows.into_iter().map(|(domain, raw)| Ok((domain, role(&raw)?))).collect()
}

pub(super) async fn workspaces_for_domain(pool: &SqlitePool, domain: &str) -> StoreResult<Vec<(i64, Role)>> {
    let rows: Vec<(i64, String)> = sqlx::query_as(
        "SELECT workspace_id, role FROM workspace_domains WHERE domain = $1 AND verified_at IS NOT NULL \
             ORDER BY workspace_id",
    )
    .bind(domain)
    .fetch_all(pool)
    .await?;
    rows.into_iter().map(|(id, raw)| Ok((id, role(&raw)?))).collect()
}

/// See the Postgres twin.
pub(super) async fn create_invitation(
    pool: &SqlitePool,
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
         ON CONFLICT (workspace_id, email) DO UPDATE SET role = excluded.role, invited_by = excluded.invited_by, \
             created_at = excluded.created_at, expires_at = excluded.expires_at, accepted_at = NULL \
         RETURNING {INVITATION_COLUMNS}"
    );
    let row = sqlx::query(&sql)
        .bind(workspace_id)
        .bind(email)
        .bind(role.as_str())
        .bind(invited_by)
        .bind(millis(now))
        .bind(millis(expires_at))
        .fetch_one(pool)
        .await?;
    invitation_row(&row)
}

pub(super) async fn invitations(pool: &SqlitePool, workspace_id: i64) -> StoreResult<Vec<Invitation>> {
    let sql = format!(
        "SELECT {INVITATION_COLUMNS} FROM invitations WHERE workspace_id = $1 ORDER BY created_at DESC, id DESC"
    );
    let rows = sqlx::query(&sql).bind(workspace_id).fetch_all(pool).await?;
    rows.iter().map(invitation_row).collect()
}

/// See the Postgres twin.
pub(super) async fn revoke_invitation(pool: &SqlitePool, workspace_id: i64, id: i64) -> StoreResult<bool> {
    let done = sqlx::query("DELETE FROM invitations WHERE workspace_id = $1 AND id = $2 AND accepted_at IS NULL")
        .bind(workspace_id)
        .bind(id)
        .execute(pool)
        .await?;
    Ok(done.rows_affected() > 0)
}

/// SQLite has no data-modifying CTEs, so two statements in one transaction: the membership upsert from the
/// open invitations, then marking those same invitations accepted (the transaction starts with a write, so it
/// holds the write lock throughout and nothing can accept them in between).
pub(super) async fn accept_invitations(
    pool: &SqlitePool,
    email: &str,
    user_id: i64,
    now: DateTime<Utc>,
) -> StoreResult<Vec<i64>> {
    let mut tx = pool.begin().await?;
    let sql = format!(
        "INSERT INTO memberships (workspace_id, user_id, role, created_at) \
         SELECT workspace_id, $2, role, $3 FROM invitations \
         WHERE email = $1 AND accepted_at IS NULL AND expires_at > $3 \
         ON CONFLICT (workspace_id, user_id) DO UPDATE \
             SET role = CASE WHEN {} < {} THEN excluded.role ELSE memberships.role END",
        rank("excluded.role"),
        rank("memberships.role"),
    );
    sqlx::query(&sql).bind(email).bind(user_id).bind(millis(now)).execute(&mut *tx).await?;
    let mut joined: Vec<i64> = sqlx::query_scalar(
        "UPDATE invitations SET accepted_at = $2 WHERE email = $1 AND accepted_at IS NULL AND expires_at > $2 \
         RETURNING workspace_id",
    )
    .bind(email)
    .bind(millis(now))
    .fetch_all(&mut *tx)
    .await?;
    tx.commit().await?;
    joined.sort_unstable();
    Ok(joined)
}

/// By id (a re-invitation keeps its id).
pub(super) async fn open_invitations(
    pool: &SqlitePool,
    email: &str,
    now: DateTime<Utc>,
) -> StoreResult<Vec<Invitation>> {
    let sql = format!(
        "SELECT {INVITATION_COLUMNS} FROM invitations WHERE email = $1 AND accepted_at IS NULL AND expires_at > $2 \
         ORDER BY id"
    );
    let rows = sqlx::query(&sql).bind(email).bind(millis(now)).fetch_all(pool).await?;
    rows.iter().map(invitation_row).collect()
}
