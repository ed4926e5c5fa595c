//! Recognisers for who customers are: city (from the workspace's own city names), preferred channel,
//! gender, having an e-mail or phone, custom attributes, and rules written in field syntax
//! (`total_spend > 5000`).

use converge_domain::segment::{AttributeType, Catalogue, Field, FieldKind};
use serde_json::{json, Value};

use super::cursor::{bound_cond, comparator, cond, threshold, Cursor, Found};
use super::tokens::{amount, count, tokenize, Amount, Tok};

/// A name to look for, as lowercase words, and what it stands for.
pub(crate) struct Name {
    pub words: Vec<String>,
    pub value: String,
}

/// The workspace's cities as word sequences, longest first (so "navi mumbai" wins over "mumbai").
pub(crate) fn city_names(cities: &[String]) -> Vec<Name> {
    let mut names: Vec<Name> = cities
        .iter()
        .filter_map(|city| {
            let words: Vec<String> = tokenize(city)
                .into_iter()
                .map(|token| match token {
                    Tok::Word(word) => Some(word),
                    _ => None,
                })
                .collect::<Option<_>>()?;
            (!words.is_empty()).then(|| Name { words, value: city.trim().to_owned() })
        })
        .collect();
    names.sort_by_key(|name| std::cmp::Reverse(name.words.len()));
    names
}

fn name_at<'n>(c: Cursor<'_>, i: usize, names: &'n [Name]) -> Option<(&'n Name, usize)> {
    names
        .iter()
        .find(|name| name.words.iter().enumerate().all(|(k, w)| c.word(i + k) == Some(w.as_str())))
        .map(|n| (n, n.words.len()))
}

/// A list of names: `A`, `A or B`, `A, B and C`. Returns the values (deduplicated) and the tokens taken.
fn name_list(c: Cursor<'_>, i: usize, find: impl Fn(usize) -> Option<(String, usize)>) -> Option<(Vec<String>, usize)> {
    let (first, mut at) = find(i).map(|(value, used)| (value, i + used))?;
    let mut values = vec![first];
    loop {
        let comma = usize::from(c.sym(at) == Some(","));
        let sep = comma + usize::from(c.is(at + comma, &["or", "and"]));
        if sep == 0 {
            break;
        }
        match find(at + sep) {
            Some((value, used)) => {
                if !values.contains(&value) {
                    values.push(value);
                }
                at += sep + used;
            }
            None => break,
        }
    }
    Some((values, at - i))
}

fn one_or_in(field: &str, values: Vec<String>) -> Value {
    if values.len() == 1 {
        cond(field, "=", json!(values[0]))
    } else {
        cond(field, "in", json!(values))
    }
}

const PLACE_PREPS: &[&[&str]] = &[
    &["in"],
    &["from"],
    &["at"],
    &["near"],
    &["living", "in"],
    &["who", "live", "in"],
    &["live", "in"],
    &["lives", "in"],
    &["based", "in"],
    &["located", "in"],
    &["residing", "in"],
    &["city", "is"],
    &["city"],
];

/// "in Pune", "from Mumbai or Pune", "Bengaluru customers", "living in Navi Mumbai".
pub(crate) fn cities(c: Cursor<'_>, i: usize, names: &[Name]) -> Option<Found> {
    let at = i + c.longest(i, PLACE_PREPS).unwrap_or(0);
    let (values, used) = name_list(c, at, |k| name_at(c, k, names).map(|(name, used)| (name.value.clone(), used)))?;
    Some(Ok((vec![one_or_in("city", values)], at + used - i)))
}

fn channel_at(c: Cursor<'_>, i: usize) -> Option<(String, usize)> {
    const CHANNELS: &[(&str, &[&str])] = &[
        ("sms", &["sms"]),
        ("sms", &["text", "messages"]),
        ("sms", &["text", "message"]),
        ("sms", &["texts"]),
        ("email", &["email"]),
        ("email", &["e-mail"]),
        ("email", &["emails"]),
        ("email", &["mail"]),
        ("whatsapp", &["whatsapp"]),
        ("whatsapp", &["whats", "app"]),
        ("whatsapp", &["whats-app"]),
    ];
    CHANNELS
        .iter()
        .filter(|(_, words)| c.seq(i, words))
        .map(|(value, words)| ((*value).to_owned(), words.len()))
        .max_by_key(|(_, len)| *len)
}

