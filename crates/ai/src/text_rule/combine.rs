//! The built-in text → rule parser: walks the tokens, lets each recogniser claim the phrase that starts
//! where it stands, and combines the conditions with the connectors between them ("and", "but", "," → AND;
//! "or" → OR, binding looser than AND; brackets group). "not", "except", "outside" negate what follows.
//!
//! It refuses rather than guesses: any word it cannot place (a city it does not know, a number without a
//! unit) makes the whole text a refusal naming those words, because silently dropping "in Jaipur" would
//! return a wrong audience that looks right.

use serde_json::{json, Value};

use super::cursor::{Cursor, Found};
use super::phrases;
use super::places::{self, Name};
use super::tokens::{tokenize, Tok};
use super::AudienceBrief;

/// Deepest bracket nesting accepted (the rule format allows 6 levels in all).
const MAX_NESTING: usize = 4;

/// Words that carry no condition: who we are talking about, and the glue of English.
const FILLERS: &[&str] = &[
    "people",
    "person",
    "persons",
    "customers",
    "customer",
    "users",
    "user",
    "shoppers",
    "shopper",
    "buyers",
    "buyer",
    "members",
    "member",
    "clients",
    "client",
    "subscribers",
    "folks",
    "everyone",
    "everybody",
    "anyone",
    "all",
    "those",
    "these",
    "them",
    "they",
    "ones",
    "who",
    "whom",
    "whose",
    "that",
    "which",
    "where",
    "have",
    "has",
    "had",
    "having",
    "are",
    "is",
    "were",
    "was",
    "be",
    "been",
    "being",
    "with",
    "the",
    "a",
    "an",
    "of",
    "our",
    "my",
    "their",
    "to",
    "me",
    "us",
    "show",
    "find",
    "list",
    "get",
    "give",
    "select",
    "target",
    "pick",
    "fetch",
    "segment",
    "audience",
    "please",
    "i",
    "want",
    "need",
    "only",
    "just",
    "some",
    "any",
    "in",
    "from",
    "at",
    "on",
    "for",
    "by",
    "living",
    "live",
    "lives",
    "based",
    "located",
    "residing",
    "either",
    "both",
    "also",
    "currently",
    "total",
    "group",
    "it",
    "do",
    "does",
    "did",
    "there",
    "whoever",
    "anybody",
    "send",
    "message",
    "campaign",
    "reach",
    "like",
    "would",
    "placed",
    "made",
];
const AND: &[&str] = &["and", "but", "while", "plus", "whereas", "yet"];
const OR: &[&str] = &["or"];
const NOT: &[&[&str]] = &[
    &["not"],
    &["except"],
    &["excluding"],
    &["exclude"],
    &["outside"],
    &["other", "than"],
    &["apart", "from"],
    &["besides"],
    &["aside", "from"],
];

/// Whether `word` is grammar (a filler, connector or negation) rather than a value.
pub(crate) fn is_grammar(word: &str) -> bool {
    FILLERS.contains(&word) || AND.contains(&word) || OR.contains(&word) || NOT.iter().any(|n| n[0] == word)
}

enum Item {
    Node(Value),
    And,
    Or,
}

struct Parser<'a> {
    c: Cursor<'a>,
    brief: &'a AudienceBrief,
    cities: Vec<Name>,
    unknown: Vec<String>,
}

/// Parses the brief's text into rule JSON, or explains why it cannot.
pub(crate) fn parse(brief: &AudienceBrief) -> Result<Value, String> {
    let tokens = tokenize(&brief.text);
    let mut parser =
        Parser { c: Cursor { toks: &tokens }, brief, cities: places::city_names(&brief.cities), unknown: Vec::new() };
    let mut at = 0;
    let root = parser.group(&mut at, 0)?;
    if !parser.unknown.is_empty() {
        return Err(unknown_message(&parser.unknown, &brief.cities));
    }
    match root {
        Some(node) if node.get("rules").is_some() && node.get("not").is_none() => Ok(node),
        Some(node) => Ok(json!({"combinator": "and", "rules": [node]})),
        None => Err(format!("the text names no condition. {}", hint(&brief.cities))),
    }
}

