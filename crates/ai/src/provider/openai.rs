//! OpenAI-compatible chat completions: `POST {base}/chat/completions`, as served by OpenAI, Ollama, vLLM
//! and llama.cpp's server. `Authorization: Bearer <key>` is sent only when a key is configured (local
//! servers usually need none).
//!
//! Request: `{"model", "messages": [{"role": "system"|"user"|"assistant", "content"}], "max_tokens",
//! "temperature", "response_format": {"type": "json_object"}}` (JSON mode requires the word "JSON" in the
//! messages; our system prompts always say it). Answer: `choices[0].message.content`; `finish_reason`
//! `length` means cut off, `content_filter` blocked. Errors: `{"error": {"message", "type", "param",
//! "code"}}`; a 429 whose `code`/`type` is `insufficient_quota` is a spent budget, not a rate limit.

use async_trait::async_trait;
use reqwest::header::{HeaderMap, HeaderValue, AUTHORIZATION, CONTENT_TYPE};
use reqwest::{StatusCode, Url};
use serde_json::{json, Value};

use super::http::{self, by_status, json_object, retry_after};
use super::{ConfigError, Provider, ProviderConfig, ProviderError, Request, TurnRole};
use crate::secret::ApiKey;

pub const DEFAULT_BASE_URL: &str = "https://api.openai.com/v1";
pub const DEFAULT_MODEL: &str = "gpt-4o-mini";

/// A client for one OpenAI-compatible server and model.
#[derive(Debug)]
pub struct OpenAi {
    client: reqwest::Client,
    url: Url,
    model: String,
    key: Option<ApiKey>,
    config: ProviderConfig,
}

impl OpenAi {
    pub fn new(config: &ProviderConfig) -> Result<OpenAi, ConfigError> {
        let base = http::base_url(config.base_url.as_deref().unwrap_or(DEFAULT_BASE_URL), "ai.base_url")?;
        let model = config.model.clone().unwrap_or_else(|| DEFAULT_MODEL.to_owned());
        if model.trim().is_empty() || model.len() > 200 {
            return Err(ConfigError("ai.model must name the model, e.g. gpt-4o-mini or llama3.1".into()));
        }
        let key = config.api_key.clone().filter(|key| !key.is_blank());
        if key.is_some() && base.scheme() == "http" && !is_local(&base) {
            tracing::warn!(
                host = base.host_str().unwrap_or(""),
                "ai.base_url is plain http: the API key travels unencrypted"
            );
        }
        Ok(OpenAi {
            client: http::client(config.timeout)?,
            url: http::join(&base, "/chat/completions"),
            model,
            key,
            config: config.clone(),
        })
    }

    fn body(&self, request: &Request) -> Value {
        let mut messages = vec![json!({"role": "system", "content": request.system})];
        messages.extend(request.turns.iter().map(|turn| {
            let role = match turn.role {
                TurnRole::User => "user",
                TurnRole::Model => "assistant",
            };
            json!({"role": role, "content": turn.text})
        }));
        json!({
            "model": self.model,
            "messages": messages,
            "max_tokens": self.config.max_output_tokens,
            "temperature": self.config.temperature,
            "response_format": {"type": "json_object"},
        })
    }
}

fn is_local(url: &Url) -> bool {
    let host = url.host_str().unwrap_or("").trim_start_matches('[').trim_end_matches(']');
    match host.parse::<std::net::IpAddr>() {
        Ok(std::net::IpAddr::V4(ip)) => ip.is_loopback() || ip.is_private(),
        Ok(std::net::IpAddr::V6(ip)) => ip.is_loopback(),
        Err(_) => host == "localhost",
    }
}

