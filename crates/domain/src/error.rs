//! Per-field validation errors.
//!
//! Validation never stops at the first problem: a client fixing a payload wants every mistake at once, so
//! validators collect [`FieldError`]s into [`FieldErrors`]. The HTTP layer turns them into the `errors` member
//! of an RFC 9457 problem document, which is why they serialize and carry an OpenAPI schema.

use std::fmt;

/// One invalid field: `field` is the JSON path as the client wrote it (`email`, `items[3].quantity`,
/// `attributes.vip`), `message` is human text completing the sentence "<field> …".
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
pub struct FieldError {
    /// JSON path of the offending field, e.g. `items[3].quantity`.
    pub field: String,
    /// What is wrong, e.g. `must be a valid e-mail address`.
    pub message: String,
}

/// Every problem found in one payload, in the order they were found.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FieldErrors(pub Vec<FieldError>);

impl FieldErrors {
    /// No errors yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// Records that `field` is invalid because of `message`.
    pub fn push(&mut self, field: impl Into<String>, message: impl Into<String>) {
        self.0.push(FieldError { field: field.into(), message: message.into() });
    }

    /// True when nothing was wrong.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Number of errors.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Iterates over the errors.
    pub fn iter(&self) -> std::slice::Iter<'_, FieldError> {
        self.0.iter()
    }

    /// Nests these errors under `prefix`, so errors found in an element of a list name the element:
    /// `email` becomes `items[3].email` for prefix `items[3]`, and an error about the whole element
    /// (empty field) becomes `items[3]`.
    pub fn prefixed(self, prefix: &str) -> FieldErrors {
        FieldErrors(
            self.0
                .into_iter()
                .map(|error| FieldError { field: join_path(prefix, &error.field), message: error.message })
                .collect(),
        )
    }

    /// Appends all of `other`'s errors.
    pub fn extend(&mut self, other: FieldErrors) {
        self.0.extend(other.0);
    }

    /// `Ok(value)` when no error was recorded, otherwise these errors. Ends a validator that built
    /// `value` from parts it parsed while collecting errors.
    pub fn into_result<T>(self, value: T) -> Result<T, FieldErrors> {
        if self.is_empty() {
            Ok(value)
        } else {
            Err(self)
        }
    }

    /// Parses one field, recording a failure under `field` and returning `None` so validation continues.
    pub fn check<T>(&mut self, field: &str, result: Result<T, String>) -> Option<T> {
        match result {
            Ok(value) => Some(value),
            Err(message) => {
                self.push(field, message);
                None
            }
        }
    }

    /// Parses an optional field: `None` stays `None`, a failure is recorded under `field` (and gives `None`).
    pub fn check_optional<T>(
        &mut self,
        field: &str,
        raw: Option<&str>,
        parse: impl FnOnce(&str) -> Result<T, String>,
    ) -> Option<T> {
        raw.and_then(|raw| self.check(field, parse(raw)))
    }
}

fn join_path(prefix: &str, field: &str) -> String {
    match (prefix.is_empty(), field.is_empty()) {
        (_, true) => prefix.to_owned(),
        (true, false) => field.to_owned(),
        // `items[3]` + `[0]` would read oddly as `items[3].[0]`.
        (false, false) if field.starts_with('[') => format!("{prefix}{field}"),
        (false, false) => format!("{prefix}.{field}"),
    }
}

impl fmt::Display for FieldErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0.is_empty() {
            return f.write_str("no errors");
        }
        for (i, error) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str("; ")?;
            }
            write!(f, "{} {}", error.field, error.message)?;
        }
        Ok(())
    }
}

impl std::error::Error for FieldErrors {}

impl IntoIterator for FieldErrors {
    type Item = FieldError;
    type IntoIter = std::vec::IntoIter<FieldError>;

    fn into_iter(self) -> Self::IntoIter {
        self.0.into_iter()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefixed_nests_field_paths() {
        let mut errors = FieldErrors::new();
        errors.push("email", "must be a valid e-mail address");
        errors.push("", "must be an object");
        errors.push("[0]", "odd");
        let fields: Vec<_> = errors.prefixed("items[3]").into_iter().map(|e| e.field).collect();
        assert_eq!(fields, ["items[3].email", "items[3]", "items[3][0]"]);
    }

    #[test]
    fn into_result_is_ok_only_without_errors() {
        assert_eq!(FieldErrors::new().into_result(5), Ok(5));
        let mut errors = FieldErrors::new();
        errors.push("name", "must not be empty");
        assert_eq!(errors.clone().into_result(5), Err(errors));
    }

    #[test]
    fn display_lists_every_error() {
        let mut errors = FieldErrors::new();
        errors.push("name", "must not be empty");
        errors.push("email", "must be a valid e-mail address");
        assert_eq!(errors.to_string(), "name must not be empty; email must be a valid e-mail address");
    }

    #[test]
    fn check_records_failures_and_passes_values() {
        let mut errors = FieldErrors::new();
        assert_eq!(errors.check("a", Ok::<_, String>(1)), Some(1));
        assert_eq!(errors.check::<i32>("b", Err("bad".into())), None);
        assert_eq!(errors.len(), 1);
        assert_eq!(errors.0[0].field, "b");
    }
}
