//! Per-workspace channel configuration: which transport each channel uses and how to reach it.
//!
//! Stored as JSON per workspace and read back with serde, so unknown keys are refused (a typo such as
//! `"pasword"` must not silently mean "no password"). [`ChannelSettings::validate`] checks everything a
//! sender will rely on and names each bad field by its dotted path, ready for a 422 with per-field errors.

mod validate;

use serde::{Deserialize, Serialize};

pub use validate::{InvalidSettings, SettingsIssue};

use crate::secret::Secret;

/// How each channel of one workspace is delivered.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChannelSettings {
    pub sms: ChannelConfig,
    pub whatsapp: ChannelConfig,
    pub email: ChannelConfig,
}

/// One channel's transport, tagged by `kind`: `{"kind": "vendor", …}` or `{"kind": "smtp", …}` (e-mail only).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ChannelConfig {
    Vendor(VendorConfig),
    Smtp(SmtpConfig),
}

/// The messaging vendor's HTTP API (the simulator in the embedded default).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VendorConfig {
    /// e.g. `https://api.vendor.example` or `http://127.0.0.1:9090`; `/v1/messages/batch` is appended.
    pub base_url: String,
    pub api_key: Secret,
    /// The secret this vendor signs its delivery receipts with (HMAC-SHA256, like the simulator). Required for
    /// a workspace's own vendor; absent only for the node's default vendor, whose receipts are signed with
    /// `vendor.signing_secret`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signing_secret: Option<Secret>,
    /// The delivery route this configuration's messages go through, assigned by the server when the settings
    /// are saved (a value sent by a client is replaced): `default` for the node's own vendor (receipts to
    /// `/api/v1/delivery-receipts`), else the workspace's own (`rt_…`, receipts to
    /// `/api/v1/delivery-receipts/{route}`). A vendor channel cannot be sent through without one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub route: Option<String>,
    /// Whole-request limit (connect, send, wait for and read the answer).
    #[serde(default = "default_vendor_timeout_ms")]
    pub timeout_ms: u64,
    /// Limit for opening a connection, kept short so a vendor outage fails fast instead of holding workers.
    #[serde(default = "default_connect_timeout_ms")]
    pub connect_timeout_ms: u64,
}

/// An SMTP relay (submission server) for e-mail.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SmtpConfig {
    pub host: String,
    /// Usually 587 with `starttls`, 465 with `tls`, 25 with `none`.
    pub port: u16,
    pub tls: SmtpTls,
    /// Credentials for `AUTH`; both or neither.
    #[serde(default)]
    pub username: Option<String>,
    #[serde(default)]
    pub password: Option<Secret>,
    /// The `From` address; its domain also names our `Message-ID`s.
    pub from_address: String,
    #[serde(default)]
    pub from_name: Option<String>,
    /// The name we give in `EHLO`; the address literal `[127.0.0.1]` when unset.
    #[serde(default)]
    pub helo_name: Option<String>,
    /// Limit for each network step: connecting, and each command and its reply (see [`crate::SmtpSender`]).
    #[serde(default = "default_smtp_timeout_ms")]
    pub timeout_ms: u64,
    /// Most idle connections kept open for reuse. Concurrent sends beyond it open extra connections (closed
    /// afterwards), so the dispatcher's concurrency is what bounds connections to the relay.
    #[serde(default = "default_pool_size")]
    pub pool_size: u32,
}

/// How the SMTP connection is protected.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SmtpTls {
    /// Plain text. Only for a relay on the same machine or in tests.
    None,
    /// Connect in plain text, then require `STARTTLS` (fail rather than continue unencrypted).
    Starttls,
    /// TLS from the first byte ("implicit TLS", port 465).
    Tls,
}

fn default_vendor_timeout_ms() -> u64 {
    10_000
}

fn default_connect_timeout_ms() -> u64 {
    2_000
}

fn default_smtp_timeout_ms() -> u64 {
    15_000
}

fn default_pool_size() -> u32 {
    4
}

/// Shown in place of every secret by [`ChannelSettings::redacted`].
pub const REDACTED: &str = "[redacted]";

impl ChannelSettings {
    /// Every channel through the node's own vendor at `base_url` (the embedded default: the simulator), on the
    /// default route.
    pub fn all_vendor(base_url: impl Into<String>, api_key: Secret) -> ChannelSettings {
        let mut config = VendorConfig::new(base_url, api_key);
        config.route = Some(crate::DEFAULT_ROUTE.to_owned());
        let vendor = ChannelConfig::Vendor(config);
        ChannelSettings { sms: vendor.clone(), whatsapp: vendor.clone(), email: vendor }
    }

    /// A copy whose secrets read [`REDACTED`], for showing settings back to a user or a log.
    pub fn redacted(&self) -> ChannelSettings {
        let hide = |config: &ChannelConfig| match config {
            ChannelConfig::Vendor(vendor) => ChannelConfig::Vendor(VendorConfig {
                api_key: Secret::new(REDACTED),
                signing_secret: vendor.signing_secret.as_ref().map(|_| Secret::new(REDACTED)),
                ..vendor.clone()
            }),
            ChannelConfig::Smtp(smtp) => ChannelConfig::Smtp(SmtpConfig {
                password: smtp.password.as_ref().map(|_| Secret::new(REDACTED)),
                ..smtp.clone()
            }),
        };
        ChannelSettings { sms: hide(&self.sms), whatsapp: hide(&self.whatsapp), email: hide(&self.email) }
    }
}

impl VendorConfig {
    /// A vendor config with the default timeouts.
    pub fn new(base_url: impl Into<String>, api_key: Secret) -> VendorConfig {
        VendorConfig {
            base_url: base_url.into(),
            api_key,
            signing_secret: None,
            route: None,
            timeout_ms: default_vendor_timeout_ms(),
            connect_timeout_ms: default_connect_timeout_ms(),
        }
    }
}

impl SmtpConfig {
    /// An SMTP config without credentials, with the default timeout and pool size.
    pub fn new(host: impl Into<String>, port: u16, tls: SmtpTls, from_address: impl Into<String>) -> SmtpConfig {
        SmtpConfig {
            host: host.into(),
            port,
            tls,
            username: None,
            password: None,
            from_address: from_address.into(),
            from_name: None,
            helo_name: None,
            timeout_ms: default_smtp_timeout_ms(),
            pool_size: default_pool_size(),
        }
    }
}

#[cfg(test)]
mod tests;
