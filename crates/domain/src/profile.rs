//! A workspace's profile: who the brand is to its customers. `brand_name` is what `{{ brand }}` renders
//! (the workspace's display name until it is set), `postal_address` the footer CAN-SPAM asks of marketing
//! e-mail (`{{ postal_address }}`), `default_country` the country national phone numbers belong to, and the
//! senders what the channels put in `From`/`Reply-To` and hand the SMS vendor (sender id, India's DLT
//! entity and template ids).
//!
//! `PATCH /api/v1/workspace` sends a [`ProfilePatch`]: a key left out keeps its value, `null` clears it,
//! a value replaces it (a sender object as a whole). Every problem is reported with its field.

use chrono_tz::Tz;
use serde::{Deserialize, Deserializer, Serialize};
use utoipa::ToSchema;

use crate::error::FieldErrors;
use crate::fields::Email;

/// A country, as libphonenumber names regions (ISO 3166-1 alpha-2).
pub use phonenumber::country::Id as CountryId;

/// Longest display or brand name.
pub const MAX_NAME_CHARS: usize = 100;
/// Longest postal address (several lines).
pub const MAX_ADDRESS_CHARS: usize = 500;
/// Longest logo URL.
pub const MAX_URL_BYTES: usize = 2048;

/// The stored profile (every field optional: a new workspace has none set).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(default)]
pub struct WorkspaceProfile {
    /// What `{{ brand }}` renders; the workspace's display name while unset.
    pub brand_name: Option<String>,
    /// The brand's postal address, for the footer of marketing e-mail (`{{ postal_address }}`).
    pub postal_address: Option<String>,
    /// ISO 3166-1 alpha-2 code (`IN`): the country of phone numbers given without a country code.
    pub default_country: Option<String>,
    /// An `https://` (or `http://`) image URL shown in e-mail headers.
    pub logo_url: Option<String>,
    pub email_sender: Option<EmailSender>,
    pub sms_sender: Option<SmsSender>,
}

/// Who marketing e-mail is from.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct EmailSender {
    /// The `From` display name (at most 100 characters, one line).
    pub from_name: Option<String>,
    /// The `From` address.
    pub from_address: Option<String>,
    /// Where replies go (`Reply-To`).
    pub reply_to: Option<String>,
}

/// What the SMS vendor needs to know about the sender.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct SmsSender {
    /// The alphanumeric sender id (header) shown to recipients: 3 to 11 letters or digits.
    pub sender_id: Option<String>,
    /// India: the principal entity id registered on the DLT platform (10 to 25 digits).
    pub dlt_entity_id: Option<String>,
    /// India: the DLT content template id messages are sent under (10 to 25 digits).
    pub dlt_template_id: Option<String>,
}

/// `PATCH /api/v1/workspace`: each key present changes that field (`null` clears it).
#[derive(Clone, Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ProfilePatch {
    /// The workspace's display name (what members see); cannot be cleared.
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>, example = "Tanvi Foods")]
    pub name: Option<Option<String>>,
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>, example = "Tanvi")]
    pub brand_name: Option<Option<String>>,
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>)]
    pub postal_address: Option<Option<String>>,
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>, example = "IN")]
    pub default_country: Option<Option<String>>,
    /// The workspace's IANA time zone (the compliance settings' `timezone`); cannot be cleared.
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>, example = "Asia/Kolkata")]
    pub timezone: Option<Option<String>>,
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>)]
    pub logo_url: Option<Option<String>>,
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<EmailSender>)]
    pub email_sender: Option<Option<EmailSender>>,
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<SmsSender>)]
    pub sms_sender: Option<Option<SmsSender>>,
}

/// A key that is present (its value possibly `null`) becomes `Some`; an absent one stays `None`.
fn present<'de, D, T>(deserializer: D) -> Result<Option<Option<T>>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    Option::<T>::deserialize(deserializer).map(Some)
}

/// What a valid patch changes besides the profile.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Patched {
    pub profile: WorkspaceProfile,
    /// A new display name.
    pub name: Option<String>,
    /// A new workspace time zone.
    pub timezone: Option<Tz>,
}

