//! Segment rules in SQL: the rule → SQL compiler for Postgres and SQLite, the queries behind the
//! [`Store`](crate::Store) segment methods, and the folded shadow columns they rely on.
//!
//! The compiler produces a WHERE expression over `customers c` with numbered placeholders; every value of a
//! rule is a bound [`Param`] (attribute keys included), never SQL text, and user text in `LIKE` patterns is
//! escaped. The SQL must select exactly what
//! [`Rule::matches`](converge_domain::segment::Rule::matches) selects, which the store's property test
//! checks on both backends. What makes that possible:
//!
//! - text is compared through columns folded in Rust (`*_fold`, see the `folds` module), not `lower()`;
//! - attribute numbers are compared as order-preserving text keys
//!   ([`NumberKey`](converge_domain::segment::NumberKey)) stored in `attributes_fold`;
//! - an attribute's presence is its JSON type in `attributes`, so a value of another type is missing;
//! - times are whole milliseconds (the ingest path truncates them), relative times are computed once from
//!   the injected `now`, and `inactive_days` becomes a bound on the last-activity time;
//! - each condition is two-valued (see [`compile`]).
//!
//! Limits: the SQL path reads all of a workspace's customers matching the scope, with one correlated
//! subquery per order-window condition (served by the `orders_customer` index); it is the source of truth,
//! not the fast path. Rows stored by an older build with sub-millisecond Postgres timestamps may differ from
//! the evaluator at the sub-millisecond boundary.

mod builder;
mod compile;
pub(crate) mod fields;
pub(crate) mod folds;
mod queries;
mod types;

pub use queries::RuleQueries;
pub(crate) use queries::{postgres, sqlite};

pub use builder::{Dialect, Param, SqlFilter};
pub use compile::compile;

#[cfg(test)]
mod tests;
