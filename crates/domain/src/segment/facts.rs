//! [`CustomerFacts`]: everything a rule can ask about one customer, and how each field's value is read
//! from it. The evaluator, the property tests and the in-memory index all read values through
//! [`Field::value`], so there is one definition of "the value of `inactive_days`" or of a typed attribute.

use chrono::{DateTime, Utc};
use serde_json::{Map, Value};

use super::field::{AttributeType, Builtin, Field, WindowMeasure};
use super::fold::fold;
use super::number::NumberKey;
use super::rule::Scalar;
use super::time;
use crate::Money;

/// One order, as the order-window fields see it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct OrderFact {
    pub ordered_at: DateTime<Utc>,
    pub amount_minor: i64,
}

/// One customer's stored data: profile fields as stored (not folded), aggregates as maintained by ingest,
/// attributes as the JSON object stored, and every order (for the window fields).
#[derive(Clone, Debug, PartialEq)]
pub struct CustomerFacts {
    pub created_at: DateTime<Utc>,
    /// False while only orders have named this customer.
    pub has_profile: bool,
    pub name: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub city: Option<String>,
    /// Canonical lowercase word (`female`, …), as stored.
    pub gender: Option<String>,
    /// `sms`, `email` or `whatsapp`, as stored.
    pub preferred_channel: Option<String>,
    /// The recorded subscription per channel (`subscribed`, `unsubscribed`, `pending`), if any.
    pub email_status: Option<String>,
    pub sms_status: Option<String>,
    pub whatsapp_status: Option<String>,
    /// The customer's e-mail address or phone number is on the workspace's suppression list.
    pub suppressed: bool,
    pub attributes: Map<String, Value>,
    pub total_spend: i64,
    pub order_count: i64,
    pub visits: i64,
    pub last_order_at: Option<DateTime<Utc>>,
    pub orders: Vec<OrderFact>,
}

impl CustomerFacts {
    /// A customer created at `created_at` with no profile, no orders and no attributes.
    pub fn bare(created_at: DateTime<Utc>) -> CustomerFacts {
        CustomerFacts {
            created_at,
            has_profile: false,
            name: None,
            email: None,
            phone: None,
            city: None,
            gender: None,
            preferred_channel: None,
            email_status: None,
            sms_status: None,
            whatsapp_status: None,
            suppressed: false,
            attributes: Map::new(),
            total_spend: 0,
            order_count: 0,
            visits: 0,
            last_order_at: None,
            orders: Vec::new(),
        }
    }
}

impl Field {
    /// This field's value for a customer at `now_ms`, or `None` when the customer has none. Texts come back
    /// folded, times as milliseconds, money in minor units; an attribute holding a value of another JSON
    /// type than the field's counts as missing.
    pub fn value(&self, facts: &CustomerFacts, now_ms: i64) -> Option<Scalar> {
        match self {
            Field::Builtin(builtin) => builtin_value(*builtin, facts, now_ms),
            Field::Attribute(key, kind) => match (kind, facts.attributes.get(key.as_str())?) {
                (AttributeType::String, Value::String(text)) => Some(Scalar::Text(fold(text))),
                (AttributeType::Number, Value::Number(number)) => {
                    NumberKey::parse(&number.to_string()).map(Scalar::Number)
                }
                (AttributeType::Boolean, Value::Bool(flag)) => Some(Scalar::Bool(*flag)),
                _ => None,
            },
        }
    }
}

fn builtin_value(field: Builtin, facts: &CustomerFacts, now_ms: i64) -> Option<Scalar> {
    let text = |value: &Option<String>| value.as_deref().map(|text| Scalar::Text(fold(text)));
    if let Some(window) = field.window() {
        let cutoff = time::days_before(now_ms, window.days);
        let recent = facts.orders.iter().filter(|order| time::to_millis(order.ordered_at) > cutoff);
        return Some(Scalar::Int(match window.measure {
            WindowMeasure::Count => recent.count() as i64,
            WindowMeasure::Spend => recent.fold(0i64, |sum, order| Money::capped_total(sum, order.amount_minor)),
        }));
    }
    match field {
        Builtin::TotalSpend => Some(Scalar::Int(facts.total_spend)),
        Builtin::OrderCount => Some(Scalar::Int(facts.order_count)),
        Builtin::Visits => Some(Scalar::Int(facts.visits)),
        Builtin::LastOrderAt => facts.last_order_at.map(|at| Scalar::Time(time::to_millis(at))),
        Builtin::InactiveDays => {
            let since = facts.last_order_at.unwrap_or(facts.created_at);
            Some(Scalar::Int(time::whole_days(time::to_millis(since), now_ms)))
        }
        Builtin::CreatedAt => Some(Scalar::Time(time::to_millis(facts.created_at))),
        Builtin::City => text(&facts.city),
        Builtin::Email => text(&facts.email),
        Builtin::Name => text(&facts.name),
        Builtin::Phone => text(&facts.phone),
        Builtin::Gender => facts.gender.clone().map(Scalar::Text),
        Builtin::PreferredChannel => facts.preferred_channel.clone().map(Scalar::Text),
        Builtin::HasProfile => Some(Scalar::Bool(facts.has_profile)),
        Builtin::EmailStatus => facts.email_status.clone().map(Scalar::Text),
        Builtin::SmsStatus => facts.sms_status.clone().map(Scalar::Text),
        Builtin::WhatsappStatus => facts.whatsapp_status.clone().map(Scalar::Text),
        Builtin::Suppressed => Some(Scalar::Bool(facts.suppressed)),
        // Window fields were answered above.
        Builtin::OrdersLast30Days
        | Builtin::OrdersLast90Days
        | Builtin::SpendLast30Days
        | Builtin::SpendLast90Days
        | Builtin::SpendLast365Days => None,
    }
}
