//! Reading phrases off the token stream: word sequences, comparators ("more than", "at least", "5k+"),
//! time windows ("in the last 90 days") and thresholds (`CMP value`, `value or more`, `between a and b`).

use serde_json::{json, Value};

use super::tokens::{duration, Tok};

/// What a recognizer found: conditions (rule JSON) and the tokens they took, or a message saying what is
/// missing ("inactive for how long?") when the phrase is recognised but incomplete.
pub(crate) type Found = Result<(Vec<Value>, usize), String>;

/// Borrowed tokens with lookups by position.
#[derive(Clone, Copy)]
pub(crate) struct Cursor<'a> {
    pub toks: &'a [Tok],
}

impl<'a> Cursor<'a> {
    pub fn word(&self, i: usize) -> Option<&'a str> {
        match self.toks.get(i) {
            Some(Tok::Word(word)) => Some(word.as_str()),
            _ => None,
        }
    }

    pub fn sym(&self, i: usize) -> Option<&'static str> {
        match self.toks.get(i) {
            Some(Tok::Sym(sym)) => Some(sym),
            _ => None,
        }
    }

    /// Whether the words at `i` are exactly `words`.
    pub fn seq(&self, i: usize, words: &[&str]) -> bool {
        words.iter().enumerate().all(|(k, word)| self.word(i + k) == Some(*word))
    }

    /// The length of the longest of `options` found at `i`.
    pub fn longest(&self, i: usize, options: &[&[&str]]) -> Option<usize> {
        options.iter().filter(|option| !option.is_empty() && self.seq(i, option)).map(|option| option.len()).max()
    }

    /// Whether the word at `i` is one of `words`.
    pub fn is(&self, i: usize, words: &[&str]) -> bool {
        self.word(i).is_some_and(|word| words.contains(&word))
    }
}

/// A condition in react-querybuilder JSON.
pub(crate) fn cond(field: &str, operator: &str, value: Value) -> Value {
    json!({"field": field, "operator": operator, "value": value})
}

const GT: &[&[&str]] = &[
    &["more", "than"],
    &["over"],
    &["above"],
    &["greater", "than"],
    &["higher", "than"],
    &["exceeding"],
    &["exceeds"],
    &["beyond"],
    &["upwards", "of"],
    &["in", "excess", "of"],
];
const GE: &[&[&str]] = &[
    &["at", "least"],
    &["minimum", "of"],
    &["minimum"],
    &["min"],
    &["no", "less", "than"],
    &["not", "less", "than"],
    &["no", "fewer", "than"],
];
const LT: &[&[&str]] = &[&["less", "than"], &["fewer", "than"], &["under"], &["below"], &["lower", "than"]];
const LE: &[&[&str]] = &[
    &["at", "most"],
    &["up", "to"],
    &["no", "more", "than"],
    &["not", "more", "than"],
    &["maximum", "of"],
    &["maximum"],
    &["max"],
];
const EQ: &[&[&str]] = &[&["exactly"], &["equal", "to"], &["equals"], &["only"]];

/// A comparator at `i`: its operator and length.
pub(crate) fn comparator(c: Cursor<'_>, i: usize) -> Option<(&'static str, usize)> {
    if let Some(sym) = c.sym(i) {
        return matches!(sym, ">" | ">=" | "<" | "<=" | "=").then_some((sym, 1));
    }
    [(">", GT), (">=", GE), ("<", LT), ("<=", LE), ("=", EQ)]
        .into_iter()
        .filter_map(|(op, options)| c.longest(i, options).map(|len| (op, len)))
        .max_by_key(|(_, len)| *len)
}

/// A comparator written after its value: `5k+`, `3 or more`, `2 and above`, `10 or fewer`.
pub(crate) fn suffix(c: Cursor<'_>, i: usize) -> Option<(&'static str, usize)> {
    if c.sym(i) == Some("+") {
        return Some((">=", 1));
    }
    const AT_LEAST: &[&[&str]] = &[
        &["or", "more"],
        &["and", "more"],
        &["or", "above"],
        &["and", "above"],
        &["and", "up"],
        &["or", "higher"],
        &["plus"],
    ];
    const AT_MOST: &[&[&str]] =
        &[&["or", "less"], &["or", "fewer"], &["or", "below"], &["and", "below"], &["or", "under"], &["and", "under"]];
    c.longest(i, AT_LEAST).map(|len| (">=", len)).or_else(|| c.longest(i, AT_MOST).map(|len| ("<=", len)))
}

/// A time window at `i`: `in the last 90 days`, `within 2 weeks`, `over the past year`, `last month`.
pub(crate) fn window(c: Cursor<'_>, i: usize) -> Option<(i64, usize)> {
    let mut at = i;
    let prep = c.is(at, &["in", "within", "over", "during", "for"]);
    if prep {
        at += 1;
    }
    if c.is(at, &["the"]) {
        at += 1;
    }
    let last = c.is(at, &["last", "past", "previous", "recent"]);
    if last {
        at += 1;
    }
    if !prep && !last {
        return None;
    }
    let (days, used) = duration(c.toks, at)?;
    Some((days, at + used - i))
}

/// A bound read by [`threshold`].
pub(crate) enum Bound<T> {
    /// `op value`; `explicit` is false when no comparator was written (the caller's default applied).
    One {
        op: &'static str,
        value: T,
        explicit: bool,
    },
    Between(T, T),
}

/// A threshold at `i`: `between A and B`, `from A to B`, `A-B`, `CMP A`, or `A [suffix]` (then `default_op`).
pub(crate) fn threshold<T: PartialOrd>(
    c: Cursor<'_>,
    i: usize,
    read: impl Fn(usize) -> Option<(T, usize)>,
    default_op: &'static str,
) -> Option<(Bound<T>, usize)> {
    if c.is(i, &["between", "from"]) {
        let (low, a) = read(i + 1)?;
        let sep = i + 1 + a;
        if !(c.is(sep, &["and", "to"]) || c.sym(sep) == Some("-")) {
            return None;
        }
        let (high, b) = read(sep + 1)?;
        let (low, high) = if low <= high { (low, high) } else { (high, low) };
        return Some((Bound::Between(low, high), 2 + a + b));
    }
    if let Some((op, used)) = comparator(c, i) {
        let (value, v) = read(i + used)?;
        return Some((Bound::One { op, value, explicit: true }, used + v));
    }
    let (value, v) = read(i)?;
    if c.sym(i + v) == Some("-") || c.is(i + v, &["to"]) {
        if let Some((high, h)) = read(i + v + 1) {
            let (low, high) = if value <= high { (value, high) } else { (high, value) };
            return Some((Bound::Between(low, high), v + 1 + h));
        }
    }
    match suffix(c, i + v) {
        Some((op, s)) => Some((Bound::One { op, value, explicit: true }, v + s)),
        None => Some((Bound::One { op: default_op, value, explicit: false }, v)),
    }
}

/// The condition for a bound on `field`, with `json` turning a value into its rule value.
pub(crate) fn bound_cond<T>(field: &str, bound: Bound<T>, json: impl Fn(T) -> Value) -> Value {
    match bound {
        Bound::One { op, value, .. } => cond(field, op, json(value)),
        Bound::Between(low, high) => cond(field, "between", Value::Array(vec![json(low), json(high)])),
    }
}
