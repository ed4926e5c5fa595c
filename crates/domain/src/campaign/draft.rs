//! A campaign as the client describes it, parsed into field errors all at once: name, channel, template
//! (checked for every channel the campaign may send on), send time and idempotency key. The audience (a
//! rule or a saved segment) needs the workspace's catalogue and store, so the HTTP layer checks it beside
//! this and reports both sets of problems together.

use chrono::{DateTime, Duration, Utc};

use super::{CampaignTemplates, SendChannel};
use crate::error::FieldErrors;
use crate::fields::CampaignName;

/// Clock skew tolerated on `send_at`: a time this far in the past still means "now".
const SEND_AT_PAST_TOLERANCE_MINUTES: i64 = 5;
/// How far ahead a campaign may be scheduled.
const SEND_AT_MAX_DAYS_AHEAD: i64 = 366;
/// Longest idempotency key, in characters.
pub const MAX_IDEMPOTENCY_KEY_CHARS: usize = 200;

/// The fields of a draft as received (before any check).
#[derive(Clone, Debug, Default)]
pub struct DraftInput<'a> {
    pub name: Option<&'a str>,
    pub channel: Option<&'a str>,
    pub template: Option<&'a str>,
    pub send_at: Option<&'a str>,
    /// The key the client sent (in the body or a header; the HTTP layer reconciles the two).
    pub idempotency_key: Option<&'a str>,
}

/// Everything about a campaign but its audience, valid.
#[derive(Clone, Debug)]
pub struct CampaignDraft {
    pub name: CampaignName,
    pub channel: SendChannel,
    pub template: String,
    pub send_at: DateTime<Utc>,
    pub idempotency_key: Option<String>,
}

impl CampaignDraft {
    /// Checks every field, recording each problem in `errors` under its field name; `None` when any failed.
    pub fn parse(input: DraftInput<'_>, now: DateTime<Utc>, errors: &mut FieldErrors) -> Option<CampaignDraft> {
        let name = required_name(input.name, errors);
        let channel = required_channel(input.channel, errors);
        let template = input.template.unwrap_or_default();
        let mut template_ok = !template.trim().is_empty();
        if !template_ok {
            errors.push("template", "is required");
        } else if let Some(channel) = channel {
            if let Err(err) = CampaignTemplates::parse(template, channel) {
                errors.extend(err.into_field_errors("template"));
                template_ok = false;
            }
        }
        let send_at = match input.send_at {
            None => Some(now),
            Some(raw) => errors.check("send_at", parse_send_at(raw, now)),
        };
        let idempotency_key = match input.idempotency_key {
            None => Some(None),
            Some(raw) => errors.check("idempotency_key", parse_idempotency_key(raw).map(Some)),
        };
        match (name, channel, send_at, idempotency_key) {
            (Some(name), Some(channel), Some(send_at), Some(idempotency_key)) if template_ok => {
                Some(CampaignDraft { name, channel, template: template.to_owned(), send_at, idempotency_key })
            }
            _ => None,
        }
    }
}

/// `name`: required (not blank), a campaign name; the problem goes to `errors`.
pub fn required_name(raw: Option<&str>, errors: &mut FieldErrors) -> Option<CampaignName> {
    match raw.filter(|raw| !raw.trim().is_empty()) {
        None => {
            errors.push("name", "is required");
            None
        }
        Some(raw) => errors.check("name", CampaignName::parse(raw)),
    }
}

/// `channel`: required, one of the send channels; the problem goes to `errors`.
pub fn required_channel(raw: Option<&str>, errors: &mut FieldErrors) -> Option<SendChannel> {
    match raw {
        None => {
            errors.push("channel", "is required (sms, email, whatsapp or preferred)");
            None
        }
        Some(raw) => errors.check("channel", SendChannel::parse(raw)),
    }
}

/// A draft's template is kept as typed (it is checked in full at launch), only bounded by the longest template
/// `channel` accepts, so a composer can save half-written text.
pub fn check_draft_template(text: &str, channel: SendChannel) -> Result<(), String> {
    use crate::template::{MAX_EMAIL_TEMPLATE_CHARS, MAX_SHORT_TEMPLATE_CHARS};
    let max = match channel.fixed() {
        Some(crate::fields::Channel::Email) => MAX_EMAIL_TEMPLATE_CHARS,
        _ => MAX_SHORT_TEMPLATE_CHARS,
    };
    if text.chars().count() > max {
        return Err(format!("must be at most {max} characters for {channel}"));
    }
    Ok(())
}

