//! Campaigns over HTTP: creation (validated, idempotent, audience snapshotted by the store), reading with
//! stats and a delivery timeline, the per-message log (JSON pages or a streamed CSV), the lifecycle commands
//! (pause, resume, cancel, retry failed) and a message preview that renders exactly what a worker would send.
//!
//! What lives here: request validation, views, and mapping the store's answers to 2xx/404/409/422. What must
//! not: lifecycle rules (the domain's `CampaignStatus` and the store's compare-and-set own them), SQL, or
//! dispatch.

pub mod actions;
pub mod create;
pub mod edit;
pub mod launch;
pub mod log;
pub mod preview;
pub mod reach;
pub mod read;
pub mod test_send;
pub(crate) mod validate;
pub mod variables;

use chrono::{DateTime, Utc};
use converge_domain::{CampaignId, CampaignStatus, SegmentId, SendChannel, Topic};
use converge_store::{CampaignRow, CampaignStats};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::ToSchema;

use super::error::{ApiError, ApiResult};
use crate::auth::{Caller, Scope};
use crate::state::SharedState;

/// A campaign's messages by status: counts of its `communication_log` rows.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, ToSchema)]
pub struct StatsView {
    /// Every recipient snapshotted at creation: the sum of the four statuses.
    pub audience: i64,
    pub pending: i64,
    pub sent: i64,
    pub failed: i64,
    pub skipped: i64,
}

/// A campaign as the API shows it.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct CampaignView {
    pub id: CampaignId,
    pub name: String,
    pub channel: SendChannel,
    /// The message template as written.
    pub template: String,
    /// The saved segment the audience came from, if any.
    pub segment_id: Option<SegmentId>,
    /// The rule the audience was selected with (the segment's rule at creation, or the one sent); null for a
    /// draft that has no audience yet.
    #[schema(value_type = Option<Object>)]
    pub rule: Value,
    pub status: CampaignStatus,
    pub send_at: DateTime<Utc>,
    pub created_at: DateTime<Utc>,
    /// The last change of status.
    pub updated_at: DateTime<Utc>,
    /// When it first started running.
    pub launched_at: Option<DateTime<Utc>>,
    /// When it was completed or cancelled.
    pub completed_at: Option<DateTime<Utc>>,
    pub stats: StatsView,
    /// `sent / (sent + failed)`, rounded to four decimals; null while neither is known.
    pub success_rate: Option<f64>,
    /// The topic the campaign is about, if it names one.
    pub topic: Option<Topic>,
    /// E-mail: the subject line template (null: the campaign's name is the subject).
    pub subject: Option<String>,
    /// E-mail: the preview text shown after the subject.
    pub preheader: Option<String>,
}

pub(crate) fn stats_view(stats: CampaignStats) -> StatsView {
    StatsView {
        audience: stats.audience,
        pending: stats.pending,
        sent: stats.sent,
        failed: stats.failed,
        skipped: stats.skipped,
    }
}

/// `sent / (sent + failed)` to four decimals, `None` when there is no outcome yet.
pub(crate) fn success_rate(sent: i64, failed: i64) -> Option<f64> {
    let done = sent.saturating_add(failed);
    if done <= 0 {
        return None;
    }
    let rate = sent as f64 / done as f64;
    Some((rate * 10_000.0).round() / 10_000.0)
}

pub(crate) fn campaign_view(row: CampaignRow) -> CampaignView {
    CampaignView {
        id: row.id,
        name: row.name,
        channel: row.channel,
        template: row.template,
        segment_id: row.segment_id,
        rule: row.rule,
        status: row.status,
        send_at: row.send_at,
        created_at: row.created_at,
        updated_at: row.updated_at,
        launched_at: row.launched_at,
        completed_at: row.completed_at,
        success_rate: success_rate(row.stats.sent, row.stats.failed),
        stats: stats_view(row.stats),
        topic: row.topic,
        subject: row.subject,
        preheader: row.preheader,
    }
}

/// Reading campaigns needs `read` or `campaigns` (or `all`).
pub(crate) fn require_read(caller: &Caller) -> ApiResult<()> {
    if caller.require(Scope::Read).is_ok() || caller.require(Scope::Campaigns).is_ok() {
        Ok(())
    } else {
        Err(ApiError::Forbidden("this API key lacks the `read` or `campaigns` scope".into()))
    }
}

/// The caller's campaign `id`, or 404 (another workspace's campaign is not found either).
pub(crate) async fn load(state: &SharedState, caller: &Caller, id: CampaignId) -> ApiResult<CampaignRow> {
    state.store.campaign(caller.workspace_id(), id).await?.ok_or_else(|| ApiError::NotFound("campaign".into()))
}

#[cfg(test)]
mod tests {
    use super::success_rate;

    #[test]
    fn success_rate_is_null_without_outcomes_and_rounded_otherwise() {
        assert_eq!(success_rate(0, 0), None);
        assert_eq!(success_rate(3, 0), Some(1.0));
        assert_eq!(success_rate(0, 4), Some(0.0));
        assert_eq!(success_rate(2, 1), Some(0.6667));
        assert_eq!(success_rate(9, 1), Some(0.9));
    }
}
