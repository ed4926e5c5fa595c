//! An in-memory cache of key lookups, so an ingest request costs no database round trip.
//!
//! Entries live `ttl` (a revoked key stops working within that time on every node); unknown keys are cached
//! briefly too, so a flood of bad keys cannot hammer the database. Key use is recorded in memory and flushed
//! to `last_used_at` in one write per interval.

use std::collections::{HashMap, HashSet};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use converge_domain::ApiKeyId;
use converge_store::{ApiKeyGrant, Store, StoreResult};

const MAX_ENTRIES: usize = 100_000;

/// A lookup result (`None`: no such key) and when it was made.
type Entry = (Option<ApiKeyGrant>, Instant);

pub struct KeyCache {
    entries: Mutex<HashMap<[u8; 32], Entry>>,
    used: Mutex<HashSet<ApiKeyId>>,
    ttl: Duration,
    negative_ttl: Duration,
}

impl KeyCache {
    pub fn new(ttl: Duration) -> Self {
        Self {
            entries: Mutex::new(HashMap::new()),
            used: Mutex::new(HashSet::new()),
            ttl,
            negative_ttl: Duration::from_secs(5),
        }
    }

    /// The grant for a key hash, from the cache or the store.
    pub async fn lookup(&self, store: &dyn Store, hash: [u8; 32]) -> StoreResult<Option<ApiKeyGrant>> {
        if let Some(hit) = self.cached(&hash) {
            return Ok(hit);
        }
        let grant = store.api_key_by_hash(&hash).await?;
        let mut entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        if entries.len() >= MAX_ENTRIES {
            entries.clear();
        }
        entries.insert(hash, (grant.clone(), Instant::now()));
        Ok(grant)
    }

    fn cached(&self, hash: &[u8; 32]) -> Option<Option<ApiKeyGrant>> {
        let entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        let (grant, at) = entries.get(hash)?;
        let ttl = if grant.is_some() { self.ttl } else { self.negative_ttl };
        (at.elapsed() < ttl).then(|| grant.clone())
    }

    /// Forgets a key (after it is revoked) so it stops working on this node at once; other nodes follow
    /// within `ttl`.
    pub fn invalidate_key(&self, key_id: ApiKeyId) {
        let mut entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        entries.retain(|_, (grant, _)| grant.as_ref().is_none_or(|g| g.key_id != key_id));
    }

    pub fn record_use(&self, key_id: ApiKeyId) {
        self.used.lock().unwrap_or_else(|e| e.into_inner()).insert(key_id);
    }

    /// Writes recorded key use to the store; called periodically.
    pub async fn flush_use(&self, store: &dyn Store) -> StoreResult<()> {
        let ids: Vec<ApiKeyId> =
            std::mem::take(&mut *self.used.lock().unwrap_or_else(|e| e.into_inner())).into_iter().collect();
        if ids.is_empty() {
            return Ok(());
        }
        store.touch_api_keys(&ids, chrono::Utc::now()).await
    }
}
