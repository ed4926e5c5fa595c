//! Shared application state handed to every handler and worker.

use std::sync::Arc;

use converge_queue::Queue;
use converge_store::Store;
use metrics_exporter_prometheus::PrometheusHandle;

use crate::auth::{KeyCache, RateLimit};
use crate::config::Settings;

pub struct AppState {
    pub store: Arc<dyn Store>,
    /// In-memory audience indexes of this node.
    pub audiences: crate::indexes::Audiences,
    /// Cached field catalogues per workspace.
    pub catalogues: crate::catalogues::Catalogues,
    pub queue: Arc<dyn Queue>,
    pub keys: KeyCache,
    pub rate_limit: RateLimit,
    pub settings: Settings,
    pub metrics: PrometheusHandle,
    /// Each workspace's channel senders (cached), with the node's default vendor.
    pub senders: Arc<crate::delivery::WorkspaceSenders>,
    /// This node's per-workspace send rate, shared by its dispatchers.
    pub send_rate: Arc<crate::delivery::SendRate>,
    /// Vendor requests in flight at once on this node, shared by its dispatchers.
    pub send_slots: Arc<tokio::sync::Semaphore>,
    /// Campaign timelines, cached briefly (campaign pages poll them).
    pub timelines: crate::delivery::Timelines,
    /// Failed sign-ins per account and address (this node's view).
    pub login_throttle: crate::auth::LoginThrottle,
    /// Who the client is (the TCP peer, or what trusted proxies say).
    pub client_address: crate::auth::ClientAddress,
    /// Bounded argon2 work (hashing slots and a bounded queue).
    pub password_work: crate::auth::PasswordWork,
    /// The configured OpenID providers, discovered on first use.
    pub oidc: crate::auth::OidcProviders,
    /// The AI assistant (built-in unless `ai.provider` names a remote one) and its per-workspace caches.
    pub ai: crate::ai::AiService,
    /// Signs and verifies unsubscribe links (per-workspace keys, cached).
    pub links: Arc<crate::consent::Links>,
    /// What the node's own vendor signs delivery receipts with (see `delivery::signing`).
    pub signing_secret: crate::config::Secret,
}

impl AppState {
    /// Session lifetimes and cookie attributes, from the settings.
    pub fn session_policy(&self) -> crate::auth::SessionPolicy {
        let auth = &self.settings.auth;
        crate::auth::SessionPolicy {
            idle: chrono::Duration::minutes(auth.session_idle_minutes.max(1)),
            absolute: chrono::Duration::hours(auth.session_absolute_hours.max(1)),
            secure: auth.is_https(),
        }
    }
}

pub type SharedState = Arc<AppState>;

/// Stream names and consumer groups, one place.
pub mod streams {
    pub const INGEST: &str = "ingest";
    pub const INGEST_GROUP: &str = "persisters";
    /// Verified vendor delivery receipts, one entry per receipt, waiting for the batch applier.
    pub const RECEIPTS: &str = "receipts";
    pub const RECEIPTS_GROUP: &str = "receipt-appliers";
}
