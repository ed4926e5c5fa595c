//! Segmentation rules: the field [`Catalogue`], the typed [`Rule`] tree parsed from react-querybuilder JSON,
//! and the reference evaluator [`Rule::matches`] over [`CustomerFacts`].
//!
//! Everything here is pure. The store compiles a [`Rule`] to SQL for SQLite and Postgres, and an
//! in-memory index may evaluate it too; all executions must select exactly the customers
//! [`Rule::matches`] selects, so the semantics below are the contract, and the helpers they rest on
//! ([`fold`], [`NumberKey`], [`time`]) are shared rather than re-implemented.
//!
//! # Semantics (product decisions)
//!
//! - **Groups.** `and` needs every member, `or` one of them. An empty `and` group matches everyone, an empty
//!   `or` group no one. `"not": true` negates the group's result.
//! - **Two-valued.** Every condition is true or false for every customer, never "unknown", so `not` is plain
//!   negation and `not (A)` is exactly the customers `A` leaves out.
//! - **Missing values.** A customer without a value for a field (no city, never ordered for
//!   `last_order_at`, an attribute absent or holding another JSON type than the field's) fails every
//!   positive operator (`=`, `<`, `between`, `in`, `contains`, `beginsWith`, `endsWith`, `withinDays`,
//!   `olderThanDays`, …) and passes every negative one (`!=`, `notBetween`, `notIn`, `doesNotContain`),
//!   each negative operator being exactly "not" its positive one. `null` is true when the value is
//!   missing, `notNull` when present. So a customer who never ordered is *not* "last ordered more than 90
//!   days ago" (`last_order_at olderThanDays 90`); use `inactive_days >= 90` for "inactive for 90 days",
//!   which counts from `created_at` when there are no orders.
//! - **Text.** Case-insensitive: both sides are folded with [`fold`] (Unicode lowercase). Matching is
//!   literal: `%`, `_`, `\` and quotes are ordinary characters. `contains ""` matches every present value.
//!   Enum values (`gender`, `preferred_channel`) are the canonical lowercase words.
//! - **Money** compares in minor units of the workspace currency; rule values are decimal major units.
//!   **Integers** are exact. **Attribute numbers** compare exactly as decimals of any size
//!   ([`NumberKey`]: `2.50 = 2.5`, `1e3 = 1000`).
//! - **Time.** Comparisons are at whole milliseconds (see [`time`]). A `YYYY-MM-DD` value means midnight
//!   UTC starting that day, so `created_at < 2025-02-01` is "before February" and `between` is inclusive
//!   of both instants. `withinDays N`: the time is after `now - N days`; `olderThanDays N`: before it.
//!   `inactive_days` is the whole days (rounded down) from the last order, or from `created_at` if there is
//!   none, to `now`; a future timestamp (clients may send up to a day ahead) gives -1.
//! - **Order windows** (`orders_last_30_days`, `spend_last_90_days`, …) count or sum the customer's orders
//!   whose `ordered_at` is after `now - N days` (any status, like `total_spend`).
//! - **Limits.** At most 6 levels of groups, 100 conditions, 500 items in an `in` list, 500 characters in a
//!   text value, integers within ±10^15, day counts 0..=1 000 000. Violations are errors, never truncation.

mod catalogue;
mod eval;
mod facts;
mod field;
mod fold;
mod number;
mod operator;
mod parse;
mod rule;
mod schema;
pub mod time;
mod value;

pub use catalogue::{operators_for, Catalogue, FieldDef, FieldView, OperatorView};
pub use facts::{CustomerFacts, OrderFact};
pub use field::{AttributeType, Builtin, Field, FieldKind, Window, WindowMeasure};
pub use fold::{fold, fold_attribute, fold_attributes};
pub use number::NumberKey;
pub use operator::{Operator, OperatorInput};
pub use parse::{MAX_CONDITIONS, MAX_DEPTH};
pub use rule::{Combinator, Comparison, Condition, Group, Node, Predicate, Rule, Scalar};
pub use schema::{RuleCondition, RuleGroup};
pub use value::{MAX_DAYS, MAX_INTEGER, MAX_LIST_ITEMS, MAX_TEXT_CHARS};

#[cfg(test)]
mod tests;
