//! What a client may send: the request shape and its validation into a [`Message`].
//!
//! Validation is deliberately close to what real gateways enforce (E.164 numbers, plausible addresses, SMS
//! length), so Converge meets realistic rejections in tests. Unknown request fields are ignored, as gateways do.

use serde::{Deserialize, Serialize};

/// Longest SMS/WhatsApp body: ten concatenated 160-character segments, a common gateway limit.
const MAX_SHORT_BODY_CHARS: usize = 1_600;
/// Longest e-mail body accepted.
const MAX_EMAIL_BODY_BYTES: usize = 100_000;
/// RFC 5322 caps a header line at 998 characters; the subject must fit in one.
const MAX_SUBJECT_CHARS: usize = 998;
const MAX_REFERENCE_BYTES: usize = 200;
const MAX_EMAIL_BYTES: usize = 254;

/// The channel a message goes out on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Channel {
    Sms,
    Email,
    Whatsapp,
}

impl Channel {
    fn parse(text: &str) -> Option<Channel> {
        match text {
            "sms" => Some(Channel::Sms),
            "email" => Some(Channel::Email),
            "whatsapp" => Some(Channel::Whatsapp),
            _ => None,
        }
    }
}

/// `POST /v1/messages` and each item of a batch, as sent.
#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct SendRequest {
    pub to: String,
    pub channel: String,
    pub body: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subject: Option<String>,
    pub reference: String,
    /// E-mail: the unsubscribe link a real e-mail vendor would put in `List-Unsubscribe` (RFC 8058).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub list_unsubscribe: Option<String>,
    /// Who the message is from (see [`SenderFields`]).
    #[serde(flatten)]
    pub sender: SenderFields,
}

/// The sender a client may name: e-mail's `From` name and address and `Reply-To`; SMS's sender id (header)
/// and India's DLT entity and template ids. Recorded with the message, so tests can see what was carried.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, Serialize)]
pub struct SenderFields {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from_address: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reply_to: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sender_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dlt_entity_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dlt_template_id: Option<String>,
}

impl SenderFields {
    fn is_empty(&self) -> bool {
        *self == SenderFields::default()
    }

    fn validate(&self) -> Result<(), Invalid> {
        for (field, value) in [("from_address", &self.from_address), ("reply_to", &self.reply_to)] {
            if value.as_deref().is_some_and(|v| !is_email(v)) {
                return Err(invalid(field, "must be an e-mail address"));
            }
        }
        if self.from_name.as_deref().is_some_and(|n| n.chars().count() > 100 || n.chars().any(char::is_control)) {
            return Err(invalid("from_name", "one line of at most 100 characters"));
        }
        if self
            .sender_id
            .as_deref()
            .is_some_and(|id| !(3..=11).contains(&id.len()) || !id.bytes().all(|b| b.is_ascii_alphanumeric()))
        {
            return Err(invalid("sender_id", "3 to 11 letters or digits"));
        }
        for (field, value) in [("dlt_entity_id", &self.dlt_entity_id), ("dlt_template_id", &self.dlt_template_id)] {
            if value
                .as_deref()
                .is_some_and(|id| !(10..=25).contains(&id.len()) || !id.bytes().all(|b| b.is_ascii_digit()))
            {
                return Err(invalid(field, "10 to 25 digits"));
            }
        }
        Ok(())
    }
}

/// A send request that passed validation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    pub to: String,
    pub channel: Channel,
    pub body: String,
    pub subject: Option<String>,
    pub reference: String,
    /// `None` when the request named no sender.
    pub sender: Option<Box<SenderFields>>,
}

/// Why a request was refused, naming the field.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {reason}")]
pub struct Invalid {
    pub field: &'static str,
    pub reason: String,
}

fn invalid(field: &'static str, reason: impl Into<String>) -> Invalid {
    Invalid { field, reason: reason.into() }
}

