//! The simulator's settings.

use std::fmt;
use std::net::{Ipv4Addr, SocketAddr};

use serde::{Deserialize, Serialize};

use crate::chaos::Chaos;

use converge_vendor_wire::MAX_RECEIPT_BATCH;

/// Everything the simulator needs to start. `Default` is ready for tests: a random local port, Converge's
/// default receipt URL, development credentials, 10% failures, 20–200 ms receipt delay, 100 receipts a request.
#[derive(Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SimConfig {
    /// Where to listen; port 0 picks a free port (read it back from [`crate::SimHandle::addr`]).
    pub bind: SocketAddr,
    /// The bearer key clients must present on `/v1/*` and `/admin/*`.
    pub api_key: String,
    /// Where delivery receipts are POSTed. Empty: outcomes are decided and recorded, but no receipt is sent.
    pub callback_url: String,
    /// Where customers' replies are POSTed (signed like receipts), when `POST /admin/inbound` says one came in.
    pub inbound_url: String,
    /// Where complaints are POSTed (signed like receipts), when `POST /admin/complaint` says a recipient
    /// reported a message as spam.
    pub complaint_url: String,
    /// The HMAC key receipts are signed with (see [`crate::sign`]).
    pub signing_secret: String,
    /// Share of messages whose outcome is `FAILED` (0–1).
    pub failure_rate: f64,
    /// Seeds every random decision, so a run is reproducible.
    pub seed: u64,
    /// Shortest delay between accepting a message and deciding its outcome.
    pub min_delay_ms: u64,
    /// Longest such delay.
    pub max_delay_ms: u64,
    /// Most receipts in one callback request (1 = one receipt per request).
    pub receipt_batch_max: usize,
    /// Misbehaviour at start; changeable at run time through `PUT /admin/chaos`.
    pub chaos: Chaos,
}

impl Default for SimConfig {
    fn default() -> SimConfig {
        SimConfig {
            bind: SocketAddr::from((Ipv4Addr::LOCALHOST, 0)),
            api_key: "sim_dev_key".into(),
            callback_url: "http://127.0.0.1:8080/api/v1/delivery-receipts".into(),
            inbound_url: "http://127.0.0.1:8080/api/v1/inbound-messages".into(),
            complaint_url: "http://127.0.0.1:8080/api/v1/complaints".into(),
            signing_secret: "sim_dev_signing_secret".into(),
            failure_rate: 0.10,
            seed: 42,
            min_delay_ms: 20,
            max_delay_ms: 200,
            receipt_batch_max: 100,
            chaos: Chaos::default(),
        }
    }
}

/// Secrets are never printed, so a logged config cannot leak them.
impl fmt::Debug for SimConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SimConfig")
            .field("bind", &self.bind)
            .field("api_key", &"[redacted]")
            .field("callback_url", &self.callback_url)
            .field("inbound_url", &self.inbound_url)
            .field("complaint_url", &self.complaint_url)
            .field("signing_secret", &"[redacted]")
            .field("failure_rate", &self.failure_rate)
            .field("seed", &self.seed)
            .field("min_delay_ms", &self.min_delay_ms)
            .field("max_delay_ms", &self.max_delay_ms)
            .field("receipt_batch_max", &self.receipt_batch_max)
            .field("chaos", &self.chaos)
            .finish()
    }
}

impl SimConfig {
    /// Rejects settings the simulator cannot honour, naming the field.
    pub fn validate(&self) -> anyhow::Result<()> {
        anyhow::ensure!(!self.api_key.is_empty(), "api_key must not be empty");
        anyhow::ensure!((0.0..=1.0).contains(&self.failure_rate), "failure_rate must be between 0 and 1");
        anyhow::ensure!(self.min_delay_ms <= self.max_delay_ms, "min_delay_ms must not exceed max_delay_ms");
        anyhow::ensure!(self.max_delay_ms <= 3_600_000, "max_delay_ms must be at most one hour");
        anyhow::ensure!(
            (1..=MAX_RECEIPT_BATCH).contains(&self.receipt_batch_max),
            "receipt_batch_max must be between 1 and {MAX_RECEIPT_BATCH}"
        );
        if !self.callback_url.is_empty() {
            let url = reqwest::Url::parse(&self.callback_url)
                .map_err(|e| anyhow::anyhow!("callback_url is not a URL: {e}"))?;
            anyhow::ensure!(url.scheme() == "http", "callback_url must be an http:// URL");
            anyhow::ensure!(!self.signing_secret.is_empty(), "signing_secret must not be empty");
        }
        self.chaos.validate().map_err(|e| anyhow::anyhow!("chaos: {e}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_is_valid_and_local() {
        let config = SimConfig::default();
        assert!(config.validate().is_ok());
        assert!(config.bind.ip().is_loopback());
        assert_eq!(config.bind.port(), 0);
    }

    #[test]
    fn bad_settings_are_named() {
        let cases = [
            SimConfig { failure_rate: 1.1, ..SimConfig::default() },
            SimConfig { min_delay_ms: 10, max_delay_ms: 5, ..SimConfig::default() },
            SimConfig { receipt_batch_max: 0, ..SimConfig::default() },
            SimConfig { callback_url: "not a url".into(), ..SimConfig::default() },
            SimConfig { api_key: String::new(), ..SimConfig::default() },
        ];
        for config in cases {
            assert!(config.validate().is_err(), "{config:?}");
        }
    }

    #[test]
    fn debug_hides_secrets() {
        let text = format!("{:?}", SimConfig { api_key: "k_secret".into(), ..SimConfig::default() });
        assert!(!text.contains("k_secret"));
        assert!(!text.contains("sim_dev_signing_secret"));
    }
}
