//! Gemini `generateContent` against the fake.

use std::time::{Duration, Instant};

use converge_ai::{build_provider, ProviderError, ProviderKind, Turn, TurnRole};
use serde_json::{json, Value};

use crate::fake::{Fake, Reply};
use crate::{config, request, GEMINI_KEY};

/// A documented success: one candidate whose text parts hold the JSON answer.
pub fn success(text: &str) -> Reply {
    Reply::json(
        200,
        json!({
            "candidates": [{"content": {"parts": [{"text": text}], "role": "model"}, "finishReason": "STOP", "index": 0}],
            "usageMetadata": {"promptTokenCount": 120, "candidatesTokenCount": 30, "totalTokenCount": 150},
            "modelVersion": "gemini-2.5-flash"
        }),
    )
}

/// A documented error body.
pub fn error(code: u16, status: &str, message: &str) -> Reply {
    Reply::json(code, json!({"error": {"code": code, "message": message, "status": status}}))
}

async fn provider(fake: &Fake) -> std::sync::Arc<dyn converge_ai::Provider> {
    build_provider(&config(ProviderKind::Gemini, &fake.base, Some(GEMINI_KEY))).unwrap()
}

#[tokio::test]
async fn the_request_is_exactly_the_documented_one() {
    let fake = Fake::start(vec![success("{\"rule\": {\"combinator\": \"and\", \"rules\": []}}")]).await;
    let answer = provider(&fake).await.answer(&request()).await.unwrap();
    assert_eq!(answer, json!({"rule": {"combinator": "and", "rules": []}}));
    let seen = fake.seen();
    assert_eq!(seen.len(), 1);
    let r = &seen[0];
    assert_eq!(r.method, "POST");
    assert_eq!(r.path, "/v1beta/models/gemini-2.5-flash:generateContent");
    assert_eq!(r.query, None, "the key never travels in the URL");
    assert_eq!(r.headers["x-goog-api-key"], GEMINI_KEY);
    assert_eq!(r.headers["content-type"], "application/json");
    assert!(r.headers.get("authorization").is_none());
    assert_eq!(
        r.body,
        json!({
            "systemInstruction": {"parts": [{"text": "Answer in JSON."}]},
            "contents": [{"role": "user", "parts": [{"text": "{\"description\":\"spent over 5k\"}"}]}],
            "generationConfig": {"maxOutputTokens": 512, "temperature": 0.2, "responseMimeType": "application/json"}
        })
    );
}

#[tokio::test]
async fn a_repair_conversation_uses_the_model_role() {
    let fake = Fake::start(vec![success("{}")]).await;
    let mut req = request();
    req.turns.push(Turn { role: TurnRole::Model, text: "{\"rule\": 1}".into() });
    req.turns.push(Turn { role: TurnRole::User, text: "fix it".into() });
    provider(&fake).await.answer(&req).await.unwrap();
    let roles: Vec<Value> =
        fake.seen()[0].body["contents"].as_array().unwrap().iter().map(|c| c["role"].clone()).collect();
    assert_eq!(roles, vec![json!("user"), json!("model"), json!("user")]);
}

#[tokio::test]
async fn a_429_is_retried_after_its_retry_delay() {
    let limited = Reply::json(
        429,
        json!({"error": {"code": 429, "status": "RESOURCE_EXHAUSTED",
        "message": "You exceeded your current quota.",
        "details": [{"@type": "type.googleapis.com/google.rpc.RetryInfo", "retryDelay": "1s"}]}}),
    );
    let fake = Fake::start(vec![limited, success("{\"ok\": true}")]).await;
    let started = Instant::now();
    let answer = provider(&fake).await.answer(&request()).await.unwrap();
    assert_eq!(answer, json!({"ok": true}));
    assert_eq!(fake.seen().len(), 2);
    assert!(started.elapsed() >= Duration::from_millis(950), "waited {:?}", started.elapsed());
}

#[tokio::test]
async fn a_429_asking_for_a_long_wait_fails_at_once() {
    let limited = error(429, "RESOURCE_EXHAUSTED", "slow down").header("retry-after", "3600");
    let fake = Fake::start(vec![limited]).await;
    let started = Instant::now();
    let got = provider(&fake).await.answer(&request()).await.unwrap_err();
    assert_eq!(got, ProviderError::RateLimited { retry_after: Some(Duration::from_secs(3600)) });
    assert_eq!(fake.seen().len(), 1, "not retried: the user would wait an hour");
    assert!(started.elapsed() < Duration::from_secs(2));
}

