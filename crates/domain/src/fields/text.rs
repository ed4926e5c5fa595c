//! Free-text fields: identifiers, names, cities, catalogue labels. They share one rule (trimmed, non-empty,
//! bounded length, no control characters) and differ only in their limit, so each is a thin newtype over
//! [`bounded_text`].

use serde::{Deserialize, Serialize};

use super::string_schema;

/// Trims `raw` and checks it is 1..=`max_chars` characters with no control characters. Control characters are
/// refused because they are invisible in the UI, break CSV exports and (NUL) cannot be stored in Postgres text.
pub(crate) fn bounded_text(raw: &str, max_chars: usize) -> Result<String, String> {
    let text = raw.trim();
    if text.is_empty() {
        return Err("must not be empty".to_owned());
    }
    if text.chars().count() > max_chars {
        return Err(format!("must be at most {max_chars} characters"));
    }
    if text.chars().any(char::is_control) {
        return Err("must not contain control characters".to_owned());
    }
    Ok(text.to_owned())
}

macro_rules! bounded_text_type {
    ($(#[$doc:meta])* $name:ident, $max:expr, $description:expr, $example:expr) => {
        $(#[$doc])*
        #[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        #[serde(try_from = "String", into = "String")]
        pub struct $name(String);

        impl $name {
            /// Longest accepted value, in characters.
            pub const MAX_CHARS: usize = $max;

            /// Trims surrounding whitespace, then requires 1..=`MAX_CHARS` characters and no control characters.
            pub fn parse(raw: &str) -> Result<Self, String> {
                bounded_text(raw, Self::MAX_CHARS).map($name)
            }
        }

        string_newtype!(
            $name,
            string_schema($description)
                .min_length(Some(1))
                .max_length(Some($max))
                .pattern(Some(super::VISIBLE_TEXT_PATTERN))
                .examples([$example])
        );
    };
}

bounded_text_type!(
    /// The client's own identifier of a customer or order: the key of upserts and of order idempotency.
    /// Kept exactly as sent apart from surrounding whitespace, since it must match the client's systems.
    ExternalId,
    128,
    "The client's identifier, unique per workspace",
    "C00000042"
);

impl ExternalId {
    /// `prefix` followed by `number` zero-padded to `width` digits, e.g. `numbered("C", 42, 8)` is `C00000042`:
    /// the form generated data and fixtures use. It cannot fail, so callers that build ids from numbers need
    /// no error path: only ASCII letters, digits, `-` and `_` of `prefix` are kept (at most 64), `width` is
    /// capped at 60, so the result is always 1..=124 visible characters.
    pub fn numbered(prefix: &str, number: u64, width: usize) -> ExternalId {
        let prefix: String =
            prefix.chars().filter(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_').take(64).collect();
        let width = width.min(60);
        ExternalId(format!("{prefix}{number:0width$}"))
    }
}

bounded_text_type!(
    /// A person's display name. No structure is imposed (names do not split into first/last everywhere).
    PersonName,
    200,
    "Full name as it should appear in messages",
    "Priya Sharma"
);

bounded_text_type!(
    /// A city name, compared case-insensitively by segment rules.
    City,
    100,
    "City name",
    "Bengaluru"
);

bounded_text_type!(
    /// A saved segment's name, as the audience list shows it.
    SegmentName,
    100,
    "The segment's name",
    "Lapsed big spenders"
);

bounded_text_type!(
    /// A campaign's name, as the campaign list shows it.
    CampaignName,
    200,
    "The campaign's name",
    "Diwali win-back"
);

bounded_text_type!(
    /// Where an order was placed (`web`, `app`, `store`): a free label, not a messaging [`super::Channel`].
    SalesChannel,
    40,
    "Where the order was placed, e.g. web, app, store",
    "web"
);

bounded_text_type!(
    /// A stock-keeping unit code of an order item.
    Sku,
    64,
    "Stock-keeping unit code",
    "SKU-KURTA-001"
);

bounded_text_type!(
    /// A product's display name on an order item.
    ProductName,
    200,
    "Product name",
    "Cotton kurta"
);

/// Trims `raw` and checks it is at most `max_chars` characters without control characters (but for line
/// breaks and tabs when `multiline`). Empty is allowed: these are optional notes, not names.
pub(crate) fn optional_text(raw: &str, max_chars: usize, multiline: bool) -> Result<String, String> {
    let text = raw.trim();
    if text.chars().count() > max_chars {
        return Err(format!("must be at most {max_chars} characters"));
    }
    if text.chars().any(|c| c.is_control() && !(multiline && matches!(c, '\n' | '\r' | '\t'))) {
        return Err(if multiline {
            "must not contain control characters other than line breaks and tabs".to_owned()
        } else {
            "must not contain control characters".to_owned()
        });
    }
    Ok(text.to_owned())
}

macro_rules! optional_text_type {
    ($(#[$doc:meta])* $name:ident, $max:expr, multiline = $multiline:expr, $pattern:expr, $description:expr, $example:expr) => {
        $(#[$doc])*
        #[derive(Clone, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        #[serde(try_from = "String", into = "String")]
        pub struct $name(String);

        impl $name {
            /// Longest accepted value, in characters.
            pub const MAX_CHARS: usize = $max;

            /// Trims surrounding whitespace, then requires at most `MAX_CHARS` characters and no control
            /// characters; empty is allowed.
            pub fn parse(raw: &str) -> Result<Self, String> {
                optional_text(raw, Self::MAX_CHARS, $multiline).map($name)
            }
        }

        string_newtype!(
            $name,
            string_schema($description).max_length(Some($max)).pattern(Some($pattern)).examples([$example])
        );
    };
}

optional_text_type!(
    /// What an API key is for, as the key list shows it (may be empty).
    ApiKeyLabel,
    100,
    multiline = false,
    super::NO_CONTROL_PATTERN,
    "What the key is for",
    "Shopify sync"
);

optional_text_type!(
    /// A saved segment's description (may be empty; line breaks allowed).
    SegmentDescription,
    1000,
    multiline = true,
    super::NOTE_PATTERN,
    "What the segment is for",
    "Spent over 5,000 but have not ordered in 90 days"
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn optional_text_may_be_empty_but_stays_bounded_and_visible() {
        assert_eq!(ApiKeyLabel::parse("  ").unwrap().as_str(), "");
        assert_eq!(ApiKeyLabel::parse(" sync ").unwrap().as_str(), "sync");
        assert!(ApiKeyLabel::parse(&"k".repeat(100)).is_ok());
        assert!(ApiKeyLabel::parse(&"k".repeat(101)).is_err());
        assert!(ApiKeyLabel::parse("a\nb").is_err());
        assert_eq!(SegmentDescription::parse("line one\nline two").unwrap().as_str(), "line one\nline two");
        assert!(SegmentDescription::parse(&"d".repeat(1001)).is_err());
        assert!(SegmentDescription::parse("bell\u{7}").is_err());
        assert!(SegmentDescription::parse("nul\u{0}").is_err());
    }

    #[test]
    fn keeps_trimmed_valid_text() {
        assert_eq!(ExternalId::parse("  C-1 ").unwrap().as_str(), "C-1");
        assert_eq!(PersonName::parse("Priya Sharma").unwrap().as_str(), "Priya Sharma");
        assert_eq!(City::parse("Thiruvananthapuram").unwrap().as_str(), "Thiruvananthapuram");
        assert_eq!(PersonName::parse("José Ñúñez 李").unwrap().as_str(), "José Ñúñez 李");
        assert!(ExternalId::parse(&"x".repeat(128)).is_ok());
        assert!(City::parse(&"é".repeat(100)).is_ok(), "limits count characters, not bytes");
    }

    type Parse = fn(&str) -> Result<(), String>;

    #[test]
    fn rejects_empty_long_and_control_text() {
        let external_id: Parse = |s| ExternalId::parse(s).map(drop);
        let name: Parse = |s| PersonName::parse(s).map(drop);
        let city: Parse = |s| City::parse(s).map(drop);
        let cases = [
            (external_id, String::new(), "must not be empty"),
            (external_id, "   ".to_owned(), "must not be empty"),
            (external_id, "x".repeat(129), "must be at most 128 characters"),
            (external_id, "a\u{0}b".to_owned(), "must not contain control characters"),
            (name, "\t".to_owned(), "must not be empty"),
            (name, "a\nb".to_owned(), "must not contain control characters"),
            (name, "x".repeat(201), "must be at most 200 characters"),
            (city, String::new(), "must not be empty"),
            (city, "Pune\u{7}".to_owned(), "must not contain control characters"),
            (city, "x".repeat(101), "must be at most 100 characters"),
        ];
        for (parse, input, message) in cases {
            assert_eq!(parse(&input), Err(message.to_owned()), "{input:?}");
        }
    }

    #[test]
    fn numbered_ids_are_always_valid() {
        assert_eq!(ExternalId::numbered("C", 42, 8).as_str(), "C00000042");
        assert_eq!(ExternalId::numbered("O", 7, 0).as_str(), "O7");
        let odd = ExternalId::numbered(" \u{0}x y\n", u64::MAX, 1000);
        assert_eq!(ExternalId::parse(odd.as_str()), Ok(odd.clone()));
        let long = ExternalId::numbered(&"p".repeat(500), u64::MAX, 1000);
        assert_eq!(ExternalId::parse(long.as_str()), Ok(long));
    }

    #[test]
    fn serde_reparses() {
        let id: ExternalId = serde_json::from_str("\" C1 \"").unwrap();
        assert_eq!(id.as_str(), "C1");
        assert_eq!(serde_json::to_string(&id).unwrap(), "\"C1\"");
        assert!(serde_json::from_str::<ExternalId>("\"\"").is_err());
        assert!(serde_json::from_str::<Sku>("\"a\\u0000\"").is_err());
    }

    #[test]
    fn sku_and_product_name_limits() {
        assert!(Sku::parse(&"s".repeat(64)).is_ok());
        assert_eq!(Sku::parse(&"s".repeat(65)), Err("must be at most 64 characters".into()));
        assert!(ProductName::parse("Cotton kurta").is_ok());
        assert_eq!(ProductName::parse(""), Err("must not be empty".into()));
    }
}
