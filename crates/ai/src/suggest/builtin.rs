//! The built-in message writer: three variants (friendly, urgent, exclusive) from templates chosen by what
//! the objective is about (win-back, welcome, sale, launch, loyalty, reminder, feedback) and who the audience
//! is (lapsed, high value, one city).
//!
//! Only vocabulary words are taken from the objective — a discount ("20% off", "flat ₹500 off"), free
//! delivery, buy-one-get-one and a festival's name — never its free text, so nothing typed into the
//! objective (a customer's number, template syntax) can reach a message. Each variant is made of parts;
//! optional ones are dropped from the end until the variant passes [`check`](super::check::check).

use converge_domain::SendChannel;

use super::check::check;
use super::MessageBrief;
use crate::text_rule::tokens::{amount, tokenize, Tok};
use crate::traits::Traits;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Intent {
    WinBack,
    Welcome,
    Sale,
    Launch,
    Loyalty,
    Reminder,
    Feedback,
    General,
}

const FESTIVALS: &[(&str, &str)] = &[
    ("diwali", "Diwali"),
    ("deepavali", "Deepavali"),
    ("holi", "Holi"),
    ("eid", "Eid"),
    ("christmas", "Christmas"),
    ("xmas", "Christmas"),
    ("pongal", "Pongal"),
    ("onam", "Onam"),
    ("navratri", "Navratri"),
    ("dussehra", "Dussehra"),
    ("rakhi", "Rakhi"),
    ("lohri", "Lohri"),
    ("bihu", "Bihu"),
    ("ugadi", "Ugadi"),
    ("valentine", "Valentine's"),
    ("valentines", "Valentine's"),
];

/// What the objective and audience give us to work with.
struct Context {
    intent: Intent,
    occasion: Option<&'static str>,
    /// "20% off", "Rs.500 off", "free delivery", "buy 1 get 1 free".
    offer: Option<String>,
    traits: Traits,
}

fn context(brief: &MessageBrief) -> Context {
    let tokens = tokenize(&brief.objective);
    let words: Vec<&str> =
        tokens.iter().filter_map(|t| if let Tok::Word(w) = t { Some(w.as_str()) } else { None }).collect();
    let has = |options: &[&str]| words.iter().any(|w| options.contains(w));
    let phrase = |a: &str, b: &str| words.windows(2).any(|pair| pair[0] == a && pair[1] == b);
    let traits = Traits::of(brief.rule.as_ref());
    let occasion = FESTIVALS
        .iter()
        .find(|(word, _)| words.contains(word))
        .map(|(_, name)| *name)
        .or_else(|| phrase("new", "year").then_some("New Year"));
    let sms = brief.channel == SendChannel::Sms || brief.channel == SendChannel::Preferred;
    let offer = offer(&tokens, sms);
    let intent = if has(&["winback", "win-back", "lapsed", "inactive", "dormant", "miss", "reactivate", "re-engage"])
        || phrase("win", "back")
        || phrase("come", "back")
        || phrase("bring", "back")
    {
        Intent::WinBack
    } else if has(&["welcome", "onboard", "onboarding", "signup", "signups", "joined"]) || phrase("new", "customers") {
        Intent::Welcome
    } else if has(&["feedback", "review", "reviews", "survey", "rate", "rating"]) {
        Intent::Feedback
    } else if has(&["cart", "reminder", "remind", "restock", "restocked"]) || phrase("back", "in") {
        Intent::Reminder
    } else if has(&["launch", "launching", "arrivals", "arrival", "collection", "introducing"]) {
        Intent::Launch
    } else if has(&["vip", "loyal", "loyalty", "thank", "thanks", "reward", "rewards", "points"]) {
        Intent::Loyalty
    } else if has(&["sale", "discount", "offer", "offers", "deal", "deals", "off", "coupon", "clearance"])
        || offer.is_some()
        || occasion.is_some()
    {
        Intent::Sale
    } else if traits.lapsed {
        Intent::WinBack
    } else if traits.new {
        Intent::Welcome
    } else if traits.high_value || traits.loyal {
        Intent::Loyalty
    } else {
        Intent::General
    };
    Context { intent, occasion, offer, traits }
}

