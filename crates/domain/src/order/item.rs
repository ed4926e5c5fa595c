//! Order line items: raw [`OrderItemInput`] and validated [`OrderItem`].

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::error::FieldErrors;
use crate::fields::{ProductName, Sku};
use crate::money::{Currency, Money};

/// How many units of an item: 1..=10000. A zero line is noise and larger numbers are almost surely a mistake
/// in a consumer order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "u32", into = "u32")]
pub struct Quantity(u32);

impl Quantity {
    /// Largest quantity per line.
    pub const MAX: u32 = 10_000;

    /// Checks the range.
    pub fn parse(value: u32) -> Result<Quantity, String> {
        if (1..=Self::MAX).contains(&value) {
            Ok(Quantity(value))
        } else {
            Err(format!("must be between 1 and {}", Self::MAX))
        }
    }

    /// `value` clamped into 1..=[`Quantity::MAX`], for code that computes quantities itself and so needs no
    /// error path.
    pub fn saturating(value: u32) -> Quantity {
        Quantity(value.clamp(1, Self::MAX))
    }

    /// The number of units.
    pub fn get(self) -> u32 {
        self.0
    }
}

impl TryFrom<u32> for Quantity {
    type Error = String;

    fn try_from(value: u32) -> Result<Self, Self::Error> {
        Quantity::parse(value)
    }
}

impl From<Quantity> for u32 {
    fn from(value: Quantity) -> Self {
        value.0
    }
}

/// One line of an order as the client sends it. Informational: the order's `amount` is authoritative (it
/// includes discounts, shipping and tax the lines do not describe), so lines are not summed or checked
/// against it.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OrderItemInput {
    /// Stock-keeping unit, 1 to 64 characters. An item needs a `sku` or a `name`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Sku>)]
    pub sku: Option<String>,
    /// Product name, 1 to 200 characters.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<ProductName>)]
    pub name: Option<String>,
    /// Units, 1 to 10000.
    #[schema(minimum = 1, maximum = 10000, example = 2)]
    pub quantity: u32,
    /// Price of one unit in the order's currency, a decimal string or number.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(schema_with = super::decimal_schema, required = false)]
    pub unit_price: Option<Value>,
}

/// A validated order line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderItem {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sku: Option<Sku>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<ProductName>,
    pub quantity: Quantity,
    #[serde(default, skip_serializing_if = "Option::is_none", deserialize_with = "super::checked::optional_amount")]
    pub unit_price: Option<Money>,
}

impl OrderItemInput {
    /// Validates one line; field names are relative (`sku`, `quantity`) so the caller can prefix them with
    /// `items[i]`. An item with neither `sku` nor `name` is an error on the item itself (empty field).
    pub fn validate(self, currency: &Currency) -> Result<OrderItem, FieldErrors> {
        let mut errors = FieldErrors::new();
        if self.sku.is_none() && self.name.is_none() {
            errors.push("", "must have a sku or a name");
        }
        let sku = errors.check_optional("sku", self.sku.as_deref(), Sku::parse);
        let name = errors.check_optional("name", self.name.as_deref(), ProductName::parse);
        let quantity = errors.check("quantity", Quantity::parse(self.quantity));
        let unit_price = match &self.unit_price {
            None => None,
            Some(value) => errors.check("unit_price", Money::from_json(value, currency)),
        };
        match quantity {
            Some(quantity) if errors.is_empty() => Ok(OrderItem { sku, name, quantity, unit_price }),
            _ => Err(errors),
        }
    }
}
