//! The checks every suggested message passes, whoever wrote it: the template allow-list for each channel
//! the campaign may use, a placeholder, only customer-safe variables, no literal personal data, and the
//! channel's length once rendered for a long sample customer.
//!
//! A suggestion is a message body: for e-mail it is checked (and measured) with the unsubscribe link the
//! marketer's template must add (`{{ unsubscribe_url }}`) appended as a footer, which is not part of it.
//!
//! Length rule: the template is rendered with a long name ("Venkatalakshmi Subramanian"), a long city
//! ("Thiruvananthapuram"), a seven-digit spend and the workspace's real brand name. SMS (and `preferred`,
//! which may send SMS) must then fit one SMS segment: 160 GSM-7 characters, or 70 when a character such as
//! "₹" forces Unicode. WhatsApp allows 1,000 characters and e-mail 2,000: suggestions are meant to be short.

use converge_domain::template::{segments_estimate, MessageTemplate, TemplateVars, UNSUBSCRIBE_URL};
use converge_domain::{Channel, SendChannel};
use serde_json::Map;

/// Variables a suggestion may use: who the customer is and who we are, never how to reach them.
pub const SAFE_VARIABLES: &[&str] = &["first_name", "last_name", "name", "city", "brand", "total_spend", "order_count"];
/// Longest WhatsApp suggestion once rendered.
pub const MAX_WHATSAPP_CHARS: usize = 1_000;
/// Longest e-mail suggestion once rendered.
pub const MAX_EMAIL_CHARS: usize = 2_000;

/// The channels a campaign on `channel` may send through.
pub(crate) fn channels(channel: SendChannel) -> Vec<Channel> {
    match channel.fixed() {
        Some(one) => vec![one],
        None => Channel::ALL.to_vec(),
    }
}

/// The sample customer messages are measured on.
fn sample(brand: &str) -> TemplateVars {
    TemplateVars::for_customer(
        Some("Venkatalakshmi Subramanian"),
        None,
        None,
        Some("Thiruvananthapuram"),
        "C0000000000",
        &Map::new(),
        "₹12,34,567.00",
        1234,
        brand,
    )
}

/// The template a suggestion is checked as on `channel`: for e-mail, the body with the unsubscribe link's
/// footer (which every e-mail template must carry) when the body does not have it yet.
pub(crate) fn as_template(text: &str, channel: Channel) -> std::borrow::Cow<'_, str> {
    if channel == Channel::Email && !text.contains(UNSUBSCRIBE_URL) {
        std::borrow::Cow::Owned(format!("{text}\n{{{{ {UNSUBSCRIBE_URL} }}}}"))
    } else {
        std::borrow::Cow::Borrowed(text)
    }
}

/// Why `text` cannot be suggested for `channel`, if it cannot.
pub(crate) fn check(text: &str, channel: SendChannel, brand: &str) -> Result<(), String> {
    if text.trim().is_empty() {
        return Err("the message is empty".into());
    }
    if let Some(found) = personal_data(text) {
        return Err(format!("the message contains {found}"));
    }
    let vars =
        sample(brand).with_unsubscribe_url("https://crm.example.in/u/1.12345678.123456789.e.AAAAAAAAAAAAAAAAAAAAAA");
    for channel in channels(channel) {
        let template = MessageTemplate::parse(&as_template(text, channel), channel)
            .map_err(|err| format!("not a valid template: {err}"))?;
        let used: Vec<&String> = template.preview_variables().iter().filter(|v| *v != UNSUBSCRIBE_URL).collect();
        if used.is_empty() {
            return Err("the message has no placeholder such as {{ first_name }}".into());
        }
        if let Some(unsafe_var) = used.iter().find(|v| !SAFE_VARIABLES.contains(&v.as_str())) {
            return Err(format!(
                "the message uses {{{{ {unsafe_var} }}}}; only {} are allowed",
                SAFE_VARIABLES.join(", ")
            ));
        }
        let rendered = template.render(&vars).map_err(|err| format!("the message does not render: {err}"))?;
        let length = rendered.chars().count();
        match channel {
            Channel::Sms if segments_estimate(&rendered) > 1 => {
                return Err(format!("rendered for a long name it is {length} characters: more than one SMS"));
            }
            Channel::Whatsapp if length > MAX_WHATSAPP_CHARS => {
                return Err(format!(
                    "rendered it is {length} characters; WhatsApp suggestions allow {MAX_WHATSAPP_CHARS}"
                ));
            }
            Channel::Email if length > MAX_EMAIL_CHARS => {
                return Err(format!("rendered it is {length} characters; e-mail suggestions allow {MAX_EMAIL_CHARS}"));
            }
            _ => {}
        }
    }
    Ok(())
}