#[tokio::test]
async fn a_daily_quota_is_not_retried() {
    let quota = Reply::json(
        429,
        json!({"error": {"code": 429, "status": "RESOURCE_EXHAUSTED", "message": "quota",
        "details": [{"@type": "type.googleapis.com/google.rpc.QuotaFailure",
            "violations": [{"quotaId": "GenerateRequestsPerDayPerProjectPerModel-FreeTier"}]}]}}),
    );
    let fake = Fake::start(vec![quota]).await;
    assert_eq!(provider(&fake).await.answer(&request()).await.unwrap_err(), ProviderError::QuotaExhausted);
    assert_eq!(fake.seen().len(), 1);
}

#[tokio::test]
async fn server_errors_are_retried_a_bounded_number_of_times() {
    let fake = Fake::start(vec![
        error(503, "UNAVAILABLE", "overloaded"),
        error(500, "INTERNAL", "oops"),
        success("{\"a\": 1}"),
    ])
    .await;
    assert_eq!(provider(&fake).await.answer(&request()).await.unwrap(), json!({"a": 1}));
    assert_eq!(fake.seen().len(), 3);
    let always = Fake::start(vec![error(500, "INTERNAL", "oops")]).await;
    assert_eq!(provider(&always).await.answer(&request()).await.unwrap_err(), ProviderError::Server(500));
    assert_eq!(always.seen().len(), 3, "the first attempt and max_retries = 2");
}

#[tokio::test]
async fn client_errors_are_not_retried_and_never_echo_the_key() {
    let fake = Fake::start(vec![error(400, "INVALID_ARGUMENT", "Invalid JSON payload")]).await;
    assert_eq!(provider(&fake).await.answer(&request()).await.unwrap_err(), ProviderError::Rejected(400));
    assert_eq!(fake.seen().len(), 1);
    let denied = Fake::start(vec![error(403, "PERMISSION_DENIED", &format!("API key {GEMINI_KEY} not valid"))]).await;
    let got = provider(&denied).await.answer(&request()).await.unwrap_err();
    assert_eq!(got, ProviderError::Unauthorized(403));
    assert!(!format!("{got} {got:?}").contains(GEMINI_KEY));
}

#[tokio::test]
async fn malformed_truncated_and_blocked_answers_are_errors() {
    let cases = vec![
        (success("Sure! Here is your rule: city is Pune."), "malformed"),
        (Reply::raw(200, "text/html", "<html>proxy error</html>"), "malformed"),
        (
            Reply::json(
                200,
                json!({"candidates": [{"content": {"parts": [{"text": "{\"rule\": {"}]}, "finishReason": "MAX_TOKENS"}]}),
            ),
            "truncated",
        ),
        (Reply::json(200, json!({"promptFeedback": {"blockReason": "SAFETY"}})), "blocked"),
        (Reply::json(200, json!({"candidates": [{"finishReason": "SAFETY", "safetyRatings": []}]})), "blocked"),
        (Reply::json(200, json!({"candidates": []})), "malformed"),
    ];
    for (reply, kind) in cases {
        let fake = Fake::start(vec![reply]).await;
        let got = provider(&fake).await.answer(&request()).await.unwrap_err();
        let matches = match kind {
            "malformed" => matches!(got, ProviderError::Malformed(_)),
            "truncated" => got == ProviderError::Truncated,
            _ => matches!(got, ProviderError::Blocked(_)),
        };
        assert!(matches, "{kind}: got {got:?}");
        assert_eq!(fake.seen().len(), 1, "a bad answer is not retried");
    }
}

#[tokio::test]
async fn timeouts_and_redirects() {
    let slow = Fake::start(vec![success("{}").delayed(Duration::from_secs(5))]).await;
    let mut cfg = config(ProviderKind::Gemini, &slow.base, Some(GEMINI_KEY));
    cfg.timeout = Duration::from_millis(300);
    cfg.max_retries = 1;
    let started = Instant::now();
    let got = build_provider(&cfg).unwrap().answer(&request()).await.unwrap_err();
    assert_eq!(got, ProviderError::Timeout);
    assert!(started.elapsed() < Duration::from_secs(3), "{:?}", started.elapsed());
    let redirect =
        Fake::start(vec![Reply::raw(307, "text/plain", "").header("location", "http://127.0.0.1:9/steal")]).await;
    assert_eq!(provider(&redirect).await.answer(&request()).await.unwrap_err(), ProviderError::Rejected(307));
    assert_eq!(redirect.seen().len(), 1);
}

#[tokio::test]
async fn gemini_needs_a_key() {
    let missing = build_provider(&config(ProviderKind::Gemini, "http://127.0.0.1:1", None)).err().unwrap();
    assert!(missing.to_string().contains("ai.api_key"));
    let scheme = build_provider(&config(ProviderKind::Gemini, "file:///etc", Some(GEMINI_KEY))).err().unwrap();
    assert!(scheme.to_string().contains("http or https"));
}
