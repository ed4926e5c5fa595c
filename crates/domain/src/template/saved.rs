//! Saved templates (`/api/v1/templates`): a named message for one channel that campaigns reuse. A campaign
//! copies the template when it is created, so editing a template never changes a campaign already made.
//! E-mail templates also carry a subject line (a one-line template) and a preheader (the preview text mail
//! clients show after the subject). Each workspace starts with [`STARTERS`], three per channel.

use serde::Deserialize;
use utoipa::ToSchema;

use super::message::MessageTemplate;
use crate::error::FieldErrors;
use crate::fields::Channel;

/// Longest template name.
pub const MAX_TEMPLATE_NAME_CHARS: usize = 100;
/// Longest subject line template (Gmail shows about 70 characters; 200 leaves room for variables).
pub const MAX_SUBJECT_CHARS: usize = 200;
/// Longest preheader.
pub const MAX_PREHEADER_CHARS: usize = 150;

/// `POST /api/v1/templates` and `PUT /api/v1/templates/{id}`.
#[derive(Clone, Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TemplateInput {
    /// Unique within the workspace, at most 100 characters.
    #[schema(example = "Win-back offer")]
    pub name: Option<String>,
    /// `sms`, `email` or `whatsapp`.
    #[schema(value_type = Channel)]
    pub channel: Option<String>,
    /// The message in template syntax; e-mail bodies are HTML and must contain `{{ unsubscribe_url }}`.
    #[schema(example = "Hi {{ first_name | default(\"there\") }}, we miss you at {{ brand }}!")]
    pub body: Option<String>,
    /// E-mail only: the subject line, a one-line template of at most 200 characters.
    pub subject: Option<String>,
    /// E-mail only: the preview text shown after the subject, at most 150 characters.
    pub preheader: Option<String>,
}

/// A template that passed every check.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TemplateDraft {
    pub name: String,
    pub channel: Channel,
    pub body: String,
    pub subject: Option<String>,
    pub preheader: Option<String>,
}

impl TemplateInput {
    /// Checks every field; problems are reported all at once, template problems with line and column.
    pub fn validate(self) -> Result<TemplateDraft, FieldErrors> {
        let mut errors = FieldErrors::new();
        let name = match self.name.as_deref().map(str::trim) {
            None | Some("") => {
                errors.push("name", "is required");
                None
            }
            Some(name) if name.chars().count() > MAX_TEMPLATE_NAME_CHARS => {
                errors.push("name", format!("must be at most {MAX_TEMPLATE_NAME_CHARS} characters"));
                None
            }
            Some(name) if name.chars().any(char::is_control) => {
                errors.push("name", "must be one line without control characters");
                None
            }
            Some(name) => Some(name.to_owned()),
        };
        let channel = match self.channel.as_deref() {
            None => {
                errors.push("channel", "is required: sms, email or whatsapp");
                None
            }
            Some(raw) => errors.check("channel", Channel::parse(raw)),
        };
        let body = match (self.body, channel) {
            (None, _) => {
                errors.push("body", "is required");
                None
            }
            (Some(body), Some(channel)) => match MessageTemplate::parse(&body, channel) {
                Ok(_) => Some(body),
                Err(err) => {
                    errors.extend(err.into_field_errors("body"));
                    None
                }
            },
            (Some(_), None) => None,
        };
        let email = channel == Some(Channel::Email);
        let subject = match self.subject {
            Some(_) if !email => {
                errors.push("subject", "only e-mail templates have a subject");
                None
            }
            Some(subject) => check_subject(&subject, &mut errors),
            None => None,
        };
        let preheader = match self.preheader {
            Some(text) if !email && !text.trim().is_empty() => {
                errors.push("preheader", "only e-mail templates have a preheader");
                None
            }
            Some(text) => check_preheader(&text, &mut errors),
            None => None,
        };
        match (name, channel, body) {
            (Some(name), Some(channel), Some(body)) if errors.is_empty() => {
                Ok(TemplateDraft { name, channel, body, subject, preheader })
            }
            _ => Err(errors),
        }
    }
}

/// A preheader: one line of plain text, at most [`MAX_PREHEADER_CHARS`]; blank is none. Problems go to
/// `errors` under `preheader`.
pub fn check_preheader(raw: &str, errors: &mut FieldErrors) -> Option<String> {
    let text = raw.trim();
    if text.is_empty() {
        return None;
    }
    if text.chars().count() > MAX_PREHEADER_CHARS {
        errors.push("preheader", format!("must be at most {MAX_PREHEADER_CHARS} characters"));
        return None;
    }
    if text.chars().any(char::is_control) {
        errors.push("preheader", "must be one line without control characters");
        return None;
    }
    Some(text.to_owned())
}

