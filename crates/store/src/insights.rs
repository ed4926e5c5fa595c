//! Aggregates behind campaign insights and text-to-audience, on both backends: a campaign's messages
//! grouped by failure reason, by skip reason, by the recipient's city and by band of their spend; and the
//! workspace's most common city names.
//!
//! Both backends run the same SQL text (it is portable: `CASE`, `COALESCE`, `GROUP BY`, `$n` parameters);
//! only the collation for sorting reasons differs ([`Backend::byte_collation`](crate::Backend)). Groups read the customer's *current* city and total spend, not the values at
//! launch. What must not live here: wording, rates, or what counts as "high value" (the caller's bands).

use async_trait::async_trait;
use serde::Serialize;

use crate::backend::per_backend;
use crate::campaigns::{stats, CampaignStats};
use crate::StoreResult;
use converge_domain::{CampaignId, WorkspaceId};

/// Most spend-band bounds accepted.
pub const MAX_SPEND_BOUNDS: usize = 20;

/// A campaign's messages grouped four ways.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct CampaignBreakdown {
    /// FAILED messages by error text (as stored; empty when none was recorded), most frequent first, ties
    /// by text; at most `limit` reasons.
    pub failure_reasons: Vec<(String, i64)>,
    /// SKIPPED messages by reason, the same way.
    pub skip_reasons: Vec<(String, i64)>,
    /// Messages by the recipient's city, compared case-insensitively, most recipients first (ties: by the
    /// folded name, no city last); at most `limit` cities. The name shown is one spelling used by those
    /// customers (the smallest); `None` for customers without a city.
    pub by_city: Vec<(Option<String>, CampaignStats)>,
    /// Messages by band of the recipient's total spend: with ascending bounds `b0 < b1 < …` (minor units),
    /// band 0 is spend `< b0`, band i is `b(i-1) <= spend < b(i)`, the last band `>= b(last)`. One entry per
    /// band, empty bands included, so its length is the number of bounds + 1.
    pub by_spend_band: Vec<CampaignStats>,
}

/// Shared SQL: FAILED or SKIPPED messages by reason. `collate` makes ties sort by bytes on both backends
/// (`COLLATE "C"` on Postgres, whose default collation depends on the locale; nothing on SQLite).
pub(crate) fn reasons_sql(collate: &str) -> String {
    format!(
        "SELECT COALESCE(error, '') AS reason, COUNT(*) AS n FROM communication_log \
         WHERE workspace_id = $1 AND campaign_id = $2 AND status = $3 GROUP BY COALESCE(error, '') \
         ORDER BY n DESC, COALESCE(error, ''){collate} LIMIT $4"
    )
}

const STATUS_SUMS: &str = "SUM(CASE WHEN l.status = 'PENDING' THEN 1 ELSE 0 END), \
     SUM(CASE WHEN l.status = 'SENT' THEN 1 ELSE 0 END), SUM(CASE WHEN l.status = 'FAILED' THEN 1 ELSE 0 END), \
     SUM(CASE WHEN l.status = 'SKIPPED' THEN 1 ELSE 0 END)";

/// Shared SQL: messages by the recipient's city as written (merged per folded city by [`merge_cities`]).
pub(crate) const BY_CITY: &str =
    "SELECT cu.city_fold, cu.city, SUM(CASE WHEN l.status = 'PENDING' THEN 1 ELSE 0 END), \
     SUM(CASE WHEN l.status = 'SENT' THEN 1 ELSE 0 END), SUM(CASE WHEN l.status = 'FAILED' THEN 1 ELSE 0 END), \
     SUM(CASE WHEN l.status = 'SKIPPED' THEN 1 ELSE 0 END) \
     FROM communication_log l JOIN customers cu ON cu.id = l.customer_id \
     WHERE l.workspace_id = $1 AND l.campaign_id = $2 GROUP BY cu.city_fold, cu.city";

