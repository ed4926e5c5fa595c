//! Rule → SQL: one boolean expression per group and condition, each two-valued (never NULL), so SQL's
//! `NOT` is the evaluator's `!` and negative operators are plain negations of positive ones.
//!
//! Two-valuedness comes from guarding every comparison with the field's presence test:
//! `(present AND value <op> $n)` is FALSE, not NULL, when the value is missing, and the bound operands are
//! never NULL.

use chrono::{DateTime, Utc};
use converge_domain::segment::{
    time, Builtin, Combinator, Comparison, Condition, Field, Group, Node, Predicate, Rule, Scalar,
};

use super::builder::{escape_like, Dialect, Param, SqlBuilder, SqlFilter};
use super::fields::field_sql;

/// Compiles `rule` at `now` into a WHERE expression over `customers c` (the caller adds the workspace
/// scope), with placeholders numbered from `first_placeholder`. Relative times are computed here, once,
/// from `now` truncated to milliseconds, exactly as the evaluator does.
pub fn compile(rule: &Rule, now: DateTime<Utc>, dialect: Dialect, first_placeholder: usize) -> SqlFilter {
    let mut compiler = Compiler { b: SqlBuilder::new(first_placeholder), dialect, now_ms: time::to_millis(now) };
    compiler.group(rule.root());
    compiler.b.finish()
}

struct Compiler {
    b: SqlBuilder,
    dialect: Dialect,
    now_ms: i64,
}

impl Compiler {
    fn group(&mut self, group: &Group) {
        if group.negated {
            self.b.push("NOT ");
        }
        self.b.push("(");
        if group.rules.is_empty() {
            self.b.push(match group.combinator {
                Combinator::And => "1=1",
                Combinator::Or => "1=0",
            });
        }
        for (index, node) in group.rules.iter().enumerate() {
            if index > 0 {
                self.b.push(match group.combinator {
                    Combinator::And => " AND ",
                    Combinator::Or => " OR ",
                });
            }
            match node {
                Node::Group(inner) => self.group(inner),
                Node::Condition(condition) => self.condition(condition),
            }
        }
        self.b.push(")");
    }

    fn condition(&mut self, condition: &Condition) {
        if condition.operator.is_negation() {
            self.b.push("NOT ");
        }
        self.b.push("(");
        if condition.field == Field::Builtin(Builtin::InactiveDays) {
            self.inactive_days(&condition.predicate);
        } else {
            self.positive(&condition.field, &condition.predicate);
        }
        self.b.push(")");
    }

    fn positive(&mut self, field: &Field, predicate: &Predicate) {
        let sql = field_sql(&mut self.b, field, self.dialect, self.now_ms);
        if *predicate == Predicate::Null {
            let test = sql.present.map_or_else(|| "1=0".to_owned(), |present| format!("NOT {present}"));
            self.b.push(&test);
            return;
        }
        if let Some(present) = &sql.present {
            self.b.push(present);
            self.b.push(" AND ");
        }
        let v = &sql.value;
        let test = match predicate {
            Predicate::Compare(comparison, operand) => {
                let operand = self.operand(operand);
                format!("{v} {} {operand}", operator(*comparison))
            }
            Predicate::Between(low, high) => {
                let (low, high) = (self.operand(low), self.operand(high));
                format!("({v} >= {low} AND {v} <= {high})")
            }
            Predicate::In(items) => {
                let list = self.b.param(Param::TextList(items.clone()));
                match self.dialect {
                    Dialect::Postgres => format!("{v} = ANY({list})"),
                    Dialect::Sqlite => format!("{v} IN (SELECT value FROM json_each({list}))"),
                }
            }
            Predicate::Contains(part) => self.like(v, &format!("%{}%", escape_like(part))),
            Predicate::BeginsWith(part) => self.like(v, &format!("{}%", escape_like(part))),
            Predicate::EndsWith(part) => self.like(v, &format!("%{}", escape_like(part))),
            Predicate::WithinDays(days) => format!("{v} > {}", self.days_ago(*days)),
            Predicate::OlderThanDays(days) => format!("{v} < {}", self.days_ago(*days)),
            Predicate::Null => "1=0".to_owned(),
        };
        self.b.push(&test);
    }

    /// `inactive_days` is `floor((now - t) / day)` for `t` = last order or creation. Rather than computing
    /// it per row (and rounding negative spans differently per dialect), each comparison becomes a bound on
    /// `t`: `days >= n` ⇔ `t <= now - n days`, `days < n` ⇔ `t > now - n days`.
    fn inactive_days(&mut self, predicate: &Predicate) {
        let t = "COALESCE(c.last_order_at, c.created_at)";
        let test = match predicate {
            Predicate::Compare(comparison, Scalar::Int(n)) => match comparison {
                Comparison::Eq => {
                    format!("({t} > {} AND {t} <= {})", self.days_ago(n.saturating_add(1)), self.days_ago(*n))
                }
                Comparison::Lt => format!("{t} > {}", self.days_ago(*n)),
                Comparison::Le => format!("{t} > {}", self.days_ago(n.saturating_add(1))),
                Comparison::Gt => format!("{t} <= {}", self.days_ago(n.saturating_add(1))),
                Comparison::Ge => format!("{t} <= {}", self.days_ago(*n)),
            },
            Predicate::Between(Scalar::Int(low), Scalar::Int(high)) => {
                format!("({t} <= {} AND {t} > {})", self.days_ago(*low), self.days_ago(high.saturating_add(1)))
            }
            // Every customer has a value; parsing allows no other predicate on an integer field.
            _ => "1=0".to_owned(),
        };
        self.b.push(&test);
    }

    fn days_ago(&mut self, days: i64) -> String {
        self.b.param(Param::Timestamp(time::from_millis(time::days_before(self.now_ms, days))))
    }

    fn like(&mut self, value: &str, pattern: &str) -> String {
        let pattern = self.b.param(Param::Text(pattern.to_owned()));
        format!("{value} LIKE {pattern} ESCAPE '\\'")
    }

    fn operand(&mut self, scalar: &Scalar) -> String {
        let param = match scalar {
            Scalar::Int(number) => Param::Int(*number),
            Scalar::Number(number) => Param::Text(number.key().to_owned()),
            Scalar::Time(ms) => Param::Timestamp(time::from_millis(*ms)),
            Scalar::Text(text) => Param::Text(text.clone()),
            Scalar::Bool(flag) => Param::Text(if *flag { "true" } else { "false" }.to_owned()),
        };
        self.b.param(param)
    }
}

fn operator(comparison: Comparison) -> &'static str {
    match comparison {
        Comparison::Eq => "=",
        Comparison::Lt => "<",
        Comparison::Le => "<=",
        Comparison::Gt => ">",
        Comparison::Ge => ">=",
    }
}