/// The compiled form of a checked subject line (plain text: a header is not HTML, so values are not
/// escaped).
pub fn subject_template(subject: &str) -> Result<MessageTemplate, super::TemplateError> {
    MessageTemplate::parse(subject, Channel::Whatsapp)
}

/// A subject line: one line, at most [`MAX_SUBJECT_CHARS`], in template syntax rendered as plain text;
/// blank is none. Problems go to `errors` under `subject`.
pub fn check_subject(subject: &str, errors: &mut FieldErrors) -> Option<String> {
    let subject = subject.trim();
    if subject.is_empty() {
        return None;
    }
    let length = subject.chars().count();
    if length > MAX_SUBJECT_CHARS {
        errors.push("subject", format!("is {length} characters long; at most {MAX_SUBJECT_CHARS} are allowed"));
        return None;
    }
    if subject.contains(['\r', '\n']) {
        errors.push("subject", "must be one line");
        return None;
    }
    match subject_template(subject) {
        Ok(_) => Some(subject.to_owned()),
        Err(err) => {
            errors.extend(err.into_field_errors("subject"));
            None
        }
    }
}

/// A template every workspace starts with.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Starter {
    pub name: &'static str,
    pub channel: Channel,
    pub body: &'static str,
    pub subject: Option<&'static str>,
    pub preheader: Option<&'static str>,
}

const fn short(name: &'static str, channel: Channel, body: &'static str) -> Starter {
    Starter { name, channel, body, subject: None, preheader: None }
}

