//! Signing people in with OpenID Connect (authorization code flow with PKCE, confidential client): Google by
//! default, any issuer by configuration.
//!
//! What lives here: provider settings, discovery, the authorization URL, the code exchange and every ID token
//! check, on top of the `openidconnect` crate. What must not: HTTP routes, sessions, storage of the flow in
//! progress (`state`, `nonce`, PKCE verifier), account linking and sign-in policy (which domains, whether an
//! unverified e-mail is acceptable); those belong to the HTTP layer, which calls
//! [`OidcClient::begin`] when a sign-in starts and [`OidcClient::finish`] on the callback.
//!
//! Every provider call goes through [`OidcHttpClient`], which follows no redirects.

mod claims;
mod client;
mod config;
mod error;
mod http;

pub use claims::VerifiedIdentity;
pub use client::{Begin, OidcClient};
pub use config::{OidcProviderConfig, GOOGLE_ISSUER};
pub use error::OidcError;
pub use http::OidcHttpClient;
