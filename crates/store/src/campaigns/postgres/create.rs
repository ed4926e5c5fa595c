//! Creating a campaign with its audience snapshot, and reading campaigns, on Postgres.

use crate::Launch;
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use sqlx::PgPool;

use super::{campaign, retrying, COLUMNS, TOTALS};
use crate::campaigns::{CampaignRow, NewCampaign};
use crate::segment::postgres::bind_params;
use crate::segment::{compile, Dialect};
use crate::{StoreError, StoreResult};

/// Snapshots at least this big are followed by `ANALYZE communication_log`.
const ANALYZE_AFTER: i64 = 10_000;

/// Inserting first makes a concurrent twin with the same key wait on the unique index until this
/// transaction ends; it then finds no row inserted and reads the committed campaign (READ COMMITTED takes a
/// fresh snapshot per statement). If the first one rolled back, the twin's insert simply succeeds.
async fn create_once(
    pool: &PgPool,
    workspace_id: i64,
    new: &NewCampaign,
    now: DateTime<Utc>,
) -> StoreResult<(CampaignRow, bool)> {
    let mut tx = pool.begin().await?;
    let inserted: Option<i64> = sqlx::query_scalar(
        "INSERT INTO campaigns (workspace_id, name, channel, template, segment_id, rule, status, send_at, \
                                idempotency_key, created_at, updated_at, request_fingerprint) \
         VALUES ($1, $2, $3, $4, $5, $6, 'scheduled', $7, $8, $9, $9, $10) \
         ON CONFLICT (workspace_id, idempotency_key) DO NOTHING RETURNING id",
    )
    .bind(workspace_id)
    .bind(&new.name)
    .bind(new.channel.as_str())
    .bind(&new.template)
    .bind(new.segment_id)
    .bind(&new.rule_json)
    .bind(new.send_at)
    .bind(&new.idempotency_key)
    .bind(now)
    .bind(&new.request_fingerprint)
    .fetch_optional(&mut *tx)
    .await?;
    let Some(id) = inserted else {
        tx.rollback().await?;
        let sql = format!("SELECT {COLUMNS} FROM {TOTALS} WHERE c.workspace_id = $1 AND c.idempotency_key = $2");
        let row = sqlx::query(&sql).bind(workspace_id).bind(&new.idempotency_key).fetch_one(pool).await?;
        return Ok((campaign(&row)?, false));
    };
    // The audience: the same compiled rule as segment_count/segment_ids, so a preview's count is the
    // number of rows inserted here (at the same `now`).
    let filter = compile(&new.rule, now, Dialect::Postgres, 2);
    let next = filter.next_placeholder(2);
    let sql = format!(
        "INSERT INTO communication_log (campaign_id, workspace_id, customer_id, status, next_attempt_at, created_at, \
                                        updated_at) \
         SELECT ${next}, c.workspace_id, c.id, 'PENDING', ${send_at}, ${now}, ${now} FROM customers c \
         WHERE c.workspace_id = $1 AND {} ORDER BY c.id",
        filter.sql,
        send_at = next + 1,
        now = next + 2,
    );
    let query = bind_params(sqlx::query(&sql).persistent(false).bind(workspace_id), &filter.params);
    let audience = query.bind(id).bind(new.send_at).bind(now).execute(&mut *tx).await?.rows_affected() as i64;
    if audience == 0 {
        tx.rollback().await?;
        return Err(StoreError::EmptyAudience);
    }
    sqlx::query("UPDATE campaigns SET audience = $2, pending = $2 WHERE id = $1")
        .bind(id)
        .bind(audience)
        .execute(&mut *tx)
        .await?;
    let sql = format!("SELECT {COLUMNS} FROM {TOTALS} WHERE c.id = $1");
    let row = sqlx::query(&sql).bind(id).fetch_one(&mut *tx).await?;
    tx.commit().await?;
    Ok((campaign(&row)?, true))
}

#[async_trait]
impl Launch for crate::postgres::PgStore {
    async fn create_campaign(
        &self,
        workspace_id: i64,
        new: &NewCampaign,
        now: DateTime<Utc>,
    ) -> StoreResult<(CampaignRow, bool)> {
        let pool = self.pool();
        let (campaign, created) = retrying("create campaign", || create_once(pool, workspace_id, new, now)).await?;
        if created && campaign.stats.audience >= ANALYZE_AFTER {
            // Until autovacuum gets to it, the planner thinks a freshly loaded campaign has a handful of due rows
            // and claims by sorting all of them (~150 ms per claim at 500k rows) instead of walking the due index
            // (~3 ms). Fresh statistics fix the plan; failing to gather them only costs speed.
            if let Err(err) = sqlx::query("ANALYZE communication_log").execute(pool).await {
                tracing::warn!(error = %err, "could not analyze communication_log after a launch");
            }
        }
        Ok((campaign, created))
    }
}
