//! [`Assistant`]: asks the configured provider, judges its answer, and falls back to the built-in provider.
//!
//! The rules, the same for every task:
//!
//! - A remote provider that fails (timeout, transport, 429 after bounded retries, 5xx, refused key,
//!   malformed or truncated output) is replaced by the built-in provider, and the answer carries a `notice`
//!   saying so. The whole remote exchange is bounded by a budget, so a slow model cannot hold a request.
//! - Suggestions: a model's variant that fails the checks is dropped and a built-in variant takes its place
//!   (noticed). Summaries: a model's text with a figure Converge did not compute is replaced by the built-in
//!   wording (noticed). Rules: an invalid rule is sent back once with the validation errors; a second invalid
//!   rule, or a model's `{"error"}`, is a refusal — never a guess.

use std::sync::Arc;
use std::time::Duration;

use serde_json::Value;

use crate::prompt;
use crate::provider::{Builtin, Provider, ProviderError, Request};
use crate::suggest::{self, MessageBrief, Suggestion, VARIANTS};
use crate::summary::{self, CampaignFacts, CampaignSummary};
use crate::task::Task;
use crate::text_rule::{self, AudienceBrief, AudienceDraft, Verdict};

/// How long a remote provider may take for one task, retries and repair included. Under the HTTP layer's
/// 30 s request timeout, so a user always gets the built-in answer rather than a 408.
pub const DEFAULT_BUDGET: Duration = Duration::from_secs(25);

/// An answer with who gave it.
#[derive(Clone, Debug, PartialEq)]
pub struct Answered<T> {
    pub value: T,
    /// `builtin`, `gemini` or `openai`: whose answer this mostly is.
    pub provider: String,
    /// Set when the configured provider's answer was not (fully) used, saying why.
    pub notice: Option<String>,
}

/// Why no answer can be given.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum AiError {
    /// The text cannot be turned into a valid audience; the message says why (shown to the user).
    #[error("{0}")]
    Refused(String),
}

/// The configured assistant. Cheap to clone.
#[derive(Clone)]
pub struct Assistant {
    primary: Arc<dyn Provider>,
    budget: Duration,
}

impl std::fmt::Debug for Assistant {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Assistant").field("provider", &self.primary.name()).field("budget", &self.budget).finish()
    }
}

impl Assistant {
    pub fn new(primary: Arc<dyn Provider>) -> Assistant {
        Assistant { primary, budget: DEFAULT_BUDGET }
    }

    /// The offline assistant.
    pub fn builtin() -> Assistant {
        Assistant::new(Arc::new(Builtin))
    }

    /// Sets the time budget of one remote task.
    pub fn with_budget(mut self, budget: Duration) -> Assistant {
        self.budget = budget;
        self
    }

