//! Campaigns on Postgres: set-based statements (`UNNEST` of arrays), one round trip per batch where possible.

pub(crate) mod create;
pub(crate) mod dispatch;
pub(crate) mod lifecycle;
pub(crate) mod log;
pub(crate) mod overview;
pub(crate) mod receipts;

use std::future::Future;

use sqlx::postgres::{PgArguments, PgRow};
use sqlx::query::Query;
use sqlx::{PgConnection, Postgres, Row};

use super::{campaign_status, send_channel, stats, CampaignRow, Deltas};
use crate::segment::Param;
use crate::{StoreError, StoreResult};

pub(crate) const COLUMNS: &str = "id, workspace_id, name, channel, template, segment_id, rule, status, send_at, \
    idempotency_key, pending, sent, failed, skipped, created_at, updated_at, launched_at, completed_at";

pub(crate) fn campaign(row: &PgRow) -> StoreResult<CampaignRow> {
    Ok(CampaignRow {
        id: row.try_get("id")?,
        workspace_id: row.try_get("workspace_id")?,
        name: row.try_get("name")?,
        channel: send_channel(row.try_get("channel")?)?,
        template: row.try_get("template")?,
        segment_id: row.try_get("segment_id")?,
        rule: row.try_get("rule")?,
        status: campaign_status(row.try_get("status")?)?,
        send_at: row.try_get("send_at")?,
        idempotency_key: row.try_get("idempotency_key")?,
        stats: stats(row.try_get("pending")?, row.try_get("sent")?, row.try_get("failed")?, row.try_get("skipped")?),
        created_at: row.try_get("created_at")?,
        updated_at: row.try_get("updated_at")?,
        launched_at: row.try_get("launched_at")?,
        completed_at: row.try_get("completed_at")?,
    })
}

/// Binds a compiled rule's values in order (see `segment::postgres`).
pub(crate) fn bind_params<'q>(
    mut query: Query<'q, Postgres, PgArguments>,
    params: &[Param],
) -> Query<'q, Postgres, PgArguments> {
    for param in params {
        query = match param {
            Param::Int(number) => query.bind(*number),
            Param::Text(text) => query.bind(text.clone()),
            Param::TextList(items) => query.bind(items.clone()),
            Param::Timestamp(at) => query.bind(*at),
        };
    }
    query
}

/// Adds counter deltas to their campaigns, one statement for all of them.
pub(crate) async fn bump(conn: &mut PgConnection, deltas: &Deltas) -> StoreResult<()> {
    if deltas.is_empty() {
        return Ok(());
    }
    let (ids, d): (Vec<i64>, Vec<[i64; 4]>) = deltas.iter().unzip();
    sqlx::query(
        "UPDATE campaigns c SET pending = c.pending + d.p, sent = c.sent + d.s, failed = c.failed + d.f, \
                skipped = c.skipped + d.k \
         FROM UNNEST($1::bigint[], $2::bigint[], $3::bigint[], $4::bigint[], $5::bigint[]) AS d(id, p, s, f, k) \
         WHERE c.id = d.id",
    )
    .bind(ids)
    .bind(d.iter().map(|x| x[0]).collect::<Vec<_>>())
    .bind(d.iter().map(|x| x[1]).collect::<Vec<_>>())
    .bind(d.iter().map(|x| x[2]).collect::<Vec<_>>())
    .bind(d.iter().map(|x| x[3]).collect::<Vec<_>>())
    .execute(conn)
    .await?;
    Ok(())
}

/// Transactions that can meet another writer's row locks in a different order are retried on deadlock or
/// serialization failure. Every transaction here is safe to re-run: guards make repeated effects no-ops.
const ATTEMPTS: u32 = 5;

pub(crate) async fn retrying<T, F, Fut>(what: &'static str, mut run: F) -> StoreResult<T>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = StoreResult<T>>,
{
    let mut attempt = 1;
    loop {
        match run().await {
            Err(StoreError::Database(err)) if attempt < ATTEMPTS && is_retryable(&err) => {
                tracing::warn!(attempt, what, "deadlock or serialization failure; retrying");
                attempt += 1;
            }
            other => return other,
        }
    }
}

fn is_retryable(err: &sqlx::Error) -> bool {
    match err {
        sqlx::Error::Database(db) => matches!(db.code().as_deref(), Some("40P01") | Some("40001")),
        _ => false,
    }
}
