//! Path parameters whose bad values are answered as problem details naming the parameter.
//!
//! axum's own `Path` answers a value it cannot parse (`/campaigns/1e3`) with a `text/plain` 400; this one
//! answers 422 `application/problem+json` with the parameter as the field, like every other bad input.

use axum::extract::path::ErrorKind;
use axum::extract::rejection::PathRejection;
use axum::extract::{FromRequestParts, RawPathParams};
use axum::http::request::Parts;
use serde::de::DeserializeOwned;

use super::error::ApiError;

/// `axum::extract::Path` with [`ApiError`] as its rejection.
#[derive(Debug)]
pub struct Path<T>(pub T);

impl<T, S> FromRequestParts<S> for Path<T>
where
    T: DeserializeOwned + Send,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        match axum::extract::Path::<T>::from_request_parts(parts, state).await {
            Ok(axum::extract::Path(value)) => Ok(Path(value)),
            Err(rejection) => {
                // A single parameter's error does not name it: the route's only parameter is the one.
                let first = RawPathParams::from_request_parts(parts, state)
                    .await
                    .ok()
                    .and_then(|params| params.iter().next().map(|(key, _)| key.to_owned()));
                Err(rejection_error(rejection, first.as_deref().unwrap_or("path")))
            }
        }
    }
}

fn rejection_error(rejection: PathRejection, only_key: &str) -> ApiError {
    let PathRejection::FailedToDeserializePathParams(failed) = rejection else {
        // No parameters where the route declares some: a routing mistake of ours, not the caller's.
        return ApiError::Internal(anyhow::anyhow!("path parameters missing: {}", rejection.body_text()));
    };
    match failed.into_kind() {
        ErrorKind::ParseErrorAtKey { key, expected_type, .. } => ApiError::invalid(&key, expected(expected_type)),
        ErrorKind::ParseError { expected_type, .. } | ErrorKind::ParseErrorAtIndex { expected_type, .. } => {
            ApiError::invalid(only_key, expected(expected_type))
        }
        ErrorKind::InvalidUtf8InPathParam { key } => ApiError::invalid(&key, "must be UTF-8 once percent-decoded"),
        ErrorKind::DeserializeError { key, message, .. } => ApiError::invalid(&key, message),
        other => ApiError::Internal(anyhow::anyhow!("path parameters cannot be read: {other}")),
    }
}

fn expected(type_name: &str) -> String {
    match type_name {
        "i8" | "i16" | "i32" | "i64" | "u8" | "u16" | "u32" | "u64" | "isize" | "usize" => {
            "must be a whole number".to_owned()
        }
        other => format!("must be a valid {other}"),
    }
}

#[cfg(test)]
mod tests {
    use axum::body::Body;
    use axum::http::{Request, StatusCode};
    use axum::routing::get;
    use axum::Router;
    use tower::ServiceExt;

    use super::*;

    async fn answer(uri: &str) -> (StatusCode, String, serde_json::Value) {
        let app = Router::new()
            .route("/things/{id}", get(|Path(id): Path<i64>| async move { id.to_string() }))
            .route("/pairs/{a}/{b}", get(|Path((a, b)): Path<(i64, String)>| async move { format!("{a}{b}") }));
        let response = app.oneshot(Request::get(uri).body(Body::empty()).unwrap()).await.unwrap();
        let status = response.status();
        let content_type =
            response.headers().get("content-type").and_then(|v| v.to_str().ok()).unwrap_or("").to_owned();
        let bytes = axum::body::to_bytes(response.into_body(), 1 << 16).await.unwrap();
        (status, content_type, serde_json::from_slice(&bytes).unwrap_or_default())
    }

    #[tokio::test]
    async fn bad_values_are_problems_naming_the_parameter() {
        for (uri, field) in [("/things/1e3", "id"), ("/things/99999999999999999999", "id"), ("/pairs/x/y", "a")] {
            let (status, content_type, problem) = answer(uri).await;
            assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{uri}");
            assert_eq!(content_type, "application/problem+json", "{uri}");
            assert_eq!(problem["errors"][0]["field"], field, "{uri}");
            assert_eq!(problem["errors"][0]["message"], "must be a whole number", "{uri}");
        }
        let (status, _, problem) = answer("/things/%FF").await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(problem["errors"][0]["field"], "id");
        assert_eq!(answer("/things/12").await.0, StatusCode::OK);
    }
}
