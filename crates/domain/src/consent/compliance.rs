//! A workspace's compliance settings (`GET/PUT /api/v1/settings/compliance`): what "no consent recorded"
//! means per channel, quiet hours in the customer's time zone, a frequency cap across campaigns, the SMS
//! opt-out line and the topics a customer can leave one by one.

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, NaiveTime, TimeZone, Utc};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

use super::status::ChannelKey;
use crate::error::FieldErrors;
use crate::fields::Channel;

/// What a channel's "none recorded" means.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Policy {
    /// Only customers recorded as `subscribed` receive marketing (GDPR-style opt-in).
    OptIn,
    /// Customers with no recorded status receive marketing until they unsubscribe (opt-out regimes).
    Allowed,
}

impl Policy {
    fn parse(raw: &str) -> Result<Policy, String> {
        match raw {
            "opt_in" => Ok(Policy::OptIn),
            "allowed" => Ok(Policy::Allowed),
            _ => Err("must be opt_in or allowed".to_owned()),
        }
    }
}

/// A daily window, in local time, in which no marketing message is sent. `start > end` wraps midnight
/// (`21:00`–`09:00`); `start == end` is refused (it would mean "never" or "always").
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct QuietHours {
    #[schema(value_type = String, example = "21:00", pattern = "^([01][0-9]|2[0-3]):[0-5][0-9]$")]
    #[serde(with = "hhmm")]
    pub start: NaiveTime,
    #[schema(value_type = String, example = "09:00", pattern = "^([01][0-9]|2[0-3]):[0-5][0-9]$")]
    #[serde(with = "hhmm")]
    pub end: NaiveTime,
}

impl QuietHours {
    /// `None` when `now` is outside the window in `tz`; otherwise the instant the window ends (when a message
    /// due now may go out).
    pub fn defer_until(&self, now: DateTime<Utc>, tz: Tz) -> Option<DateTime<Utc>> {
        let local = now.with_timezone(&tz);
        let t = local.time();
        let inside =
            if self.start < self.end { t >= self.start && t < self.end } else { t >= self.start || t < self.end };
        if !inside {
            return None;
        }
        // The end is today if it is still ahead of the local time, else tomorrow.
        let date = if t < self.end { local.date_naive() } else { local.date_naive().succ_opt()? };
        let end = date.and_time(self.end);
        // A daylight-saving gap can skip the end: then the first valid instant after it.
        let resolved = tz
            .from_local_datetime(&end)
            .earliest()
            .or_else(|| tz.from_local_datetime(&(end + Duration::hours(1))).earliest())?;
        Some(resolved.with_timezone(&Utc).max(now))
    }
}

/// At most `messages` marketing messages to one customer in any `days` days, across every campaign.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct FrequencyCap {
    /// 1 to 1000.
    #[schema(minimum = 1, maximum = 1000)]
    pub messages: u32,
    /// 1 to 365.
    #[schema(minimum = 1, maximum = 365)]
    pub days: u32,
}

/// A topic a campaign can name and a customer can leave (`offers`, `newsletter`): 1 to 40 of `a-z 0-9 _ -`,
/// starting with a letter.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(try_from = "String", into = "String")]
#[schema(value_type = String, pattern = "^[a-z][a-z0-9_-]{0,39}$", example = "offers")]
pub struct Topic(String);

