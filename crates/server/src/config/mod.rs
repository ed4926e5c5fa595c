//! Typed, layered settings: defaults → optional TOML file → environment → command-line flags.
//!
//! Unknown keys are rejected at every layer (a misspelt `CONVERGE_*` variable is an error, not a silent
//! default). Connection URLs may carry passwords, so they are [`Secret`]s: never printed, never logged.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

mod ai;
mod auth;
mod delivery;
mod dns;
mod egress;
mod metrics;

use figment::providers::{Env, Format, Serialized, Toml};
use figment::Figment;
use serde::{Deserialize, Serialize};

pub use ai::{AiProvider, AiSettings};
pub use auth::AuthSettings;
pub use delivery::{DeliverySettings, SimulatorSettings, VendorSettings, DEV_SIGNING_SECRET, DEV_VENDOR_KEY};
pub use dns::DnsSettings;
pub use egress::EgressSettings;
pub use metrics::MetricsSettings;

/// A value that must never reach a log or a terminal.
#[derive(Clone, Deserialize, Serialize, PartialEq, Eq)]
#[serde(transparent)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }

    /// The secret itself; call only where it is used, never to print it.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret([redacted])")
    }
}

/// Which parts of Converge a process runs.
#[derive(Clone, Copy, Debug, Default, Deserialize, Serialize, PartialEq, Eq, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// API, workers and everything else in one process.
    #[default]
    All,
    /// HTTP API only; stateless, scale out behind a load balancer.
    Api,
    /// Stream consumers only (plus health and metrics endpoints).
    Worker,
}

impl Role {
    pub fn serves_api(self) -> bool {
        matches!(self, Role::All | Role::Api)
    }

    pub fn runs_workers(self) -> bool {
        matches!(self, Role::All | Role::Worker)
    }
}

/// How log events are written to stderr.
#[derive(Clone, Copy, Debug, Default, Deserialize, Serialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    /// Readable text when stderr is a terminal (a person is watching), JSON lines when it is not (a log
    /// collector is).
    #[default]
    Auto,
    Json,
    Pretty,
}

impl LogFormat {
    /// Whether events are written as JSON lines (else as readable text); `Auto` asks whether stderr is a
    /// terminal.
    pub fn writes_json(self, stderr_is_terminal: bool) -> bool {
        match self {
            LogFormat::Auto => !stderr_is_terminal,
            LogFormat::Json => true,
            LogFormat::Pretty => false,
        }
    }
}

#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Settings {
    /// Address the HTTP server listens on; port 0 picks a free port.
    pub bind: SocketAddr,
    /// Where the embedded database and queue live (created on first start).
    pub data_dir: PathBuf,
    /// `postgres://…` for production mode; unset means the embedded SQLite database in `data_dir`.
    pub database_url: Option<Secret>,
    /// `redis://…` for production mode; unset means the embedded queue in `data_dir`.
    pub redis_url: Option<Secret>,
    /// Prefix of every Redis key Converge touches, so several deployments (or tests) can share a server.
    pub redis_prefix: String,
    pub role: Role,
    pub log_format: LogFormat,
    pub database_max_connections: u32,
    /// Workspace created on first start so a newcomer has somewhere to put data.
    pub default_workspace: String,
    /// ISO 4217 currency of workspaces created without one.
    pub default_currency: String,
    pub ingest: IngestSettings,
    pub vendor: VendorSettings,
    pub delivery: DeliverySettings,
    pub auth: AuthSettings,
    /// The AI assistants (message suggestions, text to audience, campaign summaries).
    pub ai: AiSettings,
    /// Outbound connections to destinations workspaces chose.
    pub egress: EgressSettings,
    /// The DNS resolver that checks workspace domain proofs.
    pub dns: DnsSettings,
    /// Who may read `/metrics`, and on which address.
    pub metrics: MetricsSettings,
}

