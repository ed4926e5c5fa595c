//! The reference evaluator: the meaning of a rule, written as plainly as possible. The SQL compiler and
//! any index must select exactly the customers this selects (the property tests check it).

use chrono::{DateTime, Utc};

use super::facts::CustomerFacts;
use super::rule::{Combinator, Comparison, Condition, Group, Node, Predicate, Rule, Scalar};
use super::time;

impl Rule {
    /// Whether the customer described by `facts` is in this segment at `now`.
    pub fn matches(&self, facts: &CustomerFacts, now: DateTime<Utc>) -> bool {
        self.root.matches(facts, time::to_millis(now))
    }
}

impl Group {
    /// AND: all members match (true when empty); OR: some member matches (false when empty); then `not`.
    pub fn matches(&self, facts: &CustomerFacts, now_ms: i64) -> bool {
        let member = |node: &Node| match node {
            Node::Group(group) => group.matches(facts, now_ms),
            Node::Condition(condition) => condition.matches(facts, now_ms),
        };
        let result = match self.combinator {
            Combinator::And => self.rules.iter().all(member),
            Combinator::Or => self.rules.iter().any(member),
        };
        result != self.negated
    }
}

impl Condition {
    /// The predicate on the field's value, negated for negative operators. Always true or false.
    pub fn matches(&self, facts: &CustomerFacts, now_ms: i64) -> bool {
        let value = self.field.value(facts, now_ms);
        self.predicate.test(value.as_ref(), now_ms) != self.operator.is_negation()
    }
}

impl Predicate {
    /// The positive test on a value; a missing value passes only [`Predicate::Null`].
    pub fn test(&self, value: Option<&Scalar>, now_ms: i64) -> bool {
        let Some(value) = value else { return matches!(self, Predicate::Null) };
        let same_kind = |operand: &Scalar| std::mem::discriminant(value) == std::mem::discriminant(operand);
        let text = || match value {
            Scalar::Text(text) => Some(text.as_str()),
            _ => None,
        };
        let time = || match value {
            Scalar::Time(ms) => Some(*ms),
            _ => None,
        };
        match self {
            Predicate::Null => false,
            Predicate::Compare(comparison, operand) => {
                same_kind(operand)
                    && match comparison {
                        Comparison::Eq => value == operand,
                        Comparison::Lt => value < operand,
                        Comparison::Le => value <= operand,
                        Comparison::Gt => value > operand,
                        Comparison::Ge => value >= operand,
                    }
            }
            Predicate::Between(low, high) => same_kind(low) && same_kind(high) && low <= value && value <= high,
            Predicate::In(items) => text().is_some_and(|text| items.iter().any(|item| item == text)),
            Predicate::Contains(part) => text().is_some_and(|text| text.contains(part.as_str())),
            Predicate::BeginsWith(part) => text().is_some_and(|text| text.starts_with(part.as_str())),
            Predicate::EndsWith(part) => text().is_some_and(|text| text.ends_with(part.as_str())),
            Predicate::WithinDays(days) => time().is_some_and(|ms| ms > time::days_before(now_ms, *days)),
            Predicate::OlderThanDays(days) => time().is_some_and(|ms| ms < time::days_before(now_ms, *days)),
        }
    }
}
