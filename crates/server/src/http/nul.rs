//! NUL characters are refused at the edge, in both modes: Postgres cannot store U+0000 in text or JSONB (it
//! answered 500 where SQLite stored them), and no field of ours has a use for one. Two checks cover every
//! input: [`refuse_in_uri`] (a layer over every route: path parameters and query parameters) and
//! [`field_with_nul`] (called by [`super::json::decode`] on every JSON body). Each answers 422 naming the
//! field.

use axum::extract::{MatchedPath, Request};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use serde_json::Value;

use super::error::ApiError;

const MESSAGE: &str = "must not contain NUL characters";

/// A NUL can reach a decoded path or query only as `%00` (the HTTP parser refuses a raw one).
const ENCODED_NUL: &str = "%00";

/// Refuses a request whose path or query carries an encoded NUL, naming the path parameter (`external_id`)
/// or query parameter (`search`) it is in.
pub async fn refuse_in_uri(request: Request, next: Next) -> Response {
    if let Some(field) = uri_field_with_nul(&request) {
        return ApiError::invalid(&field, MESSAGE).into_response();
    }
    next.run(request).await
}

fn uri_field_with_nul(request: &Request) -> Option<String> {
    let uri = request.uri();
    if uri.path().contains(ENCODED_NUL) {
        let template = request.extensions().get::<MatchedPath>().map(MatchedPath::as_str).unwrap_or_default();
        let mut names = template.split('/');
        for segment in uri.path().split('/') {
            let name = names.next().unwrap_or_default();
            if segment.contains(ENCODED_NUL) {
                let param = name.strip_prefix('{').and_then(|n| n.strip_suffix('}'));
                return Some(param.unwrap_or("path").to_owned());
            }
        }
        return Some("path".to_owned());
    }
    let query = uri.query()?;
    query.split('&').find(|pair| pair.contains(ENCODED_NUL)).map(|pair| match pair.split_once('=') {
        Some((name, _)) if !name.is_empty() && !name.contains(ENCODED_NUL) && !name.contains('%') => name.to_owned(),
        _ => "query".to_owned(),
    })
}

/// The JSON path (`items[3].email`, `attributes.tier`) of the first string or object key that holds a NUL,
/// if any. Cheap on the common path: the body is walked only when its text has a `\u0000` escape (the only
/// way JSON can carry a NUL).
pub fn field_with_nul(body: &[u8]) -> Option<String> {
    const ESCAPE: &[u8] = b"\\u0000";
    if !body.windows(ESCAPE.len()).any(|w| w == ESCAPE) {
        return None;
    }
    let value: Value = serde_json::from_slice(body).ok()?;
    find(&value, String::new())
}

fn find(value: &Value, path: String) -> Option<String> {
    let field = |path: &str| if path.is_empty() { "body".to_owned() } else { path.to_owned() };
    match value {
        Value::String(text) if text.contains('\0') => Some(field(&path)),
        Value::Array(items) => items.iter().enumerate().find_map(|(i, item)| find(item, format!("{path}[{i}]"))),
        Value::Object(map) => map.iter().find_map(|(key, item)| {
            let inner = if path.is_empty() { key.clone() } else { format!("{path}.{key}") };
            if key.contains('\0') {
                return Some(field(&path));
            }
            find(item, inner)
        }),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_the_field_holding_the_nul() {
        assert_eq!(field_with_nul(br#"{"email": "a\u0000@x.in"}"#).as_deref(), Some("email"));
        assert_eq!(field_with_nul(br#"{"items": [{"a": "b"}, {"a": "\u0000"}]}"#).as_deref(), Some("items[1].a"));
        assert_eq!(field_with_nul(br#"{"attributes": {"k\u0000": 1}}"#).as_deref(), Some("attributes"));
        assert_eq!(field_with_nul(br#""\u0000""#).as_deref(), Some("body"));
    }

    #[test]
    fn an_escaped_backslash_before_u0000_is_no_nul() {
        assert_eq!(field_with_nul(br#"{"text": "C:\\u0000"}"#), None);
        assert_eq!(field_with_nul(br#"{"text": "plain"}"#), None);
    }
}
