//! Settings of people's sign-in: the public address (cookies and redirect URLs), session lifetimes, login
//! throttling and first-run setup. Identity providers are configured under `auth.providers`.

use serde::{Deserialize, Serialize};

use crate::auth::oidc::OidcProviderConfig;
use crate::auth::ForwardedHeader;

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
    /// Failed sign-ins one client address may make on one account before that account is cooled off for
    /// that address (other addresses are not affected).
    pub login_failures_per_account_and_address: u32,
    /// Failed sign-ins one client address may make over all accounts before it is cooled off for all.
    pub login_failures_per_address: u32,
    /// Failed sign-ins an account may take from all addresses before it counts as under attack: then each
    /// address that has not failed on it yet gets one try, and addresses that have are refused.
    pub login_failures_per_account: u32,
    pub login_cooloff_secs: u64,
    /// Proxies (addresses or CIDR blocks) whose forwarding header is believed; empty by default: the TCP peer
    /// is the client. From a trusted peer the right-most hop of `forwarded_header` that is not itself
    /// trusted is the client.
    pub trusted_proxies: Vec<String>,
    /// `x-forwarded-for` (default) or `forwarded` (RFC 7239): the header trusted proxies append to. Only
    /// that one is read, so a client cannot slip in the other.
    pub forwarded_header: ForwardedHeader,
    /// Passwords hashed or verified at once (argon2: ~19 MiB and a core each); 0 = one per core.
    pub password_hashing_slots: usize,
    /// Sign-ins that may wait for a hashing slot; beyond, 503 with `Retry-After` at once.
    pub password_hashing_queue: usize,
    /// Longest wait for a hashing slot before 503 with `Retry-After`.
    pub password_hashing_wait_ms: u64,
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
            login_failures_per_account_and_address: 5,
            login_failures_per_address: 20,
            login_failures_per_account: 50,
            login_cooloff_secs: 15 * 60,
            trusted_proxies: Vec::new(),
            forwarded_header: ForwardedHeader::default(),
            password_hashing_slots: 0,
            password_hashing_queue: 64,
            password_hashing_wait_ms: 2_000,
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
