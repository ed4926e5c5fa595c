//! Oversized request heads are answered as problems, like every other error: a URI longer than
//! [`MAX_URI_BYTES`] gets 414, a header block over [`MAX_HEADER_BYTES`] or [`MAX_HEADERS`] headers gets 431.
//!
//! The limits sit well inside the HTTP parser's own (hyper refuses a request line over 64 KiB, more than 100
//! headers, or a head over ~400 KiB, with a bodiless 414/431 before any of our code runs), so every oversized
//! head a real client sends reaches this layer and gets a problem body naming the limit.

use axum::extract::Request;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use super::error::ApiError;

/// Longest request target (path and query), in bytes.
pub const MAX_URI_BYTES: usize = 8 * 1024;
/// Largest header block: each header's name and value, plus 4 bytes of `: ` and CRLF.
pub const MAX_HEADER_BYTES: usize = 16 * 1024;
/// Most headers one request may carry.
pub const MAX_HEADERS: usize = 64;

/// Refuses a request whose head is over the limits above.
pub async fn refuse_oversized(request: Request, next: Next) -> Response {
    let uri_bytes = request.uri().path_and_query().map_or(0, |p| p.as_str().len());
    if uri_bytes > MAX_URI_BYTES {
        return ApiError::UriTooLong(MAX_URI_BYTES).into_response();
    }
    let headers = request.headers();
    let header_bytes: usize = headers.iter().map(|(name, value)| name.as_str().len() + value.len() + 4).sum();
    if headers.len() > MAX_HEADERS || header_bytes > MAX_HEADER_BYTES {
        return ApiError::HeadersTooLarge { max_bytes: MAX_HEADER_BYTES, max_count: MAX_HEADERS }.into_response();
    }
    next.run(request).await
}
