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

/// The channels of a stored settings document, by name.
pub const CHANNEL_NAMES: [&str; 3] = ["sms", "whatsapp", "email"];

/// The stored marker of a channel that follows the node's default vendor.
pub const DEFAULT_KIND: &str = "default";

/// A stored settings document with every `{"kind": "default"}` channel replaced by the node's default for
/// that channel (read at use, so a channel left on the default follows the operator's later changes), and
/// the names of the channels so replaced.
pub fn with_defaults(
    mut json: serde_json::Value,
    default: Option<&ChannelSettings>,
) -> Result<(ChannelSettings, Vec<&'static str>), SendersError> {
    let mut inherited = Vec::new();
    for name in CHANNEL_NAMES {
        let Some(entry) = json.get_mut(name) else { continue };
        if entry.get("kind").and_then(serde_json::Value::as_str) != Some(DEFAULT_KIND) {
            continue;
        }
        let Some(default) = default else {
            return Err(SendersError::Invalid(format!("{name} follows the server's default vendor, which is not set")));
        };
        let config = match name {
            "sms" => &default.sms,
            "whatsapp" => &default.whatsapp,
            _ => &default.email,
        };
        *entry = serde_json::to_value(config).map_err(|e| SendersError::Invalid(e.to_string()))?;
        inherited.push(name);
    }
    // Only the path: serde's message may quote the offending value, which could be a secret.
    let settings = serde_path_to_error::deserialize(json)
        .map_err(|err| SendersError::Invalid(format!("the stored settings do not parse at `{}`", err.path())))?;
    Ok((settings, inherited))
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
            Some(json) => with_defaults(json, self.default.as_ref()).map(|(settings, _)| settings),
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
