//! API key format, generation and hashing.
//!
//! A key is `cvg_` followed by 40 random base62 characters (~238 bits). Only its SHA-256 is stored: a key
//! has full entropy, so a slow password hash would add latency to every request and no security. The first
//! 12 characters are kept in clear as a prefix so people can tell their keys apart.

use rand::distributions::Alphanumeric;
use rand::Rng;
use sha2::{Digest, Sha256};

const PREFIX: &str = "cvg_";
const RANDOM_LEN: usize = 40;
const SHOWN_PREFIX_LEN: usize = 12;

/// A freshly generated key: show `secret` once, store `hash` and `prefix`.
pub struct GeneratedKey {
    pub secret: String,
    pub prefix: String,
    pub hash: Vec<u8>,
}

impl GeneratedKey {
    pub fn generate() -> Self {
        let random: String = rand::thread_rng().sample_iter(&Alphanumeric).take(RANDOM_LEN).map(char::from).collect();
        let secret = format!("{PREFIX}{random}");
        let prefix = secret[..SHOWN_PREFIX_LEN].to_owned();
        let hash = hash_key(&secret).to_vec();
        Self { secret, prefix, hash }
    }
}

/// The stored form of a presented key.
pub fn hash_key(secret: &str) -> [u8; 32] {
    Sha256::digest(secret.as_bytes()).into()
}

/// Cheap shape check before any lookup, so garbage never reaches the cache or the database.
pub fn looks_like_key(secret: &str) -> bool {
    secret.len() == PREFIX.len() + RANDOM_LEN
        && secret.starts_with(PREFIX)
        && secret[PREFIX.len()..].bytes().all(|b| b.is_ascii_alphanumeric())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_keys_are_distinct_well_formed_and_hash_stably() {
        let a = GeneratedKey::generate();
        let b = GeneratedKey::generate();
        assert_ne!(a.secret, b.secret);
        assert!(looks_like_key(&a.secret));
        assert_eq!(a.hash, hash_key(&a.secret).to_vec());
        assert!(a.secret.starts_with(&a.prefix));
    }

    #[test]
    fn malformed_keys_are_refused_early() {
        assert!(!looks_like_key("cvg_short"));
        assert!(!looks_like_key(&format!("xyz_{}", "a".repeat(40))));
        assert!(!looks_like_key(&format!("cvg_{}!", "a".repeat(39))));
    }
}
