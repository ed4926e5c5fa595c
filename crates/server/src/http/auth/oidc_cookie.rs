//! The cookie that binds an OpenID Connect sign-in to the browser that started it, closing login CSRF: an
//! attacker who starts a sign-in in their own browser and hands the provider's callback URL (their `code`
//! and `state`) to a victim gets nothing, because the victim's browser does not carry the cookie.
//!
//! `converge_oidc_state=<state>`: set by the login (or link) route, `HttpOnly`, `SameSite=Lax` (the
//! provider's redirect back is a top-level GET, which Lax lets through), `Secure` when the public URL is
//! https, scoped to that provider's callback path and as short-lived as the flow; cleared by the callback.
//! The callback requires it to equal the `state` parameter (double submit, compared in constant time) before
//! the flow is even looked up.

use axum::http::header::{COOKIE, SET_COOKIE};
use axum::http::{HeaderMap, HeaderValue};

use crate::auth::session::constant_time_eq;

pub const STATE_COOKIE: &str = "converge_oidc_state";

fn callback_path(provider: &str) -> String {
    format!("/api/v1/auth/oidc/{provider}/callback")
}

fn write(headers: &mut HeaderMap, provider: &str, value: &str, max_age: i64, secure: bool) {
    let secure = if secure { "; Secure" } else { "" };
    let path = callback_path(provider);
    let cookie = format!("{STATE_COOKIE}={value}; Path={path}; HttpOnly; SameSite=Lax; Max-Age={max_age}{secure}");
    // The value is a URL-safe token and the provider name is `[a-z0-9-]` (checked at startup), so this
    // always parses; a failure would only drop the cookie, and the callback would then refuse.
    if let Ok(value) = HeaderValue::from_str(&cookie) {
        headers.append(SET_COOKIE, value);
    }
}

/// Binds the flow with `state` to this browser for `max_age_secs`.
pub fn set(headers: &mut HeaderMap, provider: &str, state: &str, max_age_secs: i64, secure: bool) {
    write(headers, provider, state, max_age_secs, secure);
}

/// Removes the binding (the flow is used up either way).
pub fn clear(headers: &mut HeaderMap, provider: &str, secure: bool) {
    write(headers, provider, "", 0, secure);
}

/// Whether the request carries the binding cookie for exactly this `state`.
pub fn matches(headers: &HeaderMap, state: &str) -> bool {
    let mut found = headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .filter(|(name, _)| *name == STATE_COOKIE)
        .map(|(_, value)| value.trim());
    // Any of them (a stale one from an abandoned tab may sit next to the current one).
    found.any(|value| !value.is_empty() && constant_time_eq(value, state))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_cookie_is_scoped_short_lived_and_http_only() {
        let mut headers = HeaderMap::new();
        set(&mut headers, "google", "st-1", 600, true);
        let text = headers[SET_COOKIE].to_str().unwrap();
        for part in [
            "converge_oidc_state=st-1",
            "Path=/api/v1/auth/oidc/google/callback",
            "HttpOnly",
            "SameSite=Lax",
            "Max-Age=600",
            "Secure",
        ] {
            assert!(text.contains(part), "{part} in {text}");
        }
        let mut plain = HeaderMap::new();
        clear(&mut plain, "google", false);
        let text = plain[SET_COOKIE].to_str().unwrap();
        assert!(text.contains("Max-Age=0") && !text.contains("Secure"), "{text}");
    }

    #[test]
    fn only_the_same_state_matches() {
        let mut headers = HeaderMap::new();
        headers.insert(COOKIE, HeaderValue::from_static("a=1; converge_oidc_state=st-1; converge_session=x"));
        assert!(matches(&headers, "st-1"));
        assert!(!matches(&headers, "st-2"));
        assert!(!matches(&HeaderMap::new(), "st-1"));
        let mut empty = HeaderMap::new();
        empty.insert(COOKIE, HeaderValue::from_static("converge_oidc_state="));
        assert!(!matches(&empty, ""));
    }
}
