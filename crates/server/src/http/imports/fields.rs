//! The fields a CSV column can be mapped to, per kind of import: exactly the fields of the ingest API's
//! customer and order inputs (the rows go through the same validation), minus order items, which have no
//! flat form. Customer columns can also become custom attributes, as `attributes.<key>`.

use std::collections::BTreeMap;

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
    /// Other column headings that mean this field (compared ignoring case, spaces and punctuation), for
    /// mapping a file's columns automatically.
    pub synonyms: &'static [&'static str],
}

const fn field(
    name: &'static str,
    label: &'static str,
    required: bool,
    description: &'static str,
    synonyms: &'static [&'static str],
) -> ImportField {
    ImportField { name, label, required, description, synonyms }
}

const TIME: &str = "RFC 3339 (2026-05-01T10:30:00+05:30), or a date (and time) in the import's date format, read \
    as UTC";

pub const CUSTOMER_FIELDS: &[ImportField] = &[
    field(
        "external_id",
        "Customer ID",
        true,
        "your identifier of the customer, 1 to 128 characters",
        &["id", "customer", "customer number", "customer no", "client id", "user id", "member id", "contact id"],
    ),
    field("name", "Name", false, "full name", &["full name", "customer name", "contact name", "client name"]),
    field("email", "E-mail", false, "an e-mail address", &["email address", "e-mail address", "mail", "email id"]),
    field(
        "phone",
        "Phone",
        false,
        "a phone number; without + and country code it is read as a number of the workspace's default country",
        &[
            "mobile",
            "mobile number",
            "mobile no",
            "phone number",
            "contact number",
            "cell",
            "cell phone",
            "whatsapp",
            "whatsapp number",
            "telephone",
            "tel",
        ],
    ),
    field("city", "City", false, "city name", &["town", "location"]),
    field("gender", "Gender", false, "female, male, non_binary, other or unknown", &["sex"]),
    field("preferred_channel", "Preferred channel", false, "sms, email or whatsapp", &["channel", "preferred contact"]),
    field(
        "created_at",
        "Customer since",
        false,
        TIME,
        &[
            "signup date",
            "sign up date",
            "signed up",
            "joined",
            "join date",
            "joined on",
            "registration date",
            "registered",
            "created",
            "created at",
            "created on",
        ],
    ),
    field(
        "subscriptions.email",
        "E-mail consent",
        false,
        "subscribed, unsubscribed or pending",
        &["email subscription", "email opt in", "email status"],
    ),
    field(
        "subscriptions.sms",
        "SMS consent",
        false,
        "subscribed, unsubscribed or pending",
        &["sms subscription", "sms opt in", "sms status"],
    ),
    field(
        "subscriptions.whatsapp",
        "WhatsApp consent",
        false,
        "subscribed, unsubscribed or pending",
        &["whatsapp subscription", "whatsapp opt in", "whatsapp status"],
    ),
];

/// The prefix of the consent fields: their values go into the customer's `subscriptions` object.
pub const SUBSCRIPTION_PREFIX: &str = "subscriptions.";

pub const ORDER_FIELDS: &[ImportField] = &[
    field(
        "external_id",
        "Order ID",
        true,
        "your identifier of the order; a repeated id is ignored",
        &["id", "order", "order number", "order no", "invoice", "invoice number", "transaction id"],
    ),
    field(
        "customer_external_id",
        "Customer ID",
        true,
        "the customer's ID; an unknown customer is created",
        &["customer", "customer number", "customer no", "client id", "user id", "member id"],
    ),
    field(
        "amount",
        "Amount",
        true,
        "a decimal number in the workspace currency, e.g. 1499.00",
        &["total", "order total", "grand total", "value", "order value", "price", "revenue"],
    ),
    field("currency", "Currency", false, "ISO 4217 code; must be the workspace currency", &["currency code"]),
    field("status", "Status", false, "placed, paid (default), fulfilled, cancelled or refunded", &["order status"]),
    field("channel", "Channel", false, "where it was placed, e.g. web, app, store", &["source", "sales channel"]),
    field(
        "ordered_at",
        "Ordered at",
        false,
        TIME,
        &["order date", "date", "purchase date", "purchased at", "created at"],
    ),
];

/// A heading reduced for comparison: lower case, letters and digits only (`E-mail Address` → `emailaddress`).
fn squash(text: &str) -> String {
    text.chars().filter(char::is_ascii_alphanumeric).map(|c| c.to_ascii_lowercase()).collect()
}

/// The mapping a file's header suggests: each field to the first column whose heading is its name, its
/// label or one of its synonyms (a field is mapped once, a column used once; the field's own name and
/// label win over synonyms).
pub fn suggest_mapping(kind: ImportKind, header: &[String]) -> BTreeMap<String, String> {
    let squashed: Vec<String> = header.iter().map(|h| squash(h)).collect();
    let mut used = vec![false; header.len()];
    let mut mapping = BTreeMap::new();
    for exact in [true, false] {
        for field in kind.fields() {
            if mapping.contains_key(field.name) {
                continue;
            }
            let names: Vec<String> = if exact {
                vec![squash(field.name), squash(field.label)]
            } else {
                field.synonyms.iter().map(|s| squash(s)).collect()
            };
            let found = squashed.iter().enumerate().find(|(i, h)| !used[*i] && !h.is_empty() && names.contains(h));
            if let Some((index, _)) = found {
                used[index] = true;
                mapping.insert(field.name.to_owned(), header[index].clone());
            }
        }
    }
    mapping
}

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
