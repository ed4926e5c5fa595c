//! [`Builtin`]: the offline provider. No key, no network, no randomness: the same question always gets the
//! same answer, computed from templates, the rule, the field catalogue and the campaign's figures. It answers
//! in the same JSON shapes as a model, so its answers pass through the same checks.

use async_trait::async_trait;
use serde_json::Value;

use super::{Provider, ProviderError, Request};
use crate::task::Task;
use crate::{suggest, summary, text_rule};

/// The built-in assistant.
#[derive(Clone, Copy, Debug, Default)]
pub struct Builtin;

impl Builtin {
    /// The answer to `task`, synchronously (it never fails: an unparseable text is an `{"error"}` answer).
    pub fn answer_task(task: &Task) -> Value {
        match task {
            Task::Suggest(brief) => suggest::builtin_answer(brief),
            Task::Audience(brief) => text_rule::builtin_answer(brief),
            Task::Summary(facts) => summary::builtin_answer(facts),
        }
    }
}

#[async_trait]
impl Provider for Builtin {
    fn name(&self) -> &'static str {
        "builtin"
    }

    async fn answer(&self, request: &Request) -> Result<Value, ProviderError> {
        Ok(Builtin::answer_task(&request.task))
    }
}
