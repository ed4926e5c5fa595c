//! Generating one customer: a [`CustomerDraft`] drawn from the customer's own RNG, then viewed either as a
//! validated [`CustomerRecord`] or as the JSON a client would send to the API.

use chrono::{DateTime, Duration, SecondsFormat, Utc};
use converge_domain::{Attributes, Channel, City, CustomerRecord, Email, ExternalId, Gender, PersonName, Phone};
use rand::Rng;
use serde_json::{Map, Value};

use crate::random::{pick, rng_for, weighted, Stream};
use crate::vocabulary::{CITIES, EMAIL_DOMAINS, FEMALE_NAMES, MALE_NAMES, SURNAMES};

const GENDERS: [(Gender, u32); 5] =
    [(Gender::Female, 480), (Gender::Male, 470), (Gender::NonBinary, 10), (Gender::Other, 10), (Gender::Unknown, 30)];

/// WhatsApp is the most common preference in India; e-mail and SMS trail.
const CHANNELS: [(Channel, u32); 3] = [(Channel::Whatsapp, 55), (Channel::Sms, 20), (Channel::Email, 25)];

const TIERS: [(&str, u32); 3] = [("gold", 10), ("silver", 30), ("bronze", 60)];

/// How far back signups go.
pub(crate) const SIGNUP_WINDOW: Duration = Duration::days(730);

/// The customer's signup time: within the past two years (and at least an hour ago). Drawn from its own
/// stream so order generation can compute it without generating the whole customer.
pub(crate) fn created_at(seed: u64, now: DateTime<Utc>, index: u64) -> DateTime<Utc> {
    let mut rng = rng_for(seed, Stream::CustomerCreatedAt, index);
    let seconds_ago = rng.gen_range(3_600..=SIGNUP_WINDOW.num_seconds());
    now - Duration::seconds(seconds_ago)
}

/// The raw choices for one customer, before they become a record or JSON.
pub(crate) struct CustomerDraft {
    index: u64,
    name: String,
    email: Option<String>,
    phone: Option<String>,
    city: &'static str,
    gender: Gender,
    channel: Channel,
    created_at: DateTime<Utc>,
    tier: &'static str,
    newsletter: bool,
}

impl CustomerDraft {
    /// Draws customer `index`. About 12% have no e-mail and 8% no phone, never both; the preferred channel is
    /// one the customer can actually be reached on.
    pub(crate) fn generate(seed: u64, now: DateTime<Utc>, index: u64) -> CustomerDraft {
        let mut rng = rng_for(seed, Stream::Customer, index);
        let gender = weighted(&mut rng, &GENDERS);
        let first = match gender {
            Gender::Female => pick(&mut rng, &FEMALE_NAMES),
            Gender::Male => pick(&mut rng, &MALE_NAMES),
            _ if rng.gen_bool(0.5) => pick(&mut rng, &FEMALE_NAMES),
            _ => pick(&mut rng, &MALE_NAMES),
        };
        let last = pick(&mut rng, &SURNAMES);
        let has_email = rng.gen_bool(0.88);
        let has_phone = !has_email || rng.gen_bool(0.92);
        let email = has_email.then(|| email_for(&mut rng, first, last, index));
        let phone = has_phone.then(|| format!("+91 9{:09}", rng.gen_range(0..1_000_000_000u64)));
        let channel = match weighted(&mut rng, &CHANNELS) {
            Channel::Email if !has_email => Channel::Whatsapp,
            Channel::Sms | Channel::Whatsapp if !has_phone => Channel::Email,
            channel => channel,
        };
        CustomerDraft {
            index,
            name: format!("{first} {last}"),
            email,
            phone,
            city: weighted(&mut rng, &CITIES),
            gender,
            channel,
            created_at: created_at(seed, now, index),
            tier: weighted(&mut rng, &TIERS),
            newsletter: rng.gen_bool(0.4),
        }
    }

    /// `C` and the index in eight digits.
    pub(crate) fn external_id(&self) -> ExternalId {
        ExternalId::numbered("C", self.index, 8)
    }

    fn attributes_json(&self) -> Map<String, Value> {
        let mut attributes = Map::new();
        attributes.insert("tier".to_owned(), Value::from(self.tier));
        attributes.insert("newsletter".to_owned(), Value::from(self.newsletter));
        attributes
    }

    /// The validated form. Every part is valid by construction (the tests validate thousands of them through
    /// the API's JSON form too), so optional parts use `ok()` rather than an error path that cannot happen.
    pub(crate) fn to_record(&self) -> CustomerRecord {
        CustomerRecord {
            external_id: self.external_id(),
            name: PersonName::parse(&self.name).ok(),
            email: self.email.as_deref().and_then(|e| Email::parse(e).ok()),
            phone: self.phone.as_deref().and_then(|p| Phone::parse(p).ok()),
            city: City::parse(self.city).ok(),
            gender: Some(self.gender),
            preferred_channel: Some(self.channel),
            created_at: Some(self.created_at),
            attributes: Attributes::from_json(self.attributes_json()).unwrap_or_default(),
            ..CustomerRecord::new(self.external_id())
        }
    }

    /// The JSON a client would POST, shaped like `CustomerInput`; absent contact fields are left out.
    pub(crate) fn to_json(&self) -> Value {
        let mut object = Map::new();
        object.insert("external_id".to_owned(), Value::from(self.external_id().as_str()));
        object.insert("name".to_owned(), Value::from(self.name.as_str()));
        if let Some(email) = &self.email {
            object.insert("email".to_owned(), Value::from(email.as_str()));
        }
        if let Some(phone) = &self.phone {
            object.insert("phone".to_owned(), Value::from(phone.as_str()));
        }
        object.insert("city".to_owned(), Value::from(self.city));
        object.insert("gender".to_owned(), Value::from(self.gender.as_str()));
        object.insert("preferred_channel".to_owned(), Value::from(self.channel.as_str()));
        let created_at = self.created_at.to_rfc3339_opts(SecondsFormat::Secs, true);
        object.insert("created_at".to_owned(), Value::from(created_at));
        object.insert("attributes".to_owned(), Value::Object(self.attributes_json()));
        Value::Object(object)
    }
}

/// An address derived from the name in one of the ways people pick them. The index makes it unique within a
/// data set (two Priya Sharmas do not share an inbox).
fn email_for(rng: &mut impl Rng, first: &str, last: &str, index: u64) -> String {
    let first = first.to_ascii_lowercase();
    let last = last.to_ascii_lowercase();
    let domain = weighted(rng, &EMAIL_DOMAINS);
    match rng.gen_range(0..4) {
        0 => format!("{first}.{last}{index}@{domain}"),
        1 => format!("{first}{last}{index}@{domain}"),
        2 => format!("{first}_{index}@{domain}"),
        _ => format!("{}{last}.{index}@{domain}", first.get(..1).unwrap_or_default()),
    }
}
