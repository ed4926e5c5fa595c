//! [`OrderStatus`]: where an order is in its life.

use std::fmt;

use serde::{Deserialize, Serialize};

/// An order's status as the client reports it. Defaults to `Paid` because most systems only send an order once
/// money has changed hands. Every status counts as a visit; which ones count toward spend is the store's rule.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum OrderStatus {
    Placed,
    #[default]
    Paid,
    Fulfilled,
    Cancelled,
    Refunded,
}

impl OrderStatus {
    /// Every value, in lifecycle order.
    pub const ALL: [OrderStatus; 5] =
        [OrderStatus::Placed, OrderStatus::Paid, OrderStatus::Fulfilled, OrderStatus::Cancelled, OrderStatus::Refunded];

    /// Parses `placed`, `paid`, `fulfilled`, `cancelled` or `refunded`, ignoring case and surrounding whitespace.
    pub fn parse(raw: &str) -> Result<OrderStatus, String> {
        let word = raw.trim().to_ascii_lowercase();
        OrderStatus::ALL
            .into_iter()
            .find(|status| status.as_str() == word)
            .ok_or_else(|| "must be one of placed, paid, fulfilled, cancelled, refunded".to_owned())
    }

    /// The lowercase name, as stored and serialized.
    pub fn as_str(self) -> &'static str {
        match self {
            OrderStatus::Placed => "placed",
            OrderStatus::Paid => "paid",
            OrderStatus::Fulfilled => "fulfilled",
            OrderStatus::Cancelled => "cancelled",
            OrderStatus::Refunded => "refunded",
        }
    }
}

impl fmt::Display for OrderStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_prints_every_status() {
        assert_eq!(OrderStatus::default(), OrderStatus::Paid);
        assert_eq!(OrderStatus::parse(" REFUNDED "), Ok(OrderStatus::Refunded));
        for status in OrderStatus::ALL {
            assert_eq!(OrderStatus::parse(status.as_str()), Ok(status));
            assert_eq!(serde_json::to_string(&status).unwrap(), format!("\"{status}\""));
        }
    }

    #[test]
    fn rejects_unknown_statuses() {
        for input in ["", "shipped", "canceled", "pay"] {
            assert_eq!(
                OrderStatus::parse(input),
                Err("must be one of placed, paid, fulfilled, cancelled, refunded".to_owned())
            );
        }
    }
}