#[async_trait]
impl Provider for OpenAi {
    fn name(&self) -> &'static str {
        "openai"
    }

    async fn answer(&self, request: &Request) -> Result<Value, ProviderError> {
        let mut headers = HeaderMap::new();
        headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
        if let Some(key) = &self.key {
            let mut value = HeaderValue::from_str(&format!("Bearer {}", key.expose()))
                .map_err(|_| ProviderError::Unauthorized(0))?;
            value.set_sensitive(true);
            headers.insert(AUTHORIZATION, value);
        }
        let body = self.body(request);
        let bytes =
            http::post(&self.client, &self.url, headers, &body, self.config.max_retries, self.key.as_ref(), classify)
                .await?;
        let answer: Value = serde_json::from_slice(&bytes)
            .map_err(|_| ProviderError::Malformed("the response body is not JSON".into()))?;
        json_object(&content_of(&answer)?)
    }
}

/// `choices[0].message.content`, or why there is none.
fn content_of(answer: &Value) -> Result<String, ProviderError> {
    let choice =
        answer.pointer("/choices/0").ok_or_else(|| ProviderError::Malformed("no choices in the response".into()))?;
    match choice.get("finish_reason").and_then(Value::as_str) {
        Some("length") => return Err(ProviderError::Truncated),
        Some("content_filter") => return Err(ProviderError::Blocked("content_filter".into())),
        _ => {}
    }
    if let Some(refusal) = choice.pointer("/message/refusal").and_then(Value::as_str) {
        if !refusal.is_empty() {
            return Err(ProviderError::Blocked("refusal".into()));
        }
    }
    match choice.pointer("/message/content").and_then(Value::as_str) {
        Some(text) if !text.trim().is_empty() => Ok(text.to_owned()),
        _ => Err(ProviderError::Malformed("the choice has no message content".into())),
    }
}

/// Reads a non-2xx answer.
fn classify(status: StatusCode, headers: &HeaderMap, body: &[u8]) -> ProviderError {
    if status != StatusCode::TOO_MANY_REQUESTS {
        return by_status(status);
    }
    let error: Value = serde_json::from_slice(body).unwrap_or(Value::Null);
    let word = |key: &str| error.pointer(&format!("/error/{key}")).and_then(Value::as_str).unwrap_or("").to_owned();
    if word("code") == "insufficient_quota" || word("type") == "insufficient_quota" {
        return ProviderError::QuotaExhausted;
    }
    ProviderError::RateLimited { retry_after: retry_after(headers) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn content_and_finish_reasons() {
        let ok = json!({"choices": [{"index": 0, "message": {"role": "assistant", "content": "{}"}, "finish_reason": "stop"}]});
        assert_eq!(content_of(&ok).unwrap(), "{}");
        let cut = json!({"choices": [{"message": {"content": "{"}, "finish_reason": "length"}]});
        assert_eq!(content_of(&cut), Err(ProviderError::Truncated));
        assert!(matches!(content_of(&json!({"choices": []})), Err(ProviderError::Malformed(_))));
    }

    #[test]
    fn quota_is_not_a_rate_limit() {
        let quota = br#"{"error": {"message": "m", "type": "insufficient_quota", "param": null, "code": "insufficient_quota"}}"#;
        assert_eq!(classify(StatusCode::TOO_MANY_REQUESTS, &HeaderMap::new(), quota), ProviderError::QuotaExhausted);
        let limited =
            br#"{"error": {"message": "m", "type": "requests", "param": null, "code": "rate_limit_exceeded"}}"#;
        let mut headers = HeaderMap::new();
        headers.insert("retry-after", HeaderValue::from_static("2"));
        assert_eq!(
            classify(StatusCode::TOO_MANY_REQUESTS, &headers, limited),
            ProviderError::RateLimited { retry_after: Some(std::time::Duration::from_secs(2)) }
        );
        assert_eq!(classify(StatusCode::UNAUTHORIZED, &headers, b""), ProviderError::Unauthorized(401));
        assert_eq!(classify(StatusCode::BAD_GATEWAY, &headers, b""), ProviderError::Server(502));
    }
}