/// Shared SQL: messages by spend band; the bounds are bound as `$3, $4, …` (values, never SQL text).
pub(crate) fn by_band_sql(bounds: usize) -> String {
    let band = if bounds == 0 {
        "0".to_owned()
    } else {
        let whens: String = (0..bounds).map(|i| format!("WHEN cu.total_spend < ${} THEN {i} ", i + 3)).collect();
        format!("CASE {whens}ELSE {bounds} END")
    };
    format!(
        "SELECT CAST({band} AS BIGINT) AS band, {STATUS_SUMS} FROM communication_log l \
         JOIN customers cu ON cu.id = l.customer_id WHERE l.workspace_id = $1 AND l.campaign_id = $2 GROUP BY 1"
    )
}

/// Shared SQL: the workspace's customers by city as written (merged per folded city by [`merge_cities`]).
pub(crate) const CITIES: &str = "SELECT city_fold, city, COUNT(*) FROM customers \
     WHERE workspace_id = $1 AND city_fold IS NOT NULL AND city_fold <> '' GROUP BY city_fold, city";

/// Groups `(folded city, city as written, value)` rows per folded city: the values added up, the name the
/// one most rows use (ties: the smallest by bytes). Sorted by `size` descending, then by folded name (no
/// city last), at most `limit`. Done here rather than in SQL because text order depends on Postgres's
/// locale, and both backends must answer the same.
pub(crate) fn merge_cities<T>(
    rows: Vec<(Option<String>, Option<String>, T)>,
    add: impl Fn(&mut T, T),
    size: impl Fn(&T) -> i64,
    limit: u32,
) -> Vec<(Option<String>, T)> {
    // Per folded city: each spelling with its weight, and the values added up.
    let mut groups: std::collections::BTreeMap<Option<String>, (Spellings, T)> = Default::default();
    for (fold, name, value) in rows {
        let fold = fold.filter(|f| !f.trim().is_empty());
        let weight = size(&value);
        match groups.get_mut(&fold) {
            Some((names, total)) => {
                names.push((name.unwrap_or_default(), weight));
                add(total, value);
            }
            None => {
                groups.insert(fold, (vec![(name.unwrap_or_default(), weight)], value));
            }
        }
    }
    let mut merged: Vec<(Option<String>, Option<String>, T)> = groups
        .into_iter()
        .map(|(fold, (mut names, total))| {
            names.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
            let name = fold.as_ref().and_then(|_| names.into_iter().next().map(|(name, _)| name));
            (fold, city(name), total)
        })
        .collect();
    merged.sort_by(|a, b| {
        size(&b.2).cmp(&size(&a.2)).then_with(|| a.0.is_none().cmp(&b.0.is_none())).then_with(|| a.0.cmp(&b.0))
    });
    merged.truncate(usize::try_from(limit).unwrap_or(usize::MAX));
    merged.into_iter().map(|(_, name, value)| (name, value)).collect()
}

/// Bounds sorted, deduplicated and capped.
pub(crate) fn clean_bounds(bounds: &[i64]) -> Vec<i64> {
    let mut bounds = bounds.to_vec();
    bounds.sort_unstable();
    bounds.dedup();
    bounds.truncate(MAX_SPEND_BOUNDS);
    bounds
}

/// `(pending, sent, failed, skipped)` sums as read.
pub(crate) type Sums = (Option<i64>, Option<i64>, Option<i64>, Option<i64>);

/// A [`BY_CITY`] row: folded city, city as written, then [`Sums`].
pub(crate) type CityRow = (Option<String>, Option<String>, Option<i64>, Option<i64>, Option<i64>, Option<i64>);

/// A spend-band row: the band, then [`Sums`].
pub(crate) type BandRow = (i64, Option<i64>, Option<i64>, Option<i64>, Option<i64>);

/// The spellings of one folded city with how many rows use each.
type Spellings = Vec<(String, i64)>;

