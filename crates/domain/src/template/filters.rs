//! The filter allow-list: what the checker accepts (names, argument counts and kinds) and our own
//! implementations, registered on an otherwise empty engine.
//!
//! We implement the filters instead of enabling minijinja's `builtins` because a sandbox needs every
//! filter's output bounded: the builtin `replace` with an empty pattern multiplies its input, and a few
//! chained calls reach gigabytes in a handful of instructions, faster than fuel can notice. Each filter here
//! refuses input or output beyond [`MAX_VALUE_BYTES`].

use minijinja::value::ValueKind;
use minijinja::{Environment, Error, ErrorKind, Value};

/// Largest string, in bytes, a filter takes or produces; the largest message output (e-mail) is no bigger.
pub(crate) const MAX_VALUE_BYTES: usize = 100_000;

/// What an argument must be. Arguments other than `default`'s fallback must be literals, so their types
/// (and so most render failures) are settled when the template is parsed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum ArgKind {
    /// Any allowed expression (a literal or another variable).
    Any,
    /// A literal whole number ≥ 0.
    Count,
    Bool,
    Text,
    /// A literal non-empty string (an empty `replace` pattern would insert between every character).
    NonEmptyText,
}

/// One allowed filter: its positional arguments, of which the first `required` must be given.
pub(crate) struct FilterSpec {
    pub name: &'static str,
    pub required: usize,
    pub args: &'static [ArgKind],
}

/// Every allowed filter, in the order error messages list them.
pub(crate) const FILTERS: &[FilterSpec] = &[
    FilterSpec { name: "default", required: 1, args: &[ArgKind::Any, ArgKind::Bool] },
    FilterSpec { name: "upper", required: 0, args: &[] },
    FilterSpec { name: "lower", required: 0, args: &[] },
    FilterSpec { name: "title", required: 0, args: &[] },
    FilterSpec { name: "capitalize", required: 0, args: &[] },
    FilterSpec { name: "trim", required: 0, args: &[] },
    FilterSpec { name: "truncate", required: 0, args: &[ArgKind::Count, ArgKind::Bool, ArgKind::Text] },
    FilterSpec { name: "replace", required: 2, args: &[ArgKind::NonEmptyText, ArgKind::Text, ArgKind::Count] },
];

/// Registers exactly the [`FILTERS`] on `env`.
pub(crate) fn register(env: &mut Environment<'static>) {
    env.add_filter("default", default);
    env.add_filter("upper", |v: Value| map_text(v, |s| s.to_uppercase()));
    env.add_filter("lower", |v: Value| map_text(v, |s| s.to_lowercase()));
    env.add_filter("title", |v: Value| map_text(v, title));
    env.add_filter("capitalize", |v: Value| map_text(v, capitalize));
    env.add_filter("trim", |v: Value| map_text(v, |s| s.trim().to_owned()));
    env.add_filter("truncate", truncate);
    env.add_filter("replace", replace);
}

/// Whether a literal satisfies `kind` (`Any` is checked by walking the expression instead).
pub(crate) fn literal_fits(kind: ArgKind, value: &Value) -> bool {
    match kind {
        ArgKind::Any => true,
        ArgKind::Count => value.kind() == ValueKind::Number && value.as_usize().is_some(),
        ArgKind::Bool => value.kind() == ValueKind::Bool,
        ArgKind::Text => value.as_str().is_some(),
        ArgKind::NonEmptyText => value.as_str().is_some_and(|s| !s.is_empty()),
    }
}

/// How to describe what `kind` wants, completing "argument N of `f` must be …".
pub(crate) fn describe(kind: ArgKind) -> &'static str {
    match kind {
        ArgKind::Any => "a value",
        ArgKind::Count => "a whole number such as 20",
        ArgKind::Bool => "true or false",
        ArgKind::Text => "a quoted string",
        ArgKind::NonEmptyText => "a non-empty quoted string",
    }
}