impl ProfilePatch {
    /// The profile after this patch, or every problem with its field.
    pub fn apply(self, current: &WorkspaceProfile) -> Result<Patched, FieldErrors> {
        let mut errors = FieldErrors::new();
        let mut profile = current.clone();
        let name = match self.name {
            None => None,
            Some(None) => {
                errors.push("name", "cannot be cleared");
                None
            }
            Some(Some(name)) => errors.check("name", one_line(&name, MAX_NAME_CHARS)),
        };
        let timezone = match self.timezone {
            None => None,
            Some(None) => {
                errors.push("timezone", "cannot be cleared");
                None
            }
            Some(Some(zone)) => errors.check(
                "timezone",
                zone.trim().parse::<Tz>().map_err(|_| "must be an IANA time zone such as Asia/Kolkata".to_owned()),
            ),
        };
        if let Some(value) = self.brand_name {
            profile.brand_name = optional(&mut errors, "brand_name", value, |v| one_line(v, MAX_NAME_CHARS));
        }
        if let Some(value) = self.postal_address {
            profile.postal_address = optional(&mut errors, "postal_address", value, address);
        }
        if let Some(value) = self.default_country {
            profile.default_country = optional(&mut errors, "default_country", value, country);
        }
        if let Some(value) = self.logo_url {
            profile.logo_url = optional(&mut errors, "logo_url", value, web_url);
        }
        if let Some(value) = self.email_sender {
            profile.email_sender = value.and_then(|sender| email_sender(&mut errors, sender));
        }
        if let Some(value) = self.sms_sender {
            profile.sms_sender = value.and_then(|sender| sms_sender(&mut errors, sender));
        }
        if errors.is_empty() {
            Ok(Patched { profile, name, timezone })
        } else {
            Err(errors)
        }
    }
}

impl WorkspaceProfile {
    /// What `{{ brand }}` renders in this workspace.
    pub fn brand<'a>(&'a self, display_name: &'a str) -> &'a str {
        self.brand_name.as_deref().unwrap_or(display_name)
    }

    /// The default country as libphonenumber's region id.
    pub fn country(&self) -> Option<phonenumber::country::Id> {
        self.default_country.as_deref().and_then(|code| code.parse().ok())
    }
}

/// A set value checked by `check` (an empty string clears it too).
fn optional(
    errors: &mut FieldErrors,
    field: &str,
    value: Option<String>,
    check: impl Fn(&str) -> Result<String, String>,
) -> Option<String> {
    let value = value?;
    if value.trim().is_empty() {
        return None;
    }
    errors.check(field, check(&value))
}

fn one_line(raw: &str, max: usize) -> Result<String, String> {
    let text = raw.trim();
    if text.is_empty() {
        return Err("must not be empty".to_owned());
    }
    if text.chars().count() > max {
        return Err(format!("must be at most {max} characters"));
    }
    if text.chars().any(char::is_control) {
        return Err("must be one line without control characters".to_owned());
    }
    Ok(text.to_owned())
}

fn address(raw: &str) -> Result<String, String> {
    let text = raw.trim().replace("\r\n", "\n");
    if text.chars().count() > MAX_ADDRESS_CHARS {
        return Err(format!("must be at most {MAX_ADDRESS_CHARS} characters"));
    }
    if text.chars().any(|c| c.is_control() && c != '\n') {
        return Err("must not contain control characters other than line breaks".to_owned());
    }
    Ok(text)
}

fn country(raw: &str) -> Result<String, String> {
    let code = raw.trim().to_ascii_uppercase();
    let known = code.len() == 2 && code.parse::<phonenumber::country::Id>().is_ok();
    if known {
        Ok(code)
    } else {
        Err("must be an ISO 3166-1 alpha-2 country code such as IN or US".to_owned())
    }
}

fn web_url(raw: &str) -> Result<String, String> {
    let url = raw.trim();
    let rest = url.strip_prefix("https://").or_else(|| url.strip_prefix("http://"));
    let host = rest.and_then(|rest| rest.split(['/', '?', '#']).next()).unwrap_or("");
    if url.len() > MAX_URL_BYTES {
        return Err(format!("must be at most {MAX_URL_BYTES} bytes"));
    }
    if host.is_empty() || url.chars().any(|c| c.is_whitespace() || c.is_control() || c == '"' || c == '<' || c == '>') {
        return Err("must be an absolute http(s) URL such as https://brand.example/logo.png".to_owned());
    }
    Ok(url.to_owned())
}

fn email_sender(errors: &mut FieldErrors, sender: EmailSender) -> Option<EmailSender> {
    let checked = EmailSender {
        from_name: optional(errors, "email_sender.from_name", sender.from_name, |v| one_line(v, MAX_NAME_CHARS)),
        from_address: optional(errors, "email_sender.from_address", sender.from_address, mailbox),
        reply_to: optional(errors, "email_sender.reply_to", sender.reply_to, mailbox),
    };
    (checked != EmailSender::default()).then_some(checked)
}

