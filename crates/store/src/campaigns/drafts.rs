//! Drafts and edits, on both backends: saving a campaign as a draft (no audience yet), editing a draft or a
//! scheduled campaign, and launching a draft (its audience snapshotted in the same transaction).
//!
//! Every write is a compare-and-set on the status the caller read, so an edit racing the scheduler (which
//! starts a scheduled campaign when its time comes) or another edit either wins whole or changes nothing.

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use super::launch;
use super::{CampaignEdit, CampaignRow, NewDraft};
use crate::backend::per_backend;
use crate::campaigns;
use crate::codec::At;
use crate::retry::retrying;
use crate::{Backend, StoreError, StoreResult};
use converge_domain::{CampaignId, CampaignStatus, WorkspaceId};

/// Drafts and edits of campaigns that have not started.
#[async_trait]
pub trait Drafts: Send + Sync {
    /// Saves a `draft` campaign: no audience snapshot, never dispatched until launched. With an
    /// `idempotency_key` already used in the workspace, returns that campaign with `false` and writes nothing.
    async fn create_draft(
        &self,
        workspace_id: WorkspaceId,
        new: &NewDraft,
        now: DateTime<Utc>,
    ) -> StoreResult<(CampaignRow, bool)>;

    /// Applies `edit` if the campaign is still in `edit.from` (and, when the edit replaces the audience
    /// snapshot, has never run); `None` when it is not (moved on, or no such campaign in the workspace). A
    /// replaced snapshot that selects nobody is [`StoreError::EmptyAudience`] and changes nothing. Moving
    /// `send_at` moves the waiting, never-tried messages with it.
    async fn edit_campaign(
        &self,
        workspace_id: WorkspaceId,
        id: CampaignId,
        edit: &CampaignEdit,
        now: DateTime<Utc>,
    ) -> StoreResult<Option<CampaignRow>>;
}

per_backend! {
    use campaigns, launch;

    async fn create_draft_once(
        pool: &Pool,
        workspace_id: WorkspaceId,
        new: &NewDraft,
        now: DateTime<Utc>,
    ) -> StoreResult<(CampaignRow, bool)> {
        let mut tx = pool.begin().await?;
        let key = new.idempotency_key.as_deref();
        let fingerprint = new.request_fingerprint.as_deref();
        let status = CampaignStatus::Draft;
        let inserted = launch::insert(&mut tx, workspace_id, &new.fields, status, key, fingerprint, now).await?;
        let row = launch::read_back(&mut tx, workspace_id, inserted, key).await?;
        tx.commit().await?;
        Ok((row, inserted.is_some()))
    }

    async fn edit_once(
        pool: &Pool,
        workspace_id: WorkspaceId,
        id: CampaignId,
        edit: &CampaignEdit,
        now: DateTime<Utc>,
    ) -> StoreResult<Option<CampaignRow>> {
        let mut tx = pool.begin().await?;
        let f = &edit.fields;
        // The compare-and-set takes the campaign row's lock first (Postgres' lock order: campaign, then its
        // log rows); on SQLite the write takes the database's one write lock. The old send time comes back so
        // the waiting messages can follow a move.
        let never_ran = if edit.snapshot.is_some() { " AND launched_at IS NULL" } else { "" };
        let sql = format!(
            "UPDATE campaigns SET name = $3, channel = $4, template = $5, segment_id = $6, rule = $7, send_at = $8, \
                    topic = $9, subject = $10, preheader = $11, status = $12, updated_at = $13 \
             WHERE workspace_id = $1 AND id = $2 AND status = $14{never_ran} RETURNING id",
        );
        let changed: Option<i64> = sqlx::query_scalar(&sql)
            .bind(workspace_id)
            .bind(id)
            .bind(&f.name)
            .bind(f.channel.as_str())
            .bind(&f.template)
            .bind(f.segment_id)
            .bind(&f.rule_json)
            .bind(At(f.send_at))
            .bind(f.topic.as_ref().map(|t| t.as_str()))
            .bind(&f.subject)
            .bind(&f.preheader)
            .bind(edit.to.as_str())
            .bind(At(now))
            .bind(edit.from.as_str())
            .fetch_optional(&mut *tx)
            .await?;
        if changed.is_none() {
            return Ok(None);
        }
        if let Some(rule) = &edit.snapshot {
            // Only a campaign that never ran gets here, so every row of its old snapshot is a never-tried
            // PENDING message: nothing was sent, counted in a shard, held by a cap or waiting on a receipt.
            sqlx::query("DELETE FROM communication_log WHERE campaign_id = $1").bind(id).execute(&mut *tx).await?;
            if BACKEND == Backend::Postgres {
                sqlx::query("DELETE FROM campaign_counts WHERE campaign_id = $1").bind(id).execute(&mut *tx).await?;
            }
            if launch::snapshot(&mut tx, workspace_id, id, rule, f.send_at, now).await? == 0 {
                tx.rollback().await?;
                return Err(StoreError::EmptyAudience);
            }
        } else if edit.from != CampaignStatus::Draft {
            // Waiting messages that were never tried follow the send time (a retried one keeps its backoff).
            sqlx::query(
                "UPDATE communication_log SET next_attempt_at = $2 \
                 WHERE campaign_id = $1 AND status = 'PENDING' AND vendor_message_id IS NULL AND attempts = 0 \
                   AND next_attempt_at IS NOT NULL AND next_attempt_at <> $2",
            )
            .bind(id)
            .bind(At(f.send_at))
            .execute(&mut *tx)
            .await?;
        }
        let sql = format!("SELECT {} FROM {} WHERE c.id = $1", campaigns::COLUMNS, campaigns::TOTALS);
        let row = sqlx::query(&sql).bind(id).fetch_one(&mut *tx).await?;
        tx.commit().await?;
        Ok(Some(campaigns::campaign(&row)?))
    }

    #[async_trait]
    impl Drafts for BackendStore {
        async fn create_draft(
            &self,
            workspace_id: WorkspaceId,
            new: &NewDraft,
            now: DateTime<Utc>,
        ) -> StoreResult<(CampaignRow, bool)> {
            retrying("create draft", || create_draft_once(self.pool(), workspace_id, new, now)).await
        }

        async fn edit_campaign(
            &self,
            workspace_id: WorkspaceId,
            id: CampaignId,
            edit: &CampaignEdit,
            now: DateTime<Utc>,
        ) -> StoreResult<Option<CampaignRow>> {
            retrying("edit campaign", || edit_once(self.pool(), workspace_id, id, edit, now)).await
        }
    }
}
