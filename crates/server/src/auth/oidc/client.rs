//! One discovered provider: the authorization URL, the code exchange and the ID token check.

use std::sync::{Arc, PoisonError, RwLock};
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use openidconnect::core::{
    CoreAuthenticationFlow, CoreClient, CoreClientAuthMethod, CoreErrorResponseType, CoreIdToken, CoreJsonWebKeySet,
    CoreJwsSigningAlgorithm, CoreProviderMetadata,
};
use openidconnect::url::Url;
use openidconnect::{
    AuthType, AuthorizationCode, ClientId, ClientSecret, CsrfToken, DiscoveryError, EndpointNotSet, EndpointSet,
    HttpClientError, IssuerUrl, JsonWebKeySet, JsonWebKeySetUrl, JwsSigningAlgorithm, Nonce, PkceCodeChallenge,
    PkceCodeVerifier, RedirectUrl, RequestTokenError, Scope, StandardErrorResponse, TokenResponse,
};

use super::claims::{self, Expected, VerifiedIdentity};
use super::config::is_secure_or_loopback;
use super::{OidcError, OidcHttpClient, OidcProviderConfig};

/// Re-reading the provider's keys because a token names an unknown `kid` happens at most this often, so
/// forged tokens cannot make us hammer the provider.
const MIN_KEY_REFRESH_INTERVAL: Duration = Duration::from_secs(60);

/// Authorization and token endpoints set; the rest unused.
type ConfiguredClient = CoreClient<EndpointSet, EndpointNotSet, EndpointNotSet, EndpointNotSet, EndpointSet>;

type HttpError = HttpClientError<reqwest::Error>;

/// A provider after discovery. Cheap to clone; keep one per provider for the life of the process.
#[derive(Clone)]
pub struct OidcClient {
    inner: Arc<Inner>,
}

struct Inner {
    name: String,
    display_name: String,
    issuer: IssuerUrl,
    client_id: ClientId,
    client: ConfiguredClient,
    scopes: Vec<String>,
    algorithms: Vec<CoreJwsSigningAlgorithm>,
    jwks_uri: JsonWebKeySetUrl,
    keys: RwLock<Keys>,
    http: OidcHttpClient,
}

struct Keys {
    set: CoreJsonWebKeySet,
    fetched: Instant,
}

/// The start of a sign-in: send the browser to `authorize_url`; keep `state`, `nonce` and `pkce_verifier`
/// server-side (never in a URL or a log) until the callback.
pub struct Begin {
    pub authorize_url: Url,
    /// Compare with the callback's `state` parameter before calling [`OidcClient::finish`].
    pub state: String,
    pub nonce: String,
    pub pkce_verifier: String,
}

impl std::fmt::Debug for Begin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Begin").field("authorize_url", &self.authorize_url.as_str()).finish_non_exhaustive()
    }
}

impl std::fmt::Debug for OidcClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OidcClient")
            .field("name", &self.inner.name)
            .field("issuer", &self.inner.issuer.as_str())
            .field("client_id", &self.inner.client_id.as_str())
            .finish_non_exhaustive()
    }
}