/// The offer named in the objective, written so an SMS stays GSM-7 (`Rs.` rather than `₹`).
fn offer(tokens: &[Tok], sms: bool) -> Option<String> {
    let word = |i: usize| if let Some(Tok::Word(w)) = tokens.get(i) { Some(w.as_str()) } else { None };
    for (i, token) in tokens.iter().enumerate() {
        if let Tok::Num(number) = token {
            if word(i + 1) == Some("percent") && number.parse::<f64>().is_ok_and(|n| n > 0.0 && n < 100.0) {
                return Some(format!("{number}% off"));
            }
        }
    }
    for i in 0..tokens.len() {
        if let Some((found, used)) = amount(tokens, i) {
            let whole_rupees = found.currency == Some("INR") && found.hundredths % 100 == 0;
            if whole_rupees && word(i + used) == Some("off") {
                let sign = if sms { "Rs." } else { "₹" };
                return Some(format!("{sign}{} off", found.hundredths / 100));
            }
        }
    }
    let words: Vec<&str> =
        tokens.iter().filter_map(|t| if let Tok::Word(w) = t { Some(w.as_str()) } else { None }).collect();
    let has_pair = |a: &str, b: &str| words.windows(2).any(|p| p[0] == a && p[1] == b);
    if has_pair("free", "delivery") || has_pair("free", "shipping") {
        return Some("free delivery".to_owned());
    }
    if words.contains(&"bogo") || (has_pair("buy", "one") && has_pair("get", "one")) {
        return Some("buy 1 get 1 free".to_owned());
    }
    None
}

/// A part of a variant; optional parts are dropped (last first) when the message is too long.
struct Part {
    text: String,
    optional: bool,
}

fn req(text: impl Into<String>) -> Part {
    Part { text: text.into(), optional: false }
}

fn opt(text: impl Into<String>) -> Part {
    Part { text: text.into(), optional: true }
}

const NAME: &str = "{{ first_name | default(\"there\") }}";
/// For variants that open with the name alone: "Hey, hurry…" reads better than "there, hurry…".
const NAME_FIRST: &str = "{{ first_name | default(\"Hey\") }}";

/// The three variants for `ctx`, as (tone, parts).
fn drafts(ctx: &Context, long_form: bool) -> Vec<(&'static str, Vec<Part>)> {
    let offer = ctx.offer.clone();
    let occasion = ctx.occasion.map(|o| format!("{o} ")).unwrap_or_default();
    let with_offer = |fallback: &str| offer.clone().unwrap_or_else(|| fallback.to_owned());
    let city = ctx.traits.city.is_some().then(|| opt(" Visit our {{ city }} store."));
    let sign_off = long_form.then(|| opt("\n\n- Team {{ brand }}"));
    let mut variants: Vec<(&'static str, Vec<Part>)> = match ctx.intent {
        Intent::WinBack => vec![
            (
                "friendly",
                vec![
                    req(format!("Hi {NAME}, we miss you at {{{{ brand }}}}!")),
                    opt(offer.as_ref().map(|o| format!(" Here's {o} to welcome you back.")).unwrap_or_default()),
                    opt(" Come see what's new."),
                ],
            ),
            (
                "urgent",
                vec![
                    req(format!("{NAME_FIRST}, your comeback treat is waiting: {}.", with_offer("a special offer"))),
                    opt(" Don't miss it, visit us this week."),
                ],
            ),
            (
                "exclusive",
                vec![
                    req(format!(
                        "Dear {NAME}, it's been a while, so we saved {} just for you.",
                        with_offer("something special")
                    )),
                    opt(" See you soon at {{ brand }}."),
                ],
            ),
        ],
        Intent::Welcome => vec![
            (
                "friendly",
                vec![
                    req(format!("Hi {NAME}, welcome to {{{{ brand }}}}!")),
                    opt(offer.as_ref().map(|o| format!(" Enjoy {o} on your next order.")).unwrap_or_default()),
                    opt(" We're glad you're here."),
                ],
            ),
            (
                "urgent",
                vec![
                    req(format!(
                        "{NAME_FIRST}, your welcome gift won't wait: {}.",
                        with_offer("a treat on your next order")
                    )),
                    opt(" Use it this week."),
                ],
            ),
            (
                "exclusive",
                vec![req(format!(
                    "Dear {NAME}, thanks for joining {{{{ brand }}}}. As a new member you get {}.",
                    with_offer("early access to our best picks")
                ))],
            ),
        ],
        Intent::Sale | Intent::General => vec![
            (
                "friendly",
                vec![
                    req(format!("Hi {NAME}, our {occasion}sale is on at {{{{ brand }}}}!")),
                    opt(offer.as_ref().map(|o| format!(" Enjoy {o}.")).unwrap_or_default()),
                    opt(" Happy shopping!"),
                ],
            ),
            (
                "urgent",
                vec![
                    req(format!(
                        "{NAME_FIRST}, hurry: {} at {{{{ brand }}}} ends soon.",
                        with_offer(&format!("our {occasion}offers"))
                    )),
                    opt(" Shop now."),
                ],
            ),
            (
                "exclusive",
                vec![
                    req(format!(
                        "Dear {NAME}, you get early access to our {occasion}sale{}.",
                        offer.as_ref().map(|o| format!(": {o}")).unwrap_or_default()
                    )),
                    opt(" Just for you, from {{ brand }}."),
                ],
            ),
        ],
        Intent::Launch => vec![
            (
                "friendly",
                vec![
                    req(format!("Hi {NAME}, new arrivals just landed at {{{{ brand }}}}!")),
                    opt(offer.as_ref().map(|o| format!(" Enjoy {o}.")).unwrap_or_default()),
                    opt(" Come take a look."),
                ],
            ),
            (
                "urgent",
                vec![
                    req(format!("{NAME_FIRST}, our new collection is selling fast.")),
                    opt(" Grab your favourites today."),
                ],
            ),
            (
                "exclusive",
                vec![
                    req(format!("Dear {NAME}, be the first to see our new collection at {{{{ brand }}}}.")),
                    opt(offer.as_ref().map(|o| format!(" {o} for you.")).unwrap_or_default()),
                ],
            ),
        ],
        Intent::Loyalty => vec![
            (
                "friendly",
                vec![
                    req(format!("Hi {NAME}, thank you for shopping with {{{{ brand }}}}!")),
                    opt(offer.as_ref().map(|o| format!(" Here's {o} as a thank-you.")).unwrap_or_default()),
                ],
            ),
            (
                "urgent",
                vec![
                    req(format!("{NAME_FIRST}, your member reward is waiting: {}.", with_offer("a special thank-you"))),
                    opt(" Use it this week."),
                ],
            ),
            (
                "exclusive",
                vec![
                    req(format!(
                        "Dear {NAME}, as one of our valued customers you get {}.",
                        with_offer("early access to new arrivals")
                    )),
                    opt(" With thanks, {{ brand }}."),
                ],
            ),
        ],
        Intent::Reminder => vec![
            (
                "friendly",
                vec![
                    req(format!("Hi {NAME}, a quick reminder from {{{{ brand }}}}: your favourites are waiting.")),
                    opt(offer.as_ref().map(|o| format!(" Enjoy {o}.")).unwrap_or_default()),
                ],
            ),
            ("urgent", vec![req(format!("{NAME_FIRST}, the items you liked are almost gone.")), opt(" Order today.")]),
            ("exclusive", vec![req(format!("Dear {NAME}, we've kept your picks aside for you at {{{{ brand }}}}."))]),
        ],
        Intent::Feedback => vec![
            (
                "friendly",
                vec![
                    req(format!("Hi {NAME}, how was your last order from {{{{ brand }}}}?")),
                    opt(" We'd love your feedback."),
                ],
            ),
            (
                "urgent",
                vec![req(format!("{NAME_FIRST}, got a minute? Tell us how we did.")), opt(" It helps us improve.")],
            ),
            (
                "exclusive",
                vec![
                    req(format!("Dear {NAME}, your opinion matters to {{{{ brand }}}}.")),
                    opt(" Share your thoughts on your last purchase."),
                ],
            ),
        ],
    };
    if let Some((_, parts)) = variants.first_mut() {
        parts.extend(city);
    }
    if let Some(sign_off) = sign_off {
        if let Some((_, parts)) = variants.last_mut() {
            parts.push(sign_off);
        }
    }
    variants
}

