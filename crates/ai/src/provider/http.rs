//! What both remote providers share: the HTTP client (no redirects, no proxy, timeouts), the retry loop
//! (bounded, honouring `Retry-After` within a cap), bounded reading of answers, and pulling the JSON object
//! out of a model's text.

use std::time::Duration;

use reqwest::header::{HeaderMap, RETRY_AFTER};
use reqwest::redirect::Policy;
use reqwest::{StatusCode, Url};
use serde_json::Value;

use super::{ConfigError, ProviderError};
use crate::secret::{redact, ApiKey};

/// Largest answer body read, in bytes; a chat answer of our sizes is a few kilobytes.
const MAX_BODY_BYTES: usize = 512 * 1024;
/// The first backoff; doubles per retry.
const BACKOFF_BASE: Duration = Duration::from_millis(250);
/// A server asking us to wait longer than this is not retried now: the user is waiting, and the built-in
/// provider can answer at once.
pub(crate) const MAX_RETRY_WAIT: Duration = Duration::from_secs(5);

/// Builds the client: redirects off (a key must not follow a `POST` to another host), environment proxies
/// ignored (a stray `HTTPS_PROXY` must not route prompts and keys elsewhere), and the per-attempt timeout.
pub(crate) fn client(timeout: Duration) -> Result<reqwest::Client, ConfigError> {
    reqwest::Client::builder()
        .connect_timeout(timeout.min(Duration::from_secs(5)))
        .timeout(timeout)
        .redirect(Policy::none())
        .no_proxy()
        .user_agent(concat!("converge/", env!("CARGO_PKG_VERSION")))
        .build()
        .map_err(|err| ConfigError(format!("building the AI provider's HTTP client: {err}")))
}

/// Parses a base URL; only http and https are accepted.
pub(crate) fn base_url(raw: &str, setting: &str) -> Result<Url, ConfigError> {
    let url = Url::parse(raw.trim().trim_end_matches('/')).map_err(|err| ConfigError(format!("{setting}: {err}")))?;
    match url.scheme() {
        "http" | "https" => Ok(url),
        other => Err(ConfigError(format!("{setting}: the scheme must be http or https, not {other}"))),
    }
}

/// `base` with `suffix` appended to its path.
pub(crate) fn join(base: &Url, suffix: &str) -> Url {
    let mut url = base.clone();
    url.set_path(&format!("{}{suffix}", base.path().trim_end_matches('/')));
    url
}

/// A failed HTTP exchange, classified by the provider's own error reading.
pub(crate) struct Failure {
    pub error: ProviderError,
    /// The provider's error text, already redacted, for the log.
    pub detail: String,
}

/// Posts `body` with `headers`, retrying retryable failures up to `max_retries` times. `classify` reads a
/// non-2xx answer (status, headers, body) into an error. Returns the 2xx body.
pub(crate) async fn post(
    client: &reqwest::Client,
    url: &Url,
    headers: HeaderMap,
    body: &Value,
    max_retries: u32,
    key: Option<&ApiKey>,
    classify: impl Fn(StatusCode, &HeaderMap, &[u8]) -> ProviderError,
) -> Result<Vec<u8>, ProviderError> {
    let mut attempt = 0u32;
    loop {
        let failure = match exchange(client, url, headers.clone(), body).await {
            Ok((status, _, bytes)) if status.is_success() => return Ok(bytes),
            Ok((status, answer_headers, bytes)) => Failure {
                error: classify(status, &answer_headers, &bytes),
                detail: redact(&String::from_utf8_lossy(&bytes), key),
            },
            Err(error) => Failure { error, detail: String::new() },
        };
        let wait = match &failure.error {
            ProviderError::RateLimited { retry_after: Some(after) } => *after,
            _ => BACKOFF_BASE * 2u32.saturating_pow(attempt),
        };
        let retry = failure.error.retryable() && attempt < max_retries && wait <= MAX_RETRY_WAIT;
        tracing::warn!(
            host = url.host_str().unwrap_or(""),
            error = %failure.error,
            detail = %failure.detail,
            attempt = attempt + 1,
            retry,
            "AI provider request failed"
        );
        if !retry {
            return Err(failure.error);
        }
        tokio::time::sleep(wait).await;
        attempt += 1;
    }
}

