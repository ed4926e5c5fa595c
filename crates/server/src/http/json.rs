//! JSON request bodies: content type, size limit and decoding, with errors that name the offending field.

use axum::body::Bytes;
use axum::extract::{FromRequest, Request};
use axum::http::header::CONTENT_TYPE;
use axum::http::StatusCode;
use converge_domain::FieldErrors;
use serde::de::DeserializeOwned;

use super::error::ApiError;
use crate::state::SharedState;

/// A request body that declared `application/json` and fits the body limit (413 otherwise).
pub struct JsonBody(pub Bytes);

impl FromRequest<SharedState> for JsonBody {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &SharedState) -> Result<Self, Self::Rejection> {
        let is_json = req
            .headers()
            .get(CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(';').next())
            .map(|v| {
                let v = v.trim();
                v.eq_ignore_ascii_case("application/json") || v.to_ascii_lowercase().ends_with("+json")
            })
            .unwrap_or(false);
        if !is_json {
            return Err(ApiError::UnsupportedMediaType);
        }
        let limit = state.settings.ingest.body_limit_bytes;
        match Bytes::from_request(req, state).await {
            Ok(bytes) => Ok(JsonBody(bytes)),
            Err(rejection) if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE => {
                Err(ApiError::PayloadTooLarge(limit))
            }
            Err(rejection) => Err(ApiError::BadRequest(rejection.body_text())),
        }
    }
}

/// Decodes a whole body; syntax errors (trailing data after the value included: `{…}{…}` would otherwise
/// drop the second object silently) are 400, shape errors 422 naming the field.
pub fn decode<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    let mut de = serde_json::Deserializer::from_slice(bytes);
    match serde_path_to_error::deserialize(&mut de) {
        Ok(value) => match de.end() {
            Ok(()) => match super::nul::field_with_nul(bytes) {
                None => Ok(value),
                Some(field) => Err(ApiError::invalid(&field, "must not contain NUL characters")),
            },
            Err(err) => {
                Err(ApiError::BadRequest(format!("the body must be one JSON value, with nothing after it: {err}")))
            }
        },
        Err(err) => {
            let path = err.path().to_string();
            let inner = err.into_inner();
            if inner.is_data() {
                Err(ApiError::Invalid(field_error("", &path, &inner)))
            } else {
                Err(ApiError::BadRequest(format!("the body is not valid JSON: {inner}")))
            }
        }
    }
}

/// Decodes one JSON value already parsed (a batch item); errors are reported under `prefix`.
pub fn decode_value<T: DeserializeOwned>(value: serde_json::Value, prefix: &str) -> Result<T, FieldErrors> {
    serde_path_to_error::deserialize(value).map_err(|err| {
        let path = err.path().to_string();
        field_error(prefix, &path, err.inner())
    })
}

/// Builds the field name for a serde error: its path, plus the field a "missing field `x`" message names
/// (serde reports a missing field at the enclosing object; an unknown one already at its own path).
fn field_error(prefix: &str, path: &str, err: &serde_json::Error) -> FieldErrors {
    let message = err.to_string();
    let message = match message.rfind(" at line ") {
        Some(at) => message[..at].to_owned(),
        None => message,
    };
    let mut field = if path == "." { String::new() } else { path.to_owned() };
    if message.starts_with("missing field") {
        if let Some(name) = message.split('`').nth(1) {
            if !field.is_empty() {
                field.push('.');
            }
            field.push_str(name);
        }
    }
    let field = match (prefix.is_empty(), field.is_empty()) {
        (true, _) => field,
        (false, true) => prefix.to_owned(),
        (false, false) if field.starts_with('[') => format!("{prefix}{field}"),
        (false, false) => format!("{prefix}.{field}"),
    };
    let mut errors = FieldErrors::default();
    errors.push(if field.is_empty() { "body" } else { field.as_str() }, message);
    errors
}
