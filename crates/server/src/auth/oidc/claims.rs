//! Checking an ID token and reading who it names.
//!
//! openidconnect checks the signature against the provider's keys, `iss`, `aud` (our client id, and no
//! audience we do not know), `exp` and `nonce`; we add what it leaves to the relying party: `azp`, `iat` not
//! in the future, a small clock skew, and a non-empty `sub`.

use chrono::{DateTime, TimeDelta, Utc};
use openidconnect::core::{CoreIdToken, CoreIdTokenVerifier, CoreJsonWebKeySet, CoreJwsSigningAlgorithm};
use openidconnect::{ClaimsVerificationError, ClientId, IssuerUrl, Nonce, SignatureVerificationError};

use super::OidcError;

/// How far our clock and the provider's may disagree, for `exp` and `iat`.
const CLOCK_SKEW_SECONDS: i64 = 60;

/// A person the provider vouches for, after every check passed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VerifiedIdentity {
    pub issuer: String,
    /// The provider's stable id for the person; `(issuer, subject)` is the key to link accounts on, never
    /// the e-mail address.
    pub subject: String,
    /// Trimmed and lower-cased.
    pub email: Option<String>,
    /// Whether the provider says it verified `email`; absent counts as not verified.
    pub email_verified: bool,
    pub name: Option<String>,
}

impl VerifiedIdentity {
    /// The e-mail address, only if the provider verified it. Whether an unverified address is acceptable
    /// is the caller's policy; this is the strict answer.
    pub fn verified_email(&self) -> Result<&str, OidcError> {
        match (&self.email, self.email_verified) {
            (None, _) => Err(OidcError::EmailMissing),
            (Some(_), false) => Err(OidcError::EmailUnverified),
            (Some(email), true) => Ok(email),
        }
    }
}

/// What a token must match: one provider, one client.
pub(super) struct Expected<'a> {
    pub client_id: &'a ClientId,
    pub issuer: &'a IssuerUrl,
    pub algorithms: &'a [CoreJwsSigningAlgorithm],
    pub keys: CoreJsonWebKeySet,
}

/// Verifies `token` as of `now` and returns the identity it carries.
pub(super) fn verify(
    token: &CoreIdToken,
    expected: Expected<'_>,
    nonce: &str,
    now: DateTime<Utc>,
) -> Result<VerifiedIdentity, OidcError> {
    if nonce.is_empty() {
        // A sign-in always sends a nonce; an empty one here is a lost flow, and must not match a token
        // that carries an empty nonce.
        return Err(OidcError::NonceMismatch);
    }
    let skew = TimeDelta::seconds(CLOCK_SKEW_SECONDS);
    let earliest_now = now.checked_sub_signed(skew).unwrap_or(now);
    let latest_iat = now.checked_add_signed(skew).unwrap_or(now);
    let verifier =
        CoreIdTokenVerifier::new_public_client(expected.client_id.clone(), expected.issuer.clone(), expected.keys)
            .set_allowed_algs(expected.algorithms.iter().cloned())
            .set_time_fn(move || earliest_now);
    let expected_nonce = Nonce::new(nonce.to_owned());
    let claims = token.claims(&verifier, &expected_nonce).map_err(claims_error)?;

    if claims.issue_time() > latest_iat {
        return Err(OidcError::NotYetValid);
    }
    // OpenID Connect Core 3.1.3.7 steps 4 and 5, which openidconnect leaves to us.
    match claims.authorized_party() {
        Some(azp) if azp.as_str() != expected.client_id.as_str() => return Err(OidcError::WrongAudience),
        None if claims.audiences().len() > 1 => return Err(OidcError::WrongAudience),
        _ => {}
    }
    let subject = claims.subject().as_str();
    if subject.is_empty() {
        return Err(OidcError::InvalidToken);
    }
    let email = claims.email().map(|email| email.as_str().trim().to_lowercase()).filter(|email| !email.is_empty());
    Ok(VerifiedIdentity {
        issuer: claims.issuer().as_str().to_owned(),
        subject: subject.to_owned(),
        email,
        email_verified: claims.email_verified().unwrap_or(false),
        name: claims.name().and_then(|name| name.get(None)).map(|name| name.as_str().to_owned()),
    })
}

/// The library's texts quote claim values; ours do not.
fn claims_error(err: ClaimsVerificationError) -> OidcError {
    match err {
        ClaimsVerificationError::Expired(_) => OidcError::Expired,
        ClaimsVerificationError::InvalidAudience(_) => OidcError::WrongAudience,
        ClaimsVerificationError::InvalidIssuer(_) => OidcError::WrongIssuer,
        ClaimsVerificationError::InvalidNonce(_) => OidcError::NonceMismatch,
        ClaimsVerificationError::SignatureVerification(SignatureVerificationError::NoMatchingKey) => {
            OidcError::UnknownSigningKey
        }
        ClaimsVerificationError::SignatureVerification(_) => OidcError::InvalidSignature,
        _ => OidcError::InvalidToken,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn identity(email: Option<&str>, email_verified: bool) -> VerifiedIdentity {
        VerifiedIdentity {
            issuer: "https://accounts.google.com".into(),
            subject: "1234".into(),
            email: email.map(str::to_owned),
            email_verified,
            name: None,
        }
    }

    #[test]
    fn verified_email_is_the_strict_policy() {
        assert_eq!(identity(Some("a@example.com"), true).verified_email(), Ok("a@example.com"));
        assert_eq!(identity(Some("a@example.com"), false).verified_email(), Err(OidcError::EmailUnverified));
        assert_eq!(identity(None, true).verified_email(), Err(OidcError::EmailMissing));
    }
}
