//! Creating a campaign with its audience snapshot, on both backends.

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use super::{CampaignFields, CampaignRow, NewCampaign};
use crate::backend::per_backend;
use crate::campaigns;
use crate::codec::At;
use crate::retry::retrying;
use crate::segment::{self, compile};
use crate::{Backend, StoreError, StoreResult};
use converge_domain::{CampaignId, CampaignStatus, WorkspaceId};

/// Snapshots at least this big are followed by `ANALYZE communication_log` on Postgres.
const ANALYZE_AFTER: i64 = 10_000;

/// Creating a campaign with its audience snapshot.
#[async_trait]
pub trait Launch: Send + Sync {
    /// Creates a `scheduled` campaign and, in the same transaction, snapshots its audience into
    /// `communication_log`: one PENDING row per customer of the workspace that `new.rule` selects at `now`
    /// (the same SQL as [`RuleQueries::segment_count`](crate::RuleQueries::segment_count), so a preview's count at `now` is the audience), due at
    /// `send_at`. `stats.audience` and `stats.pending` are the number of rows inserted. When the rule selects
    /// nobody, nothing is written and the answer is [`StoreError::EmptyAudience`] (checked inside the
    /// transaction, so a preview that counted some and a launch that finds none cannot leave an empty campaign).
    ///
    /// With an `idempotency_key` already used in the workspace, returns that campaign with `false` and
    /// writes nothing, whatever else `new` says; concurrent creates with one key make exactly one campaign.
    /// Returns the campaign and whether this call created it.
    async fn create_campaign(
        &self,
        workspace_id: WorkspaceId,
        new: &NewCampaign,
        now: DateTime<Utc>,
    ) -> StoreResult<(CampaignRow, bool)>;
}

