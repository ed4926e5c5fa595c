//! Logging setup: human-readable text on a terminal, JSON lines otherwise (one object per event, with the
//! request id of the span it belongs to); `log_format` forces either.

use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;
use tracing_subscriber::EnvFilter;

use crate::config::LogFormat;

/// Installs the global subscriber. `RUST_LOG` overrides the default `info` level.
pub fn init(format: LogFormat) {
    use std::io::IsTerminal;
    let json = format.writes_json(std::io::stderr().is_terminal());
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn"));
    let registry = tracing_subscriber::registry().with(filter);
    // A second initialisation (tests) is harmless and ignored.
    let _ = if json {
        registry
            .with(
                tracing_subscriber::fmt::layer()
                    .with_writer(std::io::stderr)
                    .json()
                    .with_current_span(true)
                    .with_span_list(false),
            )
            .try_init()
    } else {
        registry.with(tracing_subscriber::fmt::layer().with_writer(std::io::stderr).compact()).try_init()
    };
}
