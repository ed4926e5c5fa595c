//! Checks on [`ChannelSettings`]: every problem is collected (not just the first) and named by its dotted
//! path, so a settings form can mark each bad field at once.

use std::fmt;
use std::net::IpAddr;

use super::{ChannelConfig, ChannelSettings, SmtpConfig, SmtpTls, VendorConfig};

/// Shortest and longest accepted timeouts: below 100 ms a healthy vendor times out; above two minutes a
/// stuck connection holds a dispatch worker for too long.
const TIMEOUT_RANGE_MS: std::ops::RangeInclusive<u64> = 100..=120_000;
const POOL_RANGE: std::ops::RangeInclusive<u32> = 1..=64;
const MAX_NAME_CHARS: usize = 200;
/// A receipt signing secret: long enough not to be guessed, short enough for any vendor's settings form.
const SIGNING_SECRET_BYTES: std::ops::RangeInclusive<usize> = 16..=512;

/// One bad field: `field` is a dotted path such as `email.port`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SettingsIssue {
    pub field: String,
    pub message: String,
}

/// Every problem found in a [`ChannelSettings`] (never empty).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub struct InvalidSettings(pub Vec<SettingsIssue>);

impl fmt::Display for InvalidSettings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("invalid channel settings: ")?;
        for (index, issue) in self.0.iter().enumerate() {
            let separator = if index == 0 { "" } else { "; " };
            write!(f, "{separator}{}: {}", issue.field, issue.message)?;
        }
        Ok(())
    }
}

/// Collects issues under one channel's prefix.
struct Issues<'a> {
    prefix: &'a str,
    found: &'a mut Vec<SettingsIssue>,
}

impl Issues<'_> {
    fn check(&mut self, ok: bool, field: &str, message: impl Into<String>) {
        if !ok {
            self.found.push(SettingsIssue { field: format!("{}.{field}", self.prefix), message: message.into() });
        }
    }
}

impl ChannelSettings {
    /// Checks every channel's settings. SMTP can only carry e-mail.
    pub fn validate(&self) -> Result<(), InvalidSettings> {
        let mut found = Vec::new();
        for (prefix, config, is_email) in
            [("sms", &self.sms, false), ("whatsapp", &self.whatsapp, false), ("email", &self.email, true)]
        {
            let mut issues = Issues { prefix, found: &mut found };
            match config {
                ChannelConfig::Vendor(vendor) => vendor.check(&mut issues),
                ChannelConfig::Smtp(smtp) => {
                    issues.check(is_email, "kind", "smtp delivers e-mail only; use a vendor for this channel");
                    smtp.check(&mut issues);
                }
            }
        }
        into_result(found)
    }
}

fn into_result(found: Vec<SettingsIssue>) -> Result<(), InvalidSettings> {
    if found.is_empty() {
        Ok(())
    } else {
        Err(InvalidSettings(found))
    }
}

impl VendorConfig {
    /// Checks this config alone; issues are named `vendor.<field>`.
    pub fn validate(&self) -> Result<(), InvalidSettings> {
        let mut found = Vec::new();
        self.check(&mut Issues { prefix: "vendor", found: &mut found });
        into_result(found)
    }

    fn check(&self, issues: &mut Issues<'_>) {
        match reqwest::Url::parse(&self.base_url) {
            Ok(url) => {
                let scheme_ok = matches!(url.scheme(), "http" | "https");
                issues.check(scheme_ok, "base_url", "must be an http:// or https:// URL");
                issues.check(url.host().is_some(), "base_url", "must name a host");
                let plain = url.query().is_none() && url.fragment().is_none();
                issues.check(plain, "base_url", "must not have a query or fragment");
                let anonymous = url.username().is_empty() && url.password().is_none();
                issues.check(anonymous, "base_url", "must not carry credentials; use api_key");
            }
            Err(_) => issues.check(false, "base_url", "must be a full web address, such as https://api.vendor.com"),
        }
        issues.check(!self.api_key.is_blank(), "api_key", "must not be empty");
        let header_safe = self.api_key.expose().bytes().all(|b| b.is_ascii_graphic());
        issues.check(header_safe, "api_key", "must be printable ASCII without spaces");
        if let Some(secret) = &self.signing_secret {
            let text = secret.expose();
            let ok = SIGNING_SECRET_BYTES.contains(&text.len()) && text.bytes().all(|b| b.is_ascii_graphic());
            let why = format!(
                "must be {} to {} printable ASCII characters without spaces",
                SIGNING_SECRET_BYTES.start(),
                SIGNING_SECRET_BYTES.end()
            );
            issues.check(ok, "signing_secret", why);
        }
        if let Some(route) = &self.route {
            let ok =
                route.len() <= 64 && !route.is_empty() && route.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_');
            issues.check(ok, "route", "is assigned by the server");
        }
        check_timeout(issues, "timeout_ms", self.timeout_ms);
        check_timeout(issues, "connect_timeout_ms", self.connect_timeout_ms);
        let ordered = self.connect_timeout_ms <= self.timeout_ms;
        issues.check(ordered, "connect_timeout_ms", "must not exceed timeout_ms");
    }
}

impl SmtpConfig {
    /// Checks this config alone; issues are named `smtp.<field>`.
    pub fn validate(&self) -> Result<(), InvalidSettings> {
        let mut found = Vec::new();
        self.check(&mut Issues { prefix: "smtp", found: &mut found });
        into_result(found)
    }

    fn check(&self, issues: &mut Issues<'_>) {
        let host_ok =
            !self.host.is_empty() && self.host.len() <= 253 && self.host.bytes().all(|b| b.is_ascii_graphic());
        issues.check(host_ok, "host", "must be a host name or IP address");
        issues.check(self.port != 0, "port", "must not be 0");
        let has_user = self.username.as_deref().is_some_and(|user| !user.trim().is_empty());
        let has_password = self.password.as_ref().is_some_and(|password| !password.is_blank());
        issues.check(has_user == has_password, "password", "username and password go together");
        let exposed = has_user && self.tls == SmtpTls::None && !is_loopback(&self.host);
        issues.check(!exposed, "tls", "credentials need starttls or tls unless the relay is on this machine");
        let from_ok = self.from_address.parse::<lettre::Address>().is_ok();
        issues.check(from_ok, "from_address", "must be an e-mail address");
        if let Some(name) = &self.from_name {
            let ok = name.chars().count() <= MAX_NAME_CHARS && !name.chars().any(char::is_control);
            issues.check(ok, "from_name", format!("one line of at most {MAX_NAME_CHARS} characters"));
        }
        if let Some(helo) = &self.helo_name {
            let ok = !helo.is_empty()
                && helo.len() <= 253
                && helo.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'-');
            issues.check(ok, "helo_name", "must be a host name (letters, digits, dots, hyphens)");
        }
        check_timeout(issues, "timeout_ms", self.timeout_ms);
        let pool_ok = POOL_RANGE.contains(&self.pool_size);
        issues.check(pool_ok, "pool_size", format!("must be between {} and {}", POOL_RANGE.start(), POOL_RANGE.end()));
    }
}

fn check_timeout(issues: &mut Issues<'_>, field: &str, value: u64) {
    let message = format!("must be between {} and {} ms", TIMEOUT_RANGE_MS.start(), TIMEOUT_RANGE_MS.end());
    issues.check(TIMEOUT_RANGE_MS.contains(&value), field, message);
}

/// `localhost` or a loopback IP: traffic that never leaves the machine, where plain-text `AUTH` is tolerable.
fn is_loopback(host: &str) -> bool {
    host.eq_ignore_ascii_case("localhost")
        || host.trim_matches(['[', ']']).parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
}
