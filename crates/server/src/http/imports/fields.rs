//! The fields a CSV column can be mapped to, per kind of import: exactly the fields of the ingest API's
//! customer and order inputs (the rows go through the same validation), minus order items, which have no
//! flat form. Customer columns can also become custom attributes, as `attributes.<key>`.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// What a CSV file holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum ImportKind {
    Customers,
    Orders,
}

/// A field a column can be mapped to.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct ImportField {
    /// The key to use in `mapping`.
    pub name: &'static str,
    pub label: &'static str,
    /// Every row must have a value for it.
    pub required: bool,
    /// What a value must look like.
    pub description: &'static str,
}

const fn field(name: &'static str, label: &'static str, required: bool, description: &'static str) -> ImportField {
    ImportField { name, label, required, description }
}

const TIME: &str = "RFC 3339 (2026-05-01T10:30:00+05:30), or YYYY-MM-DD [HH:MM[:SS]] read as UTC";

pub const CUSTOMER_FIELDS: &[ImportField] = &[
    field("external_id", "Customer ID", true, "your identifier of the customer, 1 to 128 characters"),
    field("name", "Name", false, "full name"),
    field("email", "E-mail", false, "an e-mail address"),
    field("phone", "Phone", false, "7 to 15 digits, optional leading +"),
    field("city", "City", false, "city name"),
    field("gender", "Gender", false, "female, male, non_binary, other or unknown"),
    field("preferred_channel", "Preferred channel", false, "sms, email or whatsapp"),
    field("created_at", "Customer since", false, TIME),
    field("subscriptions.email", "E-mail consent", false, "subscribed, unsubscribed or pending"),
    field("subscriptions.sms", "SMS consent", false, "subscribed, unsubscribed or pending"),
    field("subscriptions.whatsapp", "WhatsApp consent", false, "subscribed, unsubscribed or pending"),
];

/// The prefix of the consent fields: their values go into the customer's `subscriptions` object.
pub const SUBSCRIPTION_PREFIX: &str = "subscriptions.";

pub const ORDER_FIELDS: &[ImportField] = &[
    field("external_id", "Order ID", true, "your identifier of the order; a repeated id is ignored"),
    field("customer_external_id", "Customer ID", true, "the customer's ID; an unknown customer is created"),
    field("amount", "Amount", true, "a decimal number in the workspace currency, e.g. 1499.00"),
    field("currency", "Currency", false, "ISO 4217 code; must be the workspace currency"),
    field("status", "Status", false, "placed, paid (default), fulfilled, cancelled or refunded"),
    field("channel", "Channel", false, "where it was placed, e.g. web, app, store"),
    field("ordered_at", "Ordered at", false, TIME),
];

/// The prefix that maps a customer column to a custom attribute.
pub const ATTRIBUTE_PREFIX: &str = "attributes.";

impl ImportKind {
    pub fn fields(self) -> &'static [ImportField] {
        match self {
            ImportKind::Customers => CUSTOMER_FIELDS,
            ImportKind::Orders => ORDER_FIELDS,
        }
    }

    /// Fields whose values are times (normalised to RFC 3339 before validation).
    pub fn is_time(self, name: &str) -> bool {
        matches!((self, name), (ImportKind::Customers, "created_at") | (ImportKind::Orders, "ordered_at"))
    }
}
