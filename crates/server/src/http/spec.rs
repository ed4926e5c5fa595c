//! What the edge answers for every route, written into the spec after the routes are collected: error
//! bodies are `application/problem+json` (not the `application/json` utoipa writes for `body = Problem`), and
//! the statuses the shared extractors and layers can answer are documented on each operation they apply to:
//!
//! - a request body (`JsonBody` and the import's CSV): 400 unreadable, 413 too large, 415 wrong type, 422;
//! - path or query parameters: 422 naming the parameter (`http::path::Path`, the query decoders);
//! - any request: 414 for an overlong URI, 431 for an oversized header block (`http::head_limits`);
//! - every text path or query parameter without a pattern of its own gets the NUL-free one, since
//!   `http::nul::refuse_in_uri` refuses a NUL in any of them;
//! - a caller (`Caller`, answering 401 when there is none): 400 for an unreadable workspace header, 403, and
//!   429 once the caller's rate limit is spent.

use utoipa::openapi::path::{Operation, ParameterIn};
use utoipa::openapi::schema::{Schema, SchemaType, Type};
use utoipa::openapi::{ContentBuilder, OpenApi, Ref, RefOr, Response, ResponseBuilder};

use super::head_limits::{self, MAX_HEADERS, MAX_HEADER_BYTES};

pub const PROBLEM_JSON: &str = "application/problem+json";
/// Text without U+0000.
const NUL_FREE: &str = "^[^\\x00]*$";

/// Rewrites `spec` in place as the module comment says.
pub fn complete(spec: &mut OpenApi) {
    for item in spec.paths.paths.values_mut() {
        let operations =
            [&mut item.get, &mut item.put, &mut item.post, &mut item.delete, &mut item.patch, &mut item.head];
        for operation in operations.into_iter().flatten() {
            complete_operation(operation);
        }
    }
}

fn complete_operation(operation: &mut Operation) {
    let responses = &mut operation.responses.responses;
    for (status, response) in responses.iter_mut() {
        if let (true, RefOr::T(response)) = (is_error(status), response) {
            if let Some(content) = response.content.shift_remove("application/json") {
                response.content.insert(PROBLEM_JSON.to_owned(), content);
            }
        }
    }
    for param in operation.parameters.iter_mut().flatten() {
        if let (ParameterIn::Path | ParameterIn::Query, Some(RefOr::T(Schema::Object(schema)))) =
            (&param.parameter_in, param.schema.as_mut())
        {
            let text = match &schema.schema_type {
                SchemaType::Type(kind) => *kind == Type::String,
                SchemaType::Array(kinds) => kinds.contains(&Type::String),
                SchemaType::AnyValue => false,
            };
            if text && schema.pattern.is_none() {
                schema.pattern = Some(NUL_FREE.to_owned());
            }
        }
    }
    let params = operation.parameters.iter().flatten();
    let has_params = params.clone().any(|p| matches!(p.parameter_in, ParameterIn::Path | ParameterIn::Query));
    let has_body = operation.request_body.is_some();
    let has_caller = operation.security.is_some();
    let mut add = |status: &str, description: &str| {
        responses.entry(status.to_owned()).or_insert_with(|| RefOr::T(problem(description)));
    };
    if has_body {
        add("400", "The body cannot be read (not valid JSON, or cut short)");
        add("413", "The body is larger than the limit");
        add("415", "The body is not of the content type this operation takes");
        add("422", "Invalid input; `errors` names each offending field");
    }
    if has_params {
        add("422", "Invalid input; `errors` names each offending parameter");
    }
    add("414", &format!("The path and query are longer than {} bytes", head_limits::MAX_URI_BYTES));
    let headers = format!("More than {} headers, or more than {} bytes of them", MAX_HEADERS, MAX_HEADER_BYTES);
    add("431", &headers);
    if has_caller {
        add("400", "A header cannot be read (e.g. `X-Converge-Workspace` that is not text)");
        add("403", "The caller may not do this");
        add("429", "The caller's request rate is spent; retry after `Retry-After` seconds");
    }
}

fn is_error(status: &str) -> bool {
    status.parse::<u16>().is_ok_and(|status| status >= 400)
}

fn problem(description: &str) -> Response {
    ResponseBuilder::new()
        .description(description)
        .content(PROBLEM_JSON, ContentBuilder::new().schema(Some(Ref::from_schema_name("Problem"))).build())
        .build()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_error_is_problem_json_and_shared_statuses_are_documented() {
        let (_, spec) = crate::http::api_routes();
        let json = serde_json::to_value(&spec).unwrap();
        let mut checked = 0;
        for (path, item) in json["paths"].as_object().unwrap() {
            for (method, operation) in item.as_object().unwrap() {
                let responses = operation["responses"].as_object().unwrap();
                for (status, response) in responses {
                    if is_error(status) {
                        if let Some(content) = response["content"].as_object() {
                            let types: Vec<&String> = content.keys().collect();
                            assert_eq!(types, [PROBLEM_JSON], "{method} {path} {status}");
                        }
                    }
                }
                if operation.get("requestBody").is_some() {
                    for status in ["400", "413", "415", "422"] {
                        assert!(responses.contains_key(status), "{method} {path} documents {status}");
                    }
                }
                let in_uri = |param: &&serde_json::Value| param["in"] == "path" || param["in"] == "query";
                for param in operation["parameters"].as_array().into_iter().flatten().filter(in_uri) {
                    let schema = &param["schema"];
                    if schema["type"] == "string"
                        || schema["type"].as_array().is_some_and(|t| t.contains(&"string".into()))
                    {
                        assert!(schema["pattern"].is_string(), "{method} {path} {} states a pattern", param["name"]);
                    }
                }
                if operation.get("security").is_some() {
                    assert!(responses.contains_key("429"), "{method} {path} documents 429");
                }
                checked += 1;
            }
        }
        assert!(checked > 40, "{checked} operations");
    }
}
