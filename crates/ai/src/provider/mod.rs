//! [`Provider`]: the one interface of Gemini, OpenAI-compatible servers and the built-in assistant.
//!
//! A provider receives a [`Request`] (the structured [`Task`] plus the prompt built from it) and answers a
//! JSON object. Remote providers only transport: they send the prompt, retry what is worth retrying, and
//! turn every failure into a [`ProviderError`]; judging the answer is the [`crate::Assistant`]'s job, the
//! same for every provider.

mod builtin;
mod gemini;
mod http;
mod openai;

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use serde_json::Value;

pub use builtin::Builtin;
pub use gemini::Gemini;
pub use openai::OpenAi;

use crate::secret::ApiKey;
use crate::task::Task;

/// Answers the three tasks.
#[async_trait]
pub trait Provider: Send + Sync {
    /// `builtin`, `gemini` or `openai`: shown to users as the `provider` of an answer.
    fn name(&self) -> &'static str;

    /// The answer to `request` as a JSON object of its task's shape (see [`Task`]).
    async fn answer(&self, request: &Request) -> Result<Value, ProviderError>;
}

/// Who speaks a turn of the conversation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TurnRole {
    /// Converge.
    User,
    /// The model (its previous answer, when asking it to repair one).
    Model,
}

/// One turn of the conversation sent to a model.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Turn {
    pub role: TurnRole,
    pub text: String,
}

/// A question for a provider: the task, the system instructions and the conversation so far (one user turn,
/// or three when a wrong answer is sent back for repair).
#[derive(Clone, Debug)]
pub struct Request {
    pub task: Task,
    pub system: String,
    pub turns: Vec<Turn>,
}

/// Why a provider gave no usable answer. `Display` is safe to log and to show: it never carries a key or
/// the provider's own error text (which may echo one).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ProviderError {
    #[error("the request timed out")]
    Timeout,
    #[error("could not reach the provider")]
    Transport,
    #[error("rate limited (HTTP 429)")]
    RateLimited { retry_after: Option<Duration> },
    #[error("the account's quota is exhausted")]
    QuotaExhausted,
    #[error("the provider refused the API key (HTTP {0})")]
    Unauthorized(u16),
    #[error("the provider refused the request (HTTP {0})")]
    Rejected(u16),
    #[error("the provider failed (HTTP {0})")]
    Server(u16),
    #[error("the answer was cut off at the output token limit")]
    Truncated,
    #[error("the provider blocked the answer ({0})")]
    Blocked(String),
    #[error("the answer was not the expected JSON ({0})")]
    Malformed(String),
}

impl ProviderError {
    /// Whether asking again may help: timeouts, transport errors, rate limits and server errors.
    pub fn retryable(&self) -> bool {
        matches!(
            self,
            ProviderError::Timeout
                | ProviderError::Transport
                | ProviderError::RateLimited { .. }
                | ProviderError::Server(_)
        )
    }
}

/// Which provider answers.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum ProviderKind {
    /// Offline, deterministic, no key: the default.
    #[default]
    Builtin,
    Gemini,
    /// Any OpenAI-compatible `/chat/completions` server.
    OpenAi,
}

/// How to reach a remote provider.
#[derive(Clone, Debug)]
pub struct ProviderConfig {
    pub kind: ProviderKind,
    /// Gemini: `https://generativelanguage.googleapis.com` (default); OpenAI-compatible: the base that
    /// `/chat/completions` is appended to, e.g. `https://api.openai.com/v1` (default) or
    /// `http://localhost:11434/v1` (Ollama).
    pub base_url: Option<String>,
    /// Default `gemini-2.5-flash` / `gpt-4o-mini`.
    pub model: Option<String>,
    /// Required by Gemini; optional for OpenAI-compatible servers (local ones often need none).
    pub api_key: Option<ApiKey>,
    /// Per attempt, connection included.
    pub timeout: Duration,
    /// Attempts after the first, for timeouts, transport errors, 429 and 5xx.
    pub max_retries: u32,
    pub max_output_tokens: u32,
    /// Sampling temperature, 0 to 2.
    pub temperature: f64,
}

impl Default for ProviderConfig {
    fn default() -> ProviderConfig {
        ProviderConfig {
            kind: ProviderKind::Builtin,
            base_url: None,
            model: None,
            api_key: None,
            timeout: Duration::from_secs(15),
            max_retries: 2,
            max_output_tokens: 1024,
            temperature: 0.4,
        }
    }
}

/// A configuration that cannot work.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct ConfigError(pub String);

/// Builds the configured provider. Fails on a configuration that could never work (Gemini without a key, a
/// base URL that is not http(s)), so a mistake is reported at start rather than as a fallback per request.
pub fn build_provider(config: &ProviderConfig) -> Result<Arc<dyn Provider>, ConfigError> {
    if config.max_output_tokens == 0 {
        return Err(ConfigError("ai.max_output_tokens must be at least 1".into()));
    }
    if !(0.0..=2.0).contains(&config.temperature) {
        return Err(ConfigError("ai.temperature must be between 0 and 2".into()));
    }
    Ok(match config.kind {
        ProviderKind::Builtin => Arc::new(Builtin),
        ProviderKind::Gemini => Arc::new(Gemini::new(config)?),
        ProviderKind::OpenAi => Arc::new(OpenAi::new(config)?),
    })
}