impl OidcClient {
    /// Reads `{issuer}/.well-known/openid-configuration` and the provider's keys. The metadata must name
    /// exactly the configured issuer, and every endpoint must be `https` (or loopback `http` for a loopback
    /// issuer).
    pub async fn discover(config: &OidcProviderConfig, http: OidcHttpClient) -> Result<OidcClient, OidcError> {
        config.validate()?;
        let misconfigured = |reason: String| OidcError::Config { provider: config.name.clone(), reason };
        let issuer = IssuerUrl::new(config.issuer.clone()).map_err(|err| misconfigured(format!("issuer: {err}")))?;
        let redirect_url = RedirectUrl::new(config.redirect_url.clone())
            .map_err(|err| misconfigured(format!("redirect_url: {err}")))?;
        let metadata = CoreProviderMetadata::discover_async(issuer.clone(), http.inner())
            .await
            .map_err(|err| discovery_error(&config.issuer, err))?;
        let unusable = |reason: &str| OidcError::Discovery { issuer: config.issuer.clone(), reason: reason.to_owned() };

        let token_url =
            metadata.token_endpoint().cloned().ok_or_else(|| unusable("the metadata has no token_endpoint"))?;
        let issuer_url = issuer.url();
        for (field, url) in [
            ("authorization_endpoint", metadata.authorization_endpoint().url()),
            ("token_endpoint", token_url.url()),
            ("jwks_uri", metadata.jwks_uri().url()),
        ] {
            let allowed = url.scheme() == "https" || (issuer_url.scheme() == "http" && is_secure_or_loopback(url));
            if !allowed {
                return Err(unusable(&format!("{field} must use https")));
            }
        }
        let auth_type = match metadata.token_endpoint_auth_methods_supported() {
            // The default when the provider says nothing (OpenID Connect Discovery 1.0, section 3).
            None => AuthType::BasicAuth,
            Some(methods) if methods.contains(&CoreClientAuthMethod::ClientSecretBasic) => AuthType::BasicAuth,
            Some(methods) if methods.contains(&CoreClientAuthMethod::ClientSecretPost) => AuthType::RequestBody,
            Some(_) => {
                return Err(misconfigured(
                    "the provider supports neither client_secret_basic nor client_secret_post".into(),
                ))
            }
        };
        // Signatures only: `none` proves nothing, and HMAC keys (our client secret) are not the provider's.
        let mut algorithms: Vec<CoreJwsSigningAlgorithm> = metadata
            .id_token_signing_alg_values_supported()
            .iter()
            .filter(|alg| **alg != CoreJwsSigningAlgorithm::None && !alg.uses_shared_secret())
            .cloned()
            .collect();
        if algorithms.is_empty() {
            algorithms.push(CoreJwsSigningAlgorithm::RsaSsaPkcs1V15Sha256);
        }

        let client_id = ClientId::new(config.client_id.clone());
        let client = CoreClient::new(client_id.clone(), issuer.clone(), metadata.jwks().clone())
            .set_client_secret(ClientSecret::new(config.client_secret.expose().to_owned()))
            .set_auth_uri(metadata.authorization_endpoint().clone())
            .set_token_uri(token_url)
            .set_redirect_uri(redirect_url)
            .set_auth_type(auth_type);
        Ok(OidcClient {
            inner: Arc::new(Inner {
                name: config.name.clone(),
                display_name: config.display_name.clone(),
                issuer,
                client_id,
                client,
                scopes: config.extra_scopes(),
                algorithms,
                jwks_uri: metadata.jwks_uri().clone(),
                keys: RwLock::new(Keys { set: metadata.jwks().clone(), fetched: Instant::now() }),
                http,
            }),
        })
    }

    pub fn name(&self) -> &str {
        &self.inner.name
    }

    pub fn display_name(&self) -> &str {
        &self.inner.display_name
    }

    pub fn issuer(&self) -> &str {
        self.inner.issuer.as_str()
    }

    /// A new sign-in: authorization code flow with a PKCE S256 challenge and fresh random `state` and `nonce`.
    pub fn begin(&self) -> Begin {
        let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
        let mut request = self.inner.client.authorize_url(
            CoreAuthenticationFlow::AuthorizationCode,
            CsrfToken::new_random,
            Nonce::new_random,
        );
        for scope in &self.inner.scopes {
            request = request.add_scope(Scope::new(scope.clone()));
        }
        let (authorize_url, state, nonce) = request.set_pkce_challenge(challenge).url();
        Begin {
            authorize_url,
            state: state.secret().clone(),
            nonce: nonce.secret().clone(),
            pkce_verifier: verifier.secret().clone(),
        }
    }

    /// Checks the callback's `iss` parameter (RFC 9207) when the provider sends one: with several
    /// providers, a code must go back to the provider that issued it.
    pub fn check_callback_issuer(&self, iss: Option<&str>) -> Result<(), OidcError> {
        match iss {
            Some(iss) if iss != self.inner.issuer.as_str() => Err(OidcError::WrongIssuer),
            _ => Ok(()),
        }
    }

    /// Exchanges the callback's `code` (with the verifier and nonce kept from [`OidcClient::begin`]) and
    /// verifies the ID token. Call only after the callback's `state` matched the stored one.
    pub async fn finish(&self, code: &str, pkce_verifier: &str, nonce: &str) -> Result<VerifiedIdentity, OidcError> {
        let response = self
            .inner
            .client
            .exchange_code(AuthorizationCode::new(code.to_owned()))
            .set_pkce_verifier(PkceCodeVerifier::new(pkce_verifier.to_owned()))
            .request_async(self.inner.http.inner())
            .await
            .map_err(exchange_error)?;
        let id_token = response.id_token().ok_or(OidcError::MissingIdToken)?;
        match self.verify(id_token, nonce, Utc::now()) {
            // The provider may have rotated its keys since we read them.
            Err(OidcError::UnknownSigningKey) if self.keys_age() >= MIN_KEY_REFRESH_INTERVAL => {
                self.refresh_keys().await?;
                self.verify(id_token, nonce, Utc::now())
            }
            result => result,
        }
    }

