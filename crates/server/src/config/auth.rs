//! Settings of people's sign-in: the public address (cookies and redirect URLs), session lifetimes, login
//! throttling and first-run setup. Identity providers are configured under `auth.providers`.

use serde::{Deserialize, Serialize};

use crate::auth::oidc::OidcProviderConfig;

#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct AuthSettings {
    /// Where people reach Converge, e.g. `https://crm.brand.in`: OpenID Connect redirect URLs are built from
    /// it, an `https` URL makes session cookies `Secure`, and browser requests must come from its origin.
    /// Unset: `http://<bind address>`, and the request's own host is the allowed origin.
    pub public_url: Option<String>,
    /// A session unused this long ends.
    pub session_idle_minutes: i64,
    /// A session ends this long after sign-in, used or not.
    pub session_absolute_hours: i64,
    /// Failed sign-ins per account, and per client address, before a cooling-off period.
    pub login_failures_per_account: u32,
    pub login_failures_per_address: u32,
    pub login_cooloff_secs: u64,
    /// How long the first-run setup link stays valid.
    pub setup_link_hours: i64,
    /// OpenID providers people may sign in with (`[[auth.providers]]` in the TOML file): Google when its
    /// `issuer` is left out. Each needs `name`, `display_name`, `client_id`, `client_secret` and
    /// `redirect_url` = `<public_url>/api/v1/auth/oidc/<name>/callback`.
    pub providers: Vec<OidcProviderConfig>,
}

impl Default for AuthSettings {
    fn default() -> Self {
        Self {
            public_url: None,
            session_idle_minutes: 12 * 60,
            session_absolute_hours: 7 * 24,
            login_failures_per_account: 5,
            login_failures_per_address: 20,
            login_cooloff_secs: 15 * 60,
            setup_link_hours: 24,
            providers: Vec::new(),
        }
    }
}

impl AuthSettings {
    /// Whether cookies get `Secure`.
    pub fn is_https(&self) -> bool {
        self.public_url.as_deref().is_some_and(|url| url.starts_with("https://"))
    }
}
