//! The OpenAPI schemas of the input DTOs are part of the API contract; check their important details.

use serde_json::{json, Value};
use utoipa::PartialSchema;

use crate::{Attributes, CustomerInput, Email, FieldError, OrderInput, OrderItemInput, OrderStatus};

fn schema_of<T: PartialSchema>() -> Value {
    serde_json::to_value(T::schema()).unwrap()
}

#[test]
fn order_amount_is_string_or_number() {
    let schema = schema_of::<OrderInput>();
    let amount = &schema["properties"]["amount"];
    let types: Vec<_> = amount["oneOf"].as_array().unwrap().iter().map(|s| s["type"].clone()).collect();
    assert_eq!(types, [json!("string"), json!("number")]);
    let required = schema["required"].as_array().unwrap();
    assert!(required.contains(&json!("amount")));
    assert!(!required.contains(&json!("currency")));
    let item = schema_of::<OrderItemInput>();
    assert_eq!(item["properties"]["unit_price"]["oneOf"][1]["type"], json!("number"));
    assert_eq!(item["required"], json!(["quantity"]));
}

#[test]
fn customer_attributes_are_an_object() {
    let schema = schema_of::<CustomerInput>();
    assert_eq!(schema["required"], json!(["external_id"]));
    assert!(schema["properties"]["attributes"]["type"].to_string().contains("object"));
}

#[test]
fn newtypes_are_strings_and_enums_list_their_values() {
    assert_eq!(schema_of::<Email>()["format"], json!("email"));
    assert_eq!(schema_of::<Attributes>()["maxProperties"], json!(50));
    assert_eq!(schema_of::<OrderStatus>()["enum"], json!(["placed", "paid", "fulfilled", "cancelled", "refunded"]));
    assert_eq!(schema_of::<FieldError>()["required"], json!(["field", "message"]));
}