/// Adds one group's stats to another's.
pub(crate) fn add_stats(total: &mut CampaignStats, more: CampaignStats) {
    *total = stats(
        total.pending + more.pending,
        total.sent + more.sent,
        total.failed + more.failed,
        total.skipped + more.skipped,
    );
}

/// Stats from `(pending, sent, failed, skipped)` sums (NULL sums of empty groups read as 0).
pub(crate) fn group_stats(sums: Sums) -> CampaignStats {
    stats(sums.0.unwrap_or(0), sums.1.unwrap_or(0), sums.2.unwrap_or(0), sums.3.unwrap_or(0))
}

/// Places band rows into one entry per band.
pub(crate) fn bands(rows: Vec<(i64, CampaignStats)>, bounds: usize) -> Vec<CampaignStats> {
    let mut out = vec![CampaignStats::default(); bounds + 1];
    for (band, stats) in rows {
        if let Some(slot) = usize::try_from(band).ok().and_then(|b| out.get_mut(b)) {
            *slot = stats;
        }
    }
    out
}

/// A city name as shown: blank names are no city.
pub(crate) fn city(name: Option<String>) -> Option<String> {
    name.filter(|n| !n.trim().is_empty())
}

/// Aggregates behind campaign insights and text-to-audience.
#[async_trait]
pub trait Insights: Send + Sync {
    /// The campaign's messages grouped by failure reason, skip reason, the recipient's city and band of
    /// their total spend (`spend_bounds` in minor units, ascending; at most 20 are used); reasons and cities
    /// at most `limit` each. Empty for a campaign of another workspace.
    async fn campaign_breakdown(
        &self,
        workspace_id: WorkspaceId,
        campaign_id: CampaignId,
        spend_bounds: &[i64],
        limit: u32,
    ) -> StoreResult<CampaignBreakdown>;

    /// The workspace's cities with their number of customers, most customers first, at most `limit`
    /// (compared case-insensitively; one spelling each).
    async fn top_cities(&self, workspace_id: WorkspaceId, limit: u32) -> StoreResult<Vec<(String, i64)>>;
}

per_backend! {

    #[async_trait]
    impl Insights for BackendStore {
        async fn campaign_breakdown(
            &self,
            workspace_id: WorkspaceId,
            campaign_id: CampaignId,
            spend_bounds: &[i64],
            limit: u32,
        ) -> StoreResult<CampaignBreakdown> {
            let pool = self.pool();
            let reasons_sql = reasons_sql(BACKEND.byte_collation());
            let reasons = |status: &'static str| {
                sqlx::query_as::<_, (String, i64)>(&reasons_sql)
                    .bind(workspace_id)
                    .bind(campaign_id)
                    .bind(status)
                    .bind(i64::from(limit))
            };
            let failure_reasons = reasons("FAILED").fetch_all(pool).await?;
            let skip_reasons = reasons("SKIPPED").fetch_all(pool).await?;
            let cities: Vec<CityRow> =
                sqlx::query_as(BY_CITY).bind(workspace_id).bind(campaign_id).fetch_all(pool).await?;
            let bounds = clean_bounds(spend_bounds);
            let sql = by_band_sql(bounds.len());
            let mut query = sqlx::query_as::<_, BandRow>(&sql).bind(workspace_id).bind(campaign_id);
            for bound in &bounds {
                query = query.bind(*bound);
            }
            let band_rows = query.fetch_all(pool).await?;
            let cities =
                cities.into_iter().map(|(fold, name, p, s, f, k)| (fold, name, group_stats((p, s, f, k)))).collect();
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

        async fn top_cities(&self, workspace_id: WorkspaceId, limit: u32) -> StoreResult<Vec<(String, i64)>> {
            let rows: Vec<(Option<String>, Option<String>, i64)> =
                sqlx::query_as(CITIES).bind(workspace_id).fetch_all(self.pool()).await?;
            let merged = merge_cities(rows, |total, more| *total += more, |n| *n, limit);
            Ok(merged.into_iter().filter_map(|(name, n)| name.map(|name| (name, n))).collect())
        }
    }
}
