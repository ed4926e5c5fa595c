//! Insights queries on Postgres.

use sqlx::PgPool;

use super::{
    add_stats, bands, by_band_sql, clean_bounds, group_stats, merge_cities, reasons_sql, BandRow, CampaignBreakdown,
    CityRow, BY_CITY, CITIES,
};
use crate::StoreResult;

/// Ties among reasons sort by bytes, as on SQLite.
const COLLATE: &str = " COLLATE \"C\"";

pub(crate) async fn breakdown(
    pool: &PgPool,
    workspace_id: i64,
    campaign_id: i64,
    spend_bounds: &[i64],
    limit: u32,
) -> StoreResult<CampaignBreakdown> {
    let reasons_sql = reasons_sql(COLLATE);
    let reasons = |status: &'static str| {
        sqlx::query_as::<_, (String, i64)>(&reasons_sql)
            .bind(workspace_id)
            .bind(campaign_id)
            .bind(status)
            .bind(i64::from(limit))
    };
    let failure_reasons = reasons("FAILED").fetch_all(pool).await?;
    let skip_reasons = reasons("SKIPPED").fetch_all(pool).await?;
    let cities: Vec<CityRow> = sqlx::query_as(BY_CITY).bind(workspace_id).bind(campaign_id).fetch_all(pool).await?;
    let bounds = clean_bounds(spend_bounds);
    let sql = by_band_sql(bounds.len());
    let mut query = sqlx::query_as::<_, BandRow>(&sql).bind(workspace_id).bind(campaign_id);
    for bound in &bounds {
        query = query.bind(*bound);
    }
    let band_rows = query.fetch_all(pool).await?;
    let cities = cities.into_iter().map(|(fold, name, p, s, f, k)| (fold, name, group_stats((p, s, f, k)))).collect();
    Ok(CampaignBreakdown {
        failure_reasons,
        skip_reasons,
        by_city: merge_cities(cities, add_stats, |stats| stats.audience, limit),
        by_spend_band: bands(
            band_rows.into_iter().map(|(band, p, s, f, k)| (band, group_stats((p, s, f, k)))).collect(),
            bounds.len(),
        ),
    })
}

pub(crate) async fn top_cities(pool: &PgPool, workspace_id: i64, limit: u32) -> StoreResult<Vec<(String, i64)>> {
    let rows: Vec<(Option<String>, Option<String>, i64)> =
        sqlx::query_as(CITIES).bind(workspace_id).fetch_all(pool).await?;
    let merged = merge_cities(rows, |total, more| *total += more, |n| *n, limit);
    Ok(merged.into_iter().filter_map(|(name, n)| name.map(|name| (name, n))).collect())
}