impl SendRequest {
    /// Checks every field; the first problem found is reported.
    pub fn validate(self) -> Result<Message, Invalid> {
        let reference = self.reference;
        if reference.trim().is_empty() {
            return Err(invalid("reference", "must not be empty"));
        }
        if reference.len() > MAX_REFERENCE_BYTES || reference.chars().any(char::is_control) {
            return Err(invalid("reference", format!("at most {MAX_REFERENCE_BYTES} bytes, no control characters")));
        }
        let channel = Channel::parse(&self.channel)
            .ok_or_else(|| invalid("channel", "must be one of \"sms\", \"email\", \"whatsapp\""))?;
        let to = self.to.trim().to_owned();
        match channel {
            Channel::Email if !is_email(&to) => return Err(invalid("to", "must be an e-mail address")),
            Channel::Sms | Channel::Whatsapp if !is_e164(&to) => {
                return Err(invalid("to", "must be a phone number in E.164 form, e.g. +919812345678"))
            }
            _ => {}
        }
        if self.body.trim().is_empty() {
            return Err(invalid("body", "must not be empty"));
        }
        match channel {
            Channel::Email if self.body.len() > MAX_EMAIL_BODY_BYTES => {
                return Err(invalid("body", format!("at most {MAX_EMAIL_BODY_BYTES} bytes for e-mail")));
            }
            Channel::Sms | Channel::Whatsapp if self.body.chars().count() > MAX_SHORT_BODY_CHARS => {
                return Err(invalid("body", format!("at most {MAX_SHORT_BODY_CHARS} characters for this channel")));
            }
            _ => {}
        }
        if let Some(subject) = &self.subject {
            if subject.chars().count() > MAX_SUBJECT_CHARS || subject.contains(['\r', '\n']) {
                return Err(invalid("subject", format!("one line of at most {MAX_SUBJECT_CHARS} characters")));
            }
        }
        self.sender.validate()?;
        let sender = (!self.sender.is_empty()).then(|| Box::new(self.sender));
        Ok(Message { to, channel, body: self.body, subject: self.subject, reference, sender })
    }
}

/// `+` then 8 to 15 digits, the first not zero (ITU-T E.164).
fn is_e164(to: &str) -> bool {
    let Some(digits) = to.strip_prefix('+') else { return false };
    (8..=15).contains(&digits.len()) && digits.bytes().all(|b| b.is_ascii_digit()) && !digits.starts_with('0')
}

/// A plausible address: one `@`, a non-empty local part, a dotted domain, no whitespace.
fn is_email(to: &str) -> bool {
    if to.len() > MAX_EMAIL_BYTES || to.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return false;
    }
    let Some((local, domain)) = to.split_once('@') else { return false };
    !local.is_empty()
        && !domain.contains('@')
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !domain.contains("..")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(channel: &str, to: &str) -> SendRequest {
        SendRequest {
            to: to.into(),
            channel: channel.into(),
            body: "Hi Asha, 20% off this week".into(),
            subject: None,
            reference: "log-1".into(),
            list_unsubscribe: None,
            sender: SenderFields::default(),
        }
    }

    #[test]
    fn good_requests_pass() {
        assert!(request("sms", "+919812345678").validate().is_ok());
        assert!(request("whatsapp", "+14155550100").validate().is_ok());
        let mut mail = request("email", "asha@example.in");
        mail.subject = Some("Your offer".into());
        assert_eq!(mail.validate().map(|m| m.channel), Ok(Channel::Email));
    }

    #[test]
    fn bad_addresses_name_the_field() {
        for (channel, to) in [
            ("sms", "9812345678"),
            ("sms", "+91 98123"),
            ("sms", "+0123456789"),
            ("whatsapp", "asha@example.in"),
            ("email", "+919812345678"),
            ("email", "asha@localhost"),
            ("email", "as ha@example.in"),
            ("email", "@example.in"),
            ("email", "a@b@example.in"),
        ] {
            assert_eq!(request(channel, to).validate().map_err(|e| e.field), Err("to"), "{channel} {to}");
        }
    }

    #[test]
    fn other_fields_are_checked() {
        assert_eq!(request("fax", "+919812345678").validate().map_err(|e| e.field), Err("channel"));
        let mut empty_body = request("sms", "+919812345678");
        empty_body.body = "  ".into();
        assert_eq!(empty_body.validate().map_err(|e| e.field), Err("body"));
        let mut long_sms = request("sms", "+919812345678");
        long_sms.body = "x".repeat(1_601);
        assert_eq!(long_sms.validate().map_err(|e| e.field), Err("body"));
        let mut no_reference = request("sms", "+919812345678");
        no_reference.reference = String::new();
        assert_eq!(no_reference.validate().map_err(|e| e.field), Err("reference"));
        let mut two_line_subject = request("email", "a@b.in");
        two_line_subject.subject = Some("a\nb".into());
        assert_eq!(two_line_subject.validate().map_err(|e| e.field), Err("subject"));
        let mut bad_sender = request("sms", "+919812345678");
        bad_sender.sender.sender_id = Some("AB".into());
        assert_eq!(bad_sender.validate().map_err(|e| e.field), Err("sender_id"));
        let mut bad_reply = request("email", "a@b.in");
        bad_reply.sender.reply_to = Some("nobody".into());
        assert_eq!(bad_reply.validate().map_err(|e| e.field), Err("reply_to"));
    }

    #[test]
    fn a_named_sender_is_kept() {
        let mut mail = request("email", "a@b.in");
        mail.sender.from_address = Some("hello@brand.in".into());
        let message = mail.validate().unwrap();
        assert_eq!(message.sender.and_then(|s| s.from_address).as_deref(), Some("hello@brand.in"));
        assert_eq!(request("sms", "+919812345678").validate().unwrap().sender, None);
    }
}
