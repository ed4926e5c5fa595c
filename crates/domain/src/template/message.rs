//! [`MessageTemplate`]: a checked template bound to its channel, compiled once and rendered per customer.

use std::fmt;
use std::sync::Arc;

use minijinja::{AutoEscape, Environment, ErrorKind, UndefinedBehavior};

use super::check::{check, syntax_error};
use super::error::TemplateError;
use super::filters;
use super::mjml;
use super::sms::segments_estimate;
use super::vars::{TemplateVars, UNSUBSCRIBE_URL};
use crate::Channel;

/// The name the template is stored under in its private engine.
const NAME: &str = "message";

/// Longest SMS or WhatsApp template, in characters (markup included).
pub const MAX_SHORT_TEMPLATE_CHARS: usize = 2_000;
/// Longest e-mail template, in characters (markup included).
pub const MAX_EMAIL_TEMPLATE_CHARS: usize = 20_000;
/// Most SMS segments the static text of an SMS template may need; past that every recipient would cost
/// more than ten messages, which is a mistake rather than a campaign.
pub const MAX_SMS_STATIC_SEGMENTS: u32 = 10;
/// Work budget of one render, in minijinja fuel: one unit per instruction or per 64 bytes of data made.
/// Accepted templates have no loops, so they use at most a few thousand; this only stops pathological
/// filter chains.
pub const RENDER_FUEL: u64 = 50_000;

/// A message template that passed every check: it parses, uses only catalogue variables and allowed
/// syntax, and fits its channel. Rendering it can still fail for one customer (a value too long for the
/// channel), never panic.
///
/// Escaping: SMS and WhatsApp are plain text, so values are inserted as they are. E-mail templates are HTML
/// bodies (the server sends them as `text/html`): the marketer's markup is trusted, every value is
/// HTML-escaped, and there is no `safe` filter, so customer data (names and attributes arrive through the
/// ingest API) can never inject links or markup into a brand's e-mail.
#[derive(Clone)]
pub struct MessageTemplate {
    text: String,
    channel: Channel,
    variables: Vec<String>,
    /// A private engine holding the compiled template: parsed once, rendered a million times, shared by
    /// clones across worker threads.
    env: Arc<Environment<'static>>,
}

impl MessageTemplate {
    /// Checks and compiles `text` for `channel`. Every problem comes back with its line and column.
    pub fn parse(text: &str, channel: Channel) -> Result<MessageTemplate, TemplateError> {
        let max = Self::max_template_chars(channel);
        if let Some((offset, _)) = text.char_indices().nth(max) {
            let length = text.chars().count();
            let message = format!("is {length} characters long; {channel} templates allow at most {max}");
            return Err(TemplateError::invalid(text, offset, message));
        }
        if text.trim().is_empty() {
            return Err(TemplateError::invalid(text, 0, "must not be empty"));
        }
        let checked = check(text)?;
        let segments = segments_estimate(&checked.least_static_text);
        if channel == Channel::Sms && segments > MAX_SMS_STATIC_SEGMENTS {
            let message = format!(
                "the fixed text alone needs {segments} SMS segments; at most {MAX_SMS_STATIC_SEGMENTS} are allowed"
            );
            return Err(TemplateError::invalid(text, 0, message));
        }
        if channel == Channel::Email && !checked.variables.iter().any(|v| v == UNSUBSCRIBE_URL) {
            let message = "e-mail templates must contain {{ unsubscribe_url }} (the recipient's unsubscribe link)";
            return Err(TemplateError::invalid(text, 0, message));
        }
        // E-mail: MJML becomes its HTML here, once; links and size are checked on what will be sent.
        let compiled = match channel {
            Channel::Email if mjml::is_mjml(text) => mjml::to_html(text)?,
            _ => text.to_owned(),
        };
        if channel == Channel::Email {
            let links = mjml::link_issues(text);
            if !links.is_empty() {
                return Err(TemplateError::Invalid(links));
            }
            if let Some(too_big) = mjml::size_issue(text, &compiled) {
                return Err(too_big);
            }
        } else if mjml::is_mjml(text) {
            let message = format!("MJML is for e-mail; {channel} messages are plain text");
            return Err(TemplateError::invalid(text, 0, message));
        }
        let mut env = Environment::empty();
        filters::register(&mut env);
        env.set_fuel(Some(RENDER_FUEL));
        env.set_undefined_behavior(UndefinedBehavior::Lenient);
        // Debug mode copies the source into every error; render failures should stay cheap.
        env.set_debug(false);
        if channel == Channel::Email {
            env.set_auto_escape_callback(|_| AutoEscape::Html);
        }
        env.add_template_owned(NAME, compiled).map_err(|err| syntax_error(text, &err))?;
        Ok(MessageTemplate { text: text.to_owned(), channel, variables: checked.variables, env: Arc::new(env) })
    }

    /// Renders the message for one customer. Missing values render as empty strings (or their `default`).
    pub fn render(&self, vars: &TemplateVars) -> Result<String, TemplateError> {
        let template = self.env.get_template(NAME).map_err(render_error)?;
        let output = template.render(vars.root()).map_err(render_error)?;
        let max = Self::max_output_chars(self.channel);
        let length = output.chars().count();
        if length > max {
            return Err(TemplateError::Render(format!(
                "the message is {length} characters long; {} messages allow at most {max}",
                self.channel
            )));
        }
        Ok(output)
    }

    /// The template as written.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// The channel it was checked for.
    pub fn channel(&self) -> Channel {
        self.channel
    }

    /// Variables the template uses, in order of first use (`first_name`, `attributes.tier`, …), so the UI can
    /// show which customer fields a preview depends on.
    pub fn preview_variables(&self) -> &[String] {
        &self.variables
    }

    /// Longest template accepted for `channel`, in characters.
    pub fn max_template_chars(channel: Channel) -> usize {
        match channel {
            Channel::Sms | Channel::Whatsapp => MAX_SHORT_TEMPLATE_CHARS,
            Channel::Email => MAX_EMAIL_TEMPLATE_CHARS,
        }
    }

    /// Longest rendered message for `channel`, in characters: 1600 for SMS (what gateways accept as one
    /// concatenated message), 4096 for WhatsApp (its text body limit), 100 000 for an e-mail body.
    pub fn max_output_chars(channel: Channel) -> usize {
        match channel {
            Channel::Sms => 1_600,
            Channel::Whatsapp => 4_096,
            Channel::Email => 100_000,
        }
    }
}

fn render_error(err: minijinja::Error) -> TemplateError {
    let message = match (err.kind(), err.detail()) {
        (ErrorKind::OutOfFuel, _) => "the template needs more work than a message may take".to_owned(),
        (_, Some(detail)) => detail.to_owned(),
        (kind, None) => kind.to_string(),
    };
    TemplateError::Render(message)
}

impl fmt::Debug for MessageTemplate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MessageTemplate")
            .field("channel", &self.channel)
            .field("text", &self.text)
            .field("variables", &self.variables)
            .finish_non_exhaustive()
    }
}

impl PartialEq for MessageTemplate {
    fn eq(&self, other: &Self) -> bool {
        self.channel == other.channel && self.text == other.text
    }
}

impl Eq for MessageTemplate {}
