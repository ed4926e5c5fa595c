//! OpenAI-compatible chat completions against the fake.

use std::time::Duration;

use converge_ai::{build_provider, ProviderError, ProviderKind};
use serde_json::json;

use crate::fake::{Fake, Reply};
use crate::{config, request, OPENAI_KEY};

/// A documented success.
pub fn success(content: &str) -> Reply {
    Reply::json(
        200,
        json!({
            "id": "chatcmpl-123", "object": "chat.completion", "created": 1_700_000_000, "model": "gpt-4o-mini",
            "choices": [{"index": 0, "message": {"role": "assistant", "content": content, "refusal": null},
                "logprobs": null, "finish_reason": "stop"}],
            "usage": {"prompt_tokens": 120, "completion_tokens": 30, "total_tokens": 150}
        }),
    )
}

/// A documented error body.
pub fn error(status: u16, kind: &str, code: &str, message: &str) -> Reply {
    Reply::json(status, json!({"error": {"message": message, "type": kind, "param": null, "code": code}}))
}

fn base(fake: &Fake) -> String {
    format!("{}/v1", fake.base)
}

async fn provider(fake: &Fake, key: Option<&str>) -> std::sync::Arc<dyn converge_ai::Provider> {
    build_provider(&config(ProviderKind::OpenAi, &base(fake), key)).unwrap()
}

#[tokio::test]
async fn the_request_is_exactly_the_documented_one() {
    let fake = Fake::start(vec![success("{\"rule\": {\"combinator\": \"and\", \"rules\": []}}")]).await;
    let answer = provider(&fake, Some(OPENAI_KEY)).await.answer(&request()).await.unwrap();
    assert_eq!(answer, json!({"rule": {"combinator": "and", "rules": []}}));
    let seen = fake.seen();
    assert_eq!(seen.len(), 1);
    let r = &seen[0];
    assert_eq!(r.method, "POST");
    assert_eq!(r.path, "/v1/chat/completions");
    assert_eq!(r.headers["authorization"], format!("Bearer {OPENAI_KEY}").as_str());
    assert_eq!(r.headers["content-type"], "application/json");
    assert_eq!(
        r.body,
        json!({
            "model": "gpt-4o-mini",
            "messages": [
                {"role": "system", "content": "Answer in JSON."},
                {"role": "user", "content": "{\"description\":\"spent over 5k\"}"}
            ],
            "max_tokens": 512,
            "temperature": 0.2,
            "response_format": {"type": "json_object"}
        })
    );
}

#[tokio::test]
async fn local_servers_get_no_authorization_header() {
    let fake = Fake::start(vec![success("{}")]).await;
    let mut cfg = config(ProviderKind::OpenAi, &base(&fake), None);
    cfg.model = Some("llama3.1:8b".into());
    build_provider(&cfg).unwrap().answer(&request()).await.unwrap();
    let r = &fake.seen()[0];
    assert!(r.headers.get("authorization").is_none());
    assert_eq!(r.body["model"], "llama3.1:8b");
}

#[tokio::test]
async fn a_rate_limit_is_retried_after_retry_after() {
    let limited =
        error(429, "requests", "rate_limit_exceeded", "Rate limit reached for gpt-4o-mini").header("retry-after", "1");
    let fake = Fake::start(vec![limited, success("{\"ok\": 1}")]).await;
    let started = std::time::Instant::now();
    assert_eq!(provider(&fake, Some(OPENAI_KEY)).await.answer(&request()).await.unwrap(), json!({"ok": 1}));
    assert_eq!(fake.seen().len(), 2);
    assert!(started.elapsed() >= Duration::from_millis(950));
}

#[tokio::test]
async fn an_exhausted_quota_is_not_retried() {
    let quota = error(429, "insufficient_quota", "insufficient_quota", "You exceeded your current quota");
    let fake = Fake::start(vec![quota]).await;
    assert_eq!(
        provider(&fake, Some(OPENAI_KEY)).await.answer(&request()).await.unwrap_err(),
        ProviderError::QuotaExhausted
    );
    assert_eq!(fake.seen().len(), 1);
}

#[tokio::test]
async fn errors_are_classified_and_never_echo_the_key() {
    let wrong_key = error(
        401,
        "invalid_request_error",
        "invalid_api_key",
        &format!("Incorrect API key provided: {OPENAI_KEY}. You can find your API key at https://platform.openai.com."),
    );
    let fake = Fake::start(vec![wrong_key]).await;
    let refused = provider(&fake, Some(OPENAI_KEY)).await.answer(&request()).await.unwrap_err();
    assert_eq!(refused, ProviderError::Unauthorized(401));
    assert!(!format!("{refused} {refused:?}").contains(OPENAI_KEY));
    assert_eq!(fake.seen().len(), 1);
    let bad =
        Fake::start(vec![error(400, "invalid_request_error", "", "'messages' must contain the word 'json'")]).await;
    assert_eq!(provider(&bad, None).await.answer(&request()).await.unwrap_err(), ProviderError::Rejected(400));
    let flaky = Fake::start(vec![error(502, "server_error", "", "Bad gateway"), success("{\"b\": 2}")]).await;
    assert_eq!(provider(&flaky, None).await.answer(&request()).await.unwrap(), json!({"b": 2}));
    assert_eq!(flaky.seen().len(), 2);
}

#[tokio::test]
async fn malformed_and_truncated_answers_are_errors() {
    let truncated = Reply::json(
        200,
        json!({"id": "x", "object": "chat.completion", "choices": [{"index": 0,
        "message": {"role": "assistant", "content": "{\"suggestions\": [{\"text\": \"Hi"}, "finish_reason": "length"}]}),
    );
    let filtered = Reply::json(
        200,
        json!({"choices": [{"index": 0, "message": {"role": "assistant", "content": null},
        "finish_reason": "content_filter"}]}),
    );
    let cases = vec![
        (success("I cannot do that."), "malformed"),
        (success("[1, 2, 3]"), "malformed"),
        (Reply::json(200, json!({"object": "chat.completion", "choices": []})), "malformed"),
        (Reply::raw(200, "text/plain", "upstream connect error"), "malformed"),
        (truncated, "truncated"),
        (filtered, "blocked"),
    ];
    for (reply, kind) in cases {
        let fake = Fake::start(vec![reply]).await;
        let got = provider(&fake, None).await.answer(&request()).await.unwrap_err();
        let matches = match kind {
            "malformed" => matches!(got, ProviderError::Malformed(_)),
            "truncated" => got == ProviderError::Truncated,
            _ => matches!(got, ProviderError::Blocked(_)),
        };
        assert!(matches, "{kind}: got {got:?}");
    }
    // A fenced answer, as some local servers send despite JSON mode, is still read.
    let fenced = Fake::start(vec![success("```json\n{\"rule\": null}\n```")]).await;
    assert_eq!(provider(&fenced, None).await.answer(&request()).await.unwrap(), json!({"rule": null}));
}
