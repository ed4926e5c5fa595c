//! Rule evaluation over the columns: one bitset per condition, combined per group.
//!
//! Every test is the domain's [`Predicate::test`], negated for negative operators exactly as
//! [`Condition::matches`](converge_domain::segment::Condition::matches) does. Integer and time comparisons
//! are specialised into tight loops with the same comparisons, because they are the hot path.

use converge_domain::segment::{
    time, AttributeType, Builtin, Combinator, Comparison, Condition, CustomerFacts, Field, Group, Node, Predicate,
    Scalar, WindowMeasure,
};
use serde_json::Value;

use crate::bitset::Bitset;
use crate::columns::{text_slot, Columns, Dict, NO_TIME};

pub(crate) fn group(columns: &Columns, group: &Group, now_ms: i64) -> Bitset {
    let rows = columns.len();
    let mut result = match group.combinator {
        Combinator::And => Bitset::full(rows),
        Combinator::Or => Bitset::empty(rows),
    };
    for node in &group.rules {
        let member = match node {
            Node::Group(inner) => self::group(columns, inner, now_ms),
            Node::Condition(c) => condition(columns, c, now_ms),
        };
        match group.combinator {
            Combinator::And => result.and(&member),
            Combinator::Or => result.or(&member),
        }
    }
    if group.negated {
        result.not();
    }
    result
}

fn condition(columns: &Columns, condition: &Condition, now_ms: i64) -> Bitset {
    let negate = condition.operator.is_negation();
    let predicate = &condition.predicate;
    let rows = columns.len();
    let mut set = match &condition.field {
        Field::Builtin(builtin) => builtin_set(columns, *builtin, predicate, now_ms),
        Field::Attribute(key, kind) => match columns.attributes.get(key.as_str()) {
            Some(dict) => attribute_set(columns, dict, key.as_str(), *kind, predicate, now_ms),
            None => uniform(rows, predicate.test(None, now_ms)),
        },
    };
    if negate {
        set.not();
    }
    set
}

fn uniform(rows: usize, value: bool) -> Bitset {
    if value {
        Bitset::full(rows)
    } else {
        Bitset::empty(rows)
    }
}

fn builtin_set(columns: &Columns, field: Builtin, predicate: &Predicate, now_ms: i64) -> Bitset {
    let rows = columns.len();
    if let Some(slot) = text_slot(field) {
        let dict = &columns.texts[slot];
        let key = format!("text {slot} {predicate:?}");
        let verdicts =
            columns.verdicts(key, dict.values.len(), |code| predicate.test(dict.values[code].as_ref(), now_ms));
        return Bitset::from_fn(dict.codes.len(), |row| verdicts[dict.codes[row] as usize]);
    }
    let test = IntTest::of(predicate, now_ms);
    if let Some(window) = field.window() {
        let cutoff = time::days_before(now_ms, window.days);
        return columns.windows.with_values(window.days, cutoff, rows, &columns.orders, |count, spend| {
            let values = match window.measure {
                WindowMeasure::Count => count,
                WindowMeasure::Spend => spend,
            };
            Bitset::from_fn(rows, |row| test.matches(values[row]))
        });
    }
    match field {
        Builtin::TotalSpend => ints(&columns.total_spend, predicate, now_ms),
        Builtin::OrderCount => ints(&columns.order_count, predicate, now_ms),
        Builtin::Visits => ints(&columns.visits, predicate, now_ms),
        Builtin::LastOrderAt => times(&columns.last_order_at, predicate, now_ms),
        Builtin::CreatedAt => times(&columns.created_at, predicate, now_ms),
        Builtin::InactiveDays => Bitset::from_fn(rows, |row| {
            let last = columns.last_order_at[row];
            let since = if last == NO_TIME { columns.created_at[row] } else { last };
            test.matches(time::whole_days(since, now_ms))
        }),
        Builtin::HasProfile => {
            Bitset::from_fn(rows, |row| predicate.test(Some(&Scalar::Bool(columns.has_profile[row])), now_ms))
        }
        Builtin::Suppressed => {
            Bitset::from_fn(rows, |row| predicate.test(Some(&Scalar::Bool(columns.suppressed[row])), now_ms))
        }
        // Texts and windows were answered above.
        _ => Bitset::empty(rows),
    }
}

