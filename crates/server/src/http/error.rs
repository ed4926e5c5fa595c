//! The one error type of the HTTP edge, answered as RFC 9457 `application/problem+json`.
//!
//! Internal errors are logged with their cause chain and answered with a generic message: no database or
//! queue text ever reaches a client.

use std::time::Duration;

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use converge_domain::{FieldError, FieldErrors};
use serde::Serialize;
use utoipa::ToSchema;

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("authentication required")]
    Unauthorized(&'static str),
    #[error("forbidden")]
    Forbidden(String),
    #[error("not found")]
    NotFound(String),
    #[error("invalid input")]
    Invalid(FieldErrors),
    #[error("malformed request")]
    BadRequest(String),
    #[error("unsupported media type")]
    UnsupportedMediaType,
    #[error("payload too large")]
    PayloadTooLarge(usize),
    #[error("URI too long")]
    UriTooLong(usize),
    #[error("request headers too large")]
    HeadersTooLarge { max_bytes: usize, max_count: usize },
    #[error("rate limited")]
    RateLimited(Duration),
    #[error("temporarily unavailable")]
    Unavailable { detail: String, retry_after: Duration },
    #[error("conflict")]
    Conflict(String),
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

/// RFC 9457 problem details, with per-field `errors` when input was invalid.
#[derive(Debug, Serialize, ToSchema)]
pub struct Problem {
    /// A URI naming the kind of problem.
    #[serde(rename = "type")]
    pub kind: String,
    pub title: String,
    pub status: u16,
    pub detail: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<FieldError>,
}

impl ApiError {
    pub fn invalid(field: &str, message: impl Into<String>) -> Self {
        let mut errors = FieldErrors::default();
        errors.push(field, message);
        ApiError::Invalid(errors)
    }

    /// What the problem's `detail` would say, for a page that shows it instead of answering JSON. An
    /// internal cause is logged here and never shown.
    pub fn into_detail(self) -> String {
        if let ApiError::Internal(err) = &self {
            tracing::error!(error = format!("{err:#}"), "request failed");
        }
        self.parts().3
    }

    fn parts(&self) -> (StatusCode, &'static str, &'static str, String) {
        match self {
            ApiError::Unauthorized(why) => {
                (StatusCode::UNAUTHORIZED, "unauthorized", "Authentication required", (*why).to_owned())
            }
            ApiError::Forbidden(why) => (StatusCode::FORBIDDEN, "forbidden", "Forbidden", why.clone()),
            ApiError::NotFound(what) => (StatusCode::NOT_FOUND, "not-found", "Not found", format!("{what} not found")),
            ApiError::Invalid(errors) => (
                StatusCode::UNPROCESSABLE_ENTITY,
                "invalid-input",
                "Invalid input",
                match errors.0.len() {
                    1 => "1 field is invalid".to_owned(),
                    n => format!("{n} fields are invalid"),
                },
            ),
            ApiError::BadRequest(why) => {
                (StatusCode::BAD_REQUEST, "malformed-request", "Malformed request", why.clone())
            }
            ApiError::UnsupportedMediaType => (
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "unsupported-media-type",
                "Unsupported media type",
                "send the body as application/json".to_owned(),
            ),
            ApiError::PayloadTooLarge(limit) => (
                StatusCode::PAYLOAD_TOO_LARGE,
                "payload-too-large",
                "Payload too large",
                format!("the body must be at most {limit} bytes"),
            ),
            ApiError::UriTooLong(limit) => (
                StatusCode::URI_TOO_LONG,
                "uri-too-long",
                "URI too long",
                format!("the path and query must be at most {limit} bytes"),
            ),
            ApiError::HeadersTooLarge { max_bytes, max_count } => (
                StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE,
                "headers-too-large",
                "Request header fields too large",
                format!("send at most {max_count} headers of at most {max_bytes} bytes in all"),
            ),
            ApiError::RateLimited(_) => (
                StatusCode::TOO_MANY_REQUESTS,
                "rate-limited",
                "Too many requests",
                "too many requests from this caller; retry after the delay in Retry-After".to_owned(),
            ),
            ApiError::Unavailable { detail, .. } => {
                (StatusCode::SERVICE_UNAVAILABLE, "unavailable", "Service unavailable", detail.clone())
            }
            ApiError::Conflict(what) => (StatusCode::CONFLICT, "conflict", "Conflict", what.clone()),
            ApiError::Internal(_) => (
                StatusCode::INTERNAL_SERVER_ERROR,
                "internal",
                "Internal error",
                "something went wrong on our side; it has been logged".to_owned(),
            ),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        if let ApiError::Internal(err) = &self {
            tracing::error!(error = format!("{err:#}"), "request failed");
        }
        let (status, slug, title, detail) = self.parts();
        let errors = match &self {
            ApiError::Invalid(errors) => errors.0.clone(),
            _ => Vec::new(),
        };
        let problem = Problem {
            kind: format!("urn:converge:problem:{slug}"),
            title: title.to_owned(),
            status: status.as_u16(),
            detail,
            errors,
        };
        let body = serde_json::to_vec(&problem).unwrap_or_default();
        let mut response = (status, body).into_response();
        let headers = response.headers_mut();
        headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("application/problem+json"));
        let retry = match &self {
            ApiError::RateLimited(after) => Some(*after),
            ApiError::Unavailable { retry_after, .. } => Some(*retry_after),
            _ => None,
        };
        if let Some(after) = retry {
            let seconds = after.as_secs() + u64::from(after.subsec_nanos() > 0);
            headers.insert(header::RETRY_AFTER, HeaderValue::from(seconds.max(1)));
        }
        if matches!(self, ApiError::Unauthorized(_)) {
            headers.insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
        response
    }
}

impl From<converge_store::StoreError> for ApiError {
    fn from(err: converge_store::StoreError) -> Self {
        match err {
            converge_store::StoreError::Conflict(what) => ApiError::Conflict(format!("{what} already exists")),
            other => ApiError::Internal(anyhow::Error::new(other)),
        }
    }
}

impl From<converge_queue::QueueError> for ApiError {
    fn from(err: converge_queue::QueueError) -> Self {
        match err {
            converge_queue::QueueError::Full { .. } => ApiError::Unavailable {
                detail: "the ingest backlog is full; retry shortly".into(),
                retry_after: Duration::from_secs(5),
            },
            converge_queue::QueueError::Unavailable(cause) => {
                tracing::error!(%cause, "queue unavailable");
                ApiError::Unavailable {
                    detail: "the ingest queue is unreachable; retry shortly".into(),
                    retry_after: Duration::from_secs(2),
                }
            }
        }
    }
}

pub type ApiResult<T> = Result<T, ApiError>;

/// A workspace without usable channel senders: its settings (or their absence) are the problem, a state the
/// caller can fix (409); only a store failure is the server's (as any store error).
impl From<crate::delivery::senders::SendersError> for ApiError {
    fn from(err: crate::delivery::senders::SendersError) -> ApiError {
        use crate::delivery::senders::SendersError;
        match err {
            SendersError::NotConfigured => ApiError::Conflict(
                "the workspace has no channels to send through: set them up in Settings → Channels".into(),
            ),
            SendersError::Invalid(why) => {
                ApiError::Conflict(format!("the workspace's channel settings cannot be used: {why}"))
            }
            SendersError::Store(err) => err.into(),
        }
    }
}