impl Parser<'_> {
    fn recognise(&self, i: usize) -> Option<Found> {
        let c = self.c;
        let currency = self.brief.currency.code();
        phrases::inactivity(c, i)
            .or_else(|| phrases::counts(c, i))
            .or_else(|| phrases::spend(c, i, currency))
            .or_else(|| phrases::recency(c, i))
            .or_else(|| phrases::joined(c, i))
            .or_else(|| places::contact(c, i))
            .or_else(|| places::direct(c, i, &self.brief.catalogue))
            .or_else(|| places::cities(c, i, &self.cities))
            .or_else(|| places::channels(c, i))
            .or_else(|| places::gender(c, i))
            .or_else(|| places::attributes(c, i, &self.brief.catalogue))
    }

    /// Parses items until the end or a closing bracket; returns the combined node (`None` if empty).
    fn group(&mut self, at: &mut usize, depth: usize) -> Result<Option<Value>, String> {
        let mut items = Vec::new();
        let mut negate = false;
        while let Some(token) = self.c.toks.get(*at) {
            match token {
                Tok::Close if depth > 0 => {
                    *at += 1;
                    break;
                }
                Tok::Close => *at += 1,
                Tok::Open => {
                    if depth + 1 > MAX_NESTING {
                        return Err(format!("brackets may nest at most {MAX_NESTING} deep"));
                    }
                    *at += 1;
                    if let Some(node) = self.group(at, depth + 1)? {
                        items.push(Item::Node(if std::mem::take(&mut negate) { not(vec![node]) } else { node }));
                    }
                }
                Tok::Sym(",") => {
                    items.push(Item::And);
                    *at += 1;
                }
                _ => {
                    if let Some(found) = self.recognise(*at) {
                        let (conditions, used) = found?;
                        *at += used.max(1);
                        if std::mem::take(&mut negate) {
                            items.push(Item::Node(not(conditions)));
                        } else {
                            items.extend(conditions.into_iter().map(Item::Node));
                        }
                        continue;
                    }
                    let word = self.c.word(*at);
                    if let Some(len) = self.c.longest(*at, NOT) {
                        negate = true;
                        *at += len;
                        continue;
                    }
                    match word {
                        Some(w) if OR.contains(&w) => items.push(Item::Or),
                        Some(w) if AND.contains(&w) => items.push(Item::And),
                        Some(w) if FILLERS.contains(&w) => {}
                        Some(w) => self.unknown.push(w.to_owned()),
                        None => self.unknown.push(shown(token)),
                    }
                    *at += 1;
                }
            }
        }
        if negate {
            return Err("“not” must be followed by what to exclude, e.g. “not in Pune”".into());
        }
        Ok(combine(items))
    }
}

/// Nodes joined by AND bind tighter than OR: `A and B or C` is `(A and B) or C`.
fn combine(items: Vec<Item>) -> Option<Value> {
    let mut alternatives: Vec<Vec<Value>> = vec![Vec::new()];
    for item in items {
        match item {
            Item::Node(node) => {
                if let Some(current) = alternatives.last_mut() {
                    current.push(node);
                }
            }
            Item::Or => alternatives.push(Vec::new()),
            Item::And => {}
        }
    }
    let mut groups: Vec<Value> = alternatives
        .into_iter()
        .filter(|nodes| !nodes.is_empty())
        .map(|mut nodes| if nodes.len() == 1 { nodes.remove(0) } else { json!({"combinator": "and", "rules": nodes}) })
        .collect();
    match groups.len() {
        0 => None,
        1 => groups.pop(),
        _ => Some(json!({"combinator": "or", "rules": groups})),
    }
}

/// The negation of `nodes` (taken together): one condition with its opposite operator where that is exact,
/// otherwise a `not` group.
fn not(mut nodes: Vec<Value>) -> Value {
    if let [only] = nodes.as_slice() {
        if let Some(flipped) = opposite(only) {
            return flipped;
        }
        // A bracketed group that is not negated yet: negate it in place rather than nest it.
        if only.get("rules").is_some() && only.get("not").is_none() {
            let mut group = nodes.remove(0);
            group["not"] = json!(true);
            return group;
        }
    }
    json!({"combinator": "and", "not": true, "rules": nodes})
}

fn opposite(node: &Value) -> Option<Value> {
    let operator = node.get("operator")?.as_str()?;
    let mut flipped = node.clone();
    let new = match operator {
        "=" if node.get("value")?.is_boolean() => {
            flipped["value"] = json!(!node["value"].as_bool()?);
            "="
        }
        "=" => "!=",
        "!=" => "=",
        "in" => "notIn",
        "notIn" => "in",
        "null" => "notNull",
        "notNull" => "null",
        "between" => "notBetween",
        "notBetween" => "between",
        // A missing value fails both `>` and `<=`, so flipping inequalities or day windows is not exact.
        _ => return None,
    };
    flipped["operator"] = json!(new);
    Some(flipped)
}

fn shown(token: &Tok) -> String {
    match token {
        Tok::Word(word) | Tok::Num(word) => word.clone(),
        Tok::Sym(sym) => (*sym).to_owned(),
        Tok::Open => "(".into(),
        Tok::Close => ")".into(),
    }
}

fn hint(cities: &[String]) -> String {
    let mut text = "Describe who to include, e.g. “spent over ₹5,000”, “haven't shopped in 6 months”, “ordered in the \
        last 30 days”, “more than 3 visits”, “joined in the last 2 weeks”, “prefer WhatsApp”, “women”"
        .to_owned();
    if !cities.is_empty() {
        let known: Vec<&str> = cities.iter().take(5).map(String::as_str).collect();
        text.push_str(&format!(", “in {}”", known.join(" or ")));
    }
    text.push('.');
    text
}

fn unknown_message(unknown: &[String], cities: &[String]) -> String {
    let mut shown: Vec<String> = Vec::new();
    for word in unknown {
        if !shown.contains(word) && shown.len() < 5 {
            shown.push(word.clone());
        }
    }
    let quoted: Vec<String> = shown.iter().map(|w| format!("“{}”", w.chars().take(40).collect::<String>())).collect();
    let mut text = format!("could not understand {}. ", quoted.join(", "));
    if !cities.is_empty() {
        text.push_str("Cities are matched against this workspace's customers. ");
    }
    text.push_str(&hint(cities));
    text
}
