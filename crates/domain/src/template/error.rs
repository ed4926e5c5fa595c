//! [`TemplateError`]: why a template was refused (with positions) or why one customer's message failed.

use std::fmt;

use crate::error::FieldErrors;

/// One problem in a template's text, located so the UI can underline it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
pub struct TemplateIssue {
    /// 1-based line of the offending text.
    pub line: u32,
    /// 1-based column, counted in characters (not bytes) so it matches what an editor shows.
    pub column: u32,
    /// Human text, e.g. "unknown variable `frist_name` — did you mean `first_name`?".
    pub message: String,
}

impl TemplateIssue {
    /// An issue at byte `offset` of `source`; an offset past the end (or inside a character) is clamped.
    pub(crate) fn at(source: &str, offset: usize, message: impl Into<String>) -> TemplateIssue {
        let (line, column) = position(source, offset);
        TemplateIssue { line, column, message: message.into() }
    }
}

impl fmt::Display for TemplateIssue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "line {}, column {}: {}", self.line, self.column, self.message)
    }
}

/// Why parsing or rendering a message template failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TemplateError {
    /// The text is not an acceptable template (a 422 when a campaign is created). Holds every problem found,
    /// in source order; a syntax error stops the search, so it is then the only one.
    Invalid(Vec<TemplateIssue>),
    /// An accepted template could not be rendered for one customer: the output or a value grew past its
    /// limit, or the work budget ran out. The message is the reason stored on the failed delivery.
    Render(String),
}

impl TemplateError {
    pub(crate) fn invalid(source: &str, offset: usize, message: impl Into<String>) -> TemplateError {
        TemplateError::Invalid(vec![TemplateIssue::at(source, offset, message)])
    }

    /// The located problems (empty for a render failure).
    pub fn issues(&self) -> &[TemplateIssue] {
        match self {
            TemplateError::Invalid(issues) => issues,
            TemplateError::Render(_) => &[],
        }
    }

    /// The problems as per-field errors under `field` (e.g. `template`), each message prefixed by its
    /// position, so the HTTP layer's RFC 9457 `errors` member carries them without another type.
    pub fn into_field_errors(self, field: &str) -> FieldErrors {
        let mut errors = FieldErrors::new();
        match self {
            TemplateError::Invalid(issues) => issues.iter().for_each(|issue| errors.push(field, issue.to_string())),
            TemplateError::Render(message) => errors.push(field, message),
        }
        errors
    }
}

impl fmt::Display for TemplateError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TemplateError::Invalid(issues) => {
                for (i, issue) in issues.iter().enumerate() {
                    if i > 0 {
                        f.write_str("; ")?;
                    }
                    write!(f, "{issue}")?;
                }
                Ok(())
            }
            TemplateError::Render(message) => write!(f, "cannot render message: {message}"),
        }
    }
}

impl std::error::Error for TemplateError {}

/// 1-based (line, column) of byte `offset` in `source`, columns counted in characters.
pub(crate) fn position(source: &str, offset: usize) -> (u32, u32) {
    let mut end = offset.min(source.len());
    while !source.is_char_boundary(end) {
        end -= 1;
    }
    let before = &source[..end];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let column = before[line_start..].chars().count() + 1;
    (saturate(line), saturate(column))
}

fn saturate(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}
