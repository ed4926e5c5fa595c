//! The SQL of each queue operation, run by the writer inside its batch transaction.
//!
//! Semantics mirror Redis Streams: a group's `last_id` is its delivery cursor, `pending` is its PEL, and an
//! entry is deleted once no group needs it (every group has delivered it and none holds it pending), so the
//! stream's `length` counter stays equal to its backlog. The counter exists so that the cap check on every
//! append is a primary-key lookup rather than a `COUNT(*)`.

use sqlx::{Row, SqliteConnection};

use crate::{Delivery, EntryId, QueueError, Result};

/// Database failure: aborts the whole batch. The inner [`Result`] is the operation's own answer.
pub(super) type Db<T> = std::result::Result<T, sqlx::Error>;

pub(super) const SCHEMA: &str = r"
CREATE TABLE IF NOT EXISTS entries (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    stream TEXT NOT NULL,
    payload BLOB NOT NULL
);
CREATE INDEX IF NOT EXISTS entries_by_stream ON entries (stream, id);
CREATE TABLE IF NOT EXISTS streams (
    stream TEXT PRIMARY KEY,
    length INTEGER NOT NULL
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS groups (
    stream TEXT NOT NULL,
    grp TEXT NOT NULL,
    last_id INTEGER NOT NULL,
    PRIMARY KEY (stream, grp)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS pending (
    stream TEXT NOT NULL,
    grp TEXT NOT NULL,
    id INTEGER NOT NULL,
    consumer TEXT NOT NULL,
    delivered_at_ms INTEGER NOT NULL,
    deliveries INTEGER NOT NULL,
    PRIMARY KEY (stream, grp, id)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS pending_by_entry ON pending (stream, id);
CREATE TABLE IF NOT EXISTS dead (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    stream TEXT NOT NULL,
    id INTEGER NOT NULL,
    payload BLOB NOT NULL,
    reason TEXT NOT NULL,
    deliveries INTEGER NOT NULL,
    at_ms INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS dead_by_stream ON dead (stream, seq);
";

fn entry_id(id: i64) -> EntryId {
    EntryId(id.to_string())
}

fn deliveries(n: i64) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

pub(super) async fn append(
    conn: &mut SqliteConnection,
    stream: &str,
    payloads: &[Vec<u8>],
    cap: u64,
) -> Db<Result<Vec<EntryId>>> {
    let length: Option<i64> = sqlx::query_scalar("SELECT length FROM streams WHERE stream = ?")
        .bind(stream)
        .fetch_optional(&mut *conn)
        .await?;
    let length = u64::try_from(length.unwrap_or(0)).unwrap_or(0);
    if length >= cap {
        return Ok(Err(QueueError::Full { stream: stream.to_owned(), length, cap }));
    }
    let mut ids = Vec::with_capacity(payloads.len());
    for payload in payloads {
        let done = sqlx::query("INSERT INTO entries (stream, payload) VALUES (?, ?)")
            .bind(stream)
            .bind(payload.as_slice())
            .execute(&mut *conn)
            .await?;
        ids.push(entry_id(done.last_insert_rowid()));
    }
    sqlx::query(
        "INSERT INTO streams (stream, length) VALUES (?, ?) \
         ON CONFLICT (stream) DO UPDATE SET length = length + excluded.length",
    )
    .bind(stream)
    .bind(i64::try_from(payloads.len()).unwrap_or(i64::MAX))
    .execute(&mut *conn)
    .await?;
    Ok(Ok(ids))
}

/// Creates the group at the stream's beginning (cursor 0) unless it exists.
pub(super) async fn ensure_group(conn: &mut SqliteConnection, stream: &str, group: &str) -> Db<()> {
    sqlx::query("INSERT INTO groups (stream, grp, last_id) VALUES (?, ?, 0) ON CONFLICT DO NOTHING")
        .bind(stream)
        .bind(group)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

pub(super) async fn read(
    conn: &mut SqliteConnection,
    stream: &str,
    group: &str,
    consumer: &str,
    max: usize,
    now_ms: i64,
) -> Db<Vec<Delivery>> {
    ensure_group(conn, stream, group).await?;
    let last_id: i64 = sqlx::query_scalar("SELECT last_id FROM groups WHERE stream = ? AND grp = ?")
        .bind(stream)
        .bind(group)
        .fetch_one(&mut *conn)
        .await?;
    let rows = sqlx::query("SELECT id, payload FROM entries WHERE stream = ? AND id > ? ORDER BY id LIMIT ?")
        .bind(stream)
        .bind(last_id)
        .bind(i64::try_from(max).unwrap_or(i64::MAX))
        .fetch_all(&mut *conn)
        .await?;
    let mut out = Vec::with_capacity(rows.len());
    let mut newest = last_id;
    for row in rows {
        let id: i64 = row.try_get("id")?;
        newest = newest.max(id);
        sqlx::query(
            "INSERT INTO pending (stream, grp, id, consumer, delivered_at_ms, deliveries) VALUES (?, ?, ?, ?, ?, 1)",
        )
        .bind(stream)
        .bind(group)
        .bind(id)
        .bind(consumer)
        .bind(now_ms)
        .execute(&mut *conn)
        .await?;
        out.push(Delivery { id: entry_id(id), payload: row.try_get("payload")?, deliveries: 1 });
    }
    if newest > last_id {
        sqlx::query("UPDATE groups SET last_id = ? WHERE stream = ? AND grp = ?")
            .bind(newest)
            .bind(stream)
            .bind(group)
            .execute(&mut *conn)
            .await?;
    }
    Ok(out)
}

/// Reassigns pending entries idle since `cutoff_ms` or earlier to `consumer`, counting a delivery each.
pub(super) async fn claim(
    conn: &mut SqliteConnection,
    stream: &str,
    group: &str,
    consumer: &str,
    cutoff_ms: i64,
    max: usize,
    now_ms: i64,
) -> Db<Vec<Delivery>> {
    let rows = sqlx::query(
        "SELECT p.id, p.deliveries, e.payload FROM pending p LEFT JOIN entries e ON e.id = p.id \
         WHERE p.stream = ? AND p.grp = ? AND p.delivered_at_ms <= ? ORDER BY p.id LIMIT ?",
    )
    .bind(stream)
    .bind(group)
    .bind(cutoff_ms)
    .bind(i64::try_from(max).unwrap_or(i64::MAX))
    .fetch_all(&mut *conn)
    .await?;
    let mut out = Vec::with_capacity(rows.len());
    for row in rows {
        let id: i64 = row.try_get("id")?;
        let payload: Option<Vec<u8>> = row.try_get("payload")?;
        let Some(payload) = payload else {
            // The entry is gone: nothing to redeliver, so drop it from the pending list (as XAUTOCLAIM does).
            delete_pending(conn, stream, group, id).await?;
            continue;
        };
        sqlx::query(
            "UPDATE pending SET consumer = ?, delivered_at_ms = ?, deliveries = deliveries + 1 \
             WHERE stream = ? AND grp = ? AND id = ?",
        )
        .bind(consumer)
        .bind(now_ms)
        .bind(stream)
        .bind(group)
        .bind(id)
        .execute(&mut *conn)
        .await?;
        let count: i64 = row.try_get("deliveries")?;
        out.push(Delivery { id: entry_id(id), payload, deliveries: deliveries(count.saturating_add(1)) });
    }
    Ok(out)
}

async fn delete_pending(conn: &mut SqliteConnection, stream: &str, group: &str, id: i64) -> Db<bool> {
    let done = sqlx::query("DELETE FROM pending WHERE stream = ? AND grp = ? AND id = ?")
        .bind(stream)
        .bind(group)
        .bind(id)
        .execute(&mut *conn)
        .await?;
    Ok(done.rows_affected() > 0)
}

/// Acknowledges `ids` for `group`; entries no group needs any more are deleted.
pub(super) async fn ack(conn: &mut SqliteConnection, stream: &str, group: &str, ids: &[i64]) -> Db<()> {
    let mut released = 0i64;
    for &id in ids {
        if !delete_pending(conn, stream, group, id).await? {
            continue;
        }
        let done = sqlx::query(
            "DELETE FROM entries WHERE id = ?1 AND stream = ?2 \
             AND ?1 <= (SELECT MIN(last_id) FROM groups WHERE stream = ?2) \
             AND NOT EXISTS (SELECT 1 FROM pending WHERE stream = ?2 AND id = ?1)",
        )
        .bind(id)
        .bind(stream)
        .execute(&mut *conn)
        .await?;
        released += i64::try_from(done.rows_affected()).unwrap_or(0);
    }
    if released > 0 {
        sqlx::query("UPDATE streams SET length = MAX(length - ?, 0) WHERE stream = ?")
            .bind(released)
            .bind(stream)
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

/// Copies the still-pending entries to the dead-letter table, then acknowledges them. Entries no longer
/// pending (already acked or dead-lettered) are skipped, so a retried call does not copy them twice.
pub(super) async fn dead_letter(
    conn: &mut SqliteConnection,
    stream: &str,
    group: &str,
    entries: &[(i64, Delivery)],
    reason: &str,
    now_ms: i64,
) -> Db<()> {
    let mut moved = Vec::with_capacity(entries.len());
    for (id, delivery) in entries {
        let done = sqlx::query(
            "INSERT INTO dead (stream, id, payload, reason, deliveries, at_ms) \
             SELECT ?1, ?2, ?3, ?4, ?5, ?6 WHERE EXISTS \
             (SELECT 1 FROM pending WHERE stream = ?1 AND grp = ?7 AND id = ?2)",
        )
        .bind(stream)
        .bind(id)
        .bind(delivery.payload.as_slice())
        .bind(reason)
        .bind(i64::from(delivery.deliveries))
        .bind(now_ms)
        .bind(group)
        .execute(&mut *conn)
        .await?;
        if done.rows_affected() > 0 {
            moved.push(*id);
        }
    }
    ack(conn, stream, group, &moved).await
}
