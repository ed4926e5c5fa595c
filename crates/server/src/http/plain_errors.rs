//! The last word on error bodies: any 4xx/5xx that leaves the router without a problem body (an extractor's
//! own rejection, the timeout layer's bare 408) is rewritten as `application/problem+json` with the same
//! status, so a client never has to parse `text/plain`.

use axum::extract::Request;
use axum::http::{header, HeaderMap, HeaderValue};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use serde::Serialize;

/// Longest plain-text error kept as the problem's `detail` (axum's rejection texts are a line or two).
const MAX_DETAIL: usize = 512;

#[derive(Serialize)]
struct Problem<'a> {
    #[serde(rename = "type")]
    kind: &'a str,
    title: &'a str,
    status: u16,
    detail: String,
}

pub async fn as_problems(request: Request, next: Next) -> Response {
    let response = next.run(request).await;
    let status = response.status();
    if !(status.is_client_error() || status.is_server_error()) || !needs_rewrite(response.headers()) {
        return response;
    }
    let (parts, body) = response.into_parts();
    let text = axum::body::to_bytes(body, MAX_DETAIL * 4).await.unwrap_or_default();
    let text = String::from_utf8_lossy(&text);
    let detail: String = text.trim().chars().take(MAX_DETAIL).collect();
    let title = status.canonical_reason().unwrap_or("Error");
    let problem = Problem {
        kind: "urn:converge:problem:http",
        title,
        status: status.as_u16(),
        detail: if detail.is_empty() { title.to_owned() } else { detail },
    };
    let mut rewritten = (status, serde_json::to_vec(&problem).unwrap_or_default()).into_response();
    for (name, value) in &parts.headers {
        if name != header::CONTENT_TYPE && name != header::CONTENT_LENGTH {
            rewritten.headers_mut().append(name, value.clone());
        }
    }
    rewritten.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("application/problem+json"));
    rewritten
}

/// A bare or plain-text error body; problem+json, HTML pages (the web UI's) and compressed bodies stay.
fn needs_rewrite(headers: &HeaderMap) -> bool {
    if headers.contains_key(header::CONTENT_ENCODING) {
        return false;
    }
    match headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()) {
        None => true,
        Some(value) => value.starts_with("text/plain"),
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

    /// A plain-text error as axum's own extractors answer it.
    async fn plain(status: StatusCode) -> Response {
        (status, "Failed to deserialize query string").into_response()
    }

    #[tokio::test]
    async fn plain_and_bare_errors_become_problems() {
        let app = Router::new()
            .route("/plain", get(|| plain(StatusCode::BAD_REQUEST)))
            .route("/bare", get(|| async { StatusCode::REQUEST_TIMEOUT }))
            .route("/fine", get(|| async { "ok" }))
            .layer(axum::middleware::from_fn(as_problems));
        for (uri, status, detail) in [
            ("/plain", 400, "Failed to deserialize query string"),
            ("/bare", 408, "Request Timeout"),
            ("/missing", 404, "Not Found"),
        ] {
            let response = app.clone().oneshot(Request::get(uri).body(Body::empty()).unwrap()).await.unwrap();
            assert_eq!(response.status().as_u16(), status, "{uri}");
            assert_eq!(response.headers()[header::CONTENT_TYPE], "application/problem+json", "{uri}");
            let bytes = axum::body::to_bytes(response.into_body(), 4096).await.unwrap();
            let problem: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
            assert_eq!(problem["status"], status, "{uri}");
            assert_eq!(problem["detail"], detail, "{uri}");
        }
        let fine = app.oneshot(Request::get("/fine").body(Body::empty()).unwrap()).await.unwrap();
        assert_eq!(fine.headers()[header::CONTENT_TYPE], "text/plain; charset=utf-8");
    }
}
