//! Reading campaigns: a cursor-paginated list, newest first, and one campaign with its delivery timeline.

use axum::extract::{Query, State};
use axum::Json;
use chrono::{DateTime, Utc};
use converge_domain::CampaignId;
use converge_store::CampaignRow;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::{campaign_view, load, require_read, CampaignView};
use crate::auth::Caller;
use crate::http::error::{ApiResult, Problem};
use crate::http::extract::{query_number, query_rejection, Page};
use crate::http::path::Path;
use crate::state::SharedState;

const DEFAULT_PAGE: u32 = 20;
const MAX_PAGE: u32 = 100;
/// A timeline aims at about this many points, whatever the campaign's length.
const TIMELINE_POINTS: i64 = 60;
const MAX_BUCKET_SECONDS: i64 = 3600;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ListParams {
    /// The `next_before` of the previous page.
    #[param(value_type = Option<i64>)]
    pub before: Option<String>,
    /// Page size, 1 to 100 (default 20).
    #[param(value_type = Option<u32>, minimum = 1, maximum = 100)]
    pub limit: Option<String>,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct CampaignPage {
    pub items: Vec<CampaignView>,
    /// Pass as `before` to get the next page; null on the last page.
    pub next_before: Option<CampaignId>,
}

/// Messages completed in one bucket of time.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct TimelinePointView {
    pub bucket_start: DateTime<Utc>,
    pub sent: i64,
    pub failed: i64,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct CampaignDetail {
    #[serde(flatten)]
    pub campaign: CampaignView,
    /// SENT and FAILED outcomes per bucket of their completion time, oldest first; empty buckets are left
    /// out. Empty before launch.
    pub timeline: Vec<TimelinePointView>,
    /// The bucket width: the campaign's running time over about 60 points, between 1 s and 1 h.
    pub bucket_seconds: i64,
}

/// Campaigns, newest first (scope `read` or `campaigns`).
#[utoipa::path(get, path = "/api/v1/campaigns", tag = "campaigns", params(ListParams), security(("api_key" = [])),
    responses((status = 200, body = CampaignPage), (status = 401, body = Problem), (status = 403, body = Problem),
        (status = 422, body = Problem)))]
pub async fn list_campaigns(
    State(state): State<SharedState>,
    caller: Caller,
    params: Result<Query<ListParams>, axum::extract::rejection::QueryRejection>,
) -> ApiResult<Json<CampaignPage>> {
    require_read(&caller)?;
    let Query(params) = params.map_err(query_rejection)?;
    let page = Page::parse(params.limit.as_deref(), DEFAULT_PAGE, MAX_PAGE)?;
    let before = query_number::<CampaignId>("before", params.before.as_deref())?;
    let mut rows = state.store.list_campaigns(caller.workspace_id(), before, page.fetch()).await?;
    let next_before = page.split(&mut rows, |row| row.id);
    Ok(Json(CampaignPage { items: rows.into_iter().map(campaign_view).collect(), next_before }))
}

/// One campaign with its stats and delivery timeline (scope `read` or `campaigns`).
#[utoipa::path(get, path = "/api/v1/campaigns/{id}", tag = "campaigns", params(("id" = i64, Path)),
    security(("api_key" = [])),
    responses((status = 200, body = CampaignDetail), (status = 401, body = Problem), (status = 403, body = Problem),
        (status = 404, body = Problem)))]
pub async fn get_campaign(
    State(state): State<SharedState>,
    caller: Caller,
    Path(id): Path<CampaignId>,
) -> ApiResult<Json<CampaignDetail>> {
    require_read(&caller)?;
    let row = load(&state, &caller, id).await?;
    let bucket_seconds = bucket_seconds(&row, Utc::now());
    let timeline: Vec<TimelinePointView> = match row.launched_at {
        Some(_) => state
            .timelines
            .get(state.store.as_ref(), caller.workspace_id(), id, row.stats.audience, bucket_seconds)
            .await?
            .iter()
            .map(|p| TimelinePointView { bucket_start: p.bucket_start, sent: p.sent, failed: p.failed })
            .collect(),
        None => Vec::new(),
    };
    Ok(Json(CampaignDetail { campaign: campaign_view(row), timeline, bucket_seconds }))
}

/// (completed_at or now) − launched_at over [`TIMELINE_POINTS`], rounded up to whole seconds, 1 s to 1 h.
fn bucket_seconds(row: &CampaignRow, now: DateTime<Utc>) -> i64 {
    let Some(launched) = row.launched_at else { return 1 };
    let span = (row.completed_at.unwrap_or(now) - launched).num_milliseconds().max(0);
    let per_point_ms = TIMELINE_POINTS * 1000;
    let per_point = (span + per_point_ms - 1) / per_point_ms;
    per_point.clamp(1, MAX_BUCKET_SECONDS)
}

#[cfg(test)]
mod tests {
    use chrono::Duration;
    use converge_domain::{CampaignId, CampaignStatus, SendChannel, WorkspaceId};
    use converge_store::CampaignStats;

    use super::*;

    fn row(launched: Option<DateTime<Utc>>, completed: Option<DateTime<Utc>>) -> CampaignRow {
        let now = Utc::now();
        CampaignRow {
            id: CampaignId::new(1),
            workspace_id: WorkspaceId::new(1),
            name: "n".into(),
            channel: SendChannel::Sms,
            template: "t".into(),
            segment_id: None,
            rule: serde_json::json!({}),
            status: CampaignStatus::Running,
            send_at: now,
            idempotency_key: None,
            request_fingerprint: None,
            topic: None,
            subject: None,
            preheader: None,
            stats: CampaignStats::default(),
            created_at: now,
            updated_at: now,
            launched_at: launched,
            completed_at: completed,
        }
    }

    #[test]
    fn buckets_give_about_sixty_points_between_a_second_and_an_hour() {
        let t0 = Utc::now();
        assert_eq!(bucket_seconds(&row(None, None), t0), 1);
        assert_eq!(bucket_seconds(&row(Some(t0), Some(t0 + Duration::seconds(10))), t0), 1);
        assert_eq!(bucket_seconds(&row(Some(t0), Some(t0 + Duration::minutes(60))), t0), 60);
        assert_eq!(bucket_seconds(&row(Some(t0), Some(t0 + Duration::seconds(61))), t0), 2);
        assert_eq!(bucket_seconds(&row(Some(t0), Some(t0 + Duration::days(30))), t0), 3600);
        assert_eq!(bucket_seconds(&row(Some(t0), None), t0 + Duration::minutes(10)), 10);
        // A clock step backwards must not make a negative bucket.
        assert_eq!(bucket_seconds(&row(Some(t0), None), t0 - Duration::minutes(10)), 1);
    }
}
