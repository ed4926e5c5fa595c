//! [`SendChannel`]: the channel a campaign sends through, and [`resolve`], which picks each recipient's
//! channel and address or says why the recipient is skipped.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::Channel;

/// A campaign's channel: one fixed [`Channel`] for everyone, or `preferred`, each customer's own.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum SendChannel {
    Sms,
    Email,
    Whatsapp,
    /// Each customer's `preferred_channel`, falling back along [`FALLBACK_ORDER`].
    Preferred,
}

/// Channels tried, in order, for a `preferred` campaign when the customer has no preference or no address
/// for it: WhatsApp first (richest, cheapest per message), then SMS, then e-mail. WhatsApp and SMS both use
/// the phone, so in practice a customer with a phone gets WhatsApp and one with only an e-mail gets e-mail.
pub const FALLBACK_ORDER: [Channel; 3] = [Channel::Whatsapp, Channel::Sms, Channel::Email];

/// Where a message goes.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case", tag = "kind", content = "value")]
pub enum Address {
    Phone(String),
    Email(String),
}

impl Address {
    /// The phone number or e-mail address itself.
    pub fn as_str(&self) -> &str {
        match self {
            Address::Phone(phone) => phone,
            Address::Email(email) => email,
        }
    }
}

/// Why a recipient is skipped (stored as the SKIPPED row's reason).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum SkipReason {
    /// An SMS or WhatsApp campaign, and the customer has no phone.
    NoPhone(Channel),
    /// An e-mail campaign, and the customer has no e-mail address.
    NoEmail,
    /// A `preferred` campaign, and the customer has neither.
    NoAddress,
}

impl SkipReason {
    /// A stable code for filtering and metrics: `no_phone`, `no_email`, `no_address`.
    pub fn code(self) -> &'static str {
        match self {
            SkipReason::NoPhone(_) => "no_phone",
            SkipReason::NoEmail => "no_email",
            SkipReason::NoAddress => "no_address",
        }
    }
}

impl fmt::Display for SkipReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SkipReason::NoPhone(channel) => write!(f, "no phone number for {channel}"),
            SkipReason::NoEmail => f.write_str("no e-mail address for email"),
            SkipReason::NoAddress => f.write_str("no phone number or e-mail address"),
        }
    }
}

impl SendChannel {
    /// Every value, in display order.
    pub const ALL: [SendChannel; 4] =
        [SendChannel::Sms, SendChannel::Email, SendChannel::Whatsapp, SendChannel::Preferred];

    /// Parses `sms`, `email`, `whatsapp` or `preferred`, ignoring case and surrounding whitespace.
    pub fn parse(raw: &str) -> Result<SendChannel, String> {
        let word = raw.trim().to_ascii_lowercase();
        SendChannel::ALL
            .into_iter()
            .find(|channel| channel.as_str() == word)
            .ok_or_else(|| "must be one of sms, email, whatsapp, preferred".to_owned())
    }

    /// The lowercase name, as stored and serialized.
    pub fn as_str(self) -> &'static str {
        match self {
            SendChannel::Sms => "sms",
            SendChannel::Email => "email",
            SendChannel::Whatsapp => "whatsapp",
            SendChannel::Preferred => "preferred",
        }
    }

    /// The fixed channel, or `None` for `preferred`.
    pub fn fixed(self) -> Option<Channel> {
        match self {
            SendChannel::Sms => Some(Channel::Sms),
            SendChannel::Email => Some(Channel::Email),
            SendChannel::Whatsapp => Some(Channel::Whatsapp),
            SendChannel::Preferred => None,
        }
    }
}

impl From<Channel> for SendChannel {
    fn from(channel: Channel) -> SendChannel {
        match channel {
            Channel::Sms => SendChannel::Sms,
            Channel::Email => SendChannel::Email,
            Channel::Whatsapp => SendChannel::Whatsapp,
        }
    }
}

impl fmt::Display for SendChannel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Picks the channel and address for one recipient of a `channel` campaign. Blank addresses count as
/// missing. For `preferred`, the customer's preference wins when they have an address for it; otherwise
/// (no preference, or e.g. "email" preferred but no e-mail stored) the first channel of
/// [`FALLBACK_ORDER`] they can be reached on: reaching them another way beats not reaching them.
pub fn resolve(
    channel: SendChannel,
    customer_email: Option<&str>,
    customer_phone: Option<&str>,
    preferred: Option<Channel>,
) -> Result<(Channel, Address), SkipReason> {
    let email = customer_email.map(str::trim).filter(|email| !email.is_empty());
    let phone = customer_phone.map(str::trim).filter(|phone| !phone.is_empty());
    let address_for = |channel: Channel| match channel {
        Channel::Sms | Channel::Whatsapp => phone.map(|phone| Address::Phone(phone.to_owned())),
        Channel::Email => email.map(|email| Address::Email(email.to_owned())),
    };
    match channel.fixed() {
        Some(fixed) => address_for(fixed).map(|address| (fixed, address)).ok_or(match fixed {
            Channel::Email => SkipReason::NoEmail,
            Channel::Sms | Channel::Whatsapp => SkipReason::NoPhone(fixed),
        }),
        None => preferred
            .into_iter()
            .chain(FALLBACK_ORDER)
            .find_map(|candidate| address_for(candidate).map(|address| (candidate, address)))
            .ok_or(SkipReason::NoAddress),
    }
}
