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

/// `List-Unsubscribe: <https://…>` (RFC 2369): where a mail client's unsubscribe button goes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct ListUnsubscribe(String);

impl Header for ListUnsubscribe {
    fn name() -> HeaderName {
        HeaderName::new_from_ascii_str("List-Unsubscribe")
    }

    fn parse(value: &str) -> Result<Self, Box<dyn std::error::Error + Send + Sync>> {
        Ok(ListUnsubscribe(value.trim_start_matches('<').trim_end_matches('>').to_owned()))
    }

    fn display(&self) -> HeaderValue {
        HeaderValue::new(Self::name(), format!("<{}>", self.0))
    }
}

/// `List-Unsubscribe-Post: List-Unsubscribe=One-Click` (RFC 8058): the link unsubscribes on a POST, with no
/// page to visit (what Gmail and Yahoo require of bulk senders).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct ListUnsubscribePost;

impl Header for ListUnsubscribePost {
    fn name() -> HeaderName {
        HeaderName::new_from_ascii_str("List-Unsubscribe-Post")
    }

    fn parse(_: &str) -> Result<Self, Box<dyn std::error::Error + Send + Sync>> {
        Ok(ListUnsubscribePost)
    }

    fn display(&self) -> HeaderValue {
        HeaderValue::new(Self::name(), "List-Unsubscribe=One-Click".to_owned())
    }
}

/// The e-mail for `message` and its `Message-ID`, or why the message itself cannot be sent (a final error).
pub(super) fn build(from: &Mailbox, id_domain: &str, message: &OutboundMessage) -> Result<(Message, String), String> {
    if message.reference.is_empty() || message.reference.chars().any(char::is_control) {
        return Err("reference: must be non-empty without control characters".into());
    }
    let to: Address = message.to.trim().parse().map_err(|err| format!("to: not an e-mail address ({err})"))?;
    let message_id = message_id(&message.reference, id_domain);
    let sender = message.sender.as_deref();
    let from = match sender.and_then(|s| s.from_address.as_deref()) {
        Some(address) => {
            let address: Address =
                address.parse().map_err(|err| format!("from_address: not an e-mail address ({err})"))?;
            let name = sender.and_then(|s| s.from_name.clone()).or_else(|| from.name.clone());
            Mailbox::new(name, address)
        }
        None => match sender.and_then(|s| s.from_name.clone()) {
            Some(name) => Mailbox::new(Some(name), from.email.clone()),
            None => from.clone(),
        },
    };
    let mut builder = Message::builder()
        .from(from)
        .to(Mailbox::new(None, to))
        .message_id(Some(message_id.clone()))
        .header(ConvergeReference(message.reference.clone()));
    if let Some(reply_to) = sender.and_then(|s| s.reply_to.as_deref()) {
        let address: Address = reply_to.parse().map_err(|err| format!("reply_to: not an e-mail address ({err})"))?;
        builder = builder.reply_to(Mailbox::new(None, address));
    }
    if let Some(subject) = &message.subject {
        if subject.contains(['\r', '\n']) {
            return Err("subject: must be one line".into());
        }
        builder = builder.subject(subject);
    }
    if let Some(url) = &message.unsubscribe_url {
        let ok = (url.starts_with("https://") || url.starts_with("http://"))
            && !url.chars().any(|c| c.is_control() || c.is_whitespace() || c == '<' || c == '>');
        if !ok {
            return Err("unsubscribe_url: must be an http(s) URL without spaces or angle brackets".into());
        }
        builder = builder.header(ListUnsubscribe(url.clone())).header(ListUnsubscribePost);
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
            unsubscribe_url: None,
            sender: None,
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
    fn marketing_email_carries_one_click_unsubscribe() {
        let mut with_link = message("asha@example.in", Some("Offer"));
        with_link.unsubscribe_url = Some("https://crm.brand.in/u/1.2.3.e.c2lnbmF0dXJl".into());
        let raw = String::from_utf8(build(&from(), "brand.example", &with_link).unwrap().0.formatted()).unwrap();
        assert!(raw.contains("List-Unsubscribe: <https://crm.brand.in/u/1.2.3.e.c2lnbmF0dXJl>\r\n"), "{raw}");
        assert!(raw.contains("List-Unsubscribe-Post: List-Unsubscribe=One-Click\r\n"), "{raw}");
        let plain = String::from_utf8(build(&from(), "b.example", &message("a@b.in", None)).unwrap().0.formatted());
        assert!(!plain.unwrap().contains("List-Unsubscribe"));
        for bad in ["javascript:alert(1)", "https://x.in/u>\r\nBcc: all@x.in", "https://x.in/a b"] {
            with_link.unsubscribe_url = Some(bad.into());
            assert!(build(&from(), "b.example", &with_link).unwrap_err().starts_with("unsubscribe_url:"), "{bad}");
        }
    }

    #[test]
    fn the_brands_sender_sets_from_and_reply_to() {
        let mut branded = message("asha@example.in", Some("Offer"));
        let identity = crate::SenderIdentity {
            from_name: Some("Tanvi".into()),
            from_address: Some("hello@tanvi.example".into()),
            reply_to: Some("care@tanvi.example".into()),
            ..crate::SenderIdentity::default()
        };
        branded.sender = Some(std::sync::Arc::new(identity));
        let raw = String::from_utf8(build(&from(), "brand.example", &branded).unwrap().0.formatted()).unwrap();
        assert!(raw.contains("From: Tanvi <hello@tanvi.example>\r\n"), "{raw}");
        assert!(raw.contains("Reply-To: care@tanvi.example\r\n"), "{raw}");
        // A name alone keeps the relay's address.
        let named = crate::SenderIdentity { from_name: Some("Tanvi".into()), ..crate::SenderIdentity::default() };
        branded.sender = Some(std::sync::Arc::new(named));
        let raw = String::from_utf8(build(&from(), "brand.example", &branded).unwrap().0.formatted()).unwrap();
        assert!(raw.contains("From: Tanvi <offers@brand.example>\r\n") && !raw.contains("Reply-To"), "{raw}");
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