/// RFC 3339, not more than a few minutes in the past (clock skew) nor more than a year ahead.
pub fn parse_send_at(raw: &str, now: DateTime<Utc>) -> Result<DateTime<Utc>, String> {
    let at = DateTime::parse_from_rfc3339(raw.trim())
        .map_err(|_| "must be an RFC 3339 date-time, e.g. 2026-05-01T10:00:00Z".to_owned())?
        .with_timezone(&Utc);
    if at < now - Duration::minutes(SEND_AT_PAST_TOLERANCE_MINUTES) {
        return Err("is in the past".to_owned());
    }
    if at > now + Duration::days(SEND_AT_MAX_DAYS_AHEAD) {
        return Err(format!("must be at most {SEND_AT_MAX_DAYS_AHEAD} days ahead"));
    }
    Ok(at)
}

/// 1 to [`MAX_IDEMPOTENCY_KEY_CHARS`] characters, none of them a control character; kept exactly as sent.
pub fn parse_idempotency_key(raw: &str) -> Result<String, String> {
    if raw.trim().is_empty() || raw.chars().count() > MAX_IDEMPOTENCY_KEY_CHARS || raw.chars().any(char::is_control) {
        return Err(format!("must be 1 to {MAX_IDEMPOTENCY_KEY_CHARS} characters without control characters"));
    }
    Ok(raw.to_owned())
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 5, 1, 10, 0, 0).unwrap()
    }

    fn fields(errors: &FieldErrors) -> Vec<&str> {
        errors.iter().map(|e| e.field.as_str()).collect()
    }

    #[test]
    fn a_complete_draft_parses_with_defaults() {
        let mut errors = FieldErrors::new();
        let input = DraftInput {
            name: Some(" Diwali "),
            channel: Some("sms"),
            template: Some("Hi {{ first_name }}"),
            ..Default::default()
        };
        let draft = CampaignDraft::parse(input, now(), &mut errors).unwrap();
        assert!(errors.is_empty(), "{errors}");
        assert_eq!((draft.name.as_str(), draft.channel, draft.send_at), ("Diwali", SendChannel::Sms, now()));
        assert_eq!(draft.idempotency_key, None);
    }

    #[test]
    fn every_bad_field_is_named_at_once() {
        let mut errors = FieldErrors::new();
        let long_key = "k".repeat(MAX_IDEMPOTENCY_KEY_CHARS + 1);
        let input = DraftInput {
            name: Some("  "),
            channel: Some("fax"),
            template: Some(""),
            send_at: Some("2020-01-01T00:00:00Z"),
            idempotency_key: Some(&long_key),
        };
        assert!(CampaignDraft::parse(input, now(), &mut errors).is_none());
        assert_eq!(fields(&errors), ["name", "channel", "template", "send_at", "idempotency_key"]);
    }

    #[test]
    fn templates_are_checked_for_the_channel_and_send_times_are_bounded() {
        let mut errors = FieldErrors::new();
        let input =
            DraftInput { name: Some("N"), channel: Some("sms"), template: Some("Hi {{ nope }}"), ..Default::default() };
        assert!(CampaignDraft::parse(input, now(), &mut errors).is_none());
        assert_eq!(fields(&errors), ["template"]);
    }

    #[test]
    fn send_at_accepts_skew_and_refuses_past_far_future_and_garbage() {
        let now = Utc::now();
        assert!(parse_send_at(&(now - Duration::minutes(4)).to_rfc3339(), now).is_ok());
        assert!(parse_send_at(&(now + Duration::days(365)).to_rfc3339(), now).is_ok());
        assert_eq!(parse_send_at(&(now - Duration::minutes(6)).to_rfc3339(), now), Err("is in the past".into()));
        assert!(parse_send_at(&(now + Duration::days(367)).to_rfc3339(), now).unwrap_err().contains("366"));
        assert!(parse_send_at("tomorrow", now).unwrap_err().contains("RFC 3339"));
        assert!(parse_send_at("2026-05-01 10:00", now).is_err());
    }

    #[test]
    fn idempotency_keys_are_bounded_visible_text_kept_as_sent() {
        assert_eq!(parse_idempotency_key(" k1 "), Ok(" k1 ".to_owned()));
        assert!(parse_idempotency_key(&"x".repeat(MAX_IDEMPOTENCY_KEY_CHARS)).is_ok());
        assert!(parse_idempotency_key(&"x".repeat(MAX_IDEMPOTENCY_KEY_CHARS + 1)).is_err());
        assert!(parse_idempotency_key("  ").is_err());
        assert!(parse_idempotency_key("a\u{1}b").is_err());
    }
}