/// `default(fallback, boolean=false)`: the fallback replaces an undefined, `none` or blank value (blank
/// too, unlike Jinja, because "Hi , welcome" is never wanted); with `true`, also any false-y value.
fn default(value: Value, fallback: Value, boolean: Option<bool>) -> Value {
    let blank = value.as_str().is_some_and(|s| s.trim().is_empty());
    let missing = value.is_undefined() || value.is_none() || blank;
    if missing || (boolean.unwrap_or(false) && !value.is_true()) {
        fallback
    } else {
        value
    }
}

/// `truncate(length=255, killwords=false, end="...")`: at most `length` characters including `end`,
/// cut at a word boundary unless `killwords`. No Jinja "leeway": the bound is exact, which SMS needs.
fn truncate(value: Value, length: Option<usize>, killwords: Option<bool>, end: Option<String>) -> Result<Value, Error> {
    map_text(value, |s| {
        let length = length.unwrap_or(255);
        if s.chars().count() <= length {
            return s.to_owned();
        }
        let end = end.as_deref().unwrap_or("...");
        let keep = length.saturating_sub(end.chars().count());
        let mut cut: String = s.chars().take(keep).collect();
        // The cut already ends a word when the next character is a space.
        let at_boundary = s.chars().nth(keep).is_some_and(char::is_whitespace);
        if !killwords.unwrap_or(false) && !at_boundary {
            if let Some(space) = cut.rfind(char::is_whitespace) {
                cut.truncate(space);
            }
            cut.truncate(cut.trim_end().len());
        }
        cut.push_str(end);
        cut
    })
}

/// `replace(old, new, count=all)`, refusing before allocating when the result would be too long.
fn replace(value: Value, old: String, new: String, count: Option<usize>) -> Result<Value, Error> {
    let Some(text) = text_of(&value) else { return Ok(value) };
    check_len(&text)?;
    if old.is_empty() {
        return Ok(Value::from(text));
    }
    let count = count.unwrap_or(usize::MAX);
    let hits = text.matches(old.as_str()).take(count).count();
    let grown = hits.saturating_mul(new.len()).saturating_add(text.len());
    if grown.saturating_sub(hits.saturating_mul(old.len())) > MAX_VALUE_BYTES {
        return Err(too_long());
    }
    Ok(Value::from(text.replacen(old.as_str(), &new, count)))
}

/// Applies `f` to the value's text; undefined and `none` pass through untouched so a later `default`
/// still sees them as missing, and numbers are filtered as their printed form.
fn map_text(value: Value, f: impl FnOnce(&str) -> String) -> Result<Value, Error> {
    let Some(text) = text_of(&value) else { return Ok(value) };
    check_len(&text)?;
    let out = f(&text);
    check_len(&out)?;
    Ok(Value::from(out))
}

fn text_of(value: &Value) -> Option<String> {
    if value.is_undefined() || value.is_none() {
        None
    } else {
        Some(value.as_str().map_or_else(|| value.to_string(), str::to_owned))
    }
}

fn check_len(text: &str) -> Result<(), Error> {
    if text.len() > MAX_VALUE_BYTES {
        Err(too_long())
    } else {
        Ok(())
    }
}

fn too_long() -> Error {
    Error::new(ErrorKind::InvalidOperation, format!("a value grew past {MAX_VALUE_BYTES} bytes"))
}

/// Jinja's `title`: upper-case every letter that follows a non-alphanumeric character, lower-case the rest.
fn title(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut after_boundary = true;
    for c in text.chars() {
        if after_boundary {
            out.extend(c.to_uppercase());
        } else {
            out.extend(c.to_lowercase());
        }
        after_boundary = !c.is_alphanumeric();
    }
    out
}

/// Jinja's `capitalize`: first character upper-case, the rest lower-case.
fn capitalize(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars.flat_map(char::to_lowercase)).collect(),
        None => String::new(),
    }
}
