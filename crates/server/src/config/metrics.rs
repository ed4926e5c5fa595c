//! Settings of the Prometheus endpoint: who may read it, and where.

use std::net::SocketAddr;

use serde::{Deserialize, Serialize};

use super::Secret;

#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct MetricsSettings {
    /// When set, `GET /metrics` needs `Authorization: Bearer <token>` (401 otherwise) and answers every
    /// series, per-workspace ones included.
    pub token: Option<Secret>,
    /// When set, `/metrics` is served on this address (a private interface) and no longer on the main port
    /// (404 there). Without a token, whoever reaches this address reads every series.
    pub bind: Option<SocketAddr>,
}
