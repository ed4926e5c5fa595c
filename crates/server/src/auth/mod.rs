//! Who is calling: API keys (machines, with scopes) and signed-in people (sessions, with a role per
//! workspace).
//!
//! What lives here: key generation and hashing, the key cache, passwords, sessions and CSRF, login
//! throttling, the client address behind trusted proxies, bounded password hashing, the `Caller` extractor and rate limiting. What must not: resource-specific permission rules
//! beyond "this scope (or role) is required".

pub mod api_key;
mod cache;
mod caller;
mod client_address;
pub mod domain_proof;
mod hashing;
pub mod oidc;
pub mod password;
mod providers;
mod rate_limit;
pub mod session;
mod throttle;

pub use api_key::GeneratedKey;
pub use cache::KeyCache;
pub(crate) use caller::check_csrf;
pub use caller::{Caller, Principal, WORKSPACE_HEADER};
pub use client_address::{ClientAddress, ForwardedHeader};
pub use converge_domain::Scope;
pub use hashing::PasswordWork;
pub use providers::OidcProviders;
pub use rate_limit::{RateKey, RateLimit};
pub use session::SessionPolicy;
pub use throttle::{Limits as LoginLimits, LoginThrottle, Reservation};