/// Three starters per channel: a welcome, a win-back and an offer (e-mail ones in MJML, in the shape the
/// composer's block editor writes: one column of blocks).
pub const STARTERS: &[Starter] = &[
    short("Welcome (SMS)", Channel::Sms, "Hi {{ first_name | default(\"there\") }}, welcome to {{ brand }}! Your first order ships free."),
    short(
        "Win-back (SMS)",
        Channel::Sms,
        "Hi {{ first_name | default(\"there\") }}, we miss you at {{ brand }}. Here is 15% off your next order: COMEBACK15",
    ),
    short("Offer (SMS)", Channel::Sms, "{{ brand }}: this weekend only, 20% off everything{% if city %} in {{ city }}{% endif %}. Shop now!"),
    short(
        "Welcome (WhatsApp)",
        Channel::Whatsapp,
        "Hi {{ first_name | default(\"there\") }} 👋 Welcome to {{ brand }}! Reply here any time if you need help with an order.",
    ),
    short(
        "Win-back (WhatsApp)",
        Channel::Whatsapp,
        "Hi {{ first_name | default(\"there\") }}, it has been a while! {{ brand }} saved 15% off for you: COMEBACK15",
    ),
    short(
        "Offer (WhatsApp)",
        Channel::Whatsapp,
        "{{ brand }} weekend sale: 20% off everything until Sunday. Your {{ attributes.tier | default(\"member\") }} perks apply too.",
    ),
    Starter {
        name: "Welcome (e-mail)",
        channel: Channel::Email,
        body: "<mjml>\n  <mj-body background-color=\"#f4f4f5\">\n    <mj-section background-color=\"#ffffff\">\n      <mj-column>\n        <mj-text font-size=\"24px\" font-weight=\"700\">Welcome to {{ brand }}, {{ first_name | default(\"friend\") }}!</mj-text>\n        <mj-text>Thank you for joining us. Your first order ships free.</mj-text>\n        <mj-divider border-color=\"#e4e4e7\" border-width=\"1px\" />\n        <mj-text font-size=\"12px\" color=\"#666666\">{{ postal_address }}<br /><a href=\"{{ unsubscribe_url }}\">Unsubscribe or change preferences</a></mj-text>\n      </mj-column>\n    </mj-section>\n  </mj-body>\n</mjml>",
        subject: Some("Welcome to {{ brand }}, {{ first_name | default(\"friend\") }}"),
        preheader: Some("Your first order ships free."),
    },
    Starter {
        name: "Win-back (e-mail)",
        channel: Channel::Email,
        body: "<mjml>\n  <mj-body background-color=\"#f4f4f5\">\n    <mj-section background-color=\"#ffffff\">\n      <mj-column>\n        <mj-text font-size=\"24px\" font-weight=\"700\">We miss you, {{ first_name | default(\"friend\") }}</mj-text>\n        <mj-text>It has been a while since your last visit to {{ brand }}. Here is 15% off your next order with the code <strong>COMEBACK15</strong>.</mj-text>\n        <mj-divider border-color=\"#e4e4e7\" border-width=\"1px\" />\n        <mj-text font-size=\"12px\" color=\"#666666\">{{ postal_address }}<br /><a href=\"{{ unsubscribe_url }}\">Unsubscribe or change preferences</a></mj-text>\n      </mj-column>\n    </mj-section>\n  </mj-body>\n</mjml>",
        subject: Some("{{ first_name | default(\"Friend\") }}, 15% off to welcome you back"),
        preheader: Some("A little something from all of us."),
    },
    Starter {
        name: "Offer (e-mail)",
        channel: Channel::Email,
        body: "<mjml>\n  <mj-body background-color=\"#f4f4f5\">\n    <mj-section background-color=\"#ffffff\">\n      <mj-column>\n        <mj-text font-size=\"24px\" font-weight=\"700\">This weekend only: 20% off</mj-text>\n        <mj-text>Everything at {{ brand }} is 20% off until Sunday{% if city %}, in {{ city }} and online{% endif %}.</mj-text>\n        <mj-divider border-color=\"#e4e4e7\" border-width=\"1px\" />\n        <mj-text font-size=\"12px\" color=\"#666666\">{{ postal_address }}<br /><a href=\"{{ unsubscribe_url }}\">Unsubscribe or change preferences</a></mj-text>\n      </mj-column>\n    </mj-section>\n  </mj-body>\n</mjml>",
        subject: Some("20% off everything at {{ brand }} this weekend"),
        preheader: Some("Until Sunday, online and in store."),
    },
];

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    fn input(channel: &str, body: &str) -> TemplateInput {
        TemplateInput {
            name: Some("T".into()),
            channel: Some(channel.into()),
            body: Some(body.into()),
            ..TemplateInput::default()
        }
    }

    fn fields(input: TemplateInput) -> Vec<String> {
        input.validate().unwrap_err().iter().map(|e| e.field.clone()).collect()
    }

    #[test]
    fn every_starter_is_a_valid_template() {
        for starter in STARTERS {
            let input = TemplateInput {
                name: Some(starter.name.into()),
                channel: Some(starter.channel.as_str().into()),
                body: Some(starter.body.into()),
                subject: starter.subject.map(Into::into),
                preheader: starter.preheader.map(Into::into),
            };
            assert!(input.validate().is_ok(), "{}", starter.name);
        }
        for channel in Channel::ALL {
            assert_eq!(STARTERS.iter().filter(|s| s.channel == channel).count(), 3, "{channel}");
        }
    }

    #[test]
    fn bad_templates_name_their_field() {
        assert_eq!(fields(TemplateInput::default()), ["name", "channel", "body"]);
        assert_eq!(fields(input("fax", "Hi")), ["channel"]);
        assert_eq!(fields(input("sms", "Hi {{ frist_name }}")), ["body"]);
        assert_eq!(fields(input("email", "<p>Hi</p>")), ["body"], "e-mail needs its unsubscribe link");
        let mut sms_subject = input("sms", "Hi");
        sms_subject.subject = Some("Hello".into());
        assert_eq!(fields(sms_subject), ["subject"]);
        let mut long = input("email", "<a href=\"{{ unsubscribe_url }}\">x</a>");
        long.subject = Some("x".repeat(201));
        long.preheader = Some("y".repeat(151));
        assert_eq!(fields(long), ["subject", "preheader"]);
        let mut two_lines = input("email", "<a href=\"{{ unsubscribe_url }}\">x</a>");
        two_lines.subject = Some("a\nb".into());
        assert_eq!(fields(two_lines), ["subject"]);
        let mut unknown = input("email", "<a href=\"{{ unsubscribe_url }}\">x</a>");
        unknown.subject = Some("{{ nope }}".into());
        assert_eq!(fields(unknown), ["subject"]);
    }

    #[test]
    fn a_good_email_template_keeps_subject_and_preheader() {
        let mut good = input("email", "<p>Hi {{ first_name }}</p><a href=\"{{ unsubscribe_url }}\">Unsubscribe</a>");
        good.subject = Some("  Hi {{ first_name }}  ".into());
        good.preheader = Some("Inside: 20% off".into());
        let draft = good.validate().unwrap();
        assert_eq!(
            (draft.subject.as_deref(), draft.preheader.as_deref()),
            (Some("Hi {{ first_name }}"), Some("Inside: 20% off"))
        );
    }
}
