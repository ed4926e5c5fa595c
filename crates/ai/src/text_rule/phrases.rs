//! Recognisers for what customers did: spend, visits and orders thresholds, inactivity ("haven't shopped in 6
//! months"), recent orders ("ordered in the last 30 days") and sign-up time ("joined in the last 2 weeks").
//!
//! Each returns `None` when the phrase does not start at `i`, `Some(Err(why))` when it starts but cannot be
//! turned into a rule (the caller refuses the text with that message), or the conditions and tokens taken.

use serde_json::{json, Value};

use super::cursor::{bound_cond, cond, threshold, window, Bound, Cursor, Found};
use super::tokens::{amount, count, date, duration, Amount};

/// Verbs of buying.
const ACTIVITY: &[&str] = &[
    "shopped",
    "shop",
    "shopping",
    "ordered",
    "order",
    "ordering",
    "bought",
    "buy",
    "buying",
    "purchased",
    "purchase",
    "purchasing",
    "visited",
    "visit",
    "transacted",
    "returned",
    "spent",
];
/// Multi-word verbs of buying.
const ACTIVITY_PHRASES: &[&[&str]] = &[&["come", "back"], &["came", "back"], &["been", "active"], &["been", "back"]];
/// Words that may follow the verb before the time: "haven't bought anything in 3 months".
const OBJECTS: &[&[&str]] =
    &[&["anything"], &["something"], &["with", "us"], &["from", "us"], &["at", "all"], &["again"], &["online"]];

fn activity_verb(c: Cursor<'_>, i: usize) -> Option<usize> {
    if c.is(i, ACTIVITY) {
        return Some(1);
    }
    c.longest(i, ACTIVITY_PHRASES)
}

fn skip_objects(c: Cursor<'_>, mut at: usize) -> usize {
    while let Some(len) = c.longest(at, OBJECTS) {
        at += len;
    }
    at
}

/// `[the] [last|past] 6 months` after a preposition of time, or a bare duration.
fn span(c: Cursor<'_>, i: usize) -> Option<(i64, usize)> {
    if let Some(found) = window(c, i) {
        return Some(found);
    }
    let at = if c.is(i, &["since"]) { i + 1 } else { i };
    duration(c.toks, at).map(|(days, used)| (days, at + used - i))
}

fn never_ordered() -> Vec<Value> {
    vec![cond("order_count", "=", json!(0))]
}

/// "haven't shopped in 6 months", "not ordered for 90 days", "no orders in the last 60 days", "never
/// purchased", "inactive for 90+ days".
pub(crate) fn inactivity(c: Cursor<'_>, i: usize) -> Option<Found> {
    let mut at = i;
    if c.is(at, &["have", "has", "had", "did", "do", "does"]) {
        at += 1;
    }
    if c.is(at, &["not", "never"]) {
        at += 1;
        let verb = activity_verb(c, at)?;
        at = skip_objects(c, at + verb);
        return Some(Ok(match span(c, at) {
            Some((days, used)) => (vec![cond("inactive_days", ">=", json!(days))], at + used - i),
            None => {
                let trailing = c.longest(at, &[&["yet"], &["ever"], &["before"]]).unwrap_or(0);
                (never_ordered(), at + trailing - i)
            }
        }));
    }
    if at != i {
        return None;
    }
    if c.is(i, &["no", "zero"])
        && c.is(i + 1, &["orders", "purchases", "purchase", "visits", "activity", "shopping", "transactions"])
    {
        let at = i + 2;
        return Some(Ok(match span(c, at) {
            Some((days, used)) => (vec![cond("inactive_days", ">=", json!(days))], at + used - i),
            None => (never_ordered(), 2),
        }));
    }
    if c.is(i, &["inactive", "dormant", "lapsed", "idle"]) {
        let mut at = i + 1;
        if c.is(at, &["for", "since"]) {
            at += 1;
        }
        let found = threshold(c, at, |k| span(c, k), ">=");
        return Some(match found {
            Some((bound, used)) => Ok((vec![bound_cond("inactive_days", bound, |days| json!(days))], at + used - i)),
            None => Err(format!("“{}” needs a length of time, e.g. “inactive for 90 days”", c.word(i).unwrap_or(""))),
        });
    }
    None
}

