//! Receipt signatures: `v1=<hex HMAC-SHA256(secret, "{timestamp}.{body}")>`.
//!
//! A vendor signs with [`sign`] (the simulator does); Converge's receipt endpoint checks with [`verify`], so
//! both ends share one implementation and cannot drift apart. The timestamp is part of the MAC so a captured request cannot be
//! replayed outside the tolerance window.

use std::time::Duration;

use hmac::{Hmac, Mac};
use sha2::Sha256;

/// Header carrying the unix time (seconds) the request was signed at.
pub const TIMESTAMP_HEADER: &str = "X-Converge-Timestamp";
/// Header carrying one or more `v1=<hex>` signatures, comma-separated (several allow secret rotation).
pub const SIGNATURE_HEADER: &str = "X-Converge-Signature";
/// How far a signed timestamp may be from the receiver's clock by default.
pub const DEFAULT_TOLERANCE: Duration = Duration::from_secs(300);

const SCHEME: &str = "v1=";

type HmacSha256 = Hmac<Sha256>;

/// Why a signature was refused. Receivers answer all of them with 401; the variants exist for logs and tests.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SignatureError {
    #[error("the timestamp is not a unix time in seconds")]
    MalformedTimestamp,
    #[error("the signature header has no well-formed v1= signature")]
    MalformedSignature,
    #[error("the timestamp is older than the tolerance allows")]
    TooOld,
    #[error("the timestamp is further in the future than the tolerance allows")]
    TooNew,
    #[error("no signature matches the body")]
    Mismatch,
}

/// The signature header value for `body` sent at `timestamp` (unix seconds).
pub fn sign(secret: impl AsRef<[u8]>, timestamp: i64, body: &[u8]) -> String {
    format!("{SCHEME}{}", hex::encode(mac(secret.as_ref(), &timestamp.to_string(), body)))
}

/// Checks a signed request: `timestamp` and `signature` are the header values as received, `now` the receiver's
/// unix time in seconds. The MAC covers the timestamp text exactly as sent. Comparison is constant-time.
pub fn verify(
    secret: impl AsRef<[u8]>,
    timestamp: &str,
    body: &[u8],
    signature: &str,
    now: i64,
    tolerance: Duration,
) -> Result<(), SignatureError> {
    let sent_at: i64 = timestamp.trim().parse().map_err(|_| SignatureError::MalformedTimestamp)?;
    let tolerance = i64::try_from(tolerance.as_secs()).unwrap_or(i64::MAX);
    if sent_at < now.saturating_sub(tolerance) {
        return Err(SignatureError::TooOld);
    }
    if sent_at > now.saturating_add(tolerance) {
        return Err(SignatureError::TooNew);
    }
    let candidates: Vec<Vec<u8>> = signature
        .split(',')
        .filter_map(|part| part.trim().strip_prefix(SCHEME))
        .filter_map(|hex_mac| hex::decode(hex_mac).ok())
        .collect();
    if candidates.is_empty() {
        return Err(SignatureError::MalformedSignature);
    }
    let secret = secret.as_ref();
    let matched = candidates.iter().any(|candidate| {
        let mut expected = keyed(secret);
        expected.update(timestamp.trim().as_bytes());
        expected.update(b".");
        expected.update(body);
        // `verify_slice` compares in constant time.
        expected.verify_slice(candidate).is_ok()
    });
    if matched {
        Ok(())
    } else {
        Err(SignatureError::Mismatch)
    }
}

/// Compares two secrets (API keys) without leaking where they differ through timing.
pub fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    // Comparing MACs of both sides keeps the time independent of the content and of the length of `a`.
    let mut left = keyed(b"converge-vendor-sim/compare");
    left.update(a);
    let mut right = keyed(b"converge-vendor-sim/compare");
    right.update(b);
    right.verify_slice(&left.finalize().into_bytes()).is_ok()
}

fn mac(secret: &[u8], timestamp: &str, body: &[u8]) -> Vec<u8> {
    let mut mac = keyed(secret);
    mac.update(timestamp.as_bytes());
    mac.update(b".");
    mac.update(body);
    mac.finalize().into_bytes().to_vec()
}

