//! [`WorkspaceSenders`]: each workspace's channel senders, built from its stored channel settings (or the
//! node's default vendor) and cached briefly, so a settings change on any node takes effect everywhere
//! within [`SENDERS_TTL`] and at once on the node that made it.
//!
//! Whatever a workspace stored goes through the tenant egress policy (`egress.allow`), checked on every
//! connection; only the node's own vendor (the default route, the operator's destination, usually on a
//! private network or, embedded, on loopback) is exempt (see `ChannelSenders::build`).

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use converge_channels::{ChannelSenders, ChannelSettings, Secret};
use converge_domain::WorkspaceId;
use converge_egress::EgressPolicy;
use converge_store::Store;

/// How long built senders are reused before the workspace's settings are read again.
pub const SENDERS_TTL: Duration = Duration::from_secs(30);

/// Why a workspace has no senders.
#[derive(Debug, thiserror::Error)]
pub enum SendersError {
    #[error("no channel settings: configure the workspace's channels or a default vendor (vendor.base_url)")]
    NotConfigured,
    #[error("the workspace's channel settings are invalid: {0}")]
    Invalid(String),
    #[error(transparent)]
    Store(#[from] converge_store::StoreError),
}

pub struct WorkspaceSenders {
    /// The node's default: every channel through this vendor. `None` without a vendor or simulator.
    default: Option<ChannelSettings>,
    /// What destinations a workspace chose may be.
    egress: EgressPolicy,
    cache: Mutex<HashMap<WorkspaceId, (Instant, ChannelSenders)>>,
}

impl WorkspaceSenders {
    /// `vendor_base_url` and `api_key` make the default for workspaces that stored no settings; `egress` is
    /// the policy for the destinations workspaces store.
    pub fn new(vendor_base_url: Option<String>, api_key: &str, egress: EgressPolicy) -> WorkspaceSenders {
        let default = vendor_base_url.map(|url| ChannelSettings::all_vendor(url, Secret::new(api_key)));
        WorkspaceSenders { default, egress, cache: Mutex::new(HashMap::new()) }
    }

    /// The policy for destinations a workspace chose.
    pub fn egress(&self) -> &EgressPolicy {
        &self.egress
    }

    /// The settings a workspace uses now: its own, else the default.
    pub async fn settings(
        &self,
        store: &dyn Store,
        workspace_id: WorkspaceId,
    ) -> Result<ChannelSettings, SendersError> {
        match store.channel_settings(workspace_id).await? {
            Some(json) => serde_json::from_value(json).map_err(|e| SendersError::Invalid(e.to_string())),
            None => self.default.clone().ok_or(SendersError::NotConfigured),
        }
    }

    /// The default settings (what a workspace without its own uses), if there is a default vendor.
    pub fn default_settings(&self) -> Option<&ChannelSettings> {
        self.default.as_ref()
    }

    /// The workspace's senders, built at most once per [`SENDERS_TTL`].
    pub async fn for_workspace(
        &self,
        store: &dyn Store,
        workspace_id: WorkspaceId,
    ) -> Result<ChannelSenders, SendersError> {
        if let Some(senders) = self.cached(workspace_id) {
            return Ok(senders);
        }
        let settings = self.settings(store, workspace_id).await?;
        let senders =
            ChannelSenders::build(&settings, &self.egress).map_err(|e| SendersError::Invalid(e.to_string()))?;
        if let Ok(mut cache) = self.cache.lock() {
            cache.insert(workspace_id, (Instant::now(), senders.clone()));
        }
        Ok(senders)
    }

    /// Forgets a workspace's senders (after its settings changed on this node).
    pub fn invalidate(&self, workspace_id: WorkspaceId) {
        if let Ok(mut cache) = self.cache.lock() {
            cache.remove(&workspace_id);
        }
    }

    fn cached(&self, workspace_id: WorkspaceId) -> Option<ChannelSenders> {
        let cache = self.cache.lock().ok()?;
        let (built, senders) = cache.get(&workspace_id)?;
        (built.elapsed() < SENDERS_TTL).then(|| senders.clone())
    }
}