/// One request and its (bounded) answer.
async fn exchange(
    client: &reqwest::Client,
    url: &Url,
    headers: HeaderMap,
    body: &Value,
) -> Result<(StatusCode, HeaderMap, Vec<u8>), ProviderError> {
    let mut response = client.post(url.clone()).headers(headers).json(body).send().await.map_err(transport)?;
    let status = response.status();
    let headers = response.headers().clone();
    let mut bytes = Vec::new();
    while let Some(chunk) = response.chunk().await.map_err(transport)? {
        if bytes.len() + chunk.len() > MAX_BODY_BYTES {
            return Err(ProviderError::Malformed(format!("the answer exceeds {MAX_BODY_BYTES} bytes")));
        }
        bytes.extend_from_slice(&chunk);
    }
    Ok((status, headers, bytes))
}

fn transport(err: reqwest::Error) -> ProviderError {
    if err.is_timeout() {
        ProviderError::Timeout
    } else {
        ProviderError::Transport
    }
}

/// `Retry-After` in seconds (the HTTP-date form is not used by these providers and is ignored).
pub(crate) fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    let seconds: u64 = headers.get(RETRY_AFTER)?.to_str().ok()?.trim().parse().ok()?;
    Some(Duration::from_secs(seconds))
}

/// The errors of a status code shared by both providers; `None` for codes each reads itself (429).
pub(crate) fn by_status(status: StatusCode) -> ProviderError {
    match status.as_u16() {
        401 | 403 => ProviderError::Unauthorized(status.as_u16()),
        408 => ProviderError::Timeout,
        code if code >= 500 => ProviderError::Server(code),
        code => ProviderError::Rejected(code),
    }
}

/// The JSON object in a model's text. JSON mode is requested, but some local servers still wrap the object
/// in a Markdown fence or add a sentence around it: the outermost `{…}` is taken, and anything that is not a
/// JSON object is [`ProviderError::Malformed`].
pub(crate) fn json_object(text: &str) -> Result<Value, ProviderError> {
    let start = text.find('{');
    let end = text.rfind('}');
    let candidate = match (start, end) {
        (Some(start), Some(end)) if start < end => &text[start..=end],
        _ => return Err(ProviderError::Malformed("no JSON object in the answer".into())),
    };
    match serde_json::from_str::<Value>(candidate) {
        Ok(value @ Value::Object(_)) => Ok(value),
        Ok(_) => Err(ProviderError::Malformed("the answer is not a JSON object".into())),
        Err(err) => Err(ProviderError::Malformed(format!("invalid JSON: {err}"))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_is_found_in_fences_and_refused_otherwise() {
        assert_eq!(json_object("```json\n{\"a\": 1}\n```").unwrap(), serde_json::json!({"a": 1}));
        assert_eq!(json_object("Sure! {\"a\": {\"b\": 2}} Done.").unwrap(), serde_json::json!({"a": {"b": 2}}));
        assert!(matches!(json_object("no json here"), Err(ProviderError::Malformed(_))));
        assert!(matches!(json_object("{\"a\": "), Err(ProviderError::Malformed(_))));
        assert!(matches!(json_object("[1, 2]"), Err(ProviderError::Malformed(_))));
    }

    #[test]
    fn urls_keep_their_path() {
        let base = base_url("http://localhost:11434/v1/", "ai.base_url").unwrap();
        assert_eq!(join(&base, "/chat/completions").as_str(), "http://localhost:11434/v1/chat/completions");
        assert!(base_url("ftp://x", "ai.base_url").is_err());
    }
}
