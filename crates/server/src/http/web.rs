//! The web UI: the React app built into `web/dist` (see web/README or docs/ARCHITECTURE.md), embedded in the
//! binary at compile time, so `converge serve` is the whole product with nothing else to install. (Debug
//! builds read the folder from disk instead, so a rebuilt UI shows without recompiling.)
//!
//! Every `GET` that matches no API route lands here: a file of the build when there is one, otherwise the
//! app's `index.html`, whose client-side router shows the page (or its own "not found"). Paths under `/api/`
//! never fall back to the app: an unknown API route stays a JSON 404.

use axum::http::header::{
    CACHE_CONTROL, CONTENT_SECURITY_POLICY, CONTENT_TYPE, REFERRER_POLICY, X_CONTENT_TYPE_OPTIONS,
};
use axum::http::{HeaderValue, Method, Uri};
use axum::response::{Html, IntoResponse, Response};

use super::error::ApiError;

#[derive(rust_embed::RustEmbed)]
#[folder = "../../web/dist"]
#[allow_missing = true]
struct Assets;

/// Scripts, styles and connections only from this origin; inline style attributes are allowed (charts set
/// them), inline scripts are not. Images may also come from any `https:` origin: the brand's logo and the
/// images of an e-mail being previewed live on the brand's own servers (an image cannot run code).
const CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; \
    img-src 'self' data: blob: https:; font-src 'self' data:; connect-src 'self'; object-src 'none'; \
    base-uri 'self'; frame-ancestors 'none'";

/// What a request no route matched gets.
pub async fn fallback(method: Method, uri: Uri) -> Response {
    let path = uri.path();
    let is_api = path == "/api" || path.starts_with("/api/");
    if !(method == Method::GET || method == Method::HEAD) || is_api {
        return ApiError::NotFound("route".into()).into_response();
    }
    let file = path.trim_start_matches('/');
    if let Some(asset) = Assets::get(file).filter(|_| !file.is_empty()) {
        return asset_response(file, asset.data.into_owned());
    }
    // A missing file under /assets/ is a stale or wrong link, not a page of the app.
    if file.starts_with("assets/") {
        return ApiError::NotFound("file".into()).into_response();
    }
    index()
}

fn index() -> Response {
    match Assets::get("index.html") {
        Some(page) => html(page.data.into_owned()),
        // A build without the UI (web/dist was not built): point people at the API.
        None => Html(include_str!("home.html")).into_response(),
    }
}

fn html(body: Vec<u8>) -> Response {
    let mut response = body.into_response();
    let headers = response.headers_mut();
    headers.insert(CONTENT_TYPE, HeaderValue::from_static("text/html; charset=utf-8"));
    // The page names the current hashed bundles, so it must be revalidated every time.
    headers.insert(CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    headers.insert(CONTENT_SECURITY_POLICY, HeaderValue::from_static(CSP));
    headers.insert(REFERRER_POLICY, HeaderValue::from_static("same-origin"));
    headers.insert(X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    headers.insert("x-frame-options", HeaderValue::from_static("DENY"));
    response
}

fn asset_response(file: &str, body: Vec<u8>) -> Response {
    if file.ends_with(".html") {
        return html(body);
    }
    let mut response = body.into_response();
    let headers = response.headers_mut();
    headers.insert(CONTENT_TYPE, HeaderValue::from_static(content_type(file)));
    headers.insert(X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    // Vite puts a content hash in every file name under assets/: such a file never changes.
    let cache = if file.starts_with("assets/") { "public, max-age=31536000, immutable" } else { "no-cache" };
    headers.insert(CACHE_CONTROL, HeaderValue::from_static(cache));
    response
}

fn content_type(file: &str) -> &'static str {
    match file.rsplit('.').next().unwrap_or("") {
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "json" | "map" => "application/json",
        "webmanifest" => "application/manifest+json",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "webp" => "image/webp",
        "ico" => "image/x-icon",
        "woff2" => "font/woff2",
        "woff" => "font/woff",
        "txt" => "text/plain; charset=utf-8",
        _ => "application/octet-stream",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn content_types_follow_the_extension() {
        assert_eq!(content_type("assets/index-abc123.js"), "text/javascript; charset=utf-8");
        assert_eq!(content_type("assets/index-abc123.css"), "text/css; charset=utf-8");
        assert_eq!(content_type("favicon.svg"), "image/svg+xml");
        assert_eq!(content_type("no-extension"), "application/octet-stream");
    }
}