per_backend! {
    use campaigns, segment;

    /// Writes campaign `id`'s audience snapshot: one PENDING row per customer `rule` selects at `now`, due at
    /// `send_at`, with the campaign's counters set to match (any earlier snapshot must be gone). The same compiled
    /// rule as segment_count/segment_ids, so a preview's count is the number of rows inserted (at the same
    /// `now`). Returns that number; the caller rolls back on 0.
    pub(crate) async fn snapshot(
        conn: &mut <Db as sqlx::Database>::Connection,
        workspace_id: WorkspaceId,
        id: CampaignId,
        rule: &converge_domain::segment::Rule,
        send_at: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> StoreResult<i64> {
        let filter = compile(rule, now, BACKEND.into(), 2);
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
        let query = segment::bind_params(sqlx::query(&sql).persistent(false).bind(workspace_id), &filter.params);
        let audience = query.bind(id).bind(At(send_at)).bind(At(now)).execute(&mut *conn).await?.rows_affected() as i64;
        if audience > 0 {
            sqlx::query("UPDATE campaigns SET audience = $2, pending = $2, sent = 0, failed = 0, skipped = 0 WHERE id = $1")
                .bind(id)
                .bind(audience)
                .execute(&mut *conn)
                .await?;
        }
        Ok(audience)
    }

    /// Inserting first makes a concurrent twin with the same key wait until this transaction ends (on
    /// Postgres on the unique index, on SQLite for the one writer); it then finds no row inserted and reads
    /// the committed campaign (Postgres' READ COMMITTED takes a fresh snapshot per statement). If the first
    /// one rolled back, the twin's insert simply succeeds.
    async fn create_once(
        pool: &Pool,
        workspace_id: WorkspaceId,
        new: &NewCampaign,
        now: DateTime<Utc>,
    ) -> StoreResult<(CampaignRow, bool)> {
        let mut tx = pool.begin().await?;
        let key = new.idempotency_key.as_deref();
        let fields = new.fields();
        let status = CampaignStatus::Scheduled;
        let inserted = insert(&mut tx, workspace_id, &fields, status, key, new.request_fingerprint.as_deref(), now).await?;
        let Some(id) = inserted else {
            let row = read_back(&mut tx, workspace_id, None, key).await?;
            tx.rollback().await?;
            return Ok((row, false));
        };
        if snapshot(&mut tx, workspace_id, id, &new.rule, new.send_at, now).await? == 0 {
            tx.rollback().await?;
            return Err(StoreError::EmptyAudience);
        }
        let row = read_back(&mut tx, workspace_id, Some(id), None).await?;
        tx.commit().await?;
        Ok((row, true))
    }

    /// Inserts a campaign row in `status` (no audience yet), unless the workspace already used `key`: the new
    /// id, or `None` for a used key.
    pub(crate) async fn insert(
        conn: &mut <Db as sqlx::Database>::Connection,
        workspace_id: WorkspaceId,
        fields: &CampaignFields,
        status: CampaignStatus,
        key: Option<&str>,
        fingerprint: Option<&str>,
        now: DateTime<Utc>,
    ) -> StoreResult<Option<CampaignId>> {
        let inserted: Option<CampaignId> = sqlx::query_scalar(
            "INSERT INTO campaigns (workspace_id, name, channel, template, segment_id, rule, status, send_at, \
                                    idempotency_key, created_at, updated_at, request_fingerprint, topic, subject, \
                                    preheader) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10, $11, $12, $13, $14) \
             ON CONFLICT (workspace_id, idempotency_key) DO NOTHING RETURNING id",
        )
        .bind(workspace_id)
        .bind(&fields.name)
        .bind(fields.channel.as_str())
        .bind(&fields.template)
        .bind(fields.segment_id)
        .bind(&fields.rule_json)
        .bind(status.as_str())
        .bind(At(fields.send_at))
        .bind(key)
        .bind(At(now))
        .bind(fingerprint)
        .bind(fields.topic.as_ref().map(|t| t.as_str()))
        .bind(&fields.subject)
        .bind(&fields.preheader)
        .fetch_optional(&mut *conn)
        .await?;
        Ok(inserted)
    }

    /// The workspace's campaign `id`, or (without one) the one made with idempotency key `key`.
    pub(crate) async fn read_back(
        conn: &mut <Db as sqlx::Database>::Connection,
        workspace_id: WorkspaceId,
        id: Option<CampaignId>,
        key: Option<&str>,
    ) -> StoreResult<CampaignRow> {
        let read = format!("SELECT {} FROM {} WHERE c.workspace_id = $1 AND ", campaigns::COLUMNS, campaigns::TOTALS);
        let row = match id {
            Some(id) => sqlx::query(&format!("{read}c.id = $2")).bind(workspace_id).bind(id).fetch_one(&mut *conn).await?,
            None => sqlx::query(&format!("{read}c.idempotency_key = $2")).bind(workspace_id).bind(key).fetch_one(&mut *conn).await?,
        };
        campaigns::campaign(&row)
    }

    #[async_trait]
    impl Launch for BackendStore {
        async fn create_campaign(
            &self,
            workspace_id: WorkspaceId,
            new: &NewCampaign,
            now: DateTime<Utc>,
        ) -> StoreResult<(CampaignRow, bool)> {
            let pool = self.pool();
            let (campaign, created) = retrying("create campaign", || create_once(pool, workspace_id, new, now)).await?;
            if BACKEND == Backend::Postgres && created && campaign.stats.audience >= ANALYZE_AFTER {
                // Until autovacuum gets to it, the planner thinks a freshly loaded campaign has a handful of due
                // rows and claims by sorting all of them (~150 ms per claim at 500k rows) instead of walking the
                // due index (~3 ms). Fresh statistics fix the plan; failing to gather them only costs speed.
                if let Err(err) = sqlx::query("ANALYZE communication_log").execute(pool).await {
                    tracing::warn!(error = %err, "could not analyze communication_log after a launch");
                }
            }
            Ok((campaign, created))
        }
    }
}
