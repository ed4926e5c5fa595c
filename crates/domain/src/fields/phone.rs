//! [`Phone`]: a phone number reduced to its digits.

use serde::{Deserialize, Serialize};

use super::string_schema;

/// A phone number stored as `+digits` (international form) or `digits` (as given, without country code).
/// Separators people type (spaces, `-`, `.`, `(`, `)`) are removed so that the same number written two ways
/// is one value; 7..=15 digits, the E.164 maximum. No country-specific rules: numbers come from everywhere.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Phone(String);

/// Raw input longer than this is refused before looking at it (a number with separators is never this long).
const MAX_RAW_CHARS: usize = 40;

impl Phone {
    /// Strips separators and checks the digit count.
    pub fn parse(raw: &str) -> Result<Phone, String> {
        let text = raw.trim();
        if text.is_empty() {
            return Err("must not be empty".to_owned());
        }
        if text.chars().count() > MAX_RAW_CHARS {
            return Err(format!("must be at most {MAX_RAW_CHARS} characters"));
        }
        let (plus, rest) = match text.strip_prefix('+') {
            Some(rest) => ("+", rest),
            None => ("", text),
        };
        let mut digits = String::with_capacity(rest.len());
        for c in rest.chars() {
            match c {
                '0'..='9' => digits.push(c),
                ' ' | '-' | '.' | '(' | ')' => {}
                _ => {
                    return Err("must contain only digits, an optional leading +, and spaces, dashes, \
                                dots or parentheses"
                        .to_owned())
                }
            }
        }
        if !(7..=15).contains(&digits.len()) {
            return Err("must have between 7 and 15 digits".to_owned());
        }
        Ok(Phone(format!("{plus}{digits}")))
    }

    /// True when the number was given with a leading `+` (a country code).
    pub fn is_international(&self) -> bool {
        self.0.starts_with('+')
    }

    /// A number as people write it (`98123 45602`, `098123-45602`, `(415) 555-0100`) in E.164 form for
    /// `country` (libphonenumber's rules for it: trunk prefixes dropped, lengths and ranges checked). A number
    /// given with `+` keeps its own country. Refuses only what cannot be a number of that country.
    pub fn normalize(raw: &str, country: phonenumber::country::Id) -> Result<Phone, String> {
        let parsed = phonenumber::parse(Some(country), raw.trim())
            .map_err(|_| format!("is not a phone number (read as a number of {})", country.as_ref()))?;
        if !phonenumber::is_valid(&parsed) {
            return Err(format!("is not a valid phone number for {}", country.as_ref()));
        }
        Phone::parse(&parsed.format().mode(phonenumber::Mode::E164).to_string())
    }
}

string_newtype!(
    Phone,
    string_schema("Phone number; separators are removed, 7 to 15 digits, optional leading +")
        .max_length(Some(MAX_RAW_CHARS))
        .pattern(Some(r"^\+?[ ().-]*([0-9][ ().-]*){7,15}$"))
        .examples(["+91 98765 43210"])
);

#[cfg(test)]
mod normalize_tests {
    #![allow(clippy::unwrap_used)]

    use super::Phone;
    use phonenumber::country::Id;

    #[test]
    fn national_numbers_become_e164_for_the_country() {
        assert_eq!(Phone::normalize("9812345602", Id::IN).unwrap().as_str(), "+919812345602");
        assert_eq!(Phone::normalize("098123 45602", Id::IN).unwrap().as_str(), "+919812345602");
        assert_eq!(Phone::normalize("(415) 555-2671", Id::US).unwrap().as_str(), "+14155552671");
        assert_eq!(Phone::normalize("+44 20 7946 0958", Id::IN).unwrap().as_str(), "+442079460958", "its own country");
        assert!(Phone::normalize("12345", Id::IN).is_err());
        assert!(Phone::normalize("call me", Id::IN).is_err());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strips_separators() {
        assert_eq!(Phone::parse("+91 98765 43210").unwrap().as_str(), "+919876543210");
        assert_eq!(Phone::parse("(022) 2345-6789").unwrap().as_str(), "02223456789");
        assert_eq!(Phone::parse("98.76.54.32.10").unwrap().as_str(), "9876543210");
        assert_eq!(Phone::parse("1234567").unwrap().as_str(), "1234567");
        assert!(Phone::parse("+123456789012345").unwrap().is_international());
    }

    #[test]
    fn rejects_bad_numbers() {
        let charset = "must contain only digits, an optional leading +, and spaces, dashes, dots or parentheses";
        let count = "must have between 7 and 15 digits";
        for (input, message) in [
            ("", "must not be empty"),
            ("123456", count),
            ("+1234567890123456", count),
            ("+", count),
            ("--------", count),
            ("98765x43210", charset),
            ("++919876543210", charset),
            ("98765+43210", charset),
            ("９８７６５４３２１０", charset),
            ("1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1", "must be at most 40 characters"),
        ] {
            assert_eq!(Phone::parse(input), Err(message.to_owned()), "{input:?}");
        }
    }

    #[test]
    fn serde_reparses() {
        let phone: Phone = serde_json::from_str("\"+91 (987) 654-3210\"").unwrap();
        assert_eq!(serde_json::to_string(&phone).unwrap(), "\"+919876543210\"");
        assert!(serde_json::from_str::<Phone>("\"12\"").is_err());
    }
}