    /// Verifies a compact-serialised ID token as of `now` against the keys read so far (no network).
    pub fn verify_id_token(
        &self,
        raw_jwt: &str,
        nonce: &str,
        now: DateTime<Utc>,
    ) -> Result<VerifiedIdentity, OidcError> {
        let token: CoreIdToken = raw_jwt.parse().map_err(|_| OidcError::InvalidToken)?;
        self.verify(&token, nonce, now)
    }

    /// Re-reads the provider's keys (after a key rotation).
    pub async fn refresh_keys(&self) -> Result<(), OidcError> {
        let set = JsonWebKeySet::fetch_async(&self.inner.jwks_uri, self.inner.http.inner())
            .await
            .map_err(|err| discovery_error(self.inner.issuer.as_str(), err))?;
        *self.inner.keys.write().unwrap_or_else(PoisonError::into_inner) = Keys { set, fetched: Instant::now() };
        Ok(())
    }

    fn keys_age(&self) -> Duration {
        self.inner.keys.read().unwrap_or_else(PoisonError::into_inner).fetched.elapsed()
    }

    fn verify(&self, token: &CoreIdToken, nonce: &str, now: DateTime<Utc>) -> Result<VerifiedIdentity, OidcError> {
        let keys = self.inner.keys.read().unwrap_or_else(PoisonError::into_inner).set.clone();
        let expected = Expected {
            client_id: &self.inner.client_id,
            issuer: &self.inner.issuer,
            algorithms: &self.inner.algorithms,
            keys,
        };
        claims::verify(token, expected, nonce, now)
    }
}

/// Texts without response bodies: a token endpoint's body may hold tokens.
fn discovery_error(issuer: &str, err: DiscoveryError<HttpError>) -> OidcError {
    let reason = match err {
        // The only validation discovery does: "unexpected issuer URI `found` (expected `configured`)".
        DiscoveryError::Validation(message) => {
            let found = message.split('`').nth(1).unwrap_or("another issuer").to_owned();
            return OidcError::IssuerMismatch { expected: issuer.to_owned(), found };
        }
        DiscoveryError::Request(err) => describe_http_error(&err),
        DiscoveryError::Response(status, _, _) if status.is_redirection() => {
            format!("answered {status}; redirects are not followed")
        }
        DiscoveryError::Response(status, _, message) => format!("answered {status}: {message}"),
        DiscoveryError::Parse(err) => format!("unreadable metadata or keys at `{}`: {}", err.path(), err.inner()),
        DiscoveryError::UrlParse(err) => format!("bad URL: {err}"),
        DiscoveryError::Other(message) => message,
        _ => "unexpected error".to_owned(),
    };
    OidcError::Discovery { issuer: issuer.to_owned(), reason }
}

type TokenError = RequestTokenError<HttpError, StandardErrorResponse<CoreErrorResponseType>>;

fn exchange_error(err: TokenError) -> OidcError {
    match err {
        RequestTokenError::ServerResponse(response) => match response.error() {
            CoreErrorResponseType::InvalidGrant => OidcError::CodeRejected,
            other => OidcError::ExchangeRefused { error: error_code(other.as_ref()) },
        },
        RequestTokenError::Request(err) => OidcError::TokenEndpoint(describe_http_error(&err)),
        RequestTokenError::Parse(_, _) => OidcError::TokenEndpoint("unreadable response".into()),
        RequestTokenError::Other(_) => OidcError::TokenEndpoint("unexpected response".into()),
    }
}

/// An OAuth error code as the provider sent it, reduced to what a code may contain (RFC 6749 allows
/// printable ASCII; we keep letters, digits, `_` and `-`, at most 64).
fn error_code(code: &str) -> String {
    code.chars().filter(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-')).take(64).collect()
}

fn describe_http_error(err: &HttpError) -> String {
    match err {
        HttpClientError::Reqwest(err) if err.is_timeout() => "timed out".into(),
        HttpClientError::Reqwest(err) if err.is_connect() => "cannot connect".into(),
        HttpClientError::Reqwest(err) => format!("request failed: {err}"),
        other => format!("request failed: {other}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn oauth_error_codes_are_reduced_to_safe_characters() {
        assert_eq!(error_code("invalid_client"), "invalid_client");
        assert_eq!(error_code("weird code\n<script>"), "weirdcodescript");
        assert_eq!(error_code(&"x".repeat(500)).len(), 64);
    }
}
