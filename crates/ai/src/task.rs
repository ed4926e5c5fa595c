//! [`Task`]: what a provider is asked to do, with everything it may know to do it.

use crate::suggest::MessageBrief;
use crate::summary::CampaignFacts;
use crate::text_rule::AudienceBrief;

/// One question for a provider. Remote providers read the prompt built from it; the built-in provider reads
/// the structured brief itself. Either way the answer is a JSON object of the task's shape:
///
/// - `Suggest` → `{"suggestions": [{"text": "…", "tone": "…"}, …]}`
/// - `Audience` → `{"rule": {…react-querybuilder…}}` or `{"error": "why not"}`
/// - `Summary` → `{"summary": "…", "tags": ["…"], "next_step": "…"}`
#[derive(Clone, Debug)]
pub enum Task {
    Suggest(MessageBrief),
    Audience(AudienceBrief),
    Summary(CampaignFacts),
}

impl Task {
    /// A short name for logs and metrics.
    pub fn name(&self) -> &'static str {
        match self {
            Task::Suggest(_) => "message_suggestions",
            Task::Audience(_) => "segment_from_text",
            Task::Summary(_) => "campaign_summary",
        }
    }
}
