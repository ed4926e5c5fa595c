//! The node's AI assistant (built from `ai.*` settings) and what it needs from the store that is too slow to
//! read per request: each workspace's most common city names, cached for a minute like field catalogues.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::Context;
use converge_ai::Assistant;
use converge_store::{Store, StoreResult};

use crate::config::AiSettings;
use converge_domain::WorkspaceId;

/// How long a workspace's city names are reused before being read again.
const CITIES_TTL: Duration = Duration::from_secs(60);

/// Each workspace's city names and when they were read.
type CityCache = Mutex<HashMap<WorkspaceId, (Arc<Vec<String>>, Instant)>>;

pub struct AiService {
    pub assistant: Assistant,
    cities: CityCache,
}

impl AiService {
    /// Builds the configured assistant; a configuration that can never work (Gemini without a key, a base
    /// URL that is not http(s)) fails the start rather than every request.
    pub fn from_settings(settings: &AiSettings) -> anyhow::Result<AiService> {
        let provider = converge_ai::build_provider(&settings.provider_config()).context("ai settings")?;
        let assistant = Assistant::new(provider);
        tracing::info!(provider = assistant.provider(), "AI assistant ready");
        Ok(AiService { assistant, cities: Mutex::new(HashMap::new()) })
    }

    /// The workspace's most common city names (at most [`converge_ai::text_rule::MAX_CITIES`]).
    pub async fn cities(&self, store: &Arc<dyn Store>, workspace_id: WorkspaceId) -> StoreResult<Arc<Vec<String>>> {
        let hit = self.cities.lock().unwrap_or_else(|e| e.into_inner()).get(&workspace_id).cloned();
        if let Some((cities, at)) = hit {
            if at.elapsed() < CITIES_TTL {
                return Ok(cities);
            }
        }
        let limit = u32::try_from(converge_ai::text_rule::MAX_CITIES).unwrap_or(50);
        let cities: Vec<String> =
            store.top_cities(workspace_id, limit).await?.into_iter().map(|(name, _)| name).collect();
        let cities = Arc::new(cities);
        self.cities.lock().unwrap_or_else(|e| e.into_inner()).insert(workspace_id, (cities.clone(), Instant::now()));
        Ok(cities)
    }
}