/// Joins parts, dropping optional ones from the end until the text passes the checks.
fn fit(parts: &[Part], brief: &MessageBrief) -> Option<String> {
    let optional: Vec<usize> = parts.iter().enumerate().filter(|(_, p)| p.optional).map(|(i, _)| i).collect();
    for dropped in 0..=optional.len() {
        let skip = &optional[optional.len() - dropped..];
        let text: String =
            parts.iter().enumerate().filter(|(i, _)| !skip.contains(i)).map(|(_, p)| p.text.as_str()).collect();
        if check(&text, brief.channel, &brief.brand).is_ok() {
            return Some(text);
        }
    }
    None
}

/// Short variants that pass whatever the brand's length, for when nothing longer fits.
fn minimal(tone: &str) -> String {
    match tone {
        "friendly" => format!("Hi {NAME}, we have something new for you."),
        "urgent" => format!("{NAME_FIRST}, don't miss this week's offers."),
        _ => format!("Dear {NAME}, we picked something special for you."),
    }
}

/// The built-in variants for `brief`: three distinct (tone, text) pairs, each passing the checks.
pub(crate) fn variants(brief: &MessageBrief) -> Vec<(String, String)> {
    let ctx = context(brief);
    let long_form = brief.channel == SendChannel::Email;
    let mut out: Vec<(String, String)> = Vec::new();
    for (tone, parts) in drafts(&ctx, long_form) {
        let text = fit(&parts, brief).unwrap_or_else(|| minimal(tone));
        if !out.iter().any(|(_, t)| t.eq_ignore_ascii_case(&text)) {
            out.push((tone.to_owned(), text));
        }
    }
    out
}
