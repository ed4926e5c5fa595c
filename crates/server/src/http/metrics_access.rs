//! Who may read `/metrics`, and what they see.
//!
//! - `metrics.token` set: a bearer token is required everywhere `/metrics` is served; with it, every series.
//! - `metrics.bind` set: `/metrics` lives on that address only (404 on the main port).
//! - Neither: the main port answers anyone, aggregate only: series labelled by workspace are summed over
//!   workspaces, so no workspace id is listed to an anonymous caller.

use std::collections::HashMap;

use axum::extract::State;
use axum::http::{header, HeaderMap};
use axum::response::{IntoResponse, Response};

use crate::auth::session::constant_time_eq;
use crate::http::error::ApiError;
use crate::state::SharedState;

/// Where the request arrived.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Listener {
    /// The main port (API or worker health).
    Main,
    /// `metrics.bind`.
    Dedicated,
}

/// The `/metrics` answer for a request on `listener`.
pub fn answer(state: &SharedState, headers: &HeaderMap, listener: Listener) -> Response {
    let settings = &state.settings.metrics;
    if listener == Listener::Main && settings.bind.is_some() {
        return ApiError::NotFound("route".into()).into_response();
    }
    let full = match &settings.token {
        Some(token) => {
            let presented = headers
                .get(header::AUTHORIZATION)
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.strip_prefix("Bearer "))
                .map(str::trim);
            if !presented.is_some_and(|given| constant_time_eq(given, token.expose())) {
                return ApiError::Unauthorized("metrics need `Authorization: Bearer <metrics.token>`").into_response();
            }
            true
        }
        None => listener == Listener::Dedicated,
    };
    let text = state.metrics.render();
    let body = if full { text } else { without_workspaces(&text) };
    ([(header::CONTENT_TYPE, "text/plain; version=0.0.4")], body).into_response()
}

/// `/metrics` on the `metrics.bind` listener.
pub async fn dedicated(State(state): State<SharedState>, headers: HeaderMap) -> Response {
    answer(&state, &headers, Listener::Dedicated)
}

/// The exposition with every `workspace` label removed and the series that differed only by it summed.
pub fn without_workspaces(text: &str) -> String {
    let mut out: Vec<String> = Vec::new();
    let mut sums: HashMap<String, (usize, f64)> = HashMap::new();
    for line in text.lines() {
        let Some((series, value)) = split_sample(line) else {
            out.push(line.to_owned());
            continue;
        };
        let Some(stripped) = strip_workspace(series) else {
            out.push(line.to_owned());
            continue;
        };
        let value: f64 = value.parse().unwrap_or(0.0);
        match sums.get_mut(&stripped) {
            Some((_, sum)) => *sum += value,
            None => {
                sums.insert(stripped.clone(), (out.len(), value));
                out.push(String::new());
            }
        }
    }
    for (series, (at, sum)) in sums {
        out[at] = format!("{series} {sum}");
    }
    let mut text = out.join("\n");
    text.push('\n');
    text
}

/// `name{labels} value` → (`name{labels}`, `value`); comments and blank lines are no samples.
fn split_sample(line: &str) -> Option<(&str, &str)> {
    if line.starts_with('#') || line.trim().is_empty() {
        return None;
    }
    let end = line.rfind('}').map_or_else(|| line.find(' ').unwrap_or(line.len()), |i| i + 1);
    let value = line[end..].split_whitespace().next()?;
    Some((&line[..end], value))
}

/// The series without its `workspace` label; `None` if it has none. Label values escape `"` as `\"`, so an
/// unescaped `workspace="` can only start a label.
fn strip_workspace(series: &str) -> Option<String> {
    let open = series.find('{')?;
    let (name, labels) = (&series[..open], series[open + 1..].strip_suffix('}')?);
    let mut kept = Vec::new();
    let mut found = false;
    let mut rest = labels;
    while !rest.is_empty() {
        let (label, after) = next_label(rest)?;
        if label.starts_with("workspace=\"") {
            found = true;
        } else {
            kept.push(label);
        }
        rest = after.strip_prefix(',').unwrap_or(after);
    }
    if !found {
        return None;
    }
    Some(if kept.is_empty() { name.to_owned() } else { format!("{name}{{{}}}", kept.join(",")) })
}

/// One `name="value"` at the start of `text`, and what follows it.
fn next_label(text: &str) -> Option<(&str, &str)> {
    let quote = text.find('"')?;
    let mut escaped = false;
    for (i, c) in text[quote + 1..].char_indices() {
        match c {
            '\\' if !escaped => escaped = true,
            '"' if !escaped => {
                let end = quote + 1 + i + 1;
                return Some((&text[..end], &text[end..]));
            }
            _ => escaped = false,
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn workspace_series_are_summed_and_their_ids_dropped() {
        let text = "# TYPE converge_audience_index_customers gauge\n\
            converge_audience_index_customers{workspace=\"7\"} 10\n\
            converge_http_requests_total{method=\"GET\",route=\"/workspace=\\\"x\\\"\",status=\"200\"} 3\n\
            converge_audience_index_customers{workspace=\"12\"} 5\n\
            converge_x_bucket{le=\"1\",workspace=\"7\"} 2\n\
            converge_x_bucket{workspace=\"8\",le=\"1\"} 1\n\
            converge_plain 4\n";
        let public = without_workspaces(text);
        assert!(!public.contains("workspace=\"7\"") && !public.contains("workspace=\"12\""), "{public}");
        assert!(public.contains("converge_audience_index_customers 15\n"), "{public}");
        assert!(public.contains("converge_x_bucket{le=\"1\"} 3\n"), "{public}");
        assert!(public.contains("route=\"/workspace=\\\"x\\\"\""), "a value that merely looks like one stays");
        assert!(public.contains("converge_plain 4\n") && public.starts_with("# TYPE"));
    }
}