/// Attribute values go through the domain's own typing (`Field::value`), once per distinct value.
fn attribute_set(
    columns: &Columns,
    dict: &Dict<Value>,
    key: &str,
    kind: AttributeType,
    predicate: &Predicate,
    now_ms: i64,
) -> Bitset {
    let field = dict_field(key, kind);
    let memo = format!("attribute {key} {kind:?} {predicate:?}");
    let verdicts = columns.verdicts(memo, dict.values.len(), |code| {
        let value = dict.values[code].as_ref().and_then(|raw| {
            let mut facts = CustomerFacts::bare(time::from_millis(0));
            facts.attributes.insert(key.to_owned(), raw.clone());
            field.as_ref().and_then(|f| f.value(&facts, now_ms))
        });
        predicate.test(value.as_ref(), now_ms)
    });
    Bitset::from_fn(dict.codes.len(), |row| verdicts[dict.codes[row] as usize])
}

fn dict_field(key: &str, kind: AttributeType) -> Option<Field> {
    converge_domain::AttributeKey::parse(key).ok().map(|key| Field::Attribute(key, kind))
}

/// Integer column: comparisons specialised, anything else through `Predicate::test`.
fn ints(values: &[i64], predicate: &Predicate, now_ms: i64) -> Bitset {
    match predicate {
        Predicate::Compare(op, Scalar::Int(x)) => compare(values, *op, *x),
        Predicate::Between(Scalar::Int(low), Scalar::Int(high)) => scan(values, |v| *low <= v && v <= *high),
        _ => scan(values, |v| predicate.test(Some(&Scalar::Int(v)), now_ms)),
    }
}

/// Time column (`NO_TIME` = no value): comparisons and relative days specialised.
fn times(values: &[i64], predicate: &Predicate, now_ms: i64) -> Bitset {
    let present = |v: i64| v != NO_TIME;
    match predicate {
        Predicate::Null => scan(values, |v| !present(v)),
        Predicate::Compare(op, Scalar::Time(x)) => {
            let mut set = compare(values, *op, *x);
            set.and(&scan(values, present));
            set
        }
        Predicate::Between(Scalar::Time(low), Scalar::Time(high)) => {
            scan(values, |v| present(v) && *low <= v && v <= *high)
        }
        Predicate::WithinDays(days) => {
            let cutoff = time::days_before(now_ms, *days);
            scan(values, |v| present(v) && v > cutoff)
        }
        Predicate::OlderThanDays(days) => {
            let cutoff = time::days_before(now_ms, *days);
            scan(values, |v| present(v) && v < cutoff)
        }
        _ => scan(values, |v| {
            let value = present(v).then_some(Scalar::Time(v));
            predicate.test(value.as_ref(), now_ms)
        }),
    }
}

fn compare(values: &[i64], op: Comparison, x: i64) -> Bitset {
    match op {
        Comparison::Eq => scan(values, |v| v == x),
        Comparison::Lt => scan(values, |v| v < x),
        Comparison::Le => scan(values, |v| v <= x),
        Comparison::Gt => scan(values, |v| v > x),
        Comparison::Ge => scan(values, |v| v >= x),
    }
}

fn scan(values: &[i64], test: impl Fn(i64) -> bool) -> Bitset {
    Bitset::from_fn(values.len(), |row| test(values[row]))
}

/// A test on a present integer value: comparisons inline, anything else through `Predicate::test`.
enum IntTest<'a> {
    Compare(Comparison, i64),
    Between(i64, i64),
    Other(&'a Predicate, i64),
}

impl<'a> IntTest<'a> {
    fn of(predicate: &'a Predicate, now_ms: i64) -> Self {
        match predicate {
            Predicate::Compare(op, Scalar::Int(x)) => IntTest::Compare(*op, *x),
            Predicate::Between(Scalar::Int(low), Scalar::Int(high)) => IntTest::Between(*low, *high),
            other => IntTest::Other(other, now_ms),
        }
    }

    #[inline]
    fn matches(&self, v: i64) -> bool {
        match *self {
            IntTest::Compare(Comparison::Eq, x) => v == x,
            IntTest::Compare(Comparison::Lt, x) => v < x,
            IntTest::Compare(Comparison::Le, x) => v <= x,
            IntTest::Compare(Comparison::Gt, x) => v > x,
            IntTest::Compare(Comparison::Ge, x) => v >= x,
            IntTest::Between(low, high) => low <= v && v <= high,
            IntTest::Other(predicate, now_ms) => predicate.test(Some(&Scalar::Int(v)), now_ms),
        }
    }
}