/// "ordered in the last 30 days", "shopped within 2 weeks", "active in the past month", "last ordered more
/// than 3 months ago".
pub(crate) fn recency(c: Cursor<'_>, i: usize) -> Option<Found> {
    if c.is(i, &["last", "latest", "most"]) {
        let mut at = i + usize::from(c.seq(i, &["most", "recent"])) + 1;
        if !c.is(at, &["ordered", "order", "purchased", "purchase", "bought", "shopped", "visit", "visited"]) {
            return None;
        }
        at += 1;
        if c.is(at, &["was", "is"]) {
            at += 1;
        }
        if let Some((days, used)) = window(c, at) {
            return Some(Ok((vec![cond("last_order_at", "withinDays", json!(days))], at + used - i)));
        }
        let (bound, used) = threshold(c, at, |k| duration(c.toks, k), "")?;
        let Bound::One { op, value: days, .. } = bound else { return None };
        if !c.is(at + used, &["ago"]) {
            return None;
        }
        let operator = match op {
            ">" | ">=" => "olderThanDays",
            "<" | "<=" => "withinDays",
            _ => return Some(Err("say “more than” or “less than”, e.g. “last ordered more than 3 months ago”".into())),
        };
        return Some(Ok((vec![cond("last_order_at", operator, json!(days))], at + used + 1 - i)));
    }
    let verb = if c.is(i, &["active"]) { Some(1) } else { activity_verb(c, i) }?;
    let at = skip_objects(c, i + verb);
    if c.is(at, &["recently", "lately"]) {
        return Some(Err("say how recently, e.g. “ordered in the last 30 days”".into()));
    }
    let (days, used) = window(c, at)?;
    Some(Ok((vec![cond("last_order_at", "withinDays", json!(days))], at + used - i)))
}

const SPEND_HEADS: &[&[&str]] = &[
    &["spent"],
    &["spend"],
    &["spends"],
    &["spending"],
    &["spenders"],
    &["total", "spend"],
    &["total", "spending"],
    &["total", "spent"],
    &["lifetime", "spend"],
    &["lifetime", "value"],
    &["ltv"],
    &["total", "purchases"],
    &["purchases", "worth"],
    &["purchased", "worth"],
    &["bought", "worth"],
    &["shopped", "for"],
    &["purchases", "of"],
];
const SPEND_FILLERS: &[&[&str]] =
    &[&["is"], &["was"], &["of"], &["a", "total", "of"], &["in", "total"], &["total"], &["overall"]];

/// "spent over ₹5K", "total spend between 2000 and 5000", "spent 10k+ in the last 90 days", "over ₹10,000
/// in spend" (an explicit currency is enough to mean spend).
pub(crate) fn spend(c: Cursor<'_>, i: usize, currency: &str) -> Option<Found> {
    let read = |k: usize| amount(c.toks, k);
    let (bound, mut at) = match c.longest(i, SPEND_HEADS) {
        Some(head) => {
            let mut at = i + head;
            while let Some(len) = c.longest(at, SPEND_FILLERS) {
                at += len;
            }
            let (bound, used) = threshold(c, at, read, ">=")?;
            (bound, at + used)
        }
        None => {
            let (bound, used) = threshold(c, i, read, ">=")?;
            let explicit_money = match &bound {
                Bound::One { value, explicit, .. } => *explicit && value.currency.is_some(),
                Bound::Between(low, high) => low.currency.is_some() || high.currency.is_some(),
            };
            let spend_word = c.longest(i + used, &[&["in", "spend"], &["spend"], &["in", "purchases"], &["spent"]]);
            if !explicit_money && spend_word.is_none() {
                return None;
            }
            (bound, i + used + spend_word.unwrap_or(0))
        }
    };
    let currencies = match &bound {
        Bound::One { value, .. } => vec![value.currency],
        Bound::Between(low, high) => vec![low.currency, high.currency],
    };
    if let Some(other) = currencies.into_iter().flatten().find(|code| *code != currency) {
        return Some(Err(format!("amounts in this workspace are in {currency}, not {other}")));
    }
    at += c.longest(at, &[&["in", "total"], &["overall"], &["total"]]).unwrap_or(0);
    let field = match window(c, at) {
        Some((days, used)) => {
            at += used;
            match days {
                30 => "spend_last_30_days",
                90 => "spend_last_90_days",
                365 => "spend_last_365_days",
                _ => return Some(Err("spend over time is known for the last 30, 90 or 365 days".into())),
            }
        }
        None => "total_spend",
    };
    Some(Ok((vec![bound_cond(field, bound, Amount::json)], at - i)))
}

