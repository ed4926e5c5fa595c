//! Customers: the raw upsert payload [`CustomerInput`] and the validated [`CustomerRecord`].

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::consent::{ConsentSource, SubscriptionStatus, Subscriptions};
use crate::error::FieldErrors;
use crate::fields::{
    parse_timestamp, AttributeValue, Attributes, Channel, City, Email, ExternalId, Gender, PersonName, Phone,
};

/// A customer as a client sends it to `POST /api/v1/customers`: plain strings, so that a wrong value becomes
/// a per-field error from [`CustomerInput::validate`] rather than an opaque JSON decoding failure.
///
/// Upsert semantics: the customer is identified by `external_id`; a field that is absent (or `null`) means
/// "keep what is stored", so a partial update is just a smaller payload. In `attributes`, a key set to `null`
/// removes that key. Fields cannot be cleared otherwise.
#[derive(Debug, Clone, Default, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CustomerInput {
    /// The client's identifier of the customer, unique per workspace (1 to 128 characters).
    #[schema(value_type = ExternalId)]
    pub external_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<PersonName>)]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Email>)]
    pub email: Option<String>,
    /// 7 to 15 digits, optional leading `+`; spaces, dashes, dots and parentheses are ignored.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Phone>)]
    pub phone: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<City>)]
    pub city: Option<String>,
    /// One of `female`, `male`, `non_binary`, `other`, `unknown` (case-insensitive).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Gender>)]
    pub gender: Option<String>,
    /// One of `sms`, `email`, `whatsapp` (case-insensitive).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Channel>)]
    pub preferred_channel: Option<String>,
    /// RFC 3339 timestamp of when the customer joined the brand.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(format = DateTime, example = "2024-05-01T10:30:00+05:30")]
    pub created_at: Option<String>,
    /// Custom fields: at most 50 keys matching `^[a-z][a-z0-9_]{0,62}$`, scalar values; `null` removes a key.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Attributes>, example = json!({"tier": "gold", "newsletter": true}))]
    pub attributes: Option<Map<String, Value>>,
    /// Consent per channel: `{"email": "subscribed", "sms": "unsubscribed"}`, each `subscribed`,
    /// `unsubscribed` or `pending`. Channels not named keep what is recorded; every change is kept in the
    /// customer's subscription history with the source `api` (or `import`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<BTreeMap<String, SubscriptionStatus>>, example = json!({"email": "subscribed"}))]
    pub subscriptions: Option<Map<String, Value>>,
}

/// A validated customer upsert. Every field is a parsed domain type; `None` (and an attribute mapped to
/// `None`) keeps the meaning it had in [`CustomerInput`]: "keep what is stored" (resp. "remove the key").
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CustomerRecord {
    pub external_id: ExternalId,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<PersonName>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<Email>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<Phone>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub city: Option<City>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gender: Option<Gender>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub preferred_channel: Option<Channel>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_at: Option<DateTime<Utc>>,
    #[serde(default, skip_serializing_if = "Attributes::is_empty")]
    pub attributes: Attributes,
    #[serde(default, skip_serializing_if = "Subscriptions::is_empty")]
    pub subscriptions: Subscriptions,
    /// Where `subscriptions` came from (`api` unless an import set it).
    #[serde(default = "api_source", skip_serializing_if = "is_api_source")]
    pub subscription_source: ConsentSource,
}

fn api_source() -> ConsentSource {
    ConsentSource::Api
}

fn is_api_source(source: &ConsentSource) -> bool {
    *source == ConsentSource::Api
}

impl CustomerRecord {
    /// An upsert that only names the customer and changes nothing else.
    pub fn new(external_id: ExternalId) -> Self {
        CustomerRecord {
            external_id,
            name: None,
            email: None,
            phone: None,
            city: None,
            gender: None,
            preferred_channel: None,
            created_at: None,
            attributes: Attributes::new(),
            subscriptions: Subscriptions::default(),
            subscription_source: ConsentSource::Api,
        }
    }
}

impl CustomerInput {
    /// Parses every field, collecting all errors under their JSON names (`external_id`, `email`,
    /// `attributes.vip`, …). `now` bounds `created_at` (at most 24 hours ahead).
    pub fn validate(self, now: DateTime<Utc>) -> Result<CustomerRecord, FieldErrors> {
        let mut errors = FieldErrors::new();
        let external_id = errors.check("external_id", ExternalId::parse(&self.external_id));
        let name = errors.check_optional("name", self.name.as_deref(), PersonName::parse);
        let email = errors.check_optional("email", self.email.as_deref(), Email::parse);
        let phone = errors.check_optional("phone", self.phone.as_deref(), Phone::parse);
        let city = errors.check_optional("city", self.city.as_deref(), City::parse);
        let gender = errors.check_optional("gender", self.gender.as_deref(), Gender::parse);
        let preferred_channel =
            errors.check_optional("preferred_channel", self.preferred_channel.as_deref(), Channel::parse);
        let created_at =
            errors.check_optional("created_at", self.created_at.as_deref(), |text| parse_timestamp(text, now));
        let attributes = match self.attributes.map(Attributes::from_json) {
            None => Attributes::new(),
            Some(Ok(attributes)) => attributes,
            Some(Err(attribute_errors)) => {
                errors.extend(attribute_errors);
                Attributes::new()
            }
        };
        let subscriptions = match self.subscriptions.as_ref().map(Subscriptions::from_json) {
            None => Subscriptions::default(),
            Some(Ok(subscriptions)) => subscriptions,
            Some(Err(subscription_errors)) => {
                errors.extend(subscription_errors);
                Subscriptions::default()
            }
        };
        // The customer's own time zone (quiet hours are kept in it): a reserved attribute, checked here.
        match attributes.get("timezone") {
            Some(AttributeValue::String(zone)) if zone.parse::<chrono_tz::Tz>().is_ok() => {}
            None => {}
            Some(_) => errors.push("attributes.timezone", "must be an IANA time zone such as Asia/Kolkata"),
        }
        match external_id {
            Some(external_id) if errors.is_empty() => Ok(CustomerRecord {
                external_id,
                name,
                email,
                phone,
                city,
                gender,
                preferred_channel,
                created_at,
                attributes,
                subscriptions,
                subscription_source: ConsentSource::Api,
            }),
            _ => Err(errors),
        }
    }
}

#[cfg(test)]
mod tests;
