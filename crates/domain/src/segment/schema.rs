//! The OpenAPI shape of a rule as [`super::Rule::parse`] reads it: [`RuleGroup`] and [`RuleCondition`].
//!
//! These types exist only for the spec: request bodies keep the rule as JSON (so every problem in it is a
//! per-path error, not a decoding failure) and point their schema here. What the shape cannot say (which
//! operators a field takes, the value each operator needs, depth and condition limits) the parser checks
//! and the field catalogue (`GET /api/v1/segment-fields`) documents.

use std::borrow::Cow;

use serde_json::json;
use utoipa::openapi::schema::{
    AdditionalProperties, ArrayBuilder, ObjectBuilder, OneOfBuilder, Schema, SchemaType, Type,
};
use utoipa::openapi::{Ref, RefOr};
use utoipa::{PartialSchema, ToSchema};

use super::operator::Operator;
use super::parse::{MAX_CONDITIONS, MAX_DEPTH, MAX_PATH};

/// A group of a rule: `{"combinator": "and", "rules": [...]}`, members being groups or conditions.
///
/// The spec spells the nesting out level by level (`RuleGroup`, `RuleGroupLevel2` … `RuleGroupLevel6`, whose
/// members are conditions only) instead of one self-referencing schema: it states the depth limit the parser
/// enforces, and fuzzers that expand references eagerly (schemathesis) cannot recurse without end.
pub struct RuleGroup;

/// A condition of a rule: `{"field": "total_spend", "operator": ">", "value": "5000"}`.
pub struct RuleCondition;

/// The schema name of the group at `level` (1 is the top-level group).
fn group_name(level: usize) -> String {
    if level == 1 {
        "RuleGroup".to_owned()
    } else {
        format!("RuleGroupLevel{level}")
    }
}

/// The group at `level`: its members are conditions, or groups one level deeper while the depth allows.
fn group(level: usize) -> RefOr<Schema> {
    let condition = Ref::from_schema_name(RuleCondition::name());
    let rules = if level < MAX_DEPTH {
        let member = OneOfBuilder::new().item(Ref::from_schema_name(group_name(level + 1))).item(condition);
        ArrayBuilder::new().items(member)
    } else {
        ArrayBuilder::new().items(condition)
    };
    let mut group = ObjectBuilder::new()
        .description(Some(if level == 1 {
            format!(
                "A react-querybuilder group: `and` needs every member, `or` one; `not` negates it. At most \
                 {MAX_DEPTH} levels of groups and {MAX_CONDITIONS} conditions in all."
            )
        } else {
            format!("A group nested {level} levels deep (at most {MAX_DEPTH}).")
        }))
        .property("combinator", ObjectBuilder::new().schema_type(Type::String).enum_values(Some(["and", "or"])))
        .required("combinator")
        .property("rules", rules.max_items(Some(MAX_CONDITIONS)))
        .required("rules")
        .property("not", ObjectBuilder::new().schema_type(Type::Boolean))
        .property("id", any().description(Some("Ignored (react-querybuilder's own id)")))
        .property("disabled", disabled())
        .property("path", path())
        .property("muted", if level == 1 { top_level_muted() } else { muted(MUTED) })
        .additional_properties(Some(AdditionalProperties::FreeForm(false)));
    if level == 1 {
        group = group.examples([json!({"combinator": "and", "rules": [
            {"field": "total_spend", "operator": ">", "value": "5000"},
            {"combinator": "or", "rules": [{"field": "city", "operator": "=", "value": "Pune"}]}
        ]})]);
    }
    group.into()
}

impl PartialSchema for RuleGroup {
    fn schema() -> RefOr<Schema> {
        group(1)
    }
}

impl ToSchema for RuleGroup {
    fn name() -> Cow<'static, str> {
        Cow::Borrowed("RuleGroup")
    }

    fn schemas(schemas: &mut Vec<(String, RefOr<Schema>)>) {
        schemas.push((RuleCondition::name().into(), RuleCondition::schema()));
        schemas.extend((2..=MAX_DEPTH).map(|level| (group_name(level), group(level))));
    }
}

impl PartialSchema for RuleCondition {
    fn schema() -> RefOr<Schema> {
        let operators: Vec<&str> = Operator::ALL.iter().map(|op| op.name()).collect();
        ObjectBuilder::new()
            .description(Some(
                "One comparison. `GET /api/v1/segment-fields` lists each field's operators and the value each \
                 operator takes (none, one, a pair, a list, or a number of days).",
            ))
            .property("field", ObjectBuilder::new().schema_type(Type::String).min_length(Some(1)))
            .required("field")
            .property("operator", ObjectBuilder::new().schema_type(Type::String).enum_values(Some(operators)))
            .required("operator")
            .property("value", any().description(Some("The operand; its type depends on the operator")))
            .property("valueSource", ObjectBuilder::new().schema_type(Type::String).enum_values(Some(["value"])))
            .property("id", any().description(Some("Ignored (react-querybuilder's own id)")))
            .property("disabled", disabled())
            .property("path", path())
            .property("muted", muted(MUTED))
            .additional_properties(Some(AdditionalProperties::FreeForm(false)))
            .into()
    }
}

impl ToSchema for RuleCondition {
    fn name() -> Cow<'static, str> {
        Cow::Borrowed("RuleCondition")
    }
}

/// Any JSON value.
fn any() -> ObjectBuilder {
    ObjectBuilder::new().schema_type(SchemaType::AnyValue)
}

const MUTED: &str = "A muted member is left out of the rule, unread (react-querybuilder's exports leave it out too)";

/// `muted`, a boolean.
fn muted(description: &str) -> ObjectBuilder {
    ObjectBuilder::new().schema_type(Type::Boolean).description(Some(description))
}

/// The top-level group cannot be muted (nothing would be left).
fn top_level_muted() -> ObjectBuilder {
    muted("Must be false: the top-level group cannot be muted").enum_values(Some([false]))
}

/// `path`: react-querybuilder's index path from the root (its `transformQuery` adds it); ignored.
fn path() -> ArrayBuilder {
    ArrayBuilder::new()
        .items(ObjectBuilder::new().schema_type(Type::Integer).minimum(Some(0)))
        .max_items(Some(MAX_PATH))
        .description(Some("Ignored (react-querybuilder's index path)"))
}

/// `disabled` may only be `false`: the UI drops disabled rules rather than have the server guess.
fn disabled() -> ObjectBuilder {
    ObjectBuilder::new().schema_type(Type::Boolean).enum_values(Some([false]))
}
