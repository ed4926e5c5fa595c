//! Browser sessions: a random id in an `HttpOnly; SameSite=Lax` cookie (`Secure` over HTTPS), only its
//! SHA-256 in the database, an idle and an absolute expiry, a CSRF token per session, and a fresh id at
//! every sign-in (the old one, if any, is deleted).

use axum::http::header::{COOKIE, SET_COOKIE};
use axum::http::{HeaderMap, HeaderValue};
use base64::Engine;
use chrono::{DateTime, Duration, Utc};
use converge_domain::UserId;
use converge_store::{SessionRecord, Store, StoreResult};
use rand::RngCore;
use sha2::{Digest, Sha256};

pub const SESSION_COOKIE: &str = "converge_session";
/// The header a browser echoes the session's CSRF token in, on every state-changing request.
pub const CSRF_HEADER: &str = "x-csrf-token";

/// How long sessions last.
#[derive(Clone, Copy, Debug)]
pub struct SessionPolicy {
    pub idle: Duration,
    pub absolute: Duration,
    /// Set the `Secure` attribute (the public URL is HTTPS).
    pub secure: bool,
}

/// 32 random bytes, URL-safe base64 (43 characters).
pub fn random_token() -> String {
    let mut bytes = [0u8; 32];
    rand::thread_rng().fill_bytes(&mut bytes);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

pub fn hash_token(token: &str) -> [u8; 32] {
    Sha256::digest(token.as_bytes()).into()
}

/// Compares two secrets without revealing where they differ.
pub fn constant_time_eq(a: &str, b: &str) -> bool {
    let (a, b) = (Sha256::digest(a.as_bytes()), Sha256::digest(b.as_bytes()));
    a.iter().zip(b.iter()).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// The session cookie's value, if the request carries one.
pub fn session_cookie(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == SESSION_COOKIE)
        .map(|(_, value)| value.trim().to_owned())
        .filter(|value| !value.is_empty() && value.len() <= 128)
}

/// A new session for `user_id`; deletes the one `previous` names (rotation at sign-in). Returns the cookie
/// value and the CSRF token.
pub async fn start(
    store: &dyn Store,
    user_id: UserId,
    previous: Option<&str>,
    policy: &SessionPolicy,
    now: DateTime<Utc>,
) -> StoreResult<(String, String)> {
    if let Some(previous) = previous {
        store.delete_session(&hash_token(previous)).await?;
    }
    let id = random_token();
    let csrf_token = random_token();
    let record = SessionRecord {
        user_id,
        csrf_token: csrf_token.clone(),
        created_at: now,
        last_seen_at: now,
        expires_at: now + policy.absolute,
    };
    store.create_session(&hash_token(&id), &record).await?;
    Ok((id, csrf_token))
}

/// The live session a cookie names: `None` if unknown, past its absolute end or idle too long (an expired
/// one is deleted). Refreshes `last_seen_at` at most once a minute.
pub async fn resolve(
    store: &dyn Store,
    cookie: &str,
    policy: &SessionPolicy,
    now: DateTime<Utc>,
) -> StoreResult<Option<SessionRecord>> {
    let hash = hash_token(cookie);
    let Some(session) = store.session(&hash).await? else { return Ok(None) };
    if session.expires_at <= now || session.last_seen_at + policy.idle <= now {
        store.delete_session(&hash).await?;
        return Ok(None);
    }
    if now - session.last_seen_at >= Duration::minutes(1) {
        store.touch_session(&hash, now).await?;
    }
    Ok(Some(session))
}

/// Deletes the sessions that have ended (past their absolute end, or idle longer than `policy.idle`) but were
/// never presented again, so nothing else would remove them. For the periodic maintenance task.
pub async fn prune(store: &dyn Store, policy: &SessionPolicy, now: DateTime<Utc>) -> StoreResult<u64> {
    store.prune_sessions(now, now - policy.idle).await
}

/// `Set-Cookie` for a new session.
pub fn set_cookie(headers: &mut HeaderMap, id: &str, policy: &SessionPolicy) {
    let max_age = policy.absolute.num_seconds().max(0);
    let secure = if policy.secure { "; Secure" } else { "" };
    let cookie = format!("{SESSION_COOKIE}={id}; Path=/; HttpOnly; SameSite=Lax; Max-Age={max_age}{secure}");
    if let Ok(value) = HeaderValue::from_str(&cookie) {
        headers.append(SET_COOKIE, value);
    }
}

/// `Set-Cookie` that makes the browser forget the session.
pub fn clear_cookie(headers: &mut HeaderMap, policy: &SessionPolicy) {
    let secure = if policy.secure { "; Secure" } else { "" };
    let cookie = format!("{SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0{secure}");
    if let Ok(value) = HeaderValue::from_str(&cookie) {
        headers.append(SET_COOKIE, value);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cookies_are_found_among_others_and_tokens_are_random() {
        let mut headers = HeaderMap::new();
        headers.insert(COOKIE, HeaderValue::from_static("a=1; converge_session=abc_DEF-1; b=2"));
        assert_eq!(session_cookie(&headers).as_deref(), Some("abc_DEF-1"));
        headers.insert(COOKIE, HeaderValue::from_static("converge_session="));
        assert_eq!(session_cookie(&headers), None);
        assert_ne!(random_token(), random_token());
        assert_eq!(random_token().len(), 43);
        assert!(constant_time_eq("same", "same") && !constant_time_eq("same", "diff"));
    }

    #[test]
    fn cookie_attributes() {
        let policy = SessionPolicy { idle: Duration::hours(1), absolute: Duration::hours(2), secure: true };
        let mut headers = HeaderMap::new();
        set_cookie(&mut headers, "id1", &policy);
        let text = headers.get(SET_COOKIE).unwrap().to_str().unwrap();
        for part in ["converge_session=id1", "HttpOnly", "SameSite=Lax", "Secure", "Max-Age=7200", "Path=/"] {
            assert!(text.contains(part), "{text}");
        }
        let plain = SessionPolicy { secure: false, ..policy };
        let mut headers = HeaderMap::new();
        clear_cookie(&mut headers, &plain);
        let text = headers.get(SET_COOKIE).unwrap().to_str().unwrap();
        assert!(text.contains("Max-Age=0") && !text.contains("Secure"), "{text}");
    }
}