/// What personal data `text` seems to carry literally: an e-mail address or a phone-length run of digits
/// (7 or more, spaces, dots, dashes and brackets between them ignored). Prices and percentages are shorter.
pub(crate) fn personal_data(text: &str) -> Option<&'static str> {
    let looks_like_email = text
        .split(|c: char| c.is_whitespace() || "<>()[]{},;:\"'".contains(c))
        .any(|word| word.split_once('@').is_some_and(|(user, domain)| !user.is_empty() && domain.contains('.')));
    if looks_like_email {
        return Some("an e-mail address");
    }
    let mut digits = 0;
    let mut gap = 0;
    for c in text.chars() {
        if c.is_ascii_digit() {
            digits += 1;
            gap = 0;
            if digits >= 7 {
                return Some("a phone number");
            }
        } else if " .-()+".contains(c) && digits > 0 && gap == 0 {
            gap += 1;
        } else {
            digits = 0;
            gap = 0;
        }
    }
    None
}

/// A tone label as shown: lowercase words, at most 24 characters; `neutral` when none is usable.
pub(crate) fn tone(raw: Option<&str>) -> String {
    let clean: String = raw
        .unwrap_or("")
        .trim()
        .to_lowercase()
        .chars()
        .filter(|c| c.is_alphabetic() || *c == ' ' || *c == '-')
        .take(24)
        .collect();
    let clean = clean.trim().to_owned();
    if clean.is_empty() {
        "neutral".to_owned()
    } else {
        clean
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn personal_data_is_spotted() {
        assert_eq!(personal_data("write to asha@example.in today"), Some("an e-mail address"));
        assert_eq!(personal_data("call +91 98765 43210"), Some("a phone number"));
        assert_eq!(personal_data("call 98765-43210"), Some("a phone number"));
        assert_eq!(personal_data("20% off orders above Rs.1,999 till 31.12"), None);
        assert_eq!(personal_data("Hi {{ first_name }} @ home"), None);
    }

    #[test]
    fn templates_are_checked_per_channel() {
        let ok = "Hi {{ first_name | default(\"there\") }}, 20% off at {{ brand }} this week.";
        assert_eq!(check(ok, SendChannel::Sms, "Acme"), Ok(()));
        assert_eq!(check(ok, SendChannel::Preferred, "Acme"), Ok(()));
        assert!(check("Hello there, 20% off!", SendChannel::Sms, "Acme").unwrap_err().contains("placeholder"));
        assert!(check("Hi {{ frist_name }}", SendChannel::Sms, "Acme").unwrap_err().contains("not a valid template"));
        assert!(check("Your number {{ phone }}", SendChannel::Email, "Acme").unwrap_err().contains("{{ phone }}"));
        assert!(check("{% for x in y %}{% endfor %}{{ name }}", SendChannel::Email, "Acme").is_err());
        let long = format!("Hi {{{{ first_name }}}}, {}", "a".repeat(145));
        assert!(check(&long, SendChannel::Sms, "Acme").unwrap_err().contains("more than one SMS"));
        assert_eq!(check(&long, SendChannel::Whatsapp, "Acme"), Ok(()));
        let rupee = format!("Hi {{{{ first_name }}}}, ₹500 off {}", "a".repeat(60));
        assert!(check(&rupee, SendChannel::Sms, "Acme").is_err(), "₹ makes it Unicode: 70 characters");
    }

    #[test]
    fn tones_are_cleaned() {
        assert_eq!(tone(Some(" Playful! ")), "playful");
        assert_eq!(tone(None), "neutral");
        assert_eq!(tone(Some("<script>")), "script");
    }
}
