//! [`Secret`]: a credential that never prints.

use std::fmt;

use serde::{Deserialize, Serialize};

/// An API key or password. `Debug` prints `[redacted]` and there is no `Display`, so a logged settings value,
/// sender or error cannot leak it; the value is read only through [`Secret::expose`], which makes every use
/// greppable.
///
/// `Serialize` writes the real value, because channel settings are stored per workspace and must round-trip.
/// Never serialize settings into an API response or a log; show [`crate::ChannelSettings::redacted`] instead.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Secret {
        Secret(value.into())
    }

    /// The secret itself, for the one place that sends it (an `Authorization` header, SMTP `AUTH`).
    pub fn expose(&self) -> &str {
        &self.0
    }

    pub(crate) fn is_blank(&self) -> bool {
        self.0.trim().is_empty()
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[redacted]")
    }
}

impl From<&str> for Secret {
    fn from(value: &str) -> Secret {
        Secret::new(value)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_hides_the_value_and_serde_round_trips_it() {
        let secret = Secret::new("k_live_123");
        assert_eq!(format!("{secret:?}"), "[redacted]");
        assert_eq!(format!("{:?}", Some(&secret)), "Some([redacted])");
        let json = serde_json::to_string(&secret).unwrap();
        assert_eq!(json, "\"k_live_123\"");
        assert_eq!(serde_json::from_str::<Secret>(&json).unwrap().expose(), "k_live_123");
    }
}
