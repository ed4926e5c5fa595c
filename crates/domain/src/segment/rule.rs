//! The typed rule tree: what a react-querybuilder rule becomes once [`Rule::parse`](super::Rule::parse)
//! has checked it against a catalogue.

use serde_json::{json, Map, Value};

use super::field::{Field, FieldKind};
use super::number::NumberKey;
use super::operator::Operator;
use super::time;
use crate::money::{Currency, Money};

/// A validated rule. Only [`Rule::parse`] builds one, so holding a `Rule` means every field is in the
/// catalogue, every value has its field's type, and the limits (depth, conditions, list sizes) hold.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Rule {
    pub(super) root: Group,
}

/// How a group combines its members.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Combinator {
    /// Every member matches; an empty AND group matches everyone.
    And,
    /// At least one member matches; an empty OR group matches no one.
    Or,
}

/// A group of rules, possibly negated (`"not": true`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Group {
    pub combinator: Combinator,
    pub negated: bool,
    pub rules: Vec<Node>,
}

/// A member of a group.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Node {
    Group(Group),
    Condition(Condition),
}

/// One test of one field. The result is `predicate` applied to the customer's value, negated when
/// `operator` is a negative one (`!=`, `notIn`, …).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Condition {
    pub field: Field,
    /// The operator as written, kept for display and [`Rule::to_json`].
    pub operator: Operator,
    /// The positive test (for `!=` this is the `=` test).
    pub predicate: Predicate,
}

/// A comparable value, of the variant matching its field's kind: money and integers are `Int` (money in
/// minor units), attribute numbers `Number`, dates `Time` (ms since the epoch), strings and enums `Text`
/// (folded with [`super::fold`]), booleans `Bool`.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Scalar {
    Int(i64),
    Number(NumberKey),
    Time(i64),
    Text(String),
    Bool(bool),
}

/// An order comparison.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Comparison {
    Eq,
    Lt,
    Le,
    Gt,
    Ge,
}

/// The positive test of a condition. A missing value never passes any of these except `Null`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Predicate {
    /// The customer has no value.
    Null,
    /// `value <op> operand`.
    Compare(Comparison, Scalar),
    /// `low <= value <= high`, with `low <= high`.
    Between(Scalar, Scalar),
    /// The (folded) text value is one of these (folded) texts.
    In(Vec<String>),
    /// Literal substring / prefix / suffix of the folded text; no wildcards.
    Contains(String),
    BeginsWith(String),
    EndsWith(String),
    /// The time value is after `now - days`.
    WithinDays(i64),
    /// The time value is before `now - days`.
    OlderThanDays(i64),
}

impl Rule {
    /// The rule that matches everyone: an empty AND group.
    pub fn everyone() -> Rule {
        Rule { root: Group { combinator: Combinator::And, negated: false, rules: Vec::new() } }
    }

    /// The top-level group.
    pub fn root(&self) -> &Group {
        &self.root
    }

    /// Number of conditions in the whole tree.
    pub fn condition_count(&self) -> usize {
        fn count(group: &Group) -> usize {
            group.rules.iter().map(|node| if let Node::Group(g) = node { count(g) } else { 1 }).sum()
        }
        count(&self.root)
    }

    /// The canonical react-querybuilder JSON of this rule: what [`Rule::parse`] reads back into an equal
    /// rule. Text values come out folded (lowercase), money as decimal strings in `currency`, dates as
    /// RFC 3339 UTC with milliseconds; `null`/`notNull` carry no value.
    pub fn to_json(&self, currency: &Currency) -> Value {
        group_json(&self.root, currency)
    }
}

fn group_json(group: &Group, currency: &Currency) -> Value {
    let rules: Vec<Value> = group
        .rules
        .iter()
        .map(|node| match node {
            Node::Group(inner) => group_json(inner, currency),
            Node::Condition(condition) => condition_json(condition, currency),
        })
        .collect();
    let combinator = match group.combinator {
        Combinator::And => "and",
        Combinator::Or => "or",
    };
    json!({"combinator": combinator, "not": group.negated, "rules": rules})
}

fn condition_json(condition: &Condition, currency: &Currency) -> Value {
    let money = condition.field.kind() == FieldKind::Money;
    let scalar = |value: &Scalar| scalar_json(value, money, currency);
    let value = match &condition.predicate {
        Predicate::Null => None,
        Predicate::Compare(_, value) => Some(scalar(value)),
        Predicate::Between(low, high) => Some(json!([scalar(low), scalar(high)])),
        Predicate::In(items) => Some(json!(items)),
        Predicate::Contains(text) | Predicate::BeginsWith(text) | Predicate::EndsWith(text) => Some(json!(text)),
        Predicate::WithinDays(days) | Predicate::OlderThanDays(days) => Some(json!(days)),
    };
    let mut object = Map::new();
    object.insert("field".into(), json!(condition.field.name()));
    object.insert("operator".into(), json!(condition.operator.name()));
    if let Some(value) = value {
        object.insert("value".into(), value);
    }
    Value::Object(object)
}

fn scalar_json(value: &Scalar, money: bool, currency: &Currency) -> Value {
    match value {
        Scalar::Int(minor) if money => json!(Money::from_minor(*minor).format(currency)),
        Scalar::Int(number) => json!(number),
        Scalar::Number(number) => serde_json::from_str::<serde_json::Number>(number.text())
            .map_or_else(|_| json!(number.text()), Value::Number),
        Scalar::Time(ms) => json!(time::from_millis(*ms).to_rfc3339_opts(chrono::SecondsFormat::Millis, true)),
        Scalar::Text(text) => json!(text),
        Scalar::Bool(flag) => json!(flag),
    }
}
