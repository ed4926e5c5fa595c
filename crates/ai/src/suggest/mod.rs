//! Message suggestions: three distinct variants of a campaign message, each labelled with its tone, using
//! `{{ first_name }}`-style placeholders the template engine accepts, within the channel's length, and
//! free of any customer's data.
//!
//! Whoever writes a variant (a model or [`builtin`]), it is kept only if it passes [`check`]; a model's
//! variant that fails is dropped and a built-in one takes its place.

pub(crate) mod builtin;
pub mod check;

use converge_domain::SendChannel;
use serde::Serialize;
use serde_json::{json, Value};

/// Longest objective accepted, in characters.
pub const MAX_OBJECTIVE_CHARS: usize = 500;
/// Variants returned.
pub const VARIANTS: usize = 3;

/// What a message is for.
#[derive(Clone, Debug)]
pub struct MessageBrief {
    /// What the campaign wants, in the marketer's words (at most [`MAX_OBJECTIVE_CHARS`]).
    pub objective: String,
    pub channel: SendChannel,
    /// The audience's rule (validated against the workspace's catalogue), if known.
    pub rule: Option<Value>,
    /// The audience in plain English, for the prompt.
    pub audience: Option<String>,
    /// The workspace's display name: what `{{ brand }}` renders as, used to measure length.
    pub brand: String,
}

/// One suggested message.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Suggestion {
    /// The message template, ready to use as a campaign's `template`.
    pub text: String,
    /// How it sounds: `friendly`, `urgent`, `exclusive`, or a model's own word.
    pub tone: String,
    /// Who wrote it: `builtin`, `gemini` or `openai`.
    pub provider: String,
}

/// The built-in provider's answer: `{"suggestions": [{"text", "tone"}, …]}`.
pub(crate) fn builtin_answer(brief: &MessageBrief) -> Value {
    let variants: Vec<Value> =
        builtin::variants(brief).into_iter().map(|(tone, text)| json!({"text": text, "tone": tone})).collect();
    json!({ "suggestions": variants })
}

/// Reads a provider's answer: the variants that pass the checks (distinct, at most [`VARIANTS`]), and why
/// each other one was dropped.
pub(crate) fn judge(answer: &Value, brief: &MessageBrief, provider: &str) -> (Vec<Suggestion>, Vec<String>) {
    let mut kept: Vec<Suggestion> = Vec::new();
    let mut dropped = Vec::new();
    let Some(items) = answer.get("suggestions").and_then(Value::as_array) else {
        return (kept, vec!["the answer has no \"suggestions\" list".into()]);
    };
    for item in items.iter().take(10) {
        if kept.len() == VARIANTS {
            break;
        }
        let Some(text) = item.get("text").and_then(Value::as_str) else {
            dropped.push("a suggestion has no text".into());
            continue;
        };
        let text = text.trim();
        if let Err(why) = check::check(text, brief.channel, &brief.brand) {
            dropped.push(why);
            continue;
        }
        if kept.iter().any(|s| s.text.eq_ignore_ascii_case(text)) {
            dropped.push("a suggestion repeats another".into());
            continue;
        }
        let tone = check::tone(item.get("tone").and_then(Value::as_str));
        kept.push(Suggestion { text: text.to_owned(), tone, provider: provider.to_owned() });
    }
    (kept, dropped)
}

/// Tops `kept` up to [`VARIANTS`] with built-in variants it does not already have (by text or tone).
pub(crate) fn complete(mut kept: Vec<Suggestion>, brief: &MessageBrief) -> Vec<Suggestion> {
    for (tone, text) in builtin::variants(brief) {
        if kept.len() >= VARIANTS {
            break;
        }
        let taken = kept.iter().any(|s| s.text.eq_ignore_ascii_case(&text) || s.tone == tone);
        if !taken {
            kept.push(Suggestion { text, tone, provider: "builtin".to_owned() });
        }
    }
    kept
}

#[cfg(test)]
mod tests;
