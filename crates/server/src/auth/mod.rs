//! Who is calling: API keys (machines) and their scopes. Sessions for people come later (M1.4).
//!
//! What lives here: key generation and hashing, the key cache, the `Caller` extractor and per-key rate
//! limiting. What must not: resource-specific permission rules beyond "this scope is required".

pub mod api_key;
mod cache;
mod caller;
mod rate_limit;

pub use api_key::{GeneratedKey, Scope};
pub use cache::KeyCache;
pub use caller::Caller;
pub use rate_limit::RateLimit;