impl Topic {
    pub fn parse(raw: &str) -> Result<Topic, String> {
        let ok = raw.len() <= 40
            && raw.starts_with(|c: char| c.is_ascii_lowercase())
            && raw.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '-');
        if ok {
            Ok(Topic(raw.to_owned()))
        } else {
            Err("must be 1 to 40 of a-z, 0-9, _ and -, starting with a letter".to_owned())
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for Topic {
    type Error = String;
    fn try_from(raw: String) -> Result<Self, Self::Error> {
        Topic::parse(&raw)
    }
}

impl From<Topic> for String {
    fn from(topic: Topic) -> String {
        topic.0
    }
}

/// The validated settings. Serializes to exactly the shape [`ComplianceInput`] reads, so what a GET returns
/// can be PUT back.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Compliance {
    /// The IANA time zone of customers who have none of their own (`timezone` attribute).
    #[schema(value_type = String, example = "Asia/Kolkata")]
    #[serde(with = "tz_name")]
    pub timezone: Tz,
    pub quiet_hours: Option<QuietHours>,
    pub frequency_cap: Option<FrequencyCap>,
    /// Per channel: `opt_in` (only `subscribed` customers get marketing) or `allowed` (customers with no
    /// recorded status do too).
    #[schema(value_type = BTreeMap<String, Policy>)]
    pub policy: BTreeMap<ChannelKey, Policy>,
    /// Appended to every SMS that does not already mention STOP (TRAI and carrier rules); `null` turns it off.
    pub sms_opt_out_line: Option<String>,
    /// The topics campaigns may name; the preferences page lists them.
    pub topics: Vec<Topic>,
    /// Per channel: whether a new `subscribed` from an upsert or import is recorded as `pending` until the
    /// customer follows the confirmation link sent to them (double opt-in).
    #[schema(value_type = BTreeMap<String, bool>)]
    #[serde(default = "no_double_opt_in")]
    pub double_opt_in: BTreeMap<ChannelKey, bool>,
}

fn no_double_opt_in() -> BTreeMap<ChannelKey, bool> {
    Channel::ALL.into_iter().map(|c| (ChannelKey::from(c), false)).collect()
}

impl Default for Compliance {
    fn default() -> Self {
        Compliance {
            timezone: Tz::UTC,
            quiet_hours: None,
            frequency_cap: None,
            policy: Channel::ALL.into_iter().map(|c| (ChannelKey::from(c), Policy::Allowed)).collect(),
            sms_opt_out_line: Some(Compliance::DEFAULT_OPT_OUT_LINE.to_owned()),
            topics: Vec::new(),
            double_opt_in: no_double_opt_in(),
        }
    }
}

impl Compliance {
    pub const DEFAULT_OPT_OUT_LINE: &'static str = "Reply STOP to opt out";

    pub fn double_opt_in(&self, channel: Channel) -> bool {
        self.double_opt_in.get(&ChannelKey::from(channel)).copied().unwrap_or(false)
    }

    pub fn policy(&self, channel: Channel) -> Policy {
        self.policy.get(&ChannelKey::from(channel)).copied().unwrap_or(Policy::Allowed)
    }

    /// The time zone of a customer: their own (`timezone` attribute, when it names an IANA zone), else the
    /// workspace's.
    pub fn zone_of(&self, customer_timezone: Option<&str>) -> Tz {
        customer_timezone.and_then(|name| name.parse::<Tz>().ok()).unwrap_or(self.timezone)
    }
}

/// A PUT body, field by field as the client wrote it, so each problem names its field.
#[derive(Clone, Debug, Default, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ComplianceInput {
    #[schema(example = "Asia/Kolkata")]
    pub timezone: String,
    #[serde(default)]
    #[schema(value_type = Option<QuietHours>)]
    pub quiet_hours: Option<QuietHoursInput>,
    #[serde(default)]
    #[schema(value_type = Option<FrequencyCap>)]
    pub frequency_cap: Option<FrequencyCapInput>,
    #[serde(default)]
    #[schema(value_type = Option<BTreeMap<String, Policy>>)]
    pub policy: Option<BTreeMap<String, String>>,
    /// Omitted: the default line; `null`: none.
    #[serde(default = "default_line", skip_serializing_if = "Option::is_none")]
    pub sms_opt_out_line: Option<String>,
    #[serde(default)]
    #[schema(value_type = Vec<String>)]
    pub topics: Vec<String>,
    /// Per channel, `true` to confirm new subscriptions by a link sent to the customer (default `false`).
    #[serde(default)]
    #[schema(value_type = Option<BTreeMap<String, bool>>)]
    pub double_opt_in: Option<BTreeMap<String, bool>>,
}

fn default_line() -> Option<String> {
    Some(Compliance::DEFAULT_OPT_OUT_LINE.to_owned())
}

#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct QuietHoursInput {
    pub start: String,
    pub end: String,
}

#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FrequencyCapInput {
    pub messages: i64,
    pub days: i64,
}

