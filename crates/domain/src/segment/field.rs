//! What a rule can talk about: the built-in customer fields and custom `attributes.<key>`.

use std::fmt;

use crate::consent::SubscriptionStatus;
use crate::fields::{AttributeKey, Channel, Gender};

/// The type of a custom attribute as seen across a workspace's customers.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum AttributeType {
    String,
    Number,
    Boolean,
}

/// The type of a field's values, which decides its operators and how rule values are read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FieldKind {
    /// Amount in the workspace currency; rule values are decimal major units (`10000`, `"10000.50"`).
    Money,
    /// Whole number.
    Integer,
    /// Instant; rule values are RFC 3339 timestamps or `YYYY-MM-DD` (midnight UTC).
    Date,
    /// Text compared case-insensitively.
    String,
    /// One of a closed list of lowercase words.
    Enum {
        values: Vec<String>,
    },
    Boolean,
    /// Arbitrary JSON number, compared exactly (custom attributes).
    Number,
}

impl FieldKind {
    /// The name the catalogue shows (`money`, `integer`, `date`, `string`, `enum`, `boolean`, `number`).
    pub fn type_name(&self) -> &'static str {
        match self {
            FieldKind::Money => "money",
            FieldKind::Integer => "integer",
            FieldKind::Date => "date",
            FieldKind::String => "string",
            FieldKind::Enum { .. } => "enum",
            FieldKind::Boolean => "boolean",
            FieldKind::Number => "number",
        }
    }
}

/// A built-in field. Names are the rule format's (`total_spend`, `orders_last_30_days`, …).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Builtin {
    TotalSpend,
    OrderCount,
    Visits,
    LastOrderAt,
    InactiveDays,
    CreatedAt,
    City,
    Email,
    Name,
    Phone,
    Gender,
    PreferredChannel,
    HasProfile,
    OrdersLast30Days,
    OrdersLast90Days,
    SpendLast30Days,
    SpendLast90Days,
    SpendLast365Days,
    EmailStatus,
    SmsStatus,
    WhatsappStatus,
    Suppressed,
}

/// What an order-window field measures over the orders placed after `now - days`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WindowMeasure {
    /// Number of orders.
    Count,
    /// Sum of their amounts, in minor units.
    Spend,
}

/// An order-window field's definition.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Window {
    pub days: i64,
    pub measure: WindowMeasure,
}

impl Builtin {
    /// Every built-in field, in catalogue order.
    pub const ALL: [Builtin; 22] = [
        Builtin::TotalSpend,
        Builtin::OrderCount,
        Builtin::Visits,
        Builtin::LastOrderAt,
        Builtin::InactiveDays,
        Builtin::CreatedAt,
        Builtin::City,
        Builtin::Email,
        Builtin::Name,
        Builtin::Phone,
        Builtin::Gender,
        Builtin::PreferredChannel,
        Builtin::HasProfile,
        Builtin::OrdersLast30Days,
        Builtin::OrdersLast90Days,
        Builtin::SpendLast30Days,
        Builtin::SpendLast90Days,
        Builtin::SpendLast365Days,
        Builtin::EmailStatus,
        Builtin::SmsStatus,
        Builtin::WhatsappStatus,
        Builtin::Suppressed,
    ];

