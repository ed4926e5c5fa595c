//! Closed vocabularies: [`Gender`] and the messaging [`Channel`].

use std::fmt;

use serde::{Deserialize, Serialize};

/// A customer's gender as the brand recorded it. `Unknown` is a real answer ("not recorded"), distinct from
/// the field being absent in an upsert (which means "keep what is stored").
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Gender {
    Female,
    Male,
    NonBinary,
    Other,
    Unknown,
}

impl Gender {
    /// Every value, in display order.
    pub const ALL: [Gender; 5] = [Gender::Female, Gender::Male, Gender::NonBinary, Gender::Other, Gender::Unknown];

    /// Parses one of `female`, `male`, `non_binary` (or `non-binary`), `other`, `unknown`, ignoring case and
    /// surrounding whitespace. Abbreviations such as `f` are refused: guessing is worse than asking.
    pub fn parse(raw: &str) -> Result<Gender, String> {
        match raw.trim().to_ascii_lowercase().as_str() {
            "female" => Ok(Gender::Female),
            "male" => Ok(Gender::Male),
            "non_binary" | "non-binary" => Ok(Gender::NonBinary),
            "other" => Ok(Gender::Other),
            "unknown" => Ok(Gender::Unknown),
            _ => Err("must be one of female, male, non_binary, other, unknown".to_owned()),
        }
    }

    /// The canonical lowercase word, as stored and serialized.
    pub fn as_str(self) -> &'static str {
        match self {
            Gender::Female => "female",
            Gender::Male => "male",
            Gender::NonBinary => "non_binary",
            Gender::Other => "other",
            Gender::Unknown => "unknown",
        }
    }
}

/// A messaging channel a campaign can send through, and a customer's preferred one.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Channel {
    Sms,
    Email,
    Whatsapp,
}

impl Channel {
    /// Every value, in display order.
    pub const ALL: [Channel; 3] = [Channel::Sms, Channel::Email, Channel::Whatsapp];

    /// Parses `sms`, `email` or `whatsapp`, ignoring case and surrounding whitespace.
    pub fn parse(raw: &str) -> Result<Channel, String> {
        match raw.trim().to_ascii_lowercase().as_str() {
            "sms" => Ok(Channel::Sms),
            "email" => Ok(Channel::Email),
            "whatsapp" => Ok(Channel::Whatsapp),
            _ => Err("must be one of sms, email, whatsapp".to_owned()),
        }
    }

    /// The lowercase name, as stored and serialized.
    pub fn as_str(self) -> &'static str {
        match self {
            Channel::Sms => "sms",
            Channel::Email => "email",
            Channel::Whatsapp => "whatsapp",
        }
    }
}

impl fmt::Display for Gender {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Display for Channel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gender_parses_exact_words_case_insensitively() {
        assert_eq!(Gender::parse("Female"), Ok(Gender::Female));
        assert_eq!(Gender::parse(" MALE "), Ok(Gender::Male));
        assert_eq!(Gender::parse("non-binary"), Ok(Gender::NonBinary));
        assert_eq!(Gender::parse("Non_Binary"), Ok(Gender::NonBinary));
        for gender in Gender::ALL {
            assert_eq!(Gender::parse(gender.as_str()), Ok(gender));
            let json = serde_json::to_string(&gender).unwrap();
            assert_eq!(json, format!("\"{gender}\""));
        }
    }

    #[test]
    fn gender_rejects_other_words() {
        for input in ["", "f", "m", "woman", "nonbinary", "non binary"] {
            assert_eq!(
                Gender::parse(input),
                Err("must be one of female, male, non_binary, other, unknown".to_owned()),
                "{input:?}"
            );
        }
    }

    #[test]
    fn channel_parses_and_prints() {
        assert_eq!(Channel::parse("WhatsApp"), Ok(Channel::Whatsapp));
        for channel in Channel::ALL {
            assert_eq!(Channel::parse(channel.as_str()), Ok(channel));
            assert_eq!(serde_json::to_string(&channel).unwrap(), format!("\"{channel}\""));
        }
        for input in ["", "e-mail", "whats app", "push", "telegram"] {
            assert_eq!(Channel::parse(input), Err("must be one of sms, email, whatsapp".to_owned()), "{input:?}");
        }
    }
}
