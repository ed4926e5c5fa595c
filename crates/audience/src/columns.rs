//! Column storage: one vector per field, one entry per row. Texts and attribute values are
//! dictionary-encoded, so a condition on them is evaluated once per distinct value, not once per row.

use std::collections::HashMap;

use converge_domain::segment::{time, Builtin, CustomerFacts, Field, Scalar};
use serde_json::Value;

/// "No value" in the nullable time column.
pub(crate) const NO_TIME: i64 = i64::MIN;

/// The text built-ins, in the order of [`Columns::texts`].
pub(crate) const TEXT_FIELDS: [Builtin; 9] = [
    Builtin::City,
    Builtin::Email,
    Builtin::Name,
    Builtin::Phone,
    Builtin::Gender,
    Builtin::PreferredChannel,
    Builtin::EmailStatus,
    Builtin::SmsStatus,
    Builtin::WhatsappStatus,
];

pub(crate) fn text_slot(field: Builtin) -> Option<usize> {
    TEXT_FIELDS.iter().position(|f| *f == field)
}

/// A dictionary-encoded column: `codes[row]` indexes `values`. Code 0 is always "no value".
///
/// Values are found again by the 64-bit hash of their canonical text rather than by the text itself, which
/// would store every distinct e-mail address and phone number a second time; a hash shared by two different
/// values (checked against the stored value) sends the newcomer to a small exact-match map.
pub(crate) struct Dict<T> {
    pub(crate) codes: Vec<u32>,
    pub(crate) values: Vec<Option<T>>,
    by_hash: HashMap<u64, u32>,
    collisions: HashMap<String, u32>,
}

impl<T> Default for Dict<T> {
    fn default() -> Self {
        Self { codes: Vec::new(), values: vec![None], by_hash: HashMap::new(), collisions: HashMap::new() }
    }
}

fn hash_of(key: &str) -> u64 {
    use std::hash::Hasher;
    // SipHash with fixed keys: deterministic, which is all an in-memory index needs.
    let mut hasher = std::hash::DefaultHasher::new();
    hasher.write(key.as_bytes());
    hasher.finish()
}

impl<T> Dict<T> {
    /// The code of `value`, interning it if new. `key` is its canonical text and `canon` recomputes the
    /// canonical text of a stored value.
    fn intern(&mut self, key: String, value: T, canon: impl Fn(&T) -> String) -> u32 {
        let hash = hash_of(&key);
        match self.by_hash.get(&hash) {
            Some(&code) if self.values[code as usize].as_ref().is_some_and(|v| canon(v) == key) => code,
            Some(_) => match self.collisions.get(&key) {
                Some(&code) => code,
                None => {
                    let code = self.push(value);
                    self.collisions.insert(key, code);
                    code
                }
            },
            None => {
                let code = self.push(value);
                self.by_hash.insert(hash, code);
                code
            }
        }
    }

    fn push(&mut self, value: T) -> u32 {
        let code = self.values.len() as u32;
        self.values.push(Some(value));
        code
    }

    fn memory_bytes(&self, value_bytes: usize) -> usize {
        self.codes.capacity() * 4 + self.values.capacity() * value_bytes + self.by_hash.capacity() * 16
    }
}

#[derive(Default)]
pub(crate) struct Columns {
    pub(crate) ids: Vec<i64>,
    pub(crate) created_at: Vec<i64>,
    pub(crate) last_order_at: Vec<i64>,
    pub(crate) total_spend: Vec<i64>,
    pub(crate) order_count: Vec<i64>,
    pub(crate) visits: Vec<i64>,
    pub(crate) has_profile: Vec<bool>,
    pub(crate) suppressed: Vec<bool>,
    pub(crate) texts: [Dict<Scalar>; TEXT_FIELDS.len()],
    pub(crate) attributes: HashMap<String, Dict<Value>>,
    /// Each customer's orders, for the order-window fields.
    pub(crate) orders: crate::orders::OrderColumn,
    /// Cached order-window values per window length.
    pub(crate) windows: crate::windows::Windows,
    /// Verdicts of recent text/attribute conditions per dictionary entry (see [`Columns::verdicts`]).
    verdicts: std::sync::Mutex<HashMap<String, std::sync::Arc<Vec<bool>>>>,
}

impl Columns {
    pub(crate) fn len(&self) -> usize {
        self.ids.len()
    }

    pub(crate) fn id(&self, row: usize) -> i64 {
        self.ids[row]
    }