fn mailbox(raw: &str) -> Result<String, String> {
    Email::parse(raw).map(|email| email.as_str().to_owned())
}

fn sms_sender(errors: &mut FieldErrors, sender: SmsSender) -> Option<SmsSender> {
    let checked = SmsSender {
        sender_id: optional(errors, "sms_sender.sender_id", sender.sender_id, sender_id),
        dlt_entity_id: optional(errors, "sms_sender.dlt_entity_id", sender.dlt_entity_id, dlt_id),
        dlt_template_id: optional(errors, "sms_sender.dlt_template_id", sender.dlt_template_id, dlt_id),
    };
    (checked != SmsSender::default()).then_some(checked)
}

fn sender_id(raw: &str) -> Result<String, String> {
    let id = raw.trim();
    if (3..=11).contains(&id.len()) && id.bytes().all(|b| b.is_ascii_alphanumeric()) {
        Ok(id.to_owned())
    } else {
        Err("must be 3 to 11 letters or digits".to_owned())
    }
}

fn dlt_id(raw: &str) -> Result<String, String> {
    let id = raw.trim();
    if (10..=25).contains(&id.len()) && id.bytes().all(|b| b.is_ascii_digit()) {
        Ok(id.to_owned())
    } else {
        Err("must be the 10 to 25 digit id the DLT platform issued".to_owned())
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use serde_json::json;

    use super::*;

    fn patch(body: serde_json::Value) -> ProfilePatch {
        serde_json::from_value(body).unwrap()
    }

    fn fields(result: Result<Patched, FieldErrors>) -> Vec<String> {
        result.unwrap_err().iter().map(|e| e.field.clone()).collect()
    }

    #[test]
    fn a_patch_changes_only_what_it_names() {
        let base = WorkspaceProfile { postal_address: Some("1 MG Road".into()), ..WorkspaceProfile::default() };
        let patched = patch(json!({"brand_name": "  Tanvi ", "default_country": "in", "timezone": "Asia/Kolkata",
            "email_sender": {"from_name": "Tanvi", "from_address": "Hello@Tanvi.IN"},
            "sms_sender": {"sender_id": "TANVIF", "dlt_entity_id": "1201159100000000001"}}))
        .apply(&base)
        .unwrap();
        assert_eq!(patched.profile.brand_name.as_deref(), Some("Tanvi"));
        assert_eq!(patched.profile.postal_address.as_deref(), Some("1 MG Road"), "left out: kept");
        assert_eq!(patched.profile.default_country.as_deref(), Some("IN"));
        assert_eq!(patched.profile.country(), Some(phonenumber::country::Id::IN));
        assert_eq!(patched.timezone, Some(chrono_tz::Asia::Kolkata));
        assert_eq!(patched.name, None);
        let sender = patched.profile.email_sender.clone().unwrap();
        assert_eq!((sender.from_name.as_deref(), sender.reply_to), (Some("Tanvi"), None));
        assert_eq!(patched.profile.brand("Default workspace"), "Tanvi");
        let cleared = patch(json!({"brand_name": null, "email_sender": null, "postal_address": ""}))
            .apply(&patched.profile)
            .unwrap();
        assert_eq!(cleared.profile.brand("Default workspace"), "Default workspace");
        assert_eq!(
            (cleared.profile.brand_name, cleared.profile.email_sender, cleared.profile.postal_address),
            (None, None, None)
        );
        assert_eq!(cleared.profile.sms_sender, patched.profile.sms_sender);
    }

    #[test]
    fn every_bad_field_is_named() {
        let bad = patch(json!({"name": null, "timezone": "Mars/Base", "brand_name": "x".repeat(101),
            "default_country": "XX", "logo_url": "javascript:alert(1)", "postal_address": "a\u{7}b",
            "email_sender": {"from_address": "not an address", "from_name": "a\nb"},
            "sms_sender": {"sender_id": "AB", "dlt_template_id": "12ab"}}));
        assert_eq!(
            fields(bad.apply(&WorkspaceProfile::default())),
            [
                "name",
                "timezone",
                "brand_name",
                "postal_address",
                "default_country",
                "logo_url",
                "email_sender.from_name",
                "email_sender.from_address",
                "sms_sender.sender_id",
                "sms_sender.dlt_template_id"
            ]
        );
        assert!(serde_json::from_value::<ProfilePatch>(json!({"brand": "x"})).is_err(), "unknown keys are refused");
        assert!(serde_json::from_value::<ProfilePatch>(json!({"sms_sender": {"dlt": "1"}})).is_err());
    }
}