fn keyed(secret: &[u8]) -> HmacSha256 {
    // HMAC accepts keys of any length, so this cannot fail; the fallback only satisfies the type.
    HmacSha256::new_from_slice(secret).unwrap_or_else(|_| <HmacSha256 as Mac>::new(&Default::default()))
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &str = "whsec_test";
    const NOW: i64 = 1_700_000_000;
    const BODY: &[u8] = br#"{"receipts":[{"message_id":"msg_1","status":"SENT"}]}"#;

    fn check(secret: &str, ts: &str, body: &[u8], sig: &str) -> Result<(), SignatureError> {
        verify(secret, ts, body, sig, NOW, DEFAULT_TOLERANCE)
    }

    #[test]
    fn a_signature_verifies_against_its_own_body() {
        let sig = sign(SECRET, NOW, BODY);
        assert!(sig.starts_with("v1="));
        assert_eq!(sig.len(), 3 + 64);
        assert_eq!(check(SECRET, &NOW.to_string(), BODY, &sig), Ok(()));
    }

    #[test]
    fn a_known_vector_matches() {
        // HMAC-SHA256("key", "1.x"), computed independently with `openssl dgst -sha256 -hmac key`.
        assert_eq!(
            sign("key", 1, b"x"),
            "v1=fc4913c41a7bf793267e2a384f3261c9436ec2cd097bd745e7b0d99113f510ec".to_string()
        );
    }

    #[test]
    fn a_tampered_body_is_rejected() {
        let sig = sign(SECRET, NOW, BODY);
        let tampered = br#"{"receipts":[{"message_id":"msg_1","status":"FAILED"}]}"#;
        assert_eq!(check(SECRET, &NOW.to_string(), tampered, &sig), Err(SignatureError::Mismatch));
    }

    #[test]
    fn a_wrong_secret_is_rejected() {
        let sig = sign("another secret", NOW, BODY);
        assert_eq!(check(SECRET, &NOW.to_string(), BODY, &sig), Err(SignatureError::Mismatch));
    }

    #[test]
    fn a_changed_timestamp_is_rejected() {
        let sig = sign(SECRET, NOW, BODY);
        assert_eq!(check(SECRET, &(NOW + 1).to_string(), BODY, &sig), Err(SignatureError::Mismatch));
    }

    #[test]
    fn old_and_future_timestamps_are_rejected_even_when_correctly_signed() {
        let old = NOW - 301;
        assert_eq!(check(SECRET, &old.to_string(), BODY, &sign(SECRET, old, BODY)), Err(SignatureError::TooOld));
        let future = NOW + 301;
        let sig = sign(SECRET, future, BODY);
        assert_eq!(check(SECRET, &future.to_string(), BODY, &sig), Err(SignatureError::TooNew));
        let edge = NOW - 300;
        assert_eq!(check(SECRET, &edge.to_string(), BODY, &sign(SECRET, edge, BODY)), Ok(()));
    }

    #[test]
    fn malformed_headers_are_rejected() {
        let sig = sign(SECRET, NOW, BODY);
        assert_eq!(check(SECRET, "yesterday", BODY, &sig), Err(SignatureError::MalformedTimestamp));
        assert_eq!(check(SECRET, &NOW.to_string(), BODY, "v2=abc"), Err(SignatureError::MalformedSignature));
        assert_eq!(check(SECRET, &NOW.to_string(), BODY, "v1=zz"), Err(SignatureError::MalformedSignature));
        assert_eq!(check(SECRET, &NOW.to_string(), BODY, ""), Err(SignatureError::MalformedSignature));
    }

    #[test]
    fn any_of_several_signatures_may_match() {
        let good = sign(SECRET, NOW, BODY);
        let other = sign("old secret", NOW, BODY);
        assert_eq!(check(SECRET, &NOW.to_string(), BODY, &format!("{other}, {good}")), Ok(()));
    }

    #[test]
    fn constant_time_eq_compares_content() {
        assert!(constant_time_eq(b"abc", b"abc"));
        assert!(!constant_time_eq(b"abc", b"abd"));
        assert!(!constant_time_eq(b"abc", b"abcd"));
        assert!(!constant_time_eq(b"", b"a"));
    }
}
