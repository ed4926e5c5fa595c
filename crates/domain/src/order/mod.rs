//! Orders: the raw payload [`OrderInput`] and the validated [`OrderRecord`].
//!
//! Orders are idempotent by `external_id`: the store inserts an order once and ignores replays, so a record
//! is a complete order, never a partial update.

mod checked;
mod item;
mod status;
#[cfg(test)]
mod tests;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::openapi::schema::{OneOfBuilder, Schema};
use utoipa::openapi::{ObjectBuilder, RefOr, Type};

pub use item::{OrderItem, OrderItemInput, Quantity};
pub use status::OrderStatus;

use crate::error::FieldErrors;
use crate::fields::{parse_timestamp, ExternalId, SalesChannel};
use crate::money::{Currency, Money};

/// Most items one order may list.
pub const MAX_ITEMS: usize = 100;

/// An order as a client sends it to `POST /api/v1/orders`: plain strings and JSON values, so that every
/// mistake becomes a per-field error from [`OrderInput::validate`].
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OrderInput {
    /// The client's identifier of the order; replays with the same id are ignored.
    #[schema(value_type = ExternalId)]
    pub external_id: String,
    /// `external_id` of the customer who placed it. An unknown customer is created on the fly.
    #[schema(value_type = ExternalId)]
    pub customer_external_id: String,
    /// Total paid, in the workspace currency: a decimal string (`"1499.00"`) or a JSON number (`1499.00`),
    /// never negative, at most as many decimals as the currency has. Read exactly, never as a float.
    #[schema(schema_with = decimal_schema)]
    pub amount: Value,
    /// ISO 4217 code; defaults to the workspace currency and must equal it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(pattern = "^[A-Za-z]{3}$", example = "INR")]
    pub currency: Option<String>,
    /// One of `placed`, `paid` (default), `fulfilled`, `cancelled`, `refunded`; common statuses of other
    /// systems are accepted and stored as what they mean: `pending`, `created`, `open`, `new`, `on_hold` →
    /// placed; `processing`, `authorized`, `captured`, `confirmed` → paid; `shipped`, `dispatched`,
    /// `delivered`, `completed`, `complete` → fulfilled; `canceled`, `voided`, `failed` → cancelled;
    /// `returned` → refunded (case, `-`, `_` and spaces aside). Anything else is a 422 listing them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<OrderStatus>)]
    pub status: Option<String>,
    /// Where the order was placed, free text of 1 to 40 characters (e.g. `web`, `app`, `store`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<SalesChannel>)]
    pub channel: Option<String>,
    /// At most 100 lines; informational, not summed against `amount`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(max_items = 100)]
    pub items: Option<Vec<OrderItemInput>>,
    /// RFC 3339 timestamp; defaults to the time the API received the order.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(format = DateTime, example = "2025-05-01T18:45:00+05:30")]
    pub ordered_at: Option<String>,
}

/// The OpenAPI schema of an exact decimal amount: a string or a number.
pub(crate) fn decimal_schema() -> RefOr<Schema> {
    OneOfBuilder::new()
        .item(
            ObjectBuilder::new().schema_type(Type::String).pattern(Some(r"^[0-9]+(\.[0-9]+)?$")).examples(["1499.00"]),
        )
        .item(ObjectBuilder::new().schema_type(Type::Number).minimum(Some(0)))
        .description(Some(
            "Non-negative decimal amount as a string or number; no exponent, at most the currency's decimals",
        ))
        .into()
}

/// A validated order. `amount` is in minor units of `currency`, which is always the workspace currency (one
/// currency per workspace keeps `total_spend` a meaningful sum).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderRecord {
    pub external_id: ExternalId,
    pub customer_external_id: ExternalId,
    #[serde(deserialize_with = "checked::amount")]
    pub amount: Money,
    pub currency: Currency,
    pub status: OrderStatus,
    /// Sales channel label, trimmed, 1..=40 characters without control characters.
    #[serde(default, skip_serializing_if = "Option::is_none", deserialize_with = "checked::optional_channel")]
    pub channel: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub items: Vec<OrderItem>,
    pub ordered_at: DateTime<Utc>,
}

impl OrderInput {
    /// Parses every field, collecting all errors under their JSON names (`amount`, `items[2].quantity`, …).
    /// `now` is the default `ordered_at` and bounds it (at most 24 hours ahead); `workspace_currency` is the
    /// default and only accepted currency.
    pub fn validate(self, now: DateTime<Utc>, workspace_currency: &Currency) -> Result<OrderRecord, FieldErrors> {
        let mut errors = FieldErrors::new();
        let external_id = errors.check("external_id", ExternalId::parse(&self.external_id));
        let customer_external_id = errors.check("customer_external_id", ExternalId::parse(&self.customer_external_id));
        if let Some(raw) = &self.currency {
            match Currency::parse(raw) {
                Ok(currency) if currency == *workspace_currency => {}
                Ok(_) => errors.push("currency", format!("must be {workspace_currency}, the workspace currency")),
                Err(message) => errors.push("currency", message),
            }
        }
        let currency = *workspace_currency;
        let amount = errors.check("amount", Money::from_json(&self.amount, &currency));
        let status = errors.check_optional("status", self.status.as_deref(), OrderStatus::parse).unwrap_or_default();
        let channel = errors.check_optional("channel", self.channel.as_deref(), checked::parse_channel);
        let items = validate_items(self.items.unwrap_or_default(), &currency, &mut errors);
        let ordered_at = errors
            .check_optional("ordered_at", self.ordered_at.as_deref(), |text| parse_timestamp(text, now))
            .unwrap_or(now);
        match (external_id, customer_external_id, amount) {
            (Some(external_id), Some(customer_external_id), Some(amount)) if errors.is_empty() => Ok(OrderRecord {
                external_id,
                customer_external_id,
                amount,
                currency,
                status,
                channel,
                items,
                ordered_at,
            }),
            _ => Err(errors),
        }
    }
}

fn validate_items(items: Vec<OrderItemInput>, currency: &Currency, errors: &mut FieldErrors) -> Vec<OrderItem> {
    if items.len() > MAX_ITEMS {
        errors.push("items", format!("must have at most {MAX_ITEMS} items"));
        return Vec::new();
    }
    let mut valid = Vec::with_capacity(items.len());
    for (index, item) in items.into_iter().enumerate() {
        match item.validate(currency) {
            Ok(item) => valid.push(item),
            Err(item_errors) => errors.extend(item_errors.prefixed(&format!("items[{index}]"))),
        }
    }
    valid
}
