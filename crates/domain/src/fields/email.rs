//! [`Email`]: an e-mail address good enough to send to.

use serde::{Deserialize, Serialize};
use utoipa::openapi::{KnownFormat, SchemaFormat};

use super::string_schema;

/// An e-mail address: at most 254 characters, exactly one `@`, a local part of 1..=64 characters without
/// whitespace or control characters, and a DNS domain with at least two labels. The domain is lowercased
/// (domains are case-insensitive, so this makes equal addresses compare equal); the local part keeps its
/// case because, strictly, it is the receiving server's to interpret.
///
/// This is deliberately not full RFC 5322 (quoted local parts, IP literals): those addresses are valid on
/// paper but rejected by the messaging vendors we send through.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Email(String);

const INVALID: &str = "must be a valid e-mail address";

impl Email {
    /// Trims surrounding whitespace, checks the shape, lowercases the domain.
    pub fn parse(raw: &str) -> Result<Email, String> {
        let text = raw.trim();
        if text.is_empty() {
            return Err("must not be empty".to_owned());
        }
        if text.chars().count() > 254 {
            return Err("must be at most 254 characters".to_owned());
        }
        let Some((local, domain)) = text.split_once('@') else {
            return Err(INVALID.to_owned());
        };
        let local_ok =
            (1..=64).contains(&local.chars().count()) && !local.chars().any(|c| c.is_whitespace() || c.is_control());
        if !local_ok || !is_domain(domain) {
            return Err(INVALID.to_owned());
        }
        Ok(Email(format!("{local}@{}", domain.to_ascii_lowercase())))
    }

    /// The domain part, lowercase.
    pub fn domain(&self) -> &str {
        self.0.rsplit_once('@').map_or("", |(_, domain)| domain)
    }
}

/// A DNS name of at least two labels, each 1..=63 ASCII letters, digits or inner hyphens; the top-level label
/// is not all digits (that would be an IP address). Internationalised domains must arrive as punycode.
fn is_domain(domain: &str) -> bool {
    let labels: Vec<&str> = domain.split('.').collect();
    let label_ok = |label: &&str| {
        (1..=63).contains(&label.len())
            && label.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
            && !label.starts_with('-')
            && !label.ends_with('-')
    };
    labels.len() >= 2
        && domain.len() <= 253
        && labels.iter().all(label_ok)
        && labels.last().is_some_and(|tld| !tld.bytes().all(|b| b.is_ascii_digit()))
}

string_newtype!(
    Email,
    string_schema("E-mail address")
        .format(Some(SchemaFormat::KnownFormat(KnownFormat::Email)))
        .max_length(Some(254))
        .examples(["priya.sharma@example.in"])
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_and_normalises_valid_addresses() {
        let email = Email::parse(" Priya.Sharma+deals@Example.CO.in ").unwrap();
        assert_eq!(email.as_str(), "Priya.Sharma+deals@example.co.in");
        assert_eq!(email.domain(), "example.co.in");
        assert!(Email::parse("a@b.io").is_ok());
        assert!(Email::parse("x@xn--80ak6aa92e.com").is_ok());
        assert!(Email::parse(&format!("{}@example.com", "l".repeat(64))).is_ok());
    }

    #[test]
    fn rejects_invalid_addresses() {
        let long_local = format!("{}@example.com", "l".repeat(65));
        let too_long = format!("a@{}.com", "d".repeat(260));
        for input in [
            "plainaddress",
            "@example.com",
            "a@",
            "a@@example.com",
            "a@b@example.com",
            "a b@example.com",
            "a@example",
            "a@exa mple.com",
            "a@-example.com",
            "a@example-.com",
            "a@example..com",
            "a@.example.com",
            "a@example.com.",
            "a@exämple.com",
            "a@127.0.0.1",
            "a\u{1}@example.com",
            long_local.as_str(),
        ] {
            assert_eq!(Email::parse(input), Err(INVALID.to_owned()), "{input:?}");
        }
        assert_eq!(Email::parse("  "), Err("must not be empty".to_owned()));
        assert_eq!(Email::parse(&too_long), Err("must be at most 254 characters".to_owned()));
    }

    #[test]
    fn serde_reparses() {
        let email: Email = serde_json::from_str("\"A@EXAMPLE.COM\"").unwrap();
        assert_eq!(serde_json::to_string(&email).unwrap(), "\"A@example.com\"");
        assert!(serde_json::from_str::<Email>("\"nope\"").is_err());
    }
}