/// "prefer WhatsApp", "SMS users", "on email or whatsapp", "preferred channel is sms".
pub(crate) fn channels(c: Cursor<'_>, i: usize) -> Option<Found> {
    const PREFIXES: &[&[&str]] = &[
        &["prefer"],
        &["prefers"],
        &["preferring"],
        &["preferred"],
        &["preferred", "channel", "is"],
        &["preferred", "channel"],
        &["channel", "is"],
        &["channel"],
        &["via"],
        &["on"],
        &["through"],
        &["like"],
        &["likes"],
        &["reachable", "on"],
        &["reachable", "by"],
        &["reachable", "via"],
    ];
    const SUFFIXES: &[&[&str]] = &[
        &["users"],
        &["customers"],
        &["subscribers"],
        &["people"],
        &["fans"],
        &["as", "their", "preferred", "channel"],
        &["as", "preferred", "channel"],
        &["as", "their", "channel"],
    ];
    let at = i + c.longest(i, PREFIXES).unwrap_or(0);
    let (values, used) = name_list(c, at, |k| channel_at(c, k))?;
    let end = at + used + c.longest(at + used, SUFFIXES).unwrap_or(0);
    Some(Ok((vec![one_or_in("preferred_channel", values)], end - i)))
}

fn gender_at(c: Cursor<'_>, i: usize) -> Option<(String, usize)> {
    let value = match c.word(i)? {
        "women" | "woman" | "female" | "females" | "ladies" | "lady" => "female",
        "men" | "man" | "male" | "males" | "gentlemen" | "gents" => "male",
        "non-binary" | "nonbinary" | "non_binary" => "non_binary",
        _ => return None,
    };
    Some((value.to_owned(), 1))
}

/// "women", "men and women", "female customers".
pub(crate) fn gender(c: Cursor<'_>, i: usize) -> Option<Found> {
    let at = i + c.longest(i, &[&["gender", "is"], &["gender"]]).unwrap_or(0);
    let (values, used) = name_list(c, at, |k| gender_at(c, k))?;
    Some(Ok((vec![one_or_in("gender", values)], at + used - i)))
}

/// "with an email address", "without a phone number", "no e-mail".
pub(crate) fn contact(c: Cursor<'_>, i: usize) -> Option<Found> {
    let (present, head) =
        if let Some(len) = c.longest(i, &[&["without"], &["no"], &["missing"], &["with", "no"], &["lacking"]]) {
            (false, len)
        } else {
            (true, c.longest(i, &[&["with"], &["having"], &["have"], &["has"], &["who", "have"]])?)
        };
    let mut at = i + head;
    if c.is(at, &["a", "an", "their"]) {
        at += 1;
    }
    let field = if c.is(at, &["email", "e-mail", "mail"]) {
        "email"
    } else if c.is(at, &["phone", "mobile"]) {
        "phone"
    } else {
        return None;
    };
    at += 1;
    at += c.longest(at, &[&["address"], &["id"], &["number"], &["numbers"], &["no"]]).unwrap_or(0);
    if c.is(at, &["as"]) {
        return None;
    }
    let operator = if present { "notNull" } else { "null" };
    Some(Ok((vec![json!({"field": field, "operator": operator})], at - i)))
}

