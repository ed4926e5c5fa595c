//! Per-workspace field catalogues, cached: the custom attributes of a workspace are discovered by scanning
//! its customers, which is too slow to do on every keystroke of the rule builder. A stale entry is still
//! served while one background task rescans, so no request waits for a rescan once the first scan is done.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use converge_domain::segment::Catalogue;
use converge_domain::WorkspaceId;
use converge_store::{Store, StoreResult};

/// How long a workspace's discovered attributes are reused before being scanned again.
const TTL: Duration = Duration::from_secs(60);

type Cache = Arc<Mutex<HashMap<WorkspaceId, (Catalogue, Instant)>>>;

#[derive(Default)]
pub struct Catalogues {
    cached: Cache,
    refreshing: Arc<Mutex<std::collections::HashSet<WorkspaceId>>>,
}

impl Catalogues {
    pub async fn get(&self, store: &Arc<dyn Store>, workspace_id: WorkspaceId) -> StoreResult<Catalogue> {
        let hit = self.cached.lock().unwrap_or_else(|e| e.into_inner()).get(&workspace_id).cloned();
        match hit {
            Some((catalogue, at)) if at.elapsed() < TTL => Ok(catalogue),
            Some((catalogue, _)) => {
                self.refresh_in_background(store.clone(), workspace_id);
                Ok(catalogue)
            }
            None => {
                let catalogue = scan(store.as_ref(), workspace_id).await?;
                self.cached
                    .lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .insert(workspace_id, (catalogue.clone(), Instant::now()));
                Ok(catalogue)
            }
        }
    }

    fn refresh_in_background(&self, store: Arc<dyn Store>, workspace_id: WorkspaceId) {
        if !self.refreshing.lock().unwrap_or_else(|e| e.into_inner()).insert(workspace_id) {
            return;
        }
        let (cached, refreshing) = (self.cached.clone(), self.refreshing.clone());
        tokio::spawn(async move {
            match scan(store.as_ref(), workspace_id).await {
                Ok(catalogue) => {
                    cached.lock().unwrap_or_else(|e| e.into_inner()).insert(workspace_id, (catalogue, Instant::now()));
                }
                Err(err) => {
                    tracing::warn!(workspace_id = workspace_id.get(), error = %err, "could not refresh the field catalogue")
                }
            }
            refreshing.lock().unwrap_or_else(|e| e.into_inner()).remove(&workspace_id);
        });
    }
}

async fn scan(store: &dyn Store, workspace_id: WorkspaceId) -> StoreResult<Catalogue> {
    Ok(Catalogue::with_attributes(&store.attribute_types(workspace_id).await?))
}
