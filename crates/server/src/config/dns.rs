//! Settings of the DNS resolver that checks workspace domain proofs (`dns.resolver`).

use std::net::SocketAddr;

use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct DnsSettings {
    /// The recursive resolver to ask, `address:port` (e.g. `10.0.0.2:53`); unset: the system's
    /// (`/etc/resolv.conf`).
    pub resolver: Option<SocketAddr>,
    /// How long one proof check may wait for the resolver, in seconds.
    pub timeout_secs: u64,
}

impl Default for DnsSettings {
    fn default() -> Self {
        DnsSettings { resolver: None, timeout_secs: 5 }
    }
}
