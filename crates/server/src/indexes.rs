//! Per-workspace in-memory audience indexes on this node, kept exact from the store's change log.
//!
//! A preview answers from the index when it is loaded: first it applies every change committed since the
//! index was last brought up to date (one small query), then it evaluates the rule in memory. While a
//! workspace's index is loading (in the background, on first use), previews are answered by SQL, which
//! gives the same numbers more slowly. Concurrent previews share one catch-up: a request that arrives while
//! another catch-up is running waits for it only if that catch-up started after the request arrived.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use converge_audience::AudienceIndex;
use converge_domain::segment::Rule;
use converge_domain::{CustomerId, WorkspaceId};
use converge_store::feed::ChangeMark;
use converge_store::{CustomerRow, Store, StoreResult};
use tokio::sync::{Mutex as AsyncMutex, RwLock};

/// Change-log rows older than this are pruned; an index idle longer than half of it reloads in full.
pub const CHANGE_RETENTION: Duration = Duration::from_secs(3600);

/// Where a preview's numbers came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Source {
    /// The in-memory index, brought up to date just before evaluating.
    Index,
    /// SQL on the database (the index is still loading).
    Database,
}

pub struct Preview {
    pub count: u64,
    pub sample: Vec<CustomerRow>,
    pub source: Source,
}

struct Loaded {
    index: AudienceIndex,
    mark: ChangeMark,
    /// When the last catch-up started (its data is at least that fresh).
    synced_from: Instant,
}

#[derive(Default)]
struct WorkspaceIndex {
    loaded: RwLock<Option<Loaded>>,
    catch_up: AsyncMutex<()>,
    loading: std::sync::atomic::AtomicBool,
}

#[derive(Default)]
pub struct Audiences {
    workspaces: Mutex<HashMap<WorkspaceId, Arc<WorkspaceIndex>>>,
}

impl Audiences {
    fn workspace(&self, workspace_id: WorkspaceId) -> Arc<WorkspaceIndex> {
        let mut map = self.workspaces.lock().unwrap_or_else(|e| e.into_inner());
        map.entry(workspace_id).or_default().clone()
    }

    /// The exact count of customers matching `rule` now, with up to `sample` of them.
    pub async fn preview(
        &self,
        store: &Arc<dyn Store>,
        workspace_id: WorkspaceId,
        rule: &Rule,
        now: DateTime<Utc>,
        sample: u32,
    ) -> StoreResult<Preview> {
        let arrived = Instant::now();
        let workspace = self.workspace(workspace_id);
        let ready = match self.catch_up(store, &workspace, workspace_id, arrived).await {
            Ok(ready) => ready,
            Err(err) => {
                tracing::warn!(workspace_id = workspace_id.get(), error = %err, "audience index catch-up failed; answering from SQL");
                false
            }
        };
        if ready {
            let guard = workspace.loaded.read().await;
            if let Some(loaded) = guard.as_ref() {
                let (count, ids) = loaded.index.count_and_sample(rule, now, sample as usize);
                drop(guard);
                let ids: Vec<CustomerId> = ids.into_iter().map(CustomerId::new).collect();
                let sample =
                    if ids.is_empty() { Vec::new() } else { store.customers_by_ids(workspace_id, &ids).await? };
                return Ok(Preview { count, sample, source: Source::Index });
            }
        }
        self.start_loading(store.clone(), workspace.clone(), workspace_id);
        let count = store.segment_count(workspace_id, rule, now).await?;
        let sample =
            if sample == 0 { Vec::new() } else { store.segment_sample(workspace_id, rule, now, sample).await? };
        Ok(Preview { count, sample, source: Source::Database })
    }

    /// Brings a loaded index up to date; false when there is no usable index.
    async fn catch_up(
        &self,
        store: &Arc<dyn Store>,
        workspace: &WorkspaceIndex,
        workspace_id: WorkspaceId,
        arrived: Instant,
    ) -> StoreResult<bool> {
        let _turn = workspace.catch_up.lock().await;
        let mark = match workspace.loaded.read().await.as_ref() {
            None => return Ok(false),
            Some(loaded) if loaded.synced_from >= arrived => return Ok(true),
            Some(loaded) if loaded.synced_from.elapsed() > CHANGE_RETENTION / 2 => None,
            Some(loaded) => Some(loaded.mark),
        };
        let Some(mark) = mark else {
            // Idle so long that the change log may have been pruned past our mark: reload in full.
            *workspace.loaded.write().await = None;
            return Ok(false);
        };
        let started = Instant::now();
        let changes = store.audience_changes(workspace_id, mark).await?;
        let mut guard = workspace.loaded.write().await;
        if let Some(loaded) = guard.as_mut() {
            for (id, facts) in &changes.customers {
                loaded.index.upsert(*id, facts);
            }
            loaded.mark = changes.mark;
            loaded.synced_from = started;
            metrics::gauge!("converge_audience_index_customers", "workspace" => workspace_id.to_string())
                .set(loaded.index.len() as f64);
        }
        Ok(true)
    }

    /// Loads the workspace's index in the background unless a load is already running.
    fn start_loading(&self, store: Arc<dyn Store>, workspace: Arc<WorkspaceIndex>, workspace_id: WorkspaceId) {
        use std::sync::atomic::Ordering;
        if workspace.loading.swap(true, Ordering::SeqCst) {
            return;
        }
        tokio::spawn(async move {
            if let Err(err) = load(store.as_ref(), &workspace, workspace_id).await {
                tracing::error!(workspace_id = workspace_id.get(), error = %err, "could not load the audience index");
            }
            workspace.loading.store(false, Ordering::SeqCst);
        });
    }

    /// Loads (or reloads) a workspace's index and waits for it; for tests and warm-up.
    pub async fn load_now(&self, store: &Arc<dyn Store>, workspace_id: WorkspaceId) -> StoreResult<()> {
        load(store.as_ref(), &self.workspace(workspace_id), workspace_id).await
    }
}

/// Builds a workspace's index from a snapshot and installs it.
async fn load(store: &dyn Store, workspace: &WorkspaceIndex, workspace_id: WorkspaceId) -> StoreResult<()> {
    let started = Instant::now();
    let snapshot = store.audience_snapshot(workspace_id).await?;
    let index = AudienceIndex::from_facts(snapshot.customers);
    tracing::info!(
        workspace_id = workspace_id.get(),
        customers = index.len(),
        bytes = index.memory_bytes(),
        seconds = started.elapsed().as_secs_f64(),
        "audience index loaded"
    );
    let labels = [("workspace", workspace_id.to_string())];
    metrics::gauge!("converge_audience_index_bytes", &labels).set(index.memory_bytes() as f64);
    metrics::gauge!("converge_audience_index_customers", &labels).set(index.len() as f64);
    *workspace.loaded.write().await = Some(Loaded { index, mark: snapshot.mark, synced_from: started });
    Ok(())
}