const ORDER_VERBS: &[&str] = &["ordered", "order", "purchased", "bought", "shopped", "transacted"];
const VISIT_VERBS: &[&str] = &["visited", "visit", "came"];
const ORDER_NOUNS: &[&str] = &["orders", "order", "purchases", "purchase", "transactions", "transaction"];
const VISIT_NOUNS: &[&str] = &["visits", "visit"];
const COUNT_HEADS: &[&[&str]] = &[
    &["order", "count"],
    &["number", "of", "orders"],
    &["orders"],
    &["visit", "count"],
    &["number", "of", "visits"],
    &["visits"],
];

/// A count with optional `times`: `3 times`, `once`, `twice`.
fn times(c: Cursor<'_>, i: usize) -> Option<(i64, usize)> {
    let once = match c.word(i) {
        Some("once") => Some(1),
        Some("twice") => Some(2),
        Some("thrice") => Some(3),
        _ => None,
    };
    if let Some(n) = once {
        return Some((n, 1));
    }
    let (n, used) = count(c.toks, i)?;
    Some((n, used + usize::from(c.is(i + used, &["times", "time"]))))
}

/// "visited more than 3 times", "at least 2 orders in the last 90 days", "3+ visits", "ordered once",
/// "order count >= 5", "repeat customers", "first-time buyers".
pub(crate) fn counts(c: Cursor<'_>, i: usize) -> Option<Found> {
    if c.is(i, &["repeat", "returning"]) && c.is(i + 1, &["customers", "buyers", "shoppers", "customer", "buyer"]) {
        return Some(Ok((vec![cond("order_count", ">=", json!(2))], 2)));
    }
    if c.longest(i, &[&["first-time"], &["first", "time"], &["one-time"], &["one", "time"]]).is_some() {
        let head = if c.is(i, &["first-time", "one-time"]) { 1 } else { 2 };
        if c.is(i + head, &["buyers", "customers", "shoppers", "buyer", "customer"]) {
            return Some(Ok((vec![cond("order_count", "=", json!(1))], head + 1)));
        }
    }
    // Verb first: "visited more than 3 times".
    let verb_kind = if c.is(i, ORDER_VERBS) {
        Some(false)
    } else if c.is(i, VISIT_VERBS) {
        Some(true)
    } else {
        None
    };
    let (visits, bound, mut at) = if let Some(visits) = verb_kind {
        let start = skip_objects(c, i + 1);
        let start = start + usize::from(c.is(start, &["us"]));
        match threshold(c, start, |k| times(c, k), "=") {
            Some((bound, used)) => (visits, bound, start + used),
            // "customers who ordered" (and nothing more): at least once.
            None if clause_ends(c, start) => (visits, Bound::One { op: ">=", value: 1, explicit: true }, start),
            None => return None,
        }
    } else if let Some(head) = c.longest(i, COUNT_HEADS) {
        // Noun first: "orders over 5", "order count >= 5".
        let start = i + head + usize::from(c.is(i + head, &["is", "of"]));
        let (bound, used) = threshold(c, start, |k| count(c.toks, k), "=")?;
        let visits =
            c.toks[i..i + head].iter().any(|t| matches!(t, super::tokens::Tok::Word(w) if w.starts_with("visit")));
        (visits, bound, start + used)
    } else {
        // Number first: "more than 3 orders", "3 or more visits", "3 orders or more".
        let (mut bound, used) = threshold(c, i, |k| count(c.toks, k), "=")?;
        let noun = i + used;
        let visits = if c.is(noun, VISIT_NOUNS) {
            true
        } else if c.is(noun, ORDER_NOUNS) {
            false
        } else {
            return None;
        };
        let mut at = noun + 1;
        if let Bound::One { op, explicit: false, .. } = &mut bound {
            if let Some((suffix_op, len)) = super::cursor::suffix(c, at) {
                *op = suffix_op;
                at += len;
            }
        }
        (visits, bound, at)
    };
    let field = match window(c, at) {
        Some((days, used)) => {
            at += used;
            match days {
                30 => "orders_last_30_days",
                90 => "orders_last_90_days",
                _ => return Some(Err("orders and visits over time are known for the last 30 or 90 days".into())),
            }
        }
        None if visits => "visits",
        None => "order_count",
    };
    Some(Ok((vec![bound_cond(field, bound, |n| json!(n))], at - i)))
}