#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct IngestSettings {
    /// Most items one batch request may carry.
    pub max_batch_items: usize,
    /// Largest request body accepted, in bytes (413 above it).
    pub body_limit_bytes: usize,
    /// Backlog at which the ingest stream refuses appends (503 with `Retry-After`).
    pub stream_cap: u64,
    /// Sustained requests per second allowed per API key (429 with `Retry-After` above it).
    pub rate_per_second: u32,
    /// Requests a key may burst above its sustained rate.
    pub rate_burst: u32,
    /// Entries one consumer applies per database transaction.
    pub consumer_batch: usize,
    /// Consumer tasks per worker process.
    pub consumers: usize,
    /// Deliveries after which an entry goes to the dead-letter stream.
    pub max_deliveries: u32,
    /// A pending entry idle this long belonged to a dead or stuck consumer and is reclaimed.
    pub reclaim_idle_ms: u64,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            bind: SocketAddr::from(([127, 0, 0, 1], 8080)),
            data_dir: PathBuf::from("data"),
            database_url: None,
            redis_url: None,
            redis_prefix: "converge:".into(),
            role: Role::All,
            log_format: LogFormat::Auto,
            database_max_connections: 16,
            default_workspace: "default".into(),
            default_currency: "INR".into(),
            ingest: IngestSettings::default(),
            vendor: VendorSettings::default(),
            delivery: DeliverySettings::default(),
            auth: AuthSettings::default(),
            ai: AiSettings::default(),
            egress: EgressSettings::default(),
            dns: DnsSettings::default(),
            metrics: MetricsSettings::default(),
        }
    }
}

impl Default for IngestSettings {
    fn default() -> Self {
        Self {
            max_batch_items: 1000,
            body_limit_bytes: 4 * 1024 * 1024,
            stream_cap: 1_000_000,
            rate_per_second: 10_000,
            rate_burst: 20_000,
            consumer_batch: 1000,
            consumers: 2,
            max_deliveries: 5,
            reclaim_idle_ms: 30_000,
        }
    }
}

/// Values given on the command line; only those present override the other layers.
#[derive(Clone, Debug, Default, Serialize)]
pub struct Overrides {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bind: Option<SocketAddr>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub data_dir: Option<PathBuf>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub role: Option<Role>,
}

impl Settings {
    /// Loads settings from the layers; `file` is the optional TOML file (`--config` / `CONVERGE_CONFIG`).
    pub fn load(file: Option<&Path>, overrides: &Overrides) -> Result<Settings, Box<figment::Error>> {
        Self::figment(file, overrides).extract().map_err(Box::new)
    }

    fn figment(file: Option<&Path>, overrides: &Overrides) -> Figment {
        let mut figment = Figment::from(Serialized::defaults(Settings::default()));
        if let Some(path) = file {
            figment = figment.merge(Toml::file_exact(path));
        }
        figment
            .merge(Env::prefixed("CONVERGE_").ignore(&["CONFIG"]).split("__"))
            .merge(Env::raw().only(&["DATABASE_URL", "REDIS_URL"]))
            .merge(Serialized::globals(overrides))
    }

    /// Path of the embedded SQLite database.
    pub fn sqlite_path(&self) -> PathBuf {
        self.data_dir.join("converge.db")
    }

    /// Production mode: an external database or queue is configured.
    pub fn is_production(&self) -> bool {
        self.database_url.is_some() || self.redis_url.is_some()
    }

    /// Whether `serve` starts the vendor simulator in-process (it needs the receipt endpoint, so the API).
    pub fn runs_simulator(&self) -> bool {
        self.role.serves_api() && self.vendor.simulator.enabled.unwrap_or(!self.is_production())
    }

    /// Path of the embedded queue.
    pub fn queue_path(&self) -> PathBuf {
        self.data_dir.join("queue.db")
    }
}

#[cfg(test)]
#[allow(clippy::result_large_err)] // figment::Jail's closures must return figment's own (large) error type.
mod tests {
    use super::*;

    #[test]
    fn defaults_are_the_zero_setup_mode() {
        figment::Jail::expect_with(|_jail| {
            let settings = Settings::load(None, &Overrides::default()).map_err(|e| *e)?;
            assert_eq!(settings.bind.to_string(), "127.0.0.1:8080");
            assert!(settings.database_url.is_none() && settings.redis_url.is_none());
            assert_eq!(settings.role, Role::All);
            Ok(())
        });
    }