    /// Appends a row; returns its number.
    pub(crate) fn push(&mut self, id: i64, facts: &CustomerFacts) -> usize {
        let row = self.ids.len();
        self.ids.push(id);
        self.created_at.push(0);
        self.last_order_at.push(NO_TIME);
        self.total_spend.push(0);
        self.order_count.push(0);
        self.visits.push(0);
        self.has_profile.push(false);
        self.suppressed.push(false);
        for text in &mut self.texts {
            text.codes.push(0);
        }
        for column in self.attributes.values_mut() {
            column.codes.push(0);
        }
        self.orders.push_row();
        self.set(row, facts);
        row
    }

    /// Overwrites a row with a customer's current facts.
    pub(crate) fn set(&mut self, row: usize, facts: &CustomerFacts) {
        self.created_at[row] = time::to_millis(facts.created_at);
        self.last_order_at[row] = facts.last_order_at.map_or(NO_TIME, time::to_millis);
        self.total_spend[row] = facts.total_spend;
        self.order_count[row] = facts.order_count;
        self.visits[row] = facts.visits;
        self.has_profile[row] = facts.has_profile;
        self.suppressed[row] = facts.suppressed;
        for (slot, field) in TEXT_FIELDS.iter().enumerate() {
            // Text values do not depend on `now`; computing them with the domain's own definition keeps
            // folding and enum spelling identical to the evaluator's.
            let column = &mut self.texts[slot];
            column.codes[row] = match Field::Builtin(*field).value(facts, 0) {
                Some(value) => column.intern(format!("{value:?}"), value, |v| format!("{v:?}")),
                None => 0,
            };
        }
        let rows = self.ids.len();
        for column in self.attributes.values_mut() {
            column.codes[row] = 0;
        }
        for (key, value) in &facts.attributes {
            let column =
                self.attributes.entry(key.clone()).or_insert_with(|| Dict { codes: vec![0; rows], ..Dict::default() });
            column.codes[row] = column.intern(value.to_string(), value.clone(), Value::to_string);
        }
        let orders: Vec<(i64, i64)> =
            facts.orders.iter().map(|o| (time::to_millis(o.ordered_at), o.amount_minor)).collect();
        let times: Vec<i64> = orders.iter().map(|(at, _)| *at).collect();
        let changed = self.orders.set(row, orders);
        self.windows.row_changed(row, &self.orders, if changed { &times } else { &[] });
    }

    pub(crate) fn memory_bytes(&self) -> usize {
        let n = self.ids.capacity();
        // Six i64 columns and two bool columns.
        let numbers = n * 8 * 6 + n * 2;
        let texts: usize = self.texts.iter().map(|t| t.memory_bytes(48)).sum();
        let attributes: usize = self.attributes.values().map(|a| a.memory_bytes(48)).sum();
        let orders = self.orders.memory_bytes() + self.windows.memory_bytes();
        numbers + texts + attributes + orders
    }
}

/// Most conditions a workspace index remembers verdicts for; the memo is cleared when full.
const MAX_MEMOS: usize = 256;

impl Columns {
    /// The verdict of a condition for each dictionary entry, memoised under `key` (the column and the
    /// predicate). Dictionary entries never change once interned, and text and attribute tests do not depend
    /// on `now`, so a memo stays valid; entries interned since are evaluated and appended.
    pub(crate) fn verdicts(
        &self,
        key: String,
        entries: usize,
        test: impl Fn(usize) -> bool,
    ) -> std::sync::Arc<Vec<bool>> {
        let known = self.verdicts.lock().unwrap_or_else(|e| e.into_inner()).get(&key).cloned();
        if let Some(known) = &known {
            if known.len() == entries {
                return known.clone();
            }
        }
        let mut verdicts = known.map(|k| k.as_ref().clone()).unwrap_or_default();
        verdicts.extend((verdicts.len()..entries).map(test));
        let verdicts = std::sync::Arc::new(verdicts);
        let mut memo = self.verdicts.lock().unwrap_or_else(|e| e.into_inner());
        if memo.len() >= MAX_MEMOS {
            memo.clear();
        }
        memo.insert(key, verdicts.clone());
        verdicts
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn equal_values_share_a_code_and_hash_collisions_stay_apart() {
        let mut dict: Dict<String> = Dict::default();
        let canon = |v: &String| v.clone();
        let a = dict.intern("a".into(), "a".into(), canon);
        assert_eq!(dict.intern("a".into(), "a".into(), canon), a);
        // Pretend "b" hashes like "a": it must get its own code, and keep it.
        dict.by_hash.insert(hash_of("b"), a);
        let b = dict.intern("b".into(), "b".into(), canon);
        assert_ne!(a, b);
        assert_eq!(dict.intern("b".into(), "b".into(), canon), b);
        assert_eq!(dict.values[b as usize].as_deref(), Some("b"));
    }
}
