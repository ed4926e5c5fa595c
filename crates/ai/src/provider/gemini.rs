//! Google's Gemini API: `POST {base}/v1beta/models/{model}:generateContent` with the key in `x-goog-api-key`
//! (never in the URL, where proxies and logs would keep it).
//!
//! Request: `{"systemInstruction": {"parts": [{"text"}]}, "contents": [{"role": "user"|"model", "parts":
//! [{"text"}]}], "generationConfig": {"maxOutputTokens", "temperature", "responseMimeType":
//! "application/json"}}`. Answer: the text parts of `candidates[0].content`; `finishReason` `MAX_TOKENS`
//! means cut off, `SAFETY` and friends (or `promptFeedback.blockReason` without candidates) mean blocked.
//! Errors: `{"error": {"code", "message", "status", "details"}}`; 429 is `RESOURCE_EXHAUSTED`, retried after
//! `Retry-After` or the `google.rpc.RetryInfo` `retryDelay` (`"22s"`) when either is short enough.

use std::time::Duration;

use async_trait::async_trait;
use reqwest::header::{HeaderMap, HeaderName, HeaderValue, CONTENT_TYPE};
use reqwest::{StatusCode, Url};
use serde_json::{json, Value};

use super::http::{self, by_status, json_object, retry_after};
use super::{ConfigError, Provider, ProviderConfig, ProviderError, Request, TurnRole};
use crate::secret::ApiKey;

pub const DEFAULT_BASE_URL: &str = "https://generativelanguage.googleapis.com";
pub const DEFAULT_MODEL: &str = "gemini-2.5-flash";

/// A Gemini client. Cheap to share behind an `Arc`; the connection pool is reused.
#[derive(Debug)]
pub struct Gemini {
    client: reqwest::Client,
    url: Url,
    key: ApiKey,
    config: ProviderConfig,
}

impl Gemini {
    pub fn new(config: &ProviderConfig) -> Result<Gemini, ConfigError> {
        let key = config
            .api_key
            .clone()
            .filter(|key| !key.is_blank())
            .ok_or_else(|| ConfigError("ai.api_key is required for the gemini provider".into()))?;
        let base = http::base_url(config.base_url.as_deref().unwrap_or(DEFAULT_BASE_URL), "ai.base_url")?;
        let model = config.model.clone().unwrap_or_else(|| DEFAULT_MODEL.to_owned());
        if model.is_empty() || !model.chars().all(|c| c.is_ascii_alphanumeric() || "-._".contains(c)) {
            return Err(ConfigError("ai.model must be a Gemini model name like gemini-2.5-flash".into()));
        }
        let url = http::join(&base, &format!("/v1beta/models/{model}:generateContent"));
        Ok(Gemini { client: http::client(config.timeout)?, url, key, config: config.clone() })
    }

    fn body(&self, request: &Request) -> Value {
        let contents: Vec<Value> = request
            .turns
            .iter()
            .map(|turn| {
                let role = match turn.role {
                    TurnRole::User => "user",
                    TurnRole::Model => "model",
                };
                json!({"role": role, "parts": [{"text": turn.text}]})
            })
            .collect();
        json!({
            "systemInstruction": {"parts": [{"text": request.system}]},
            "contents": contents,
            "generationConfig": {
                "maxOutputTokens": self.config.max_output_tokens,
                "temperature": self.config.temperature,
                "responseMimeType": "application/json",
            },
        })
    }
}

#[async_trait]
impl Provider for Gemini {
    fn name(&self) -> &'static str {
        "gemini"
    }

    async fn answer(&self, request: &Request) -> Result<Value, ProviderError> {
        let mut headers = HeaderMap::new();
        headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
        let mut key = HeaderValue::from_str(self.key.expose()).map_err(|_| ProviderError::Unauthorized(0))?;
        key.set_sensitive(true);
        headers.insert(HeaderName::from_static("x-goog-api-key"), key);
        let body = self.body(request);
        let bytes =
            http::post(&self.client, &self.url, headers, &body, self.config.max_retries, Some(&self.key), classify)
                .await?;
        let answer: Value = serde_json::from_slice(&bytes)
            .map_err(|_| ProviderError::Malformed("the response body is not JSON".into()))?;
        json_object(&text_of(&answer)?)
    }
}

