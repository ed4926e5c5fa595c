//! A customer's subscription to a channel: its status, where the last change came from, and the upsert
//! form `"subscriptions": {"email": "subscribed", "sms": "unsubscribed"}`.

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize};

use crate::error::FieldErrors;
use crate::fields::Channel;

/// A channel's consent. "None recorded" is the absence of a status (the workspace's [`Policy`](super::Policy)
/// says what it means).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum SubscriptionStatus {
    Subscribed,
    Unsubscribed,
    /// Awaiting the customer's confirmation (double opt-in): not yet reachable.
    Pending,
}

impl SubscriptionStatus {
    pub fn parse(raw: &str) -> Result<SubscriptionStatus, String> {
        match raw.trim().to_ascii_lowercase().as_str() {
            "subscribed" => Ok(SubscriptionStatus::Subscribed),
            "unsubscribed" => Ok(SubscriptionStatus::Unsubscribed),
            "pending" => Ok(SubscriptionStatus::Pending),
            _ => Err("must be one of subscribed, unsubscribed, pending".to_owned()),
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            SubscriptionStatus::Subscribed => "subscribed",
            SubscriptionStatus::Unsubscribed => "unsubscribed",
            SubscriptionStatus::Pending => "pending",
        }
    }
}

impl fmt::Display for SubscriptionStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Where a consent change came from, kept with every change (GDPR art. 7(1): the brand must be able to show
/// how consent was given or withdrawn).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ConsentSource {
    /// `POST /api/v1/customers` (and its batch form).
    Api,
    /// A CSV import.
    Import,
    /// The recipient followed a message's unsubscribe link (or a mail client's one-click unsubscribe).
    UnsubscribeLink,
    /// An SMS reply (STOP, START).
    Reply,
    /// The hosted preferences page.
    Preferences,
    /// A member of the workspace, in the UI or the API.
    Admin,
    /// The vendor reported the address as permanently undeliverable.
    Bounce,
    /// The recipient reported a message as spam (a provider's feedback loop, through the vendor).
    Complaint,
}

impl ConsentSource {
    pub const ALL: [ConsentSource; 8] = [
        ConsentSource::Api,
        ConsentSource::Import,
        ConsentSource::UnsubscribeLink,
        ConsentSource::Reply,
        ConsentSource::Preferences,
        ConsentSource::Admin,
        ConsentSource::Bounce,
        ConsentSource::Complaint,
    ];

    pub fn parse(raw: &str) -> Result<ConsentSource, String> {
        ConsentSource::ALL.into_iter().find(|s| s.as_str() == raw).ok_or_else(|| {
            "must be one of api, import, unsubscribe_link, reply, preferences, admin, bounce, complaint".to_owned()
        })
    }

    pub fn as_str(self) -> &'static str {
        match self {
            ConsentSource::Api => "api",
            ConsentSource::Import => "import",
            ConsentSource::UnsubscribeLink => "unsubscribe_link",
            ConsentSource::Reply => "reply",
            ConsentSource::Preferences => "preferences",
            ConsentSource::Admin => "admin",
            ConsentSource::Bounce => "bounce",
            ConsentSource::Complaint => "complaint",
        }
    }
}

impl fmt::Display for ConsentSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The channels an upsert sets, with their new status. Serialized as `{"email": "subscribed", …}`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Subscriptions(pub BTreeMap<ChannelKey, SubscriptionStatus>);

/// A [`Channel`] as a map key (serde needs `Ord` for a `BTreeMap` key; the order is sms, email, whatsapp).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ChannelKey {
    Sms,
    Email,
    Whatsapp,
}

impl From<Channel> for ChannelKey {
    fn from(channel: Channel) -> Self {
        match channel {
            Channel::Sms => ChannelKey::Sms,
            Channel::Email => ChannelKey::Email,
            Channel::Whatsapp => ChannelKey::Whatsapp,
        }
    }
}

impl From<ChannelKey> for Channel {
    fn from(key: ChannelKey) -> Self {
        match key {
            ChannelKey::Sms => Channel::Sms,
            ChannelKey::Email => Channel::Email,
            ChannelKey::Whatsapp => Channel::Whatsapp,
        }
    }
}

impl Subscriptions {
    /// Parses the upsert form: every key a channel, every value a status; errors name
    /// `subscriptions.<key>`.
    pub fn from_json(map: &serde_json::Map<String, serde_json::Value>) -> Result<Subscriptions, FieldErrors> {
        let mut errors = FieldErrors::new();
        let mut parsed = BTreeMap::new();
        for (key, value) in map {
            let field = format!("subscriptions.{key}");
            let Ok(channel) = Channel::parse(key) else {
                errors.push(field, "is not a channel: the keys must be sms, email, whatsapp");
                continue;
            };
            match value.as_str().map(SubscriptionStatus::parse) {
                Some(Ok(status)) => {
                    parsed.insert(ChannelKey::from(channel), status);
                }
                Some(Err(message)) => errors.push(field, message),
                None => errors.push(field, "must be a string: subscribed, unsubscribed or pending"),
            }
        }
        errors.into_result(Subscriptions(parsed))
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn iter(&self) -> impl Iterator<Item = (Channel, SubscriptionStatus)> + '_ {
        self.0.iter().map(|(k, s)| (Channel::from(*k), *s))
    }
}
