//! Money: an ISO 4217 [`Currency`] and an amount in integer minor units ([`Money`]).
//!
//! Money is never a float anywhere in Converge: amounts arrive as decimal text (or JSON numbers, whose exact
//! source text we keep thanks to serde_json's `arbitrary_precision`), are parsed digit by digit into an `i64`
//! of minor units (paise for INR), and are formatted back the same way. Sums are then exact integers.

mod amount;
mod currency;
mod iso4217;
#[cfg(test)]
mod tests;

pub use amount::{Money, TOTAL_CAP_MINOR};
pub use currency::Currency;
