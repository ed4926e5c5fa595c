//! Timestamps supplied by clients (`created_at`, `ordered_at`).

use chrono::{DateTime, Duration, Utc};

/// Parses an RFC 3339 timestamp (`2024-05-01T10:30:00+05:30`) into UTC.
///
/// Only RFC 3339, because it is unambiguous (an offset is required); dates before 1970 are refused as
/// certainly wrong for a customer or order, and dates more than 24 hours after `now` are refused because a
/// future `ordered_at` would corrupt "days since last order" for every rule that uses it. The 24 hours absorb
/// clock skew and time zones on the client's side.
pub fn parse_timestamp(text: &str, now: DateTime<Utc>) -> Result<DateTime<Utc>, String> {
    let parsed = DateTime::parse_from_rfc3339(text)
        .map_err(|_| "must be an RFC 3339 timestamp like 2024-05-01T10:30:00Z".to_owned())?
        .with_timezone(&Utc);
    if parsed < DateTime::UNIX_EPOCH {
        return Err("must not be before 1970-01-01".to_owned());
    }
    if parsed > now + Duration::hours(24) {
        return Err("is too far in the future".to_owned());
    }
    Ok(parsed)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn now() -> DateTime<Utc> {
        "2025-06-01T12:00:00Z".parse().unwrap()
    }

    #[test]
    fn accepts_rfc3339_and_converts_to_utc() {
        let parsed = parse_timestamp("2024-05-01T10:30:00+05:30", now()).unwrap();
        assert_eq!(parsed.to_rfc3339(), "2024-05-01T05:00:00+00:00");
        assert!(parse_timestamp("1970-01-01T00:00:00Z", now()).is_ok());
        assert!(parse_timestamp("2025-06-02T12:00:00Z", now()).is_ok(), "24 h of skew allowed");
        assert!(parse_timestamp("2025-06-01T11:59:59.123456Z", now()).is_ok());
    }

    #[test]
    fn rejects_other_formats_and_ranges() {
        let format = "must be an RFC 3339 timestamp like 2024-05-01T10:30:00Z";
        for (input, message) in [
            ("", format),
            ("2024-05-01", format),
            ("2024-05-01 10:30:00", format),
            ("2024-05-01T10:30:00", format),
            ("1714559400", format),
            ("2024-13-01T00:00:00Z", format),
            ("1969-12-31T23:59:59Z", "must not be before 1970-01-01"),
            ("2025-06-02T12:00:01Z", "is too far in the future"),
            ("9999-12-31T23:59:59Z", "is too far in the future"),
        ] {
            assert_eq!(parse_timestamp(input, now()), Err(message.to_owned()), "{input:?}");
        }
    }
}
