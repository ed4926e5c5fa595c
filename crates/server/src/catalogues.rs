//! Per-workspace field catalogues, cached: the custom attributes of a workspace are discovered by scanning
//! its customers, which is too slow to do on every keystroke of the rule builder.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use converge_domain::segment::Catalogue;
use converge_store::{Store, StoreResult};

/// How long a workspace's discovered attributes are reused before being scanned again.
const TTL: Duration = Duration::from_secs(60);

#[derive(Default)]
pub struct Catalogues {
    cached: Mutex<HashMap<i64, (Catalogue, Instant)>>,
}

impl Catalogues {
    pub async fn get(&self, store: &Arc<dyn Store>, workspace_id: i64) -> StoreResult<Catalogue> {
        if let Some((catalogue, at)) = self.cached.lock().unwrap_or_else(|e| e.into_inner()).get(&workspace_id) {
            if at.elapsed() < TTL {
                return Ok(catalogue.clone());
            }
        }
        let attributes = store.attribute_types(workspace_id).await?;
        let catalogue = Catalogue::with_attributes(&attributes);
        self.cached.lock().unwrap_or_else(|e| e.into_inner()).insert(workspace_id, (catalogue.clone(), Instant::now()));
        Ok(catalogue)
    }

    /// Forgets a workspace's catalogue (after an import that may add attributes, or in tests).
    pub fn forget(&self, workspace_id: i64) {
        self.cached.lock().unwrap_or_else(|e| e.into_inner()).remove(&workspace_id);
    }
}
