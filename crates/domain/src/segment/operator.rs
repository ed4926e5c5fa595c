//! Rule operators, named exactly as react-querybuilder names them.

use std::fmt;

/// A condition's operator. Each negative operator is, by definition, the boolean negation of a positive
/// one ([`Operator::positive`]): `!=` is "not `=`", `notIn` "not `in`", `doesNotContain` "not `contains`",
/// `notBetween` "not `between`", `notNull` "not `null`". Since positive operators never match a missing
/// value, negative ones always do (except `notNull`, whose positive is `null`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Operator {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    Between,
    NotBetween,
    In,
    NotIn,
    Contains,
    BeginsWith,
    EndsWith,
    DoesNotContain,
    Null,
    NotNull,
    WithinDays,
    OlderThanDays,
}

/// What a value an operator takes looks like, so the UI can render the right input.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum OperatorInput {
    /// No value (`null`, `notNull`); any value sent is ignored.
    None,
    /// One value of the field's type.
    Value,
    /// Two values of the field's type, `[from, to]` (or `"from,to"`), inclusive, in ascending order.
    Pair,
    /// A non-empty list of values of the field's type (or one comma-separated string), at most 500.
    List,
    /// A whole number of days, 0 to 1 000 000.
    Days,
}

impl Operator {
    /// Every operator, in the order the catalogue lists them.
    pub const ALL: [Operator; 18] = [
        Operator::Eq,
        Operator::Ne,
        Operator::Lt,
        Operator::Le,
        Operator::Gt,
        Operator::Ge,
        Operator::Between,
        Operator::NotBetween,
        Operator::In,
        Operator::NotIn,
        Operator::Contains,
        Operator::BeginsWith,
        Operator::EndsWith,
        Operator::DoesNotContain,
        Operator::Null,
        Operator::NotNull,
        Operator::WithinDays,
        Operator::OlderThanDays,
    ];

    /// The react-querybuilder name (`"="`, `"notBetween"`, …).
    pub fn name(self) -> &'static str {
        match self {
            Operator::Eq => "=",
            Operator::Ne => "!=",
            Operator::Lt => "<",
            Operator::Le => "<=",
            Operator::Gt => ">",
            Operator::Ge => ">=",
            Operator::Between => "between",
            Operator::NotBetween => "notBetween",
            Operator::In => "in",
            Operator::NotIn => "notIn",
            Operator::Contains => "contains",
            Operator::BeginsWith => "beginsWith",
            Operator::EndsWith => "endsWith",
            Operator::DoesNotContain => "doesNotContain",
            Operator::Null => "null",
            Operator::NotNull => "notNull",
            Operator::WithinDays => "withinDays",
            Operator::OlderThanDays => "olderThanDays",
        }
    }

    /// Finds an operator by its exact react-querybuilder name.
    pub fn from_name(name: &str) -> Option<Operator> {
        Operator::ALL.into_iter().find(|op| op.name() == name)
    }

    /// A short human label for the rule builder.
    pub fn label(self) -> &'static str {
        match self {
            Operator::Eq => "is",
            Operator::Ne => "is not",
            Operator::Lt => "less than",
            Operator::Le => "at most",
            Operator::Gt => "greater than",
            Operator::Ge => "at least",
            Operator::Between => "between",
            Operator::NotBetween => "not between",
            Operator::In => "is one of",
            Operator::NotIn => "is none of",
            Operator::Contains => "contains",
            Operator::BeginsWith => "begins with",
            Operator::EndsWith => "ends with",
            Operator::DoesNotContain => "does not contain",
            Operator::Null => "is empty",
            Operator::NotNull => "is not empty",
            Operator::WithinDays => "within the last N days",
            Operator::OlderThanDays => "more than N days ago",
        }
    }

    /// The positive operator this one is the negation of, and whether it is a negation.
    pub fn positive(self) -> (Operator, bool) {
        match self {
            Operator::Ne => (Operator::Eq, true),
            Operator::NotBetween => (Operator::Between, true),
            Operator::NotIn => (Operator::In, true),
            Operator::DoesNotContain => (Operator::Contains, true),
            Operator::NotNull => (Operator::Null, true),
            other => (other, false),
        }
    }

    /// True for `!=`, `notBetween`, `notIn`, `doesNotContain` and `notNull`.
    pub fn is_negation(self) -> bool {
        self.positive().1
    }

    /// The shape of value this operator takes.
    pub fn input(self) -> OperatorInput {
        match self.positive().0 {
            Operator::Null => OperatorInput::None,
            Operator::Between => OperatorInput::Pair,
            Operator::In => OperatorInput::List,
            Operator::WithinDays | Operator::OlderThanDays => OperatorInput::Days,
            _ => OperatorInput::Value,
        }
    }
}

impl fmt::Display for Operator {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_negations_pair_up() {
        for op in Operator::ALL {
            assert_eq!(Operator::from_name(op.name()), Some(op));
            let (positive, negated) = op.positive();
            assert!(!positive.is_negation());
            assert_eq!(negated, positive != op);
        }
        assert_eq!(Operator::from_name("NOTIN"), None, "names are exact");
        assert_eq!(Operator::from_name("=="), None);
    }
}
