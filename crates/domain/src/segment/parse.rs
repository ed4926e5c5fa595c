//! [`Rule::parse`]: react-querybuilder JSON → a validated [`Rule`], or every problem with its JSON path.

use serde_json::{Map, Value};

use super::catalogue::{Catalogue, FieldDef};
use super::field::FieldKind;
use super::operator::Operator;
use super::rule::{Combinator, Comparison, Condition, Group, Node, Predicate, Rule, Scalar};
use super::value::{self, MAX_LIST_ITEMS};
use crate::error::FieldErrors;
use crate::money::Currency;

/// Deepest group nesting: the top-level group is level 1.
pub const MAX_DEPTH: usize = 6;
/// Most conditions in one rule.
pub const MAX_CONDITIONS: usize = 100;
/// Errors reported for one rule at most; past this the client has enough to fix.
const MAX_ERRORS: usize = 50;

/// Keys react-querybuilder puts on groups and conditions that carry no meaning for us.
const GROUP_KEYS: [&str; 7] = ["combinator", "not", "rules", "id", "disabled", "path", "muted"];
const CONDITION_KEYS: [&str; 8] = ["field", "operator", "value", "valueSource", "id", "disabled", "path", "muted"];
/// Longest `path` (react-querybuilder's index path from the root) worth reading: deeper than any rule can be.
pub(super) const MAX_PATH: usize = 16;

impl Rule {
    /// Parses a react-querybuilder rule. Errors name JSON paths under `rule` (`rule.rules[1].value`,
    /// `rule.rules[0].rules[2].field`), so the HTTP layer can return them as they are.
    ///
    /// Accepted beside the meaningful keys, as react-querybuilder v8 produces them: `id` (any value, ignored),
    /// `path` (the index path its `transformQuery` adds; an array of indexes, ignored), `disabled: false`,
    /// `valueSource: "value"`, and `muted` (a muted rule or group is left out, unread, as its `formatQuery`
    /// leaves it out of every export; the top-level group cannot be muted). Refused: unknown keys (typos should
    /// not silently change an audience), `disabled: true` (the UI must drop disabled rules rather than have
    /// the server guess), field-to-field comparisons, and react-querybuilder's "independent combinators" form
    /// (strings inside `rules`).
    pub fn parse(json: &Value, catalogue: &Catalogue, currency: &Currency) -> Result<Rule, FieldErrors> {
        let mut parser = Parser { catalogue, currency, errors: FieldErrors::new(), conditions: 0 };
        let root = match json {
            Value::Object(object) if is_muted(object) => {
                parser.error("rule.muted", "cannot be true on the top-level group; remove the rule instead");
                None
            }
            Value::Object(object) if object.contains_key("rules") => parser.group(object, "rule", 1),
            _ => {
                parser.error("rule", "must be a group: {\"combinator\": \"and\"|\"or\", \"rules\": [...]}");
                None
            }
        };
        if parser.conditions > MAX_CONDITIONS {
            let message = format!("has {} conditions; at most {MAX_CONDITIONS} are allowed", parser.conditions);
            parser.errors.0.insert(0, crate::error::FieldError { field: "rule".into(), message });
        }
        match root {
            Some(root) if parser.errors.is_empty() => Ok(Rule { root }),
            _ => Err(parser.errors),
        }
    }
}

struct Parser<'a> {
    catalogue: &'a Catalogue,
    currency: &'a Currency,
    errors: FieldErrors,
    conditions: usize,
}

