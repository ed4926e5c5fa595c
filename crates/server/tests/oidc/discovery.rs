//! Discovery refuses what it must: another issuer's metadata, redirects, unreachable providers.

use converge_server::auth::oidc::{OidcClient, OidcError, OidcHttpClient, OidcProviderConfig};

use crate::provider::{TestProvider, OURS};
use crate::responder::Responder;

async fn discover(config: &OidcProviderConfig) -> Result<OidcClient, OidcError> {
    OidcClient::discover(config, OidcHttpClient::new().unwrap()).await
}

#[tokio::test]
async fn metadata_naming_another_issuer_is_refused() {
    let Some(op) = TestProvider::start().await else { return };
    // The provider's real metadata, served from another origin: what a mix-up attack would look like.
    let metadata =
        reqwest::get(format!("{}/.well-known/openid-configuration", op.issuer)).await.unwrap().text().await.unwrap();
    let impostor = Responder::start("200 OK", &[("Content-Type", "application/json")], &metadata).await;
    let config = OidcProviderConfig { issuer: impostor.url.clone(), ..op.config(OURS) };

    let err = discover(&config).await.unwrap_err();
    assert_eq!(err, OidcError::IssuerMismatch { expected: impostor.url.clone(), found: op.issuer.clone() });
    assert_eq!(impostor.hits(), 1, "keys are not even fetched");
}

#[tokio::test]
async fn discovery_follows_no_redirect() {
    let target = Responder::start("200 OK", &[("Content-Type", "application/json")], "{}").await;
    let location = format!("{}/.well-known/openid-configuration", target.url);
    let redirector = Responder::start("302 Found", &[("Location", &location)], "").await;
    let config = OidcProviderConfig { issuer: redirector.url.clone(), ..config_for_nothing() };

    let err = discover(&config).await.unwrap_err();
    match &err {
        OidcError::Discovery { issuer, reason } => {
            assert_eq!(issuer, &redirector.url);
            assert!(reason.contains("302"), "{reason}");
        }
        other => panic!("expected a discovery error, got {other:?}"),
    }
    assert_eq!(redirector.hits(), 1);
    assert_eq!(target.hits(), 0, "the redirect must not be followed");
}

#[tokio::test]
async fn an_unreachable_provider_is_a_discovery_error() {
    // Bound then dropped: nothing listens there any more.
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let config = OidcProviderConfig { issuer: format!("http://127.0.0.1:{port}"), ..config_for_nothing() };

    let err = discover(&config).await.unwrap_err();
    assert!(matches!(err, OidcError::Discovery { .. }), "{err:?}");
}

#[tokio::test]
async fn a_plain_http_issuer_elsewhere_than_loopback_is_refused_before_any_request() {
    let config = OidcProviderConfig { issuer: "http://accounts.example".into(), ..config_for_nothing() };
    let err = discover(&config).await.unwrap_err();
    assert!(matches!(err, OidcError::Config { .. }), "{err:?}");
}

/// A valid configuration whose issuer each test replaces.
fn config_for_nothing() -> OidcProviderConfig {
    OidcProviderConfig::google(
        "client",
        converge_server::config::Secret::new("secret"),
        "http://127.0.0.1:9/auth/oidc/google/callback",
    )
}
