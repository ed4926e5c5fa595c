//! Campaigns on Postgres: set-based statements (`UNNEST` of arrays), one round trip per batch where possible.

pub(crate) mod dispatch;
pub(crate) mod lifecycle;
pub(crate) mod receipts;

use converge_domain::CampaignId;
use sqlx::PgConnection;

pub(crate) use super::read::postgres::campaign;
use super::Deltas;
use crate::StoreResult;

/// A campaign's columns as read from [`TOTALS`]: the counters are the launch base plus every shard's deltas.
pub(crate) const COLUMNS: &str = "c.id, c.workspace_id, c.name, c.channel, c.template, c.segment_id, c.rule, \
    c.status, c.send_at, c.idempotency_key, c.pending + k.pending AS pending, c.sent + k.sent AS sent, \
    c.failed + k.failed AS failed, c.skipped + k.skipped AS skipped, c.created_at, c.updated_at, c.launched_at, \
    c.completed_at, c.request_fingerprint, c.topic, c.subject, c.preheader";

/// `campaigns c` with `k`, the sums of its counter shards (migration 0009), for [`COLUMNS`].
pub(crate) const TOTALS: &str = "campaigns c CROSS JOIN LATERAL ( \
    SELECT COALESCE(sum(pending), 0)::bigint AS pending, COALESCE(sum(sent), 0)::bigint AS sent, \
           COALESCE(sum(failed), 0)::bigint AS failed, COALESCE(sum(skipped), 0)::bigint AS skipped \
    FROM campaign_counts WHERE campaign_id = c.id) k";

/// SQL for "campaign `c` has nothing pending", shards included.
pub(crate) const NOTHING_PENDING: &str =
    "c.pending + (SELECT COALESCE(sum(pending), 0) FROM campaign_counts WHERE campaign_id = c.id) = 0";

/// Adds counter deltas to their campaigns' shards, one statement for all of them (see migration 0009).
pub(crate) async fn bump(conn: &mut PgConnection, deltas: &Deltas) -> StoreResult<()> {
    bump_shard(conn, deltas, counter_shard()).await
}

/// [`bump`] into a given shard: a transaction that adds to counters more than once uses one shard, so two
/// transactions never take two shards' locks in opposite orders.
pub(crate) async fn bump_shard(conn: &mut PgConnection, deltas: &Deltas, shard: i16) -> StoreResult<()> {
    if deltas.is_empty() {
        return Ok(());
    }
    let (ids, d): (Vec<CampaignId>, Vec<[i64; 4]>) = deltas.iter().unzip();
    sqlx::query(
        "INSERT INTO campaign_counts (campaign_id, shard, pending, sent, failed, skipped) \
         SELECT id, $6, p, s, f, k FROM UNNEST($1::bigint[], $2::bigint[], $3::bigint[], $4::bigint[], $5::bigint[]) \
             AS d(id, p, s, f, k) ORDER BY id \
         ON CONFLICT (campaign_id, shard) DO UPDATE SET pending = campaign_counts.pending + excluded.pending, \
             sent = campaign_counts.sent + excluded.sent, failed = campaign_counts.failed + excluded.failed, \
             skipped = campaign_counts.skipped + excluded.skipped",
    )
    .bind(ids)
    .bind(d.iter().map(|x| x[0]).collect::<Vec<_>>())
    .bind(d.iter().map(|x| x[1]).collect::<Vec<_>>())
    .bind(d.iter().map(|x| x[2]).collect::<Vec<_>>())
    .bind(d.iter().map(|x| x[3]).collect::<Vec<_>>())
    .bind(shard)
    .execute(conn)
    .await?;
    Ok(())
}

/// The counter shard a transaction adds to: transactions of one process take turns, processes start apart.
pub(crate) fn counter_shard() -> i16 {
    static NEXT: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
    let turn = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed).wrapping_add(std::process::id());
    (turn % COUNTER_SHARDS) as i16
}

const COUNTER_SHARDS: u32 = 8;