impl Parser<'_> {
    fn error(&mut self, path: &str, message: impl Into<String>) {
        if self.errors.len() < MAX_ERRORS {
            self.errors.push(path, message);
        }
    }

    fn check_keys(&mut self, object: &Map<String, Value>, allowed: &[&str], path: &str) {
        for key in object.keys().filter(|key| !allowed.contains(&key.as_str())) {
            let shown: String = key.chars().take(40).collect();
            self.error(path, format!("has an unknown key \"{shown}\"; allowed: {}", allowed.join(", ")));
        }
        match object.get("disabled") {
            None | Some(Value::Bool(false)) => {}
            Some(_) => self.error(&format!("{path}.disabled"), "must be false; remove disabled rules instead"),
        }
        match object.get("path") {
            None => {}
            Some(Value::Array(indexes)) if indexes.len() <= MAX_PATH && indexes.iter().all(Value::is_u64) => {}
            Some(_) => self.error(&format!("{path}.path"), format!("must be an array of at most {MAX_PATH} indexes")),
        }
        if !matches!(object.get("muted"), None | Some(Value::Bool(_))) {
            self.error(&format!("{path}.muted"), "must be true or false");
        }
    }

    fn group(&mut self, object: &Map<String, Value>, path: &str, depth: usize) -> Option<Group> {
        if depth > MAX_DEPTH {
            self.error(path, format!("is nested {depth} groups deep; at most {MAX_DEPTH} levels are allowed"));
            return None;
        }
        self.check_keys(object, &GROUP_KEYS, path);
        let combinator = match object.get("combinator").and_then(Value::as_str).map(str::to_ascii_lowercase) {
            Some(word) if word == "and" => Some(Combinator::And),
            Some(word) if word == "or" => Some(Combinator::Or),
            _ => {
                self.error(&format!("{path}.combinator"), "must be \"and\" or \"or\"");
                None
            }
        };
        let negated = match object.get("not") {
            None | Some(Value::Null) => false,
            Some(Value::Bool(flag)) => *flag,
            Some(_) => {
                self.error(&format!("{path}.not"), "must be true or false");
                false
            }
        };
        let Some(members) = object.get("rules").and_then(Value::as_array) else {
            self.error(&format!("{path}.rules"), "must be an array of rules and groups");
            return None;
        };
        let mut rules = Vec::with_capacity(members.len());
        for (index, member) in members.iter().enumerate() {
            let member_path = format!("{path}.rules[{index}]");
            if let Some(node) = self.node(member, &member_path, depth) {
                rules.push(node);
            }
        }
        Some(Group { combinator: combinator?, negated, rules })
    }

    fn node(&mut self, member: &Value, path: &str, depth: usize) -> Option<Node> {
        match member {
            Value::Object(object) if is_muted(object) => None,
            Value::Object(object) if object.contains_key("rules") => {
                self.group(object, path, depth + 1).map(Node::Group)
            }
            Value::Object(object) if object.contains_key("field") => {
                self.conditions += 1;
                if self.conditions > MAX_CONDITIONS {
                    return None;
                }
                self.condition(object, path).map(Node::Condition)
            }
            _ => {
                self.error(path, "must be a group {combinator, rules} or a condition {field, operator, value}");
                None
            }
        }
    }

    fn condition(&mut self, object: &Map<String, Value>, path: &str) -> Option<Condition> {
        self.check_keys(object, &CONDITION_KEYS, path);
        match object.get("valueSource") {
            None | Some(Value::Null) => {}
            Some(Value::String(source)) if source == "value" => {}
            Some(_) => {
                self.error(&format!("{path}.valueSource"), "must be \"value\"; comparing fields is not supported")
            }
        }
        let catalogue = self.catalogue;
        let def = match object.get("field") {
            Some(Value::String(name)) => match catalogue.get(name) {
                Some(def) => def,
                None => {
                    let shown: String = name.chars().take(64).collect();
                    self.error(&format!("{path}.field"), format!("is not a known field: \"{shown}\""));
                    return None;
                }
            },
            _ => {
                self.error(&format!("{path}.field"), "must be a field name");
                return None;
            }
        };
        let operator = match object.get("operator").and_then(Value::as_str).and_then(Operator::from_name) {
            Some(op) if def.operators.contains(&op) => op,
            _ => {
                let names: Vec<&str> = def.operators.iter().map(|op| op.name()).collect();
                let message = format!("must be an operator of {}: {}", def.name, names.join(", "));
                self.error(&format!("{path}.operator"), message);
                return None;
            }
        };
        let predicate = self.predicate(def, operator, object.get("value"), &format!("{path}.value"))?;
        Some(Condition { field: def.field.clone(), operator, predicate })
    }

    fn predicate(
        &mut self,
        def: &FieldDef,
        operator: Operator,
        value: Option<&Value>,
        path: &str,
    ) -> Option<Predicate> {
        let positive = operator.positive().0;
        if positive == Operator::Null {
            return Some(Predicate::Null);
        }
        let Some(value) = value else {
            self.error(path, "is required");
            return None;
        };
        match positive {
            Operator::Between => self.between(&def.kind, value, path),
            Operator::In => self.list(&def.kind, value, path),
            Operator::WithinDays | Operator::OlderThanDays => {
                let days = self.check(path, value::days(value))?;
                Some(if positive == Operator::WithinDays {
                    Predicate::WithinDays(days)
                } else {
                    Predicate::OlderThanDays(days)
                })
            }
            _ => {
                if value.is_array() {
                    self.error(path, "must be a single value");
                    return None;
                }
                let scalar = self.check(path, value::scalar(&def.kind, value, self.currency))?;
                let text = || match &scalar {
                    Scalar::Text(text) => text.clone(),
                    _ => String::new(),
                };
                Some(match positive {
                    Operator::Contains => Predicate::Contains(text()),
                    Operator::BeginsWith => Predicate::BeginsWith(text()),
                    Operator::EndsWith => Predicate::EndsWith(text()),
                    Operator::Lt => Predicate::Compare(Comparison::Lt, scalar),
                    Operator::Le => Predicate::Compare(Comparison::Le, scalar),
                    Operator::Gt => Predicate::Compare(Comparison::Gt, scalar),
                    Operator::Ge => Predicate::Compare(Comparison::Ge, scalar),
                    _ => Predicate::Compare(Comparison::Eq, scalar),
                })
            }
        }
    }

    fn check<T>(&mut self, path: &str, result: Result<T, String>) -> Option<T> {
        result.map_err(|message| self.error(path, message)).ok()
    }

    fn between(&mut self, kind: &FieldKind, value: &Value, path: &str) -> Option<Predicate> {
        let items = self.check(path, value::items(value))?;
        if items.len() != 2 {
            self.error(path, format!("must be exactly two values [from, to]; got {}", items.len()));
            return None;
        }
        let low = self.check(&format!("{path}[0]"), value::scalar(kind, &items[0], self.currency));
        let high = self.check(&format!("{path}[1]"), value::scalar(kind, &items[1], self.currency));
        let (low, high) = (low?, high?);
        if low > high {
            self.error(path, "must be in ascending order [from, to]");
            return None;
        }
        Some(Predicate::Between(low, high))
    }

    fn list(&mut self, kind: &FieldKind, value: &Value, path: &str) -> Option<Predicate> {
        let items = self.check(path, value::items(value))?;
        if items.is_empty() || items.len() > MAX_LIST_ITEMS {
            self.error(path, format!("must list 1 to {MAX_LIST_ITEMS} values; got {}", items.len()));
            return None;
        }
        let mut texts = Vec::with_capacity(items.len());
        let mut valid = true;
        for (index, item) in items.iter().enumerate() {
            match self.check(&format!("{path}[{index}]"), value::scalar(kind, item, self.currency)) {
                Some(Scalar::Text(text)) => texts.push(text),
                _ => valid = false,
            }
        }
        valid.then_some(Predicate::In(texts))
    }
}

/// A muted rule or group (react-querybuilder v8): left out, as its own exports leave it out.
fn is_muted(object: &Map<String, Value>) -> bool {
    object.get("muted") == Some(&Value::Bool(true))
}