    /// Logs are for whoever reads them: a person at a terminal gets text, a collector JSON, unless told.
    #[test]
    fn log_format_follows_the_reader_unless_set() {
        figment::Jail::expect_with(|jail| {
            let settings = Settings::load(None, &Overrides::default()).map_err(|e| *e)?;
            assert_eq!(settings.log_format, LogFormat::Auto);
            assert!(!settings.log_format.writes_json(true));
            assert!(settings.log_format.writes_json(false));
            jail.set_env("CONVERGE_LOG_FORMAT", "json");
            let settings = Settings::load(None, &Overrides::default()).map_err(|e| *e)?;
            assert!(settings.log_format.writes_json(true));
            jail.set_env("CONVERGE_LOG_FORMAT", "pretty");
            let settings = Settings::load(None, &Overrides::default()).map_err(|e| *e)?;
            assert!(!settings.log_format.writes_json(false));
            Ok(())
        });
    }

    #[test]
    fn layers_apply_in_order_and_flags_win() {
        figment::Jail::expect_with(|jail| {
            jail.create_file("c.toml", "bind = \"127.0.0.1:9000\"\n[ingest]\nconsumers = 7\n")?;
            jail.set_env("CONVERGE_BIND", "127.0.0.1:9001");
            jail.set_env("CONVERGE_INGEST__RATE_PER_SECOND", "5");
            jail.set_env("DATABASE_URL", "postgres://u:pw@127.0.0.1/db");
            let flags = Overrides { role: Some(Role::Worker), ..Overrides::default() };
            let settings = Settings::load(Some(Path::new("c.toml")), &flags).map_err(|e| *e)?;
            assert_eq!(settings.bind.to_string(), "127.0.0.1:9001");
            assert_eq!(settings.ingest.consumers, 7);
            assert_eq!(settings.ingest.rate_per_second, 5);
            assert_eq!(settings.role, Role::Worker);
            assert_eq!(settings.database_url.as_ref().map(Secret::expose), Some("postgres://u:pw@127.0.0.1/db"));
            Ok(())
        });
    }

    #[test]
    fn unknown_keys_are_rejected() {
        figment::Jail::expect_with(|jail| {
            jail.set_env("CONVERGE_BINDD", "127.0.0.1:1");
            assert!(Settings::load(None, &Overrides::default()).is_err());
            Ok(())
        });
        figment::Jail::expect_with(|jail| {
            jail.create_file("c.toml", "[ingest]\nconsumerz = 1\n")?;
            assert!(Settings::load(Some(Path::new("c.toml")), &Overrides::default()).is_err());
            Ok(())
        });
    }

    #[test]
    fn egress_allow_reads_a_list_from_the_environment() {
        figment::Jail::expect_with(|jail| {
            jail.set_env("CONVERGE_EGRESS__ALLOW", "[10.20.0.0/16, \"relay.corp.example\", \"127.0.0.1:2525\"]");
            let settings = Settings::load(None, &Overrides::default()).map_err(|e| *e)?;
            assert_eq!(settings.egress.allow, ["10.20.0.0/16", "relay.corp.example", "127.0.0.1:2525"]);
            assert!(settings.egress.policy().is_ok());
            Ok(())
        });
    }

    #[test]
    fn secrets_never_print() {
        let mut settings =
            Settings { database_url: Some(Secret::new("postgres://u:hunter2@h/db")), ..Settings::default() };
        settings.vendor.api_key = Secret::new("vendor-key-42");
        settings.vendor.signing_secret = Some(Secret::new("signing-43"));
        settings.metrics.token = Some(Secret::new("metrics-44"));
        let text = format!("{settings:?}");
        assert!(!text.contains("hunter2") && !text.contains("vendor-key-42") && !text.contains("signing-43"));
        assert!(!text.contains("metrics-44"));
    }
}
