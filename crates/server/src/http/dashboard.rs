//! `GET /api/v1/dashboard`: the workspace at a glance — totals, campaigns in flight, the latest campaigns and
//! what ingestion added per day. Every figure is read from counters the writes keep (the `ingest_daily`
//! rollup, campaign counters), so the page costs a few small queries whatever the workspace's size.

use axum::extract::State;
use axum::Json;
use chrono::{Duration, NaiveDate, Utc};
use converge_domain::{CampaignStatus, Money};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::campaigns::{campaign_view, CampaignView};
use super::error::{ApiResult, Problem};
use crate::auth::{Caller, Scope};
use crate::state::SharedState;

/// Days in the ingestion chart, today included.
const CHART_DAYS: i64 = 30;
const RECENT_CAMPAIGNS: u32 = 10;

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct Dashboard {
    pub customers: i64,
    pub orders: i64,
    /// The sum of every order, a decimal string in the workspace currency, e.g. "1234567.50". Saturates at
    /// 10^18 minor units: a revenue at that value reads "at least".
    pub revenue: String,
    pub revenue_minor: i64,
    pub currency: String,
    pub campaigns: CampaignCounts,
    /// The latest campaigns, newest first (up to 10), as `GET /api/v1/campaigns` shows them.
    pub recent_campaigns: Vec<CampaignView>,
    /// The last 30 UTC days, oldest first, days without ingestion included as zeros.
    pub ingestion: Vec<IngestionDay>,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct CampaignCounts {
    pub total: i64,
    /// Scheduled, running or paused: not completed or cancelled.
    pub in_flight: i64,
}

/// What ingestion added on one UTC day (by the day records were received).
#[derive(Debug, Serialize, Deserialize, ToSchema, PartialEq, Eq)]
pub struct IngestionDay {
    pub date: NaiveDate,
    /// Customers created (by a profile, or by an order naming a new customer).
    pub customers: i64,
    /// Orders recorded (retries and redeliveries of stored orders are not counted twice).
    pub orders: i64,
}

/// The workspace at a glance (scope `read`).
#[utoipa::path(get, path = "/api/v1/dashboard", tag = "customers", security(("api_key" = [])),
    responses((status = 200, body = Dashboard), (status = 401, body = Problem), (status = 403, body = Problem)))]
pub async fn dashboard(State(state): State<SharedState>, caller: Caller) -> ApiResult<Json<Dashboard>> {
    caller.require(Scope::Read)?;
    let workspace = caller.workspace_id();
    let (days, statuses, recent) = tokio::try_join!(
        state.store.ingest_days(workspace),
        state.store.campaign_status_counts(workspace),
        state.store.list_campaigns(workspace, None, RECENT_CAMPAIGNS),
    )?;
    // Each day is capped; their sum is capped the same way, so no number of days can overflow it.
    let revenue_minor = days.iter().fold(0, |sum, d| Money::capped_total(sum, d.revenue_minor));
    let in_flight = statuses
        .iter()
        .filter(|(status, _)| {
            matches!(status, CampaignStatus::Scheduled | CampaignStatus::Running | CampaignStatus::Paused)
        })
        .map(|(_, n)| n)
        .sum();
    let chart = chart(&days, Utc::now().date_naive());
    Ok(Json(Dashboard {
        customers: days.iter().map(|d| d.customers_created).sum(),
        orders: days.iter().map(|d| d.orders_recorded).sum(),
        revenue: Money::from_minor(revenue_minor).format(&caller.currency),
        revenue_minor,
        currency: caller.currency.code().to_owned(),
        campaigns: CampaignCounts { total: statuses.iter().map(|(_, n)| n).sum(), in_flight },
        recent_campaigns: recent.into_iter().map(campaign_view).collect(),
        ingestion: chart,
    }))
}

/// The `CHART_DAYS` days up to `today`, zeros where nothing was ingested (`days` is sorted by day).
fn chart(days: &[converge_store::IngestDay], today: NaiveDate) -> Vec<IngestionDay> {
    (0..CHART_DAYS)
        .rev()
        .map(|back| today - Duration::days(back))
        .map(|date| {
            let found = days.binary_search_by_key(&date, |d| d.day).ok().map(|i| &days[i]);
            IngestionDay {
                date,
                customers: found.map_or(0, |d| d.customers_created),
                orders: found.map_or(0, |d| d.orders_recorded),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use converge_store::IngestDay;

    #[test]
    fn the_chart_covers_thirty_days_ending_today_with_zeros_between() {
        let today = NaiveDate::from_ymd_opt(2026, 3, 31).unwrap();
        let day = |d: u32, n: i64| IngestDay {
            day: NaiveDate::from_ymd_opt(2026, 3, d).unwrap(),
            customers_created: n,
            orders_recorded: 2 * n,
            revenue_minor: 0,
        };
        // Day 1 is outside the window; 2 is its first day; 31 its last.
        let chart = chart(&[day(1, 9), day(2, 1), day(15, 3), day(31, 5)], today);
        assert_eq!(chart.len(), 30);
        assert_eq!(chart[0], IngestionDay { date: day(2, 0).day, customers: 1, orders: 2 });
        assert_eq!(chart[13], IngestionDay { date: day(15, 0).day, customers: 3, orders: 6 });
        assert_eq!(chart[29], IngestionDay { date: today, customers: 5, orders: 10 });
        assert_eq!(chart.iter().map(|d| d.customers).sum::<i64>(), 9);
    }
}
