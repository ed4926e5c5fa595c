//! [`Timelines`]: campaign delivery timelines, cached for a few seconds per node. Computing one reads the
//! campaign's whole log (a million rows for a big campaign) while a campaign page polls every second or two.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use converge_domain::{CampaignId, WorkspaceId};
use converge_store::{Store, StoreResult, TimelinePoint};

/// How stale a served timeline may be.
pub const TIMELINE_TTL: Duration = Duration::from_secs(5);
/// Most cached timelines; the cache is emptied when it would grow past this.
const MAX_CACHED: usize = 1_000;
/// Smaller campaigns are computed on every read: cheap, and then the timeline always agrees with the stats.
pub const CACHE_FROM_AUDIENCE: i64 = 10_000;

type Key = (WorkspaceId, CampaignId, i64);
type Points = Arc<Vec<TimelinePoint>>;

#[derive(Default)]
pub struct Timelines {
    cache: Mutex<HashMap<Key, (Instant, Points)>>,
}

impl Timelines {
    /// The campaign's timeline in buckets of `bucket_seconds`; for an audience of [`CACHE_FROM_AUDIENCE`]
    /// or more, at most [`TIMELINE_TTL`] old.
    pub async fn get(
        &self,
        store: &dyn Store,
        workspace_id: WorkspaceId,
        campaign_id: CampaignId,
        audience: i64,
        bucket_seconds: i64,
    ) -> StoreResult<Points> {
        let key = (workspace_id, campaign_id, bucket_seconds);
        let cached = audience >= CACHE_FROM_AUDIENCE;
        if let Some(points) = self.fresh(&key).filter(|_| cached) {
            return Ok(points);
        }
        let bucket = chrono::Duration::seconds(bucket_seconds);
        let points = Arc::new(store.campaign_timeline(workspace_id, campaign_id, bucket).await?);
        if !cached {
            return Ok(points);
        }
        if let Ok(mut cache) = self.cache.lock() {
            if cache.len() >= MAX_CACHED {
                cache.clear();
            }
            cache.insert(key, (Instant::now(), points.clone()));
        }
        Ok(points)
    }

    fn fresh(&self, key: &Key) -> Option<Points> {
        let cache = self.cache.lock().ok()?;
        let (at, points) = cache.get(key)?;
        (at.elapsed() < TIMELINE_TTL).then(|| points.clone())
    }
}
