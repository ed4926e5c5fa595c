//! Converge's AI assistants: message suggestions for a campaign, text → audience rule, and a plain-English
//! summary of a campaign's results.
//!
//! Three [`Provider`]s answer the same three [`Task`]s in the same JSON shapes: Gemini (`generateContent`),
//! any OpenAI-compatible chat-completions server (OpenAI, Ollama, vLLM, llama.cpp), and [`Builtin`], which
//! needs no key and no network and answers deterministically from templates, the rule and the campaign's
//! figures. The [`Assistant`] asks the configured provider, checks every answer, and falls back to the
//! built-in provider (saying so in a `notice`) when a remote one fails.
//!
//! Trust boundaries, the reason this crate is shaped as it is:
//!
//! - **Nothing a model says is trusted.** A rule is validated with the same [`Rule::parse`] as previews
//!   (unknown fields refused) and rebuilt from its meaningful keys only; a message is checked by the
//!   template allow-list, the channel's length and a PII screen; a summary's numbers must be numbers
//!   Converge computed. What fails is repaired once, replaced by a built-in answer, or refused.
//! - **No customer data goes out.** Prompts carry the objective, channel, rule, field catalogue (names,
//!   labels, types), the workspace's most common city names and aggregate figures; never a customer's name,
//!   e-mail or phone. Failure reasons are screened for digits and addresses before they are counted.
//! - **Keys stay secret.** An [`ApiKey`] never prints; provider error texts are redacted before logging and
//!   never returned to the caller.
//!
//! What must not live here: HTTP handlers (axum), storage, settings loading. Everything the tasks need is
//! passed in, so every function is testable offline.
//!
//! [`Rule::parse`]: converge_domain::segment::Rule::parse

pub mod assistant;
mod format;
mod prompt;
pub mod provider;
mod secret;
pub mod suggest;
pub mod summary;
mod task;
pub mod text_rule;
mod traits;

pub use assistant::{AiError, Answered, Assistant};
pub use provider::{
    build_provider, Builtin, ConfigError, Provider, ProviderConfig, ProviderError, ProviderKind, Request, Turn,
    TurnRole,
};
pub use secret::ApiKey;
pub use suggest::{MessageBrief, Suggestion, MAX_OBJECTIVE_CHARS};
pub use summary::{share, spend_bands, CampaignFacts, CampaignSummary, GroupFacts, ReasonCount, SPEND_BANDS, TAGS};
pub use task::Task;
pub use text_rule::{AudienceBrief, AudienceDraft, MAX_TEXT_CHARS};
