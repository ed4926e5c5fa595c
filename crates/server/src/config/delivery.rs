//! Settings of campaign delivery: the messaging vendor (or the in-process simulator), the dispatch workers
//! and the delivery-receipt pipeline.

use serde::{Deserialize, Serialize};

use super::Secret;

/// The messaging vendor every workspace uses unless its own channel settings say otherwise.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct VendorSettings {
    /// The vendor's API, e.g. `https://api.vendor.example`. Unset: the in-process simulator's address when
    /// the simulator runs, otherwise no default vendor (workspaces must configure their channels).
    pub base_url: Option<String>,
    /// The key Converge presents to the vendor.
    pub api_key: Secret,
    /// The key the node's vendor signs delivery receipts with (HMAC-SHA256); receipts not signed with it get
    /// 401. Required in production mode (at least 16 characters; the development default is refused unless
    /// `allow_insecure_signing_secret`). Unset in the embedded default: a random secret kept in the data
    /// directory, shared with the in-process simulator.
    pub signing_secret: Option<Secret>,
    /// Lets production mode start with the well-known development signing secret (`sim_dev_signing_secret`),
    /// with which anyone can forge delivery receipts. Only for local trials of production mode.
    pub allow_insecure_signing_secret: bool,
    /// Receipts whose signed timestamp is further than this from now are refused (replay protection).
    pub receipt_max_age_secs: u64,
    pub simulator: SimulatorSettings,
}

/// The vendor simulator `converge serve` can start in-process (see `converge vendor-sim`).
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct SimulatorSettings {
    /// Start it: unset means "yes in the embedded default, no with `DATABASE_URL`/`REDIS_URL`".
    pub enabled: Option<bool>,
    /// Share of messages that end `FAILED` (0–1).
    pub failure_rate: f64,
    pub seed: u64,
    /// Delay between accepting a message and its receipt, uniform in this range.
    pub min_delay_ms: u64,
    pub max_delay_ms: u64,
    /// Most receipts in one callback request.
    pub receipt_batch_max: usize,
}

/// The dispatch workers and the receipt applier.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct DeliverySettings {
    /// Dispatcher tasks per worker process; each claims and sends its own batches.
    pub dispatchers: usize,
    /// Messages one dispatcher claims at a time.
    pub claim_batch: u32,
    /// Most messages in one request to the vendor.
    pub send_batch: usize,
    /// Vendor requests in flight at once per process (all dispatchers together).
    pub concurrency: usize,
    /// Sustained messages per second per workspace on each node (0: unlimited).
    pub rate_per_second: u32,
    /// How long a claim is the dispatcher's; a dead worker's messages are claimed again after it.
    pub lease_ms: u64,
    /// Sends per message (transport errors, 5xx, 429 are retried) before it is `FAILED`.
    pub max_attempts: u32,
    /// Backoff before the second attempt; doubles per attempt, with jitter, up to `retry_max_ms`.
    pub retry_base_ms: u64,
    pub retry_max_ms: u64,
    /// The receipt applier writes at most this many receipts per statement…
    pub receipt_batch: usize,
    /// …and waits at most this long after the first receipt of a batch before writing it.
    pub receipt_flush_ms: u64,
    /// Receipt-applier tasks per worker process.
    pub receipt_appliers: usize,
    /// How often the scheduler starts due campaigns and completes finished ones.
    pub scheduler_interval_ms: u64,
}

/// The simulator's development credentials. The key is harmless (it only lets Converge talk to a simulator);
/// the signing secret is public knowledge, so production mode refuses it (see `allow_insecure_signing_secret`).
pub const DEV_VENDOR_KEY: &str = "sim_dev_key";
pub const DEV_SIGNING_SECRET: &str = "sim_dev_signing_secret";

impl Default for VendorSettings {
    fn default() -> Self {
        Self {
            base_url: None,
            api_key: Secret::new(DEV_VENDOR_KEY),
            signing_secret: None,
            allow_insecure_signing_secret: false,
            receipt_max_age_secs: 300,
            simulator: SimulatorSettings::default(),
        }
    }
}

impl Default for SimulatorSettings {
    fn default() -> Self {
        Self {
            enabled: None,
            failure_rate: 0.10,
            seed: 42,
            min_delay_ms: 20,
            max_delay_ms: 200,
            receipt_batch_max: 100,
        }
    }
}

impl Default for DeliverySettings {
    fn default() -> Self {
        Self {
            dispatchers: 2,
            claim_batch: 1000,
            send_batch: 500,
            concurrency: 8,
            rate_per_second: 0,
            lease_ms: 60_000,
            max_attempts: 5,
            retry_base_ms: 1_000,
            retry_max_ms: 60_000,
            receipt_batch: 5_000,
            receipt_flush_ms: 50,
            receipt_appliers: 2,
            scheduler_interval_ms: 1_000,
        }
    }
}
