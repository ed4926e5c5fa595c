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

/// Statuses that shops, marketplaces and ERPs export, by what they mean here (the order is stored with the
/// meaning, not the word). A partial refund is not among them: it is not a whole order's status.
pub const SYNONYMS: &[(&str, OrderStatus)] = &[
    ("pending", OrderStatus::Placed),
    ("created", OrderStatus::Placed),
    ("open", OrderStatus::Placed),
    ("new", OrderStatus::Placed),
    ("on_hold", OrderStatus::Placed),
    ("processing", OrderStatus::Paid),
    ("authorized", OrderStatus::Paid),
    ("captured", OrderStatus::Paid),
    ("confirmed", OrderStatus::Paid),
    ("shipped", OrderStatus::Fulfilled),
    ("dispatched", OrderStatus::Fulfilled),
    ("delivered", OrderStatus::Fulfilled),
    ("completed", OrderStatus::Fulfilled),
    ("complete", OrderStatus::Fulfilled),
    ("canceled", OrderStatus::Cancelled),
    ("voided", OrderStatus::Cancelled),
    ("failed", OrderStatus::Cancelled),
    ("returned", OrderStatus::Refunded),
];

impl OrderStatus {
    /// Every value, in lifecycle order.
    pub const ALL: [OrderStatus; 5] =
        [OrderStatus::Placed, OrderStatus::Paid, OrderStatus::Fulfilled, OrderStatus::Cancelled, OrderStatus::Refunded];

    /// Parses `placed`, `paid`, `fulfilled`, `cancelled` or `refunded`, or one of the [`SYNONYMS`] other
    /// systems export (`shipped`, `delivered`, `completed`, `processing`, `returned`, …), ignoring case,
    /// surrounding whitespace and whether words are joined by `_`, `-` or a space. The error lists every
    /// accepted word.
    pub fn parse(raw: &str) -> Result<OrderStatus, String> {
        let word: String =
            raw.trim().chars().map(|c| if c == '-' || c == ' ' { '_' } else { c.to_ascii_lowercase() }).collect();
        OrderStatus::ALL
            .into_iter()
            .find(|status| status.as_str() == word)
            .or_else(|| SYNONYMS.iter().find(|(synonym, _)| *synonym == word).map(|(_, status)| *status))
            .ok_or_else(|| {
                let synonyms: Vec<&str> = SYNONYMS.iter().map(|(synonym, _)| *synonym).collect();
                format!(
                    "must be one of placed, paid, fulfilled, cancelled, refunded, or a status other systems use: {}",
                    synonyms.join(", ")
                )
            })
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
    fn other_systems_statuses_are_mapped() {
        let cases = [
            ("Shipped", OrderStatus::Fulfilled),
            ("delivered", OrderStatus::Fulfilled),
            ("COMPLETED", OrderStatus::Fulfilled),
            ("processing", OrderStatus::Paid),
            ("pending", OrderStatus::Placed),
            ("on-hold", OrderStatus::Placed),
            ("On Hold", OrderStatus::Placed),
            ("canceled", OrderStatus::Cancelled),
            ("returned", OrderStatus::Refunded),
        ];
        for (input, expected) in cases {
            assert_eq!(OrderStatus::parse(input), Ok(expected), "{input}");
        }
        // A synonym never shadows a status of ours.
        assert!(SYNONYMS.iter().all(|(word, _)| OrderStatus::ALL.iter().all(|s| s.as_str() != *word)));
    }

    #[test]
    fn rejects_unknown_statuses_listing_what_is_accepted() {
        for input in ["", "pay", "partially_refunded", "lost in the mail"] {
            let err = OrderStatus::parse(input).unwrap_err();
            assert!(err.starts_with("must be one of placed, paid, fulfilled, cancelled, refunded, or"), "{err}");
            assert!(err.contains("shipped") && err.contains("returned"), "{err}");
        }
    }
}