/// A custom attribute: "tier is gold", "gold tier", "vip", "non-vip", "score over 7".
pub(crate) fn attributes(c: Cursor<'_>, i: usize, catalogue: &Catalogue) -> Option<Found> {
    for def in catalogue.fields() {
        let Field::Attribute(key, kind) = &def.field else { continue };
        let key_words: Vec<&str> = key.as_str().split(['_', '-']).filter(|w| !w.is_empty()).collect();
        let key_at = |k: usize| {
            if c.word(k) == Some(key.as_str()) {
                Some(1)
            } else {
                key_words.iter().enumerate().all(|(n, w)| c.word(k + n) == Some(*w)).then_some(key_words.len())
            }
        };
        let name = &def.name;
        if *kind == AttributeType::Boolean && c.word(i) == Some(format!("non-{key}").as_str()) {
            return Some(Ok((vec![cond(name, "=", json!(false))], 1)));
        }
        if let Some(len) = key_at(i) {
            let at = i + len + usize::from(c.is(i + len, &["is", "of", "equals"]) || c.sym(i + len) == Some("="));
            let found = match kind {
                AttributeType::Boolean => match c.word(at) {
                    Some("true" | "yes") => Some((cond(name, "=", json!(true)), at + 1)),
                    Some("false" | "no") => Some((cond(name, "=", json!(false)), at + 1)),
                    _ => Some((cond(name, "=", json!(true)), i + len)),
                },
                AttributeType::String => {
                    attribute_text(c, at).map(|(text, used)| (cond(name, "=", json!(text)), at + used))
                }
                AttributeType::Number => {
                    let start = i + len + usize::from(c.is(i + len, &["is", "of"]));
                    threshold(c, start, |k| number(c, k), "=")
                        .map(|(bound, used)| (bound_cond(name, bound, |n: Num| n.json), start + used))
                }
            };
            if let Some((condition, end)) = found {
                return Some(Ok((vec![condition], end - i)));
            }
        }
        if *kind == AttributeType::String {
            if let (Some((text, 1)), Some(len)) = (attribute_text(c, i), key_at(i + 1)) {
                return Some(Ok((vec![cond(name, "=", json!(text))], 1 + len)));
            }
        }
    }
    None
}

/// A text value for an attribute: a word that is not grammar, or a number.
fn attribute_text(c: Cursor<'_>, i: usize) -> Option<(String, usize)> {
    match c.toks.get(i)? {
        Tok::Num(text) => Some((text.clone(), 1)),
        Tok::Word(word) if !super::combine::is_grammar(word) => Some((word.clone(), 1)),
        _ => None,
    }
}

/// A number value of an attribute: ordered by its value, written as its JSON number.
#[derive(Clone, PartialEq)]
struct Num {
    key: f64,
    json: Value,
}

impl PartialOrd for Num {
    fn partial_cmp(&self, other: &Num) -> Option<std::cmp::Ordering> {
        self.key.partial_cmp(&other.key)
    }
}

fn number(c: Cursor<'_>, i: usize) -> Option<(Num, usize)> {
    match c.toks.get(i)? {
        Tok::Num(text) => Some((Num { key: text.parse().ok()?, json: serde_json::from_str::<Value>(text).ok()? }, 1)),
        _ => None,
    }
}

/// Field syntax: `total_spend > 5000`, `inactive_days >= 90`, `city = pune`, `attributes.tier is gold`.
pub(crate) fn direct(c: Cursor<'_>, i: usize, catalogue: &Catalogue) -> Option<Found> {
    let def = catalogue.get(c.word(i)?)?;
    let at = i + 1;
    let (op, len) = match c.sym(at) {
        Some("!=") => ("!=", 1),
        _ => match comparator(c, at) {
            Some(found) => found,
            None if c.seq(at, &["is", "not"]) => ("!=", 2),
            None if c.is(at, &["is"]) => ("=", 1),
            None => return None,
        },
    };
    let value_at = at + len;
    let (value, used) = match &def.kind {
        FieldKind::Money => amount(c.toks, value_at).map(|(a, used)| (Amount::json(a), used))?,
        FieldKind::Integer => count(c.toks, value_at).map(|(n, used)| (json!(n), used))?,
        FieldKind::Number => number(c, value_at).map(|(n, used)| (n.json, used))?,
        FieldKind::Boolean => match c.word(value_at)? {
            "true" | "yes" => (json!(true), 1),
            "false" | "no" => (json!(false), 1),
            _ => return None,
        },
        FieldKind::Date => return None,
        FieldKind::String | FieldKind::Enum { .. } => attribute_text(c, value_at).map(|(t, used)| (json!(t), used))?,
    };
    Some(Ok((vec![cond(&def.name, op, value)], value_at + used - i)))
}