    /// The field name used in rules.
    pub fn name(self) -> &'static str {
        match self {
            Builtin::TotalSpend => "total_spend",
            Builtin::OrderCount => "order_count",
            Builtin::Visits => "visits",
            Builtin::LastOrderAt => "last_order_at",
            Builtin::InactiveDays => "inactive_days",
            Builtin::CreatedAt => "created_at",
            Builtin::City => "city",
            Builtin::Email => "email",
            Builtin::Name => "name",
            Builtin::Phone => "phone",
            Builtin::Gender => "gender",
            Builtin::PreferredChannel => "preferred_channel",
            Builtin::HasProfile => "has_profile",
            Builtin::OrdersLast30Days => "orders_last_30_days",
            Builtin::OrdersLast90Days => "orders_last_90_days",
            Builtin::SpendLast30Days => "spend_last_30_days",
            Builtin::SpendLast90Days => "spend_last_90_days",
            Builtin::SpendLast365Days => "spend_last_365_days",
            Builtin::EmailStatus => "email_status",
            Builtin::SmsStatus => "sms_status",
            Builtin::WhatsappStatus => "whatsapp_status",
            Builtin::Suppressed => "suppressed",
        }
    }

    /// The type of this field's values.
    pub fn kind(self) -> FieldKind {
        match self {
            Builtin::TotalSpend | Builtin::SpendLast30Days | Builtin::SpendLast90Days | Builtin::SpendLast365Days => {
                FieldKind::Money
            }
            Builtin::OrderCount
            | Builtin::Visits
            | Builtin::InactiveDays
            | Builtin::OrdersLast30Days
            | Builtin::OrdersLast90Days => FieldKind::Integer,
            Builtin::LastOrderAt | Builtin::CreatedAt => FieldKind::Date,
            Builtin::City | Builtin::Email | Builtin::Name | Builtin::Phone => FieldKind::String,
            Builtin::Gender => FieldKind::Enum { values: Gender::ALL.iter().map(|g| g.as_str().to_owned()).collect() },
            Builtin::PreferredChannel => {
                FieldKind::Enum { values: Channel::ALL.iter().map(|c| c.as_str().to_owned()).collect() }
            }
            Builtin::HasProfile | Builtin::Suppressed => FieldKind::Boolean,
            Builtin::EmailStatus | Builtin::SmsStatus | Builtin::WhatsappStatus => FieldKind::Enum {
                values: [SubscriptionStatus::Subscribed, SubscriptionStatus::Unsubscribed, SubscriptionStatus::Pending]
                    .iter()
                    .map(|s| s.as_str().to_owned())
                    .collect(),
            },
        }
    }

    /// Whether a customer can lack a value: profile fields arrive optionally, `last_order_at` is empty
    /// until the first order. Aggregates, `created_at`, `inactive_days` and `has_profile` always have one.
    pub fn nullable(self) -> bool {
        matches!(
            self,
            Builtin::LastOrderAt
                | Builtin::City
                | Builtin::Email
                | Builtin::Name
                | Builtin::Phone
                | Builtin::Gender
                | Builtin::PreferredChannel
                | Builtin::EmailStatus
                | Builtin::SmsStatus
                | Builtin::WhatsappStatus
        )
    }

    /// The order window, for the `orders_last_*` and `spend_last_*` fields.
    pub fn window(self) -> Option<Window> {
        let (days, measure) = match self {
            Builtin::OrdersLast30Days => (30, WindowMeasure::Count),
            Builtin::OrdersLast90Days => (90, WindowMeasure::Count),
            Builtin::SpendLast30Days => (30, WindowMeasure::Spend),
            Builtin::SpendLast90Days => (90, WindowMeasure::Spend),
            Builtin::SpendLast365Days => (365, WindowMeasure::Spend),
            _ => return None,
        };
        Some(Window { days, measure })
    }
}

/// A field a condition tests. Only a [`crate::segment::Catalogue`] hands these out to the parser, so a
/// field name in a rule is never anything but a catalogue entry.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Field {
    Builtin(Builtin),
    /// `attributes.<key>`, typed as the catalogue knew it when the rule was parsed. Values of another
    /// JSON type under the same key count as missing.
    Attribute(AttributeKey, AttributeType),
}

impl Field {
    /// The name used in rules: `total_spend`, `attributes.tier`.
    pub fn name(&self) -> String {
        match self {
            Field::Builtin(builtin) => builtin.name().to_owned(),
            Field::Attribute(key, _) => format!("attributes.{key}"),
        }
    }

    /// The type of this field's values.
    pub fn kind(&self) -> FieldKind {
        match self {
            Field::Builtin(builtin) => builtin.kind(),
            Field::Attribute(_, AttributeType::String) => FieldKind::String,
            Field::Attribute(_, AttributeType::Number) => FieldKind::Number,
            Field::Attribute(_, AttributeType::Boolean) => FieldKind::Boolean,
        }
    }

    /// Whether a customer can lack a value (every attribute can).
    pub fn nullable(&self) -> bool {
        match self {
            Field::Builtin(builtin) => builtin.nullable(),
            Field::Attribute(..) => true,
        }
    }
}

impl fmt::Display for Field {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.name())
    }
}
