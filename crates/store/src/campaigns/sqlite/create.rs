//! Creating a campaign with its audience snapshot, and reading campaigns, on SQLite.

use crate::Launch;
use async_trait::async_trait;
use chrono::{DateTime, Utc};

use super::{campaign, COLUMNS};
use crate::campaigns::{CampaignRow, NewCampaign};
use crate::codec::millis;
use crate::segment::sqlite::bind_params;
use crate::segment::{compile, Dialect};
use crate::{StoreError, StoreResult};

#[async_trait]
impl Launch for crate::sqlite::SqliteStore {
    /// See the Postgres twin. Writers are serialised here, so a second create with the same key runs after the
    /// first committed, finds its row, and inserts nothing.
    async fn create_campaign(
        &self,
        workspace_id: i64,
        new: &NewCampaign,
        now: DateTime<Utc>,
    ) -> StoreResult<(CampaignRow, bool)> {
        let mut tx = self.pool().begin().await?;
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
        .bind(new.rule_json.to_string())
        .bind(millis(new.send_at))
        .bind(&new.idempotency_key)
        .bind(millis(now))
        .bind(&new.request_fingerprint)
        .fetch_optional(&mut *tx)
        .await?;
        let Some(id) = inserted else {
            let sql = format!("SELECT {COLUMNS} FROM campaigns WHERE workspace_id = $1 AND idempotency_key = $2");
            let row = sqlx::query(&sql).bind(workspace_id).bind(&new.idempotency_key).fetch_one(&mut *tx).await?;
            tx.rollback().await?;
            return Ok((campaign(&row)?, false));
        };
        let filter = compile(&new.rule, now, Dialect::Sqlite, 2);
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
        let audience =
            query.bind(id).bind(millis(new.send_at)).bind(millis(now)).execute(&mut *tx).await?.rows_affected() as i64;
        if audience == 0 {
            tx.rollback().await?;
            return Err(StoreError::EmptyAudience);
        }
        let sql = format!("UPDATE campaigns SET audience = $2, pending = $2 WHERE id = $1 RETURNING {COLUMNS}");
        let row = sqlx::query(&sql).bind(id).bind(audience).fetch_one(&mut *tx).await?;
        tx.commit().await?;
        Ok((campaign(&row)?, true))
    }
}
