//! Turning an [`OutboundMessage`] into the e-mail we submit: headers, a fresh `Message-ID`, and the body as
//! `multipart/alternative` (plain text first, then the HTML the template rendered).

use lettre::message::header::{Header, HeaderName, HeaderValue};
use lettre::message::{Mailbox, MultiPart};
use lettre::{Address, Message};

use super::text::html_to_text;
use crate::sender::OutboundMessage;

/// The longest piece of a reference copied into a `Message-ID`; the random part keeps ids unique anyway.
const MAX_ID_REFERENCE: usize = 64;

/// `X-Converge-Reference: <communication_log id>`: ties a received e-mail (a bounce, a complaint, or the
/// second copy of a retried send) back to its log row even though each attempt has its own `Message-ID`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct ConvergeReference(String);

impl Header for ConvergeReference {
    fn name() -> HeaderName {
        HeaderName::new_from_ascii_str("X-Converge-Reference")
    }

    fn parse(value: &str) -> Result<Self, Box<dyn std::error::Error + Send + Sync>> {
        Ok(ConvergeReference(value.to_owned()))
    }

    fn display(&self) -> HeaderValue {
        HeaderValue::new(Self::name(), self.0.clone())
    }
}

/// The e-mail for `message` and its `Message-ID`, or why the message itself cannot be sent (a final error).
pub(super) fn build(from: &Mailbox, id_domain: &str, message: &OutboundMessage) -> Result<(Message, String), String> {
    if message.reference.is_empty() || message.reference.chars().any(char::is_control) {
        return Err("reference: must be non-empty without control characters".into());
    }
    let to: Address = message.to.trim().parse().map_err(|err| format!("to: not an e-mail address ({err})"))?;
    let message_id = message_id(&message.reference, id_domain);
    let mut builder = Message::builder()
        .from(from.clone())
        .to(Mailbox::new(None, to))
        .message_id(Some(message_id.clone()))
        .header(ConvergeReference(message.reference.clone()));
    if let Some(subject) = &message.subject {
        if subject.contains(['\r', '\n']) {
            return Err("subject: must be one line".into());
        }
        builder = builder.subject(subject);
    }
    let body = MultiPart::alternative_plain_html(html_to_text(&message.body), message.body.clone());
    let email = builder.multipart(body).map_err(|err| format!("building the e-mail failed: {err}"))?;
    Ok((email, message_id))
}

/// `<{reference}.{random}@{domain}>`: unique per attempt (128 random bits), readable (the log row's id comes
/// first), and under our own domain as RFC 5322 asks. The reference is reduced to characters that are
/// always valid there. Not derived from the reference alone: references restart in a fresh database, and a
/// receiving server that deduplicates by `Message-ID` would then silently drop a new e-mail.
pub(super) fn message_id(reference: &str, domain: &str) -> String {
    let readable: String = reference
        .chars()
        .take(MAX_ID_REFERENCE)
        .map(|c| if c.is_ascii_alphanumeric() || c == '-' || c == '_' { c } else { '_' })
        .collect();
    format!("<{readable}.{:032x}@{domain}>", rand::random::<u128>())
}

#[cfg(test)]
mod tests {
    use converge_domain::Channel;

    use super::*;

    fn message(to: &str, subject: Option<&str>) -> OutboundMessage {
        OutboundMessage {
            reference: "log-42".into(),
            channel: Channel::Email,
            to: to.into(),
            subject: subject.map(str::to_owned),
            body: "<p>Hi Tom &amp; Jerry, caf\u{e9} time</p>".into(),
        }
    }

    fn from() -> Mailbox {
        "Brand Offers <offers@brand.example>".parse().unwrap()
    }

    #[test]
    fn message_ids_are_unique_readable_and_well_formed() {
        let first = message_id("9f3c/ab 1", "brand.example");
        let second = message_id("9f3c/ab 1", "brand.example");
        assert_ne!(first, second);
        assert!(first.starts_with("<9f3c_ab_1.") && first.ends_with("@brand.example>"), "{first}");
        assert_eq!(first.len(), "<9f3c_ab_1.".len() + 32 + "@brand.example>".len());
        assert!(message_id(&"x".repeat(500), "d.example").len() < 120);
    }

    #[test]
    fn the_email_carries_headers_and_both_alternatives() {
        let (email, id) = build(&from(), "brand.example", &message("asha@example.in", Some("Your offer"))).unwrap();
        let raw = String::from_utf8(email.formatted()).unwrap();
        for expected in [
            "To: asha@example.in",
            "Subject: Your offer",
            "X-Converge-Reference: log-42",
            "Content-Type: multipart/alternative",
            "Content-Type: text/plain; charset=utf-8",
            "Content-Type: text/html; charset=utf-8",
        ] {
            assert!(raw.contains(expected), "{expected} missing in\n{raw}");
        }
        assert!(raw.contains(&format!("Message-ID: {id}")), "{raw}");
    }

    #[test]
    fn bad_addresses_and_header_injection_are_final_errors() {
        let refused = |m: OutboundMessage| build(&from(), "brand.example", &m).unwrap_err();
        assert!(refused(message("not-an-address", None)).starts_with("to:"));
        assert!(refused(message("a@b.in", Some("Hi\r\nBcc: all@x.in"))).starts_with("subject:"));
        let mut control = message("a@b.in", None);
        control.reference = "log\n1".into();
        assert!(refused(control).starts_with("reference:"));
    }
}
