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
use super::parse::{MAX_CONDITIONS, MAX_DEPTH};

/// A group of a rule: `{"combinator": "and", "rules": [...]}`, members being groups or conditions.
pub struct RuleGroup;

/// A condition of a rule: `{"field": "total_spend", "operator": ">", "value": "5000"}`.
pub struct RuleCondition;

impl PartialSchema for RuleGroup {
    fn schema() -> RefOr<Schema> {
        let member = OneOfBuilder::new()
            .item(Ref::from_schema_name(RuleGroup::name()))
            .item(Ref::from_schema_name(RuleCondition::name()));
        let rules = ArrayBuilder::new().items(member).max_items(Some(MAX_CONDITIONS));
        ObjectBuilder::new()
            .description(Some(format!(
                "A react-querybuilder group: `and` needs every member, `or` one; `not` negates it. At most \
                 {MAX_DEPTH} levels of groups and {MAX_CONDITIONS} conditions in all."
            )))
            .property("combinator", ObjectBuilder::new().schema_type(Type::String).enum_values(Some(["and", "or"])))
            .required("combinator")
            .property("rules", rules)
            .required("rules")
            .property("not", ObjectBuilder::new().schema_type(Type::Boolean))
            .property("id", any().description(Some("Ignored (react-querybuilder's own id)")))
            .property("disabled", disabled())
            .additional_properties(Some(AdditionalProperties::FreeForm(false)))
            .examples([json!({"combinator": "and", "rules": [
                {"field": "total_spend", "operator": ">", "value": "5000"},
                {"combinator": "or", "rules": [{"field": "city", "operator": "=", "value": "Pune"}]}
            ]})])
            .into()
    }
}

impl ToSchema for RuleGroup {
    fn name() -> Cow<'static, str> {
        Cow::Borrowed("RuleGroup")
    }

    fn schemas(schemas: &mut Vec<(String, RefOr<Schema>)>) {
        schemas.push((RuleCondition::name().into(), RuleCondition::schema()));
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

/// `disabled` may only be `false`: the UI drops disabled rules rather than have the server guess.
fn disabled() -> ObjectBuilder {
    ObjectBuilder::new().schema_type(Type::Boolean).enum_values(Some([false]))
}
