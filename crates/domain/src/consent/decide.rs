//! What a recipient's consent decides when their message is due: send, skip (with the reason the log
//! shows), or wait for the end of quiet hours.

use chrono::{DateTime, Utc};

use super::compliance::{Compliance, Policy};
use super::status::SubscriptionStatus;
use crate::fields::Channel;

/// Why a message was not sent, as the log's reason shows it (exactly these words).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ConsentSkip {
    /// The customer unsubscribed from the channel or from the campaign's topic.
    Unsubscribed,
    /// The address is on the workspace's suppression list.
    Suppressed,
    /// The subscription awaits the customer's confirmation (double opt-in).
    Pending,
    /// The channel requires opt-in and the customer never subscribed.
    NoConsent,
    /// The customer already got the cap's number of marketing messages in its window.
    FrequencyCap,
}

impl ConsentSkip {
    pub fn as_str(self) -> &'static str {
        match self {
            ConsentSkip::Unsubscribed => "unsubscribed",
            ConsentSkip::Suppressed => "suppressed",
            ConsentSkip::Pending => "pending",
            ConsentSkip::NoConsent => "no_consent",
            ConsentSkip::FrequencyCap => "frequency_cap",
        }
    }
}

/// What is known about one recipient on the channel their message would go out on.
#[derive(Clone, Copy, Debug, Default)]
pub struct ConsentFacts<'a> {
    /// The channel's recorded status, if any.
    pub status: Option<SubscriptionStatus>,
    /// The customer left the campaign's topic.
    pub topic_unsubscribed: bool,
    /// The address is suppressed.
    pub suppressed: bool,
    /// Marketing messages already sent to the customer within the frequency cap's window.
    pub sent_in_window: u32,
    /// The customer's own IANA time zone, if they have one.
    pub timezone: Option<&'a str>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verdict {
    Send,
    Skip(ConsentSkip),
    /// Inside quiet hours: due again at this instant (the window's end), not dropped.
    Defer(DateTime<Utc>),
}

/// Decides in a fixed order: the lasting reasons first (the customer's own unsubscribe, then suppression,
/// pending, no consent, a topic left), then quiet hours (a deferred message is decided again when it is due,
/// cap included), then the cap.
pub fn decide(compliance: &Compliance, channel: Channel, facts: &ConsentFacts<'_>, now: DateTime<Utc>) -> Verdict {
    if facts.status == Some(SubscriptionStatus::Unsubscribed) {
        return Verdict::Skip(ConsentSkip::Unsubscribed);
    }
    if facts.suppressed {
        return Verdict::Skip(ConsentSkip::Suppressed);
    }
    match facts.status {
        Some(SubscriptionStatus::Pending) => return Verdict::Skip(ConsentSkip::Pending),
        None if compliance.policy(channel) == Policy::OptIn => return Verdict::Skip(ConsentSkip::NoConsent),
        _ => {}
    }
    if facts.topic_unsubscribed {
        return Verdict::Skip(ConsentSkip::Unsubscribed);
    }
    if let Some(quiet) = &compliance.quiet_hours {
        if let Some(until) = quiet.defer_until(now, compliance.zone_of(facts.timezone)) {
            return Verdict::Defer(until);
        }
    }
    if let Some(cap) = &compliance.frequency_cap {
        if facts.sent_in_window >= cap.messages {
            return Verdict::Skip(ConsentSkip::FrequencyCap);
        }
    }
    Verdict::Send
}