/// The text of the first candidate, or why there is none.
fn text_of(answer: &Value) -> Result<String, ProviderError> {
    let Some(candidate) = answer.pointer("/candidates/0") else {
        return Err(match answer.pointer("/promptFeedback/blockReason").and_then(Value::as_str) {
            Some(reason) => ProviderError::Blocked(short(reason)),
            None => ProviderError::Malformed("no candidates in the response".into()),
        });
    };
    match candidate.get("finishReason").and_then(Value::as_str) {
        None | Some("STOP") | Some("FINISH_REASON_UNSPECIFIED") => {}
        Some("MAX_TOKENS") => return Err(ProviderError::Truncated),
        Some(reason) => return Err(ProviderError::Blocked(short(reason))),
    }
    let parts = candidate
        .pointer("/content/parts")
        .and_then(Value::as_array)
        .ok_or_else(|| ProviderError::Malformed("the candidate has no content parts".into()))?;
    let text: String = parts.iter().filter_map(|part| part.get("text").and_then(Value::as_str)).collect();
    if text.trim().is_empty() {
        return Err(ProviderError::Malformed("the candidate has no text".into()));
    }
    Ok(text)
}

/// An enum word from the provider, bounded and reduced to `A-Z_`.
fn short(word: &str) -> String {
    word.chars().filter(|c| c.is_ascii_alphanumeric() || *c == '_').take(40).collect()
}

/// Reads a non-2xx answer. 429 `RESOURCE_EXHAUSTED` is a rate limit (retried after its delay), except a
/// quota that names a per-day limit, which waiting seconds cannot fix.
fn classify(status: StatusCode, headers: &HeaderMap, body: &[u8]) -> ProviderError {
    if status != StatusCode::TOO_MANY_REQUESTS {
        return by_status(status);
    }
    let error: Value = serde_json::from_slice(body).unwrap_or(Value::Null);
    let details = error.pointer("/error/details").and_then(Value::as_array).cloned().unwrap_or_default();
    let per_day = details.iter().any(|detail| {
        detail.pointer("/violations").and_then(Value::as_array).is_some_and(|violations| {
            violations.iter().any(|v| v.get("quotaId").and_then(Value::as_str).is_some_and(|id| id.contains("PerDay")))
        })
    });
    if per_day {
        return ProviderError::QuotaExhausted;
    }
    let delay = details.iter().find_map(|detail| detail.get("retryDelay").and_then(Value::as_str).and_then(seconds));
    ProviderError::RateLimited { retry_after: retry_after(headers).or(delay) }
}

/// A protobuf JSON duration such as `"22s"` or `"1.5s"`, rounded up to whole seconds.
fn seconds(text: &str) -> Option<Duration> {
    let number: f64 = text.strip_suffix('s')?.parse().ok()?;
    (number.is_finite() && number >= 0.0).then(|| Duration::from_secs(number.ceil() as u64))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answers_are_read_from_the_first_candidate() {
        let ok = json!({"candidates": [{"content": {"parts": [{"text": "{\"a\":"}, {"text": "1}"}], "role": "model"},
            "finishReason": "STOP"}]});
        assert_eq!(text_of(&ok).unwrap(), "{\"a\":1}");
        let cut = json!({"candidates": [{"content": {"parts": [{"text": "{"}]}, "finishReason": "MAX_TOKENS"}]});
        assert_eq!(text_of(&cut), Err(ProviderError::Truncated));
        let blocked = json!({"promptFeedback": {"blockReason": "SAFETY"}});
        assert_eq!(text_of(&blocked), Err(ProviderError::Blocked("SAFETY".into())));
        assert!(matches!(text_of(&json!({})), Err(ProviderError::Malformed(_))));
    }

    #[test]
    fn rate_limits_carry_their_delay() {
        let body = br#"{"error": {"code": 429, "status": "RESOURCE_EXHAUSTED", "message": "m",
            "details": [{"@type": "type.googleapis.com/google.rpc.RetryInfo", "retryDelay": "1.2s"}]}}"#;
        let error = classify(StatusCode::TOO_MANY_REQUESTS, &HeaderMap::new(), body);
        assert_eq!(error, ProviderError::RateLimited { retry_after: Some(Duration::from_secs(2)) });
        let daily = br#"{"error": {"code": 429, "details": [{"violations": [{"quotaId": "GenerateRequestsPerDayPerProjectPerModel-FreeTier"}]}]}}"#;
        assert_eq!(classify(StatusCode::TOO_MANY_REQUESTS, &HeaderMap::new(), daily), ProviderError::QuotaExhausted);
        assert_eq!(classify(StatusCode::BAD_REQUEST, &HeaderMap::new(), b"{}"), ProviderError::Rejected(400));
    }
}
