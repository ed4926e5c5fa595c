//! `verify_id_token` on real tokens from the provider, as issued and tampered with, at fabricated times.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use chrono::{DateTime, TimeDelta, Utc};
use converge_server::auth::oidc::{OidcClient, OidcError};
use serde_json::Value;

use crate::provider::{TestProvider, OTHER, OURS};

/// A real ID token issued to our client for alice, with its nonce.
async fn real_token(op: &TestProvider, client: &OidcClient) -> (String, String) {
    let (begin, callback) = op.sign_in(client, "alice").await;
    let raw = op.exchange_raw(OURS, callback.code(), &begin.pkce_verifier).await;
    (raw, begin.nonce)
}

fn parts(raw: &str) -> [String; 3] {
    let parts: Vec<&str> = raw.split('.').collect();
    assert_eq!(parts.len(), 3, "a JWS in compact form");
    [parts[0].to_owned(), parts[1].to_owned(), parts[2].to_owned()]
}

fn decode(part: &str) -> Value {
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(part).unwrap()).unwrap()
}

fn encode(value: &Value) -> String {
    URL_SAFE_NO_PAD.encode(serde_json::to_vec(value).unwrap())
}

fn time_claim(raw: &str, claim: &str) -> DateTime<Utc> {
    let seconds = decode(&parts(raw)[1])[claim].as_i64().unwrap();
    DateTime::from_timestamp(seconds, 0).unwrap()
}

#[tokio::test]
async fn a_real_token_verifies_until_it_expires() {
    let Some(op) = TestProvider::start().await else { return };
    let client = op.client(OURS).await;
    let (raw, nonce) = real_token(&op, &client).await;
    let exp = time_claim(&raw, "exp");

    let identity = client.verify_id_token(&raw, &nonce, Utc::now()).unwrap();
    assert_eq!(identity.subject, "alice");
    // Re-reading the provider's keys keeps them usable.
    client.refresh_keys().await.unwrap();
    assert_eq!(client.verify_id_token(&raw, &nonce, Utc::now()), Ok(identity));
    // Within the clock skew after `exp`: still accepted.
    assert!(client.verify_id_token(&raw, &nonce, exp + TimeDelta::seconds(30)).is_ok());
    assert_eq!(client.verify_id_token(&raw, &nonce, exp + TimeDelta::hours(1)), Err(OidcError::Expired));
}

#[tokio::test]
async fn a_token_from_the_future_is_refused() {
    let Some(op) = TestProvider::start().await else { return };
    let client = op.client(OURS).await;
    let (raw, nonce) = real_token(&op, &client).await;
    let iat = time_claim(&raw, "iat");

    assert_eq!(client.verify_id_token(&raw, &nonce, iat - TimeDelta::hours(1)), Err(OidcError::NotYetValid));
}

#[tokio::test]
async fn a_token_issued_to_another_client_is_refused() {
    let Some(op) = TestProvider::start().await else { return };
    let ours = op.client(OURS).await;
    let theirs = op.client(OTHER).await;
    let (begin, callback) = op.sign_in(&theirs, "alice").await;
    let raw = op.exchange_raw(OTHER, callback.code(), &begin.pkce_verifier).await;

    // A good token, for them.
    assert!(theirs.verify_id_token(&raw, &begin.nonce, Utc::now()).is_ok());
    assert_eq!(ours.verify_id_token(&raw, &begin.nonce, Utc::now()), Err(OidcError::WrongAudience));
}

#[tokio::test]
async fn a_wrong_nonce_is_refused() {
    let Some(op) = TestProvider::start().await else { return };
    let client = op.client(OURS).await;
    let (raw, _) = real_token(&op, &client).await;

    assert_eq!(client.verify_id_token(&raw, "another-nonce", Utc::now()), Err(OidcError::NonceMismatch));
    assert_eq!(client.verify_id_token(&raw, "", Utc::now()), Err(OidcError::NonceMismatch));
}

#[tokio::test]
async fn a_tampered_signature_is_refused() {
    let Some(op) = TestProvider::start().await else { return };
    let client = op.client(OURS).await;
    let (raw, nonce) = real_token(&op, &client).await;
    let [header, payload, signature] = parts(&raw);
    let mut signature = URL_SAFE_NO_PAD.decode(signature).unwrap();
    signature[0] ^= 0x01;
    let tampered = format!("{header}.{payload}.{}", URL_SAFE_NO_PAD.encode(signature));

    assert_eq!(client.verify_id_token(&tampered, &nonce, Utc::now()), Err(OidcError::InvalidSignature));
}

#[tokio::test]
async fn a_tampered_payload_is_refused() {
    let Some(op) = TestProvider::start().await else { return };
    let client = op.client(OURS).await;
    let (raw, nonce) = real_token(&op, &client).await;
    let [header, payload, signature] = parts(&raw);
    let mut claims = decode(&payload);
    assert_eq!(claims["email"], "Alice.Martin@Example.COM");
    claims["email"] = "mallory@example.com".into();
    let tampered = format!("{header}.{}.{signature}", encode(&claims));

    assert_eq!(client.verify_id_token(&tampered, &nonce, Utc::now()), Err(OidcError::InvalidSignature));
}

#[tokio::test]
async fn unsigned_and_unknown_key_tokens_are_refused() {
    let Some(op) = TestProvider::start().await else { return };
    let client = op.client(OURS).await;
    let (raw, nonce) = real_token(&op, &client).await;
    let [header, payload, signature] = parts(&raw);

    let mut none = decode(&header);
    none["alg"] = "none".into();
    let unsigned = format!("{}.{payload}.", encode(&none));
    assert_eq!(client.verify_id_token(&unsigned, &nonce, Utc::now()), Err(OidcError::InvalidSignature));

    let mut hmac = decode(&header);
    hmac["alg"] = "HS256".into();
    let symmetric = format!("{}.{payload}.{signature}", encode(&hmac));
    assert_eq!(client.verify_id_token(&symmetric, &nonce, Utc::now()), Err(OidcError::InvalidSignature));

    let mut unknown = decode(&header);
    unknown["kid"] = "not-a-published-key".into();
    let unknown = format!("{}.{payload}.{signature}", encode(&unknown));
    assert_eq!(client.verify_id_token(&unknown, &nonce, Utc::now()), Err(OidcError::UnknownSigningKey));

    assert_eq!(client.verify_id_token("not.a.jwt", &nonce, Utc::now()), Err(OidcError::InvalidToken));
}

#[tokio::test]
async fn error_texts_carry_no_token_material() {
    let Some(op) = TestProvider::start().await else { return };
    let client = op.client(OURS).await;
    let (begin, callback) = op.sign_in(&client, "alice").await;
    client.finish(callback.code(), &begin.pkce_verifier, &begin.nonce).await.unwrap();
    let err = client.finish(callback.code(), &begin.pkce_verifier, &begin.nonce).await.unwrap_err();
    let text = format!("{err} {err:?}");
    for secret in [callback.code(), begin.pkce_verifier.as_str(), begin.nonce.as_str()] {
        assert!(!text.contains(secret), "{text}");
    }
    let debug = format!("{client:?}");
    assert!(!debug.contains(&crate::provider::client_fixture(OURS).client_secret), "{debug}");
}
