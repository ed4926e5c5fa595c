//! Each remote provider against a local fake server that checks every request exactly as the provider's
//! documentation specifies (method, path, headers, body) and answers with documented shapes: success,
//! errors, rate limits (429) and malformed output. Then the assistant on top: fallback with a notice,
//! repair of an invalid rule, refusals, and keys kept out of logs.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // a test (or a bench tool) says what it expects by panicking

mod assistant;
mod fake;
mod gemini;
mod openai;

use std::time::Duration;

use converge_ai::{ApiKey, AudienceBrief, ProviderConfig, ProviderKind, Request, Task, Turn, TurnRole};
use converge_domain::segment::Catalogue;
use converge_domain::Currency;

pub const GEMINI_KEY: &str = "AIzaSyFAKE-gemini-key-0123456789";
pub const OPENAI_KEY: &str = "sk-test-openai-key-0123456789";

pub fn config(kind: ProviderKind, base: &str, key: Option<&str>) -> ProviderConfig {
    ProviderConfig {
        kind,
        base_url: Some(base.to_owned()),
        model: None,
        api_key: key.map(ApiKey::new),
        timeout: Duration::from_secs(2),
        max_retries: 2,
        max_output_tokens: 512,
        temperature: 0.2,
    }
}

pub fn brief(text: &str) -> AudienceBrief {
    AudienceBrief {
        text: text.to_owned(),
        catalogue: Catalogue::builtin(),
        cities: vec!["Pune".into(), "Mumbai".into()],
        currency: Currency::INR,
    }
}

/// A request with known texts, so bodies can be compared exactly.
pub fn request() -> Request {
    Request {
        task: Task::Audience(brief("spent over 5k")),
        system: "Answer in JSON.".into(),
        turns: vec![Turn { role: TurnRole::User, text: "{\"description\":\"spent over 5k\"}".into() }],
    }
}