const JOIN_HEADS: &[&[&str]] = &[
    &["joined"],
    &["joining"],
    &["signed", "up"],
    &["sign", "up"],
    &["signup"],
    &["signups"],
    &["registered"],
    &["created"],
    &["acquired"],
    &["onboarded"],
    &["became", "customers"],
    &["became", "a", "customer"],
    &["new", "customers"],
    &["new", "signups"],
    &["new", "users"],
    &["new", "members"],
    &["customers", "since"],
    &["customer", "since"],
    &["members", "since"],
    &["member", "since"],
];

/// "joined in the last 30 days", "signed up more than a year ago", "registered before 2025", "new customers
/// in the past 2 weeks", "customers since March 2024".
pub(crate) fn joined(c: Cursor<'_>, i: usize) -> Option<Found> {
    let head = c.longest(i, JOIN_HEADS)?;
    let since_head = c.word(i + head - 1) == Some("since");
    let mut at = i + head;
    at += c.longest(at, &[&["with", "us"], &["us"]]).unwrap_or(0);
    let ok = |conds: Vec<Value>, end: usize| Some(Ok((conds, end - i)));
    if since_head {
        let (span, used) = date(c.toks, at)?;
        return ok(vec![cond("created_at", ">=", json!(span.start))], at + used);
    }
    if let Some((days, used)) = window(c, at) {
        return ok(vec![cond("created_at", "withinDays", json!(days))], at + used);
    }
    if let Some((op, len)) = c.longest(at, &[&["before"], &["prior", "to"]]).map(|len| ("<", len)).or_else(|| {
        c.longest(at, &[&["after"]])
            .map(|len| (">", len))
            .or_else(|| c.longest(at, &[&["since"], &["on", "or", "after"], &["from"]]).map(|len| (">=", len)))
            .or_else(|| c.longest(at, &[&["in"], &["during"]]).map(|len| ("in", len)))
    }) {
        if let Some((span, used)) = date(c.toks, at + len) {
            let end = at + len + used;
            return match op {
                "<" => ok(vec![cond("created_at", "<", json!(span.start))], end),
                ">" => ok(vec![cond("created_at", ">=", json!(span.end))], end),
                ">=" => ok(vec![cond("created_at", ">=", json!(span.start))], end),
                _ => {
                    ok(vec![cond("created_at", ">=", json!(span.start)), cond("created_at", "<", json!(span.end))], end)
                }
            };
        }
    }
    if let Some((bound, used)) = threshold(c, at, |k| duration(c.toks, k), "") {
        if let (Bound::One { op, value: days, .. }, true) = (bound, c.is(at + used, &["ago"])) {
            let operator = match op {
                ">" | ">=" => "olderThanDays",
                "<" | "<=" => "withinDays",
                _ => return Some(Err("say “more than” or “less than”, e.g. “joined more than 6 months ago”".into())),
            };
            return ok(vec![cond("created_at", operator, json!(days))], at + used + 1);
        }
    }
    let phrase: Vec<&str> = (i..i + head).filter_map(|k| c.word(k)).collect();
    Some(Err(format!(
        "“{}” needs a time, e.g. “joined in the last 30 days” or “signed up before 2025”",
        phrase.join(" ")
    )))
}

/// Whether a clause ends at `i`: the end of the text, a connector or a bracket.
fn clause_ends(c: Cursor<'_>, i: usize) -> bool {
    match c.toks.get(i) {
        None | Some(super::tokens::Tok::Close) | Some(super::tokens::Tok::Sym(",")) => true,
        Some(_) => c.is(i, &["and", "or", "but", "who", "with", "in", "from"]) && window(c, i).is_none(),
    }
}
