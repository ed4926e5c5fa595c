//! Suppression list entries: an e-mail address or an E.164 phone number, kept as a hash (to match) and a
//! masked form (to show), never in clear, so an entry survives its customer's erasure without keeping them.

use sha2::{Digest, Sha256};

use crate::fields::{Channel, Email, Phone};

/// An address that can be suppressed, normalised so the same address always hashes the same way: an e-mail
/// in lowercase, a phone as `+digits`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SuppressionAddress {
    Email(String),
    Phone(String),
}

/// The hash of a normalised address (hex SHA-256 of `email:` or `phone:` and the address). It is for matching,
/// not secrecy: an address can be tested against it, which is what a suppression list is for.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct AddressKey(pub String);

impl SuppressionAddress {
    /// An e-mail address (anything with `@`) or an international phone number (`+` and 7 to 15 digits).
    pub fn parse(raw: &str) -> Result<SuppressionAddress, String> {
        let raw = raw.trim();
        if raw.contains('@') {
            return Email::parse(raw).map(|email| SuppressionAddress::Email(email.as_str().to_lowercase()));
        }
        let phone = Phone::parse(raw)?;
        if !phone.is_international() {
            return Err("must be an e-mail address or a phone number in E.164 form (+ and country code)".to_owned());
        }
        Ok(SuppressionAddress::Phone(phone.as_str().to_owned()))
    }

    /// The address a message was sent to (already a stored [`Email`] or [`Phone`]).
    pub fn of_email(email: &str) -> SuppressionAddress {
        SuppressionAddress::Email(email.trim().to_lowercase())
    }

    pub fn of_phone(phone: &str) -> SuppressionAddress {
        SuppressionAddress::Phone(phone.trim().to_owned())
    }

    /// The address a message on `channel` went to: an e-mail address, or the phone of SMS and WhatsApp.
    pub fn of_channel(channel: Channel, address: &str) -> SuppressionAddress {
        match channel {
            Channel::Email => SuppressionAddress::of_email(address),
            Channel::Sms | Channel::Whatsapp => SuppressionAddress::of_phone(address),
        }
    }

    pub fn key(&self) -> AddressKey {
        let (kind, text) = match self {
            SuppressionAddress::Email(text) => ("email", text),
            SuppressionAddress::Phone(text) => ("phone", text),
        };
        AddressKey(hex::encode(Sha256::digest(format!("{kind}:{text}").as_bytes())))
    }

    /// `p****@example.in`, `+91******3210`: enough for a person to recognise, not to recover.
    pub fn masked(&self) -> String {
        match self {
            SuppressionAddress::Email(text) => {
                let (local, domain) = text.split_once('@').unwrap_or((text, ""));
                let first: String = local.chars().take(1).collect();
                format!("{first}{}@{domain}", "*".repeat(local.chars().count().saturating_sub(1).max(3)))
            }
            SuppressionAddress::Phone(text) => {
                let chars: Vec<char> = text.chars().collect();
                let keep_end = 4.min(chars.len());
                let keep_start = 3.min(chars.len() - keep_end);
                let hidden = chars.len() - keep_start - keep_end;
                let start: String = chars[..keep_start].iter().collect();
                let end: String = chars[chars.len() - keep_end..].iter().collect();
                format!("{start}{}{end}", "*".repeat(hidden))
            }
        }
    }

    pub fn kind(&self) -> &'static str {
        match self {
            SuppressionAddress::Email(_) => "email",
            SuppressionAddress::Phone(_) => "phone",
        }
    }
}
