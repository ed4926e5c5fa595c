//! An in-memory, columnar index of a workspace's customers that answers "how many customers match this
//! rule, and which" in milliseconds.
//!
//! The index is a cache, never a second source of truth: it is filled from the store's `CustomerFacts`
//! and kept current from the store's change log, and it evaluates a [`Rule`] with exactly the semantics of
//! the reference evaluator ([`Rule::matches`]). It reuses the domain's own definitions wherever they are
//! not on the hot path — text and attribute values are computed per distinct value with
//! [`Field::value`](converge_domain::segment::Field::value), and every test goes through
//! [`Predicate::test`] — and specialises only integer and time comparisons into tight loops. A property
//! test checks index, evaluator and SQL select the same customers.
//!
//! What must not live here: I/O, clocks (`now` is passed in), or any rule semantics of its own.

mod bitset;
mod columns;
mod eval;
mod orders;
mod windows;

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use converge_domain::segment::{CustomerFacts, Rule};

use bitset::Bitset;
use columns::Columns;

/// The index of one workspace's customers.
#[derive(Default)]
pub struct AudienceIndex {
    columns: Columns,
    row_of: HashMap<i64, u32>,
}

impl AudienceIndex {
    pub fn new() -> Self {
        Self::default()
    }

    /// Builds an index from every customer's facts.
    pub fn from_facts(customers: impl IntoIterator<Item = (i64, CustomerFacts)>) -> Self {
        let mut index = Self::new();
        for (id, facts) in customers {
            index.upsert(id, &facts);
        }
        index
    }

    /// Inserts or replaces one customer.
    pub fn upsert(&mut self, id: i64, facts: &CustomerFacts) {
        match self.row_of.get(&id) {
            Some(&row) => self.columns.set(row as usize, facts),
            None => {
                let row = self.columns.push(id, facts);
                self.row_of.insert(id, row as u32);
            }
        }
    }

    /// Number of customers indexed.
    pub fn len(&self) -> usize {
        self.columns.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// How many customers match `rule` at `now`.
    pub fn count(&self, rule: &Rule, now: DateTime<Utc>) -> u64 {
        self.evaluate(rule, now).count()
    }

    /// Ids of every matching customer, in index order.
    pub fn ids(&self, rule: &Rule, now: DateTime<Utc>) -> Vec<i64> {
        self.evaluate(rule, now).rows().map(|row| self.columns.id(row)).collect()
    }

    /// The count and the ids of up to `limit` matching customers: the first in index order (customers are
    /// indexed in id order when loaded, newer ones appended), sorted by id.
    pub fn count_and_sample(&self, rule: &Rule, now: DateTime<Utc>, limit: usize) -> (u64, Vec<i64>) {
        let matches = self.evaluate(rule, now);
        let mut ids: Vec<i64> = matches.rows().take(limit).map(|row| self.columns.id(row)).collect();
        ids.sort_unstable();
        (matches.count(), ids)
    }

    /// Approximate heap bytes held, for the memory figure in the benchmarks and metrics.
    pub fn memory_bytes(&self) -> usize {
        self.columns.memory_bytes() + self.row_of.capacity() * (std::mem::size_of::<(i64, u32)>() + 8)
    }

    fn evaluate(&self, rule: &Rule, now: DateTime<Utc>) -> Bitset {
        eval::group(&self.columns, rule.root(), converge_domain::segment::time::to_millis(now))
    }
}
