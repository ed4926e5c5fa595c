//! What can go wrong signing someone in with OpenID Connect.
//!
//! Texts name what failed and where, never a token, code, verifier or secret: they are logged, and a token
//! can be replayed by whoever reads the log.

/// A failed discovery, code exchange or ID token check.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum OidcError {
    /// The provider's settings are unusable (bad URL, unsupported client authentication, ...).
    #[error("OpenID provider `{provider}` is misconfigured: {reason}")]
    Config { provider: String, reason: String },
    /// Fetching or reading the provider's metadata or keys failed.
    #[error("OpenID discovery at {issuer} failed: {reason}")]
    Discovery { issuer: String, reason: String },
    /// The metadata names another issuer than the configured one (a typo, or a mix-up attempt).
    #[error("OpenID discovery at {expected}: the metadata names another issuer ({found})")]
    IssuerMismatch { expected: String, found: String },
    /// The provider answered `invalid_grant`: the code expired, was already used, or was issued to someone
    /// else. The person should simply sign in again.
    #[error("the provider refused the authorization code (invalid_grant)")]
    CodeRejected,
    /// The provider answered the token request with another OAuth error (`invalid_client`, ...): usually our
    /// configuration is wrong.
    #[error("the provider refused the token request ({error})")]
    ExchangeRefused { error: String },
    /// The token endpoint could not be reached or answered something unreadable.
    #[error("the token request failed: {0}")]
    TokenEndpoint(String),
    /// The token response carried no ID token (the `openid` scope was not granted).
    #[error("the token response carries no ID token")]
    MissingIdToken,
    /// Not a signed JWT we can read, or one using something unsupported (encryption, unknown claims format).
    #[error("the ID token is malformed or unsupported")]
    InvalidToken,
    /// The token names a key the provider does not publish (even after re-reading its keys).
    #[error("the ID token is signed with a key the provider does not publish")]
    UnknownSigningKey,
    /// The signature does not verify, or uses a disallowed algorithm (`none`, HMAC).
    #[error("the ID token signature is invalid")]
    InvalidSignature,
    /// The token's `iss` (or the callback's `iss` parameter) is not the configured issuer.
    #[error("the ID token comes from another issuer")]
    WrongIssuer,
    /// `aud` does not contain our client id, contains untrusted audiences, or `azp` is another client.
    #[error("the ID token was not issued to this client")]
    WrongAudience,
    #[error("the ID token has expired")]
    Expired,
    /// `iat` lies in the future beyond the allowed clock skew.
    #[error("the ID token is issued in the future")]
    NotYetValid,
    /// The token's nonce is not the one this sign-in sent (a replayed or injected token).
    #[error("the ID token nonce does not match this sign-in")]
    NonceMismatch,
    /// The identity has no e-mail address (the `email` scope was not granted).
    #[error("the provider returned no e-mail address")]
    EmailMissing,
    /// The provider has not verified the e-mail address it returned.
    #[error("the provider has not verified the e-mail address")]
    EmailUnverified,
}
