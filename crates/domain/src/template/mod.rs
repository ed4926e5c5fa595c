//! Message templates: personalised campaign messages in minijinja syntax, checked against an allow-list
//! when a campaign is created and rendered per customer in a bounded sandbox.
//!
//! `Hi {{ first_name | default("there") }}, your {{ attributes.tier }} perks in {{ city }} await.`
//!
//! - **Parse time is strict**: syntax errors, unknown variables (with a "did you mean" hint), unknown filters,
//!   and any construct outside the allow-list (text, `{{ }}`, `{% if %}`, catalogue variables,
//!   literals, comparisons, `and`/`or`/`not` and eight filters) are refused with a line and column,
//!   as are over-long templates and SMS templates whose fixed text alone exceeds ten segments.
//! - **Render time is lenient**: a value the customer lacks (including any `attributes.<key>`) renders as an
//!   empty string unless `default` supplies one, because one customer's missing city must not fail a send.
//! - **Bounded**: no loops, filters that refuse oversized values, a fuel budget ([`RENDER_FUEL`]) and a
//!   per-channel output limit, so no input makes rendering slow, large, or panic.
//!
//! What must not live here: loading customers, sending, or anything that reads the clock.

mod check;
mod error;
mod filters;
mod message;
pub mod mjml;
mod saved;
mod sms;
mod vars;

pub use error::{TemplateError, TemplateIssue};
pub use message::{
    MessageTemplate, MAX_EMAIL_TEMPLATE_CHARS, MAX_SHORT_TEMPLATE_CHARS, MAX_SMS_STATIC_SEGMENTS, RENDER_FUEL,
};
pub use saved::{
    check_preheader, check_subject, subject_template, Starter, TemplateDraft, TemplateInput, MAX_PREHEADER_CHARS,
    MAX_SUBJECT_CHARS, STARTERS,
};
pub use sms::segments_estimate;
pub use vars::{TemplateVariable, TemplateVars, TEMPLATE_VARIABLES, UNSUBSCRIBE_URL};

#[cfg(test)]
mod tests;