impl ComplianceInput {
    pub fn validate(self) -> Result<Compliance, FieldErrors> {
        let mut errors = FieldErrors::new();
        let timezone = errors.check(
            "timezone",
            self.timezone.trim().parse::<Tz>().map_err(|_| "must be an IANA time zone such as Asia/Kolkata".to_owned()),
        );
        let quiet_hours = self.quiet_hours.and_then(|q| {
            let start = errors.check("quiet_hours.start", parse_hhmm(&q.start));
            let end = errors.check("quiet_hours.end", parse_hhmm(&q.end));
            match (start, end) {
                (Some(start), Some(end)) if start == end => {
                    errors.push("quiet_hours.end", "must differ from start");
                    None
                }
                (Some(start), Some(end)) => Some(QuietHours { start, end }),
                _ => None,
            }
        });
        let frequency_cap = self.frequency_cap.and_then(|cap| {
            let messages = errors.check("frequency_cap.messages", bounded(cap.messages, 1, 1000));
            let days = errors.check("frequency_cap.days", bounded(cap.days, 1, 365));
            Some(FrequencyCap { messages: messages?, days: days? })
        });
        let mut policy: BTreeMap<ChannelKey, Policy> =
            Channel::ALL.into_iter().map(|c| (ChannelKey::from(c), Policy::Allowed)).collect();
        for (key, value) in self.policy.unwrap_or_default() {
            let field = format!("policy.{key}");
            match (Channel::parse(&key), Policy::parse(&value)) {
                (Ok(channel), Ok(p)) => {
                    policy.insert(ChannelKey::from(channel), p);
                }
                (Err(_), _) => errors.push(field, "is not a channel: the keys must be sms, email, whatsapp"),
                (_, Err(message)) => errors.push(field, message),
            }
        }
        let sms_opt_out_line = match self.sms_opt_out_line.map(|line| line.trim().to_owned()) {
            Some(line) if line.is_empty() || line.chars().count() > 80 || line.chars().any(char::is_control) => {
                errors.push("sms_opt_out_line", "must be 1 to 80 characters without control characters, or null");
                None
            }
            other => other,
        };
        let mut topics: Vec<Topic> = Vec::new();
        if self.topics.len() > 50 {
            errors.push("topics", "must list at most 50 topics");
        }
        for (i, raw) in self.topics.iter().enumerate() {
            match Topic::parse(raw) {
                Ok(topic) if topics.contains(&topic) => errors.push(format!("topics[{i}]"), "is listed twice"),
                Ok(topic) => topics.push(topic),
                Err(message) => errors.push(format!("topics[{i}]"), message),
            }
        }
        let mut double_opt_in = no_double_opt_in();
        for (key, on) in self.double_opt_in.unwrap_or_default() {
            match Channel::parse(&key) {
                Ok(channel) => {
                    double_opt_in.insert(ChannelKey::from(channel), on);
                }
                Err(_) => errors
                    .push(format!("double_opt_in.{key}"), "is not a channel: the keys must be sms, email, whatsapp"),
            }
        }
        match timezone {
            Some(timezone) if errors.is_empty() => {
                Ok(Compliance { timezone, quiet_hours, frequency_cap, policy, sms_opt_out_line, topics, double_opt_in })
            }
            _ => Err(errors),
        }
    }
}

fn bounded(value: i64, min: i64, max: i64) -> Result<u32, String> {
    if (min..=max).contains(&value) {
        u32::try_from(value).map_err(|_| format!("must be between {min} and {max}"))
    } else {
        Err(format!("must be between {min} and {max}"))
    }
}

fn parse_hhmm(raw: &str) -> Result<NaiveTime, String> {
    let bad = || "must be a time of day as HH:MM (24-hour), e.g. 21:00".to_owned();
    let (h, m) = raw.trim().split_once(':').ok_or_else(bad)?;
    if h.len() != 2 || m.len() != 2 || !h.bytes().chain(m.bytes()).all(|b| b.is_ascii_digit()) {
        return Err(bad());
    }
    let (h, m) = (h.parse::<u32>().map_err(|_| bad())?, m.parse::<u32>().map_err(|_| bad())?);
    NaiveTime::from_hms_opt(h, m, 0).ok_or_else(bad)
}

mod hhmm {
    use chrono::NaiveTime;
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(time: &NaiveTime, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&time.format("%H:%M").to_string())
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<NaiveTime, D::Error> {
        let raw = String::deserialize(d)?;
        super::parse_hhmm(&raw).map_err(serde::de::Error::custom)
    }
}

mod tz_name {
    use chrono_tz::Tz;
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(tz: &Tz, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(tz.name())
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Tz, D::Error> {
        let raw = String::deserialize(d)?;
        raw.parse::<Tz>().map_err(|_| serde::de::Error::custom("not an IANA time zone"))
    }
}
