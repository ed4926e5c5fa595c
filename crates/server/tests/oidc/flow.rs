//! The whole sign-in: `begin` → provider → callback → `finish`.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use converge_server::auth::oidc::OidcError;
use sha2::{Digest, Sha256};

use crate::provider::{client_fixture, TestProvider, FIXTURES, OURS};

#[tokio::test]
async fn a_sign_in_returns_the_verified_identity() {
    let Some(op) = TestProvider::start().await else { return };
    let client = op.client(OURS).await;
    let (begin, callback) = op.sign_in(&client, "alice").await;

    assert_eq!(callback.state.as_deref(), Some(begin.state.as_str()), "state must round-trip unchanged");
    assert_eq!(callback.iss.as_deref(), Some(op.issuer.as_str()));
    client.check_callback_issuer(callback.iss.as_deref()).unwrap();
    let identity = client.finish(callback.code(), &begin.pkce_verifier, &begin.nonce).await.unwrap();

    assert_eq!(identity.issuer, op.issuer);
    assert_eq!(identity.subject, "alice");
    // The provider says `Alice.Martin@Example.COM`.
    assert_eq!(identity.email.as_deref(), Some("alice.martin@example.com"));
    assert!(identity.email_verified);
    assert_eq!(identity.name.as_deref(), FIXTURES.accounts["alice"].name.as_deref());
    assert_eq!(identity.verified_email(), Ok("alice.martin@example.com"));
}

#[tokio::test]
async fn unverified_missing_and_foreign_emails_are_reported_for_the_caller_to_judge() {
    let Some(op) = TestProvider::start().await else { return };
    let client = op.client(OURS).await;
    for (account, email, verified, expected) in [
        ("bob", Some("bob@example.com"), false, Err(OidcError::EmailUnverified)),
        ("dave", None, false, Err(OidcError::EmailMissing)),
        ("carol", Some("carol@elsewhere.test"), true, Ok("carol@elsewhere.test")),
    ] {
        let (begin, callback) = op.sign_in(&client, account).await;
        let identity = client.finish(callback.code(), &begin.pkce_verifier, &begin.nonce).await.unwrap();
        assert_eq!(identity.subject, account);
        assert_eq!(identity.email.as_deref(), email, "{account}");
        let fixture_email = FIXTURES.accounts[account].email.as_deref().map(str::to_lowercase);
        assert_eq!(identity.email, fixture_email, "{account}");
        assert_eq!(identity.email_verified, verified, "{account}");
        assert_eq!(FIXTURES.accounts[account].email_verified.unwrap_or(false), verified);
        assert_eq!(identity.verified_email(), expected, "{account}");
    }
}

#[tokio::test]
async fn a_replayed_code_is_refused() {
    let Some(op) = TestProvider::start().await else { return };
    let client = op.client(OURS).await;
    let (begin, callback) = op.sign_in(&client, "alice").await;

    client.finish(callback.code(), &begin.pkce_verifier, &begin.nonce).await.unwrap();
    let replayed = client.finish(callback.code(), &begin.pkce_verifier, &begin.nonce).await;
    assert_eq!(replayed, Err(OidcError::CodeRejected));
}

#[tokio::test]
async fn a_wrong_pkce_verifier_is_refused_by_the_provider() {
    let Some(op) = TestProvider::start().await else { return };
    let client = op.client(OURS).await;
    let (begin, callback) = op.sign_in(&client, "alice").await;
    let other = client.begin();

    let result = client.finish(callback.code(), &other.pkce_verifier, &begin.nonce).await;
    assert_eq!(result, Err(OidcError::CodeRejected));
}

#[tokio::test]
async fn a_wrong_nonce_is_refused() {
    let Some(op) = TestProvider::start().await else { return };
    let client = op.client(OURS).await;
    let (begin, callback) = op.sign_in(&client, "alice").await;
    let other = client.begin();

    let result = client.finish(callback.code(), &begin.pkce_verifier, &other.nonce).await;
    assert_eq!(result, Err(OidcError::NonceMismatch));
}

#[tokio::test]
async fn an_unknown_account_comes_back_as_an_error_without_a_code() {
    let Some(op) = TestProvider::start().await else { return };
    let client = op.client(OURS).await;
    let (begin, callback) = op.sign_in(&client, "nobody").await;
    assert_eq!(callback.error.as_deref(), Some("access_denied"));
    assert_eq!(callback.code, None);
    assert_eq!(callback.state.as_deref(), Some(begin.state.as_str()));
}

#[tokio::test]
async fn the_authorization_url_asks_for_a_code_with_an_s256_pkce_challenge() {
    let Some(op) = TestProvider::start().await else { return };
    let client = op.client(OURS).await;
    let begin = client.begin();
    let url = &begin.authorize_url;
    let param = |name: &str| {
        let values: Vec<String> = url.query_pairs().filter(|(k, _)| k == name).map(|(_, v)| v.into_owned()).collect();
        assert_eq!(values.len(), 1, "exactly one `{name}` in {url}");
        values[0].clone()
    };

    assert!(url.as_str().starts_with(&format!("{}/auth?", op.issuer)), "{url}");
    assert_eq!(param("response_type"), "code");
    assert_eq!(param("client_id"), OURS);
    assert_eq!(param("redirect_uri"), client_fixture(OURS).redirect_uris[0]);
    let mut scopes: Vec<String> = param("scope").split(' ').map(str::to_owned).collect();
    scopes.sort();
    assert_eq!(scopes, ["email", "openid", "profile"]);
    assert_eq!(param("state"), begin.state);
    assert_eq!(param("nonce"), begin.nonce);
    assert_eq!(param("code_challenge_method"), "S256");
    assert_eq!(param("code_challenge"), URL_SAFE_NO_PAD.encode(Sha256::digest(begin.pkce_verifier.as_bytes())));
    assert!(begin.pkce_verifier.len() >= 43, "RFC 7636 verifiers have at least 43 characters");
    assert!(!url.as_str().contains(&begin.pkce_verifier), "the verifier never leaves the server");
    assert!(!format!("{begin:?}").contains(&begin.pkce_verifier), "Debug hides the verifier");

    let again = client.begin();
    assert_ne!(again.state, begin.state);
    assert_ne!(again.nonce, begin.nonce);
    assert_ne!(again.pkce_verifier, begin.pkce_verifier);
}
