//! [`ApiKey`]: a model provider's key, which never prints.

use std::fmt;

/// A provider's API key. `Debug` prints `[redacted]` and there is no `Display`, so a logged client, config or
/// error cannot leak it; the value is read only through [`ApiKey::expose`], at the one place that puts it in a
/// request header.
#[derive(Clone, PartialEq, Eq)]
pub struct ApiKey(String);

impl ApiKey {
    pub fn new(value: impl Into<String>) -> ApiKey {
        ApiKey(value.into())
    }

    /// The key itself, for the request header only.
    pub fn expose(&self) -> &str {
        &self.0
    }

    pub(crate) fn is_blank(&self) -> bool {
        self.0.trim().is_empty()
    }
}

impl fmt::Debug for ApiKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[redacted]")
    }
}

/// Removes anything key-like from a provider's error text before it is logged: the configured key itself
/// (OpenAI echoes a masked form of a wrong key, other servers may echo it whole) and tokens shaped like
/// OpenAI (`sk-…`) or Google (`AIza…`) keys. Also bounds the length: error bodies can be large.
pub(crate) fn redact(text: &str, key: Option<&ApiKey>) -> String {
    let mut text: String = text.chars().filter(|c| !c.is_control()).take(300).collect();
    if let Some(key) = key.filter(|key| key.expose().len() >= 4) {
        text = text.replace(key.expose(), "[redacted]");
    }
    text.split(' ')
        .map(|word| {
            let bare = word.trim_matches(|c: char| !c.is_alphanumeric() && c != '-' && c != '_' && c != '*');
            if bare.starts_with("sk-") || bare.starts_with("AIza") || bare.starts_with("Bearer") {
                "[redacted]"
            } else {
                word
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_never_print_and_are_redacted_from_texts() {
        let key = ApiKey::new("sk-live-123456");
        assert_eq!(format!("{key:?}"), "[redacted]");
        let text = "Incorrect API key provided: sk-live-123456. Also AIzaSyABC and sk-****3456 here";
        let clean = redact(text, Some(&key));
        assert!(!clean.contains("123456") && !clean.contains("AIza") && !clean.contains("sk-"), "{clean}");
        assert!(clean.starts_with("Incorrect API key provided"));
        assert_eq!(redact(&"x".repeat(1000), None).len(), 300);
    }
}