    /// The configured provider's name.
    pub fn provider(&self) -> &'static str {
        self.primary.name()
    }

    fn remote(&self) -> bool {
        self.primary.name() != Builtin.name()
    }

    async fn ask(&self, request: &Request) -> Result<Value, ProviderError> {
        match tokio::time::timeout(self.budget, self.primary.answer(request)).await {
            Ok(answer) => answer,
            Err(_) => Err(ProviderError::Timeout),
        }
    }

    fn failed(&self, task: &Task, error: &ProviderError) -> String {
        tracing::warn!(provider = self.provider(), task = task.name(), %error, "AI provider failed; the built-in assistant answers");
        format!(
            "The configured assistant ({}) could not answer: {error}. The built-in assistant answered instead.",
            self.provider()
        )
    }

    /// Three message variants for `brief`.
    pub async fn message_suggestions(&self, brief: MessageBrief) -> Answered<Vec<Suggestion>> {
        let builtin = |notice: Option<String>| {
            let (kept, _) = suggest::judge(&suggest::builtin_answer(&brief), &brief, "builtin");
            Answered { value: suggest::complete(kept, &brief), provider: "builtin".to_owned(), notice }
        };
        if !self.remote() {
            return builtin(None);
        }
        let request = prompt::request(Task::Suggest(brief.clone()));
        let answer = match self.ask(&request).await {
            Ok(answer) => answer,
            Err(error) => return builtin(Some(self.failed(&request.task, &error))),
        };
        let name = self.provider();
        let (kept, dropped) = suggest::judge(&answer, &brief, name);
        let from_model = kept.len();
        let value = suggest::complete(kept, &brief);
        let notice = (from_model < VARIANTS).then(|| {
            tracing::info!(provider = name, dropped = ?dropped, "model suggestions failed the checks");
            let why = dropped.first().map(|why| format!(" ({why})")).unwrap_or_default();
            format!(
                "{} of the {name} assistant's suggestions did not pass Converge's checks{why}; built-in suggestions \
                 took their place.",
                VARIANTS - from_model
            )
        });
        let provider = if from_model == 0 { "builtin" } else { name };
        Answered { value, provider: provider.to_owned(), notice }
    }

    /// A validated rule for `brief.text`, or a refusal saying why there is none.
    pub async fn segment_from_text(&self, brief: AudienceBrief) -> Result<Answered<AudienceDraft>, AiError> {
        if !self.remote() {
            return builtin_audience(&brief, None);
        }
        let request = prompt::request(Task::Audience(brief.clone()));
        let name = self.provider();
        let first = match self.ask(&request).await {
            Ok(answer) => answer,
            Err(error) => return builtin_audience(&brief, Some(self.failed(&request.task, &error))),
        };
        let why = match text_rule::judge(&first, &brief) {
            Verdict::Rule(draft) => return Ok(Answered { value: draft, provider: name.to_owned(), notice: None }),
            Verdict::Refused(why) => return Err(AiError::Refused(why)),
            Verdict::Invalid(why) => why,
        };
        tracing::info!(provider = name, %why, "model rule invalid; asking once for a repair");
        let repair = prompt::repair(request, &first, &why);
        let second = match self.ask(&repair).await {
            Ok(answer) => answer,
            Err(error) => return builtin_audience(&brief, Some(self.failed(&repair.task, &error))),
        };
        match text_rule::judge(&second, &brief) {
            Verdict::Rule(draft) => Ok(Answered { value: draft, provider: name.to_owned(), notice: None }),
            Verdict::Refused(why) => Err(AiError::Refused(why)),
            Verdict::Invalid(why) => {
                tracing::info!(provider = name, %why, "model rule invalid after repair; refusing");
                Err(AiError::Refused(format!("the {name} assistant could not produce a valid rule ({why})")))
            }
        }
    }

    /// The summary, tags and next step of a campaign's results.
    pub async fn campaign_summary(&self, facts: CampaignFacts) -> Answered<CampaignSummary> {
        let builtin = summary::builtin(&facts);
        if !self.remote() {
            return Answered { value: builtin, provider: "builtin".to_owned(), notice: None };
        }
        let request = prompt::request(Task::Summary(facts.clone()));
        let answer = match self.ask(&request).await {
            Ok(answer) => answer,
            Err(error) => {
                let notice = self.failed(&request.task, &error);
                return Answered { value: builtin, provider: "builtin".to_owned(), notice: Some(notice) };
            }
        };
        let name = self.provider();
        match summary::check::judge(&answer, &facts) {
            Ok(mut worded) => {
                if worded.tags.is_empty() {
                    worded.tags = builtin.tags;
                }
                Answered { value: worded, provider: name.to_owned(), notice: None }
            }
            Err(why) => {
                tracing::info!(provider = name, %why, "model summary rejected; using the built-in wording");
                let notice = format!(
                    "The {name} assistant's summary was not used ({why}); Converge's own wording of the same figures \
                     is shown."
                );
                Answered { value: builtin, provider: "builtin".to_owned(), notice: Some(notice) }
            }
        }
    }
}

/// The built-in parser's answer, judged like any other.
fn builtin_audience(brief: &AudienceBrief, notice: Option<String>) -> Result<Answered<AudienceDraft>, AiError> {
    match text_rule::judge(&text_rule::builtin_answer(brief), brief) {
        Verdict::Rule(draft) => Ok(Answered { value: draft, provider: "builtin".to_owned(), notice }),
        Verdict::Refused(why) | Verdict::Invalid(why) => Err(AiError::Refused(why)),
    }
}
