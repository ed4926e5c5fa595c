//! A tiny SQL builder: text is appended by the compiler, values only ever become numbered placeholders.

use chrono::{DateTime, Utc};

/// A value bound to a compiled filter's placeholder. Nothing else from a rule ever reaches SQL text.
#[derive(Clone, Debug, PartialEq)]
pub enum Param {
    Int(i64),
    Text(String),
    /// The list of an `in` condition: bound as `text[]` on Postgres, as a JSON array read with `json_each` on
    /// SQLite, so a 500-item list is one parameter.
    TextList(Vec<String>),
    /// Bound as `timestamptz` on Postgres and as INTEGER milliseconds on SQLite.
    Timestamp(DateTime<Utc>),
}

/// Which SQL dialect to compile for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Dialect {
    Postgres,
    Sqlite,
}

impl From<crate::Backend> for Dialect {
    fn from(backend: crate::Backend) -> Self {
        match backend {
            crate::Backend::Postgres => Dialect::Postgres,
            crate::Backend::Sqlite => Dialect::Sqlite,
        }
    }
}

/// A compiled rule: a boolean SQL expression over `customers c` and the values of its placeholders, which
/// are numbered from the `first_placeholder` given to [`super::compile`] in the order of `params`.
#[derive(Clone, Debug, PartialEq)]
pub struct SqlFilter {
    pub sql: String,
    pub params: Vec<Param>,
}

impl SqlFilter {
    /// The number the next placeholder after this filter's would get.
    pub fn next_placeholder(&self, first_placeholder: usize) -> usize {
        first_placeholder + self.params.len()
    }
}

pub(super) struct SqlBuilder {
    sql: String,
    params: Vec<Param>,
    first: usize,
}

impl SqlBuilder {
    pub(super) fn new(first_placeholder: usize) -> SqlBuilder {
        SqlBuilder { sql: String::new(), params: Vec::new(), first: first_placeholder }
    }

    /// Appends SQL text written by the compiler (never text from a rule).
    pub(super) fn push(&mut self, sql: &str) {
        self.sql.push_str(sql);
    }

    /// Records a bound value and returns its placeholder (`$7`), for the caller to place in the text.
    pub(super) fn param(&mut self, value: Param) -> String {
        self.params.push(value);
        format!("${}", self.first + self.params.len() - 1)
    }

    pub(super) fn finish(self) -> SqlFilter {
        SqlFilter { sql: self.sql, params: self.params }
    }
}

/// Escapes `%`, `_` and `\` so user text is matched literally by `LIKE … ESCAPE '\'`.
pub(super) fn escape_like(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len() + 2);
    for ch in text.chars() {
        if matches!(ch, '%' | '_' | '\\') {
            escaped.push('\\');
        }
        escaped.push(ch);
    }
    escaped
}
