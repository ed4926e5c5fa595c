//! # The egress policy
//!
//! Every outbound address a workspace can set (its vendor's URL, its SMTP relay, and later its webhooks)
//! is a way to make the server connect somewhere. Aimed inward, it would reach what only the server can
//! reach: a database on loopback, an admin port on the private network, the cloud's metadata service with its
//! credentials. [`EgressPolicy`] decides, for the addresses a destination *actually resolves to*, whether a
//! connection may be opened:
//!
//! - **Refused unless allowed**: loopback, private (RFC 1918, IPv6 unique-local and site-local), link-local
//!   (which holds the cloud metadata address 169.254.169.254), carrier-grade NAT (100.64.0.0/10, which holds
//!   Alibaba's metadata address), multicast, broadcast, unspecified, documentation, benchmarking and other
//!   reserved ranges; IPv6 forms that embed an IPv4 address (mapped, compatible, NAT64, 6to4) are judged by
//!   that address, and Teredo is refused.
//! - **Allowed by the operator** (`egress.allow`): a host name (every address it resolves to), an address or
//!   CIDR block, or an exact `address:port` (how the embedded default admits its in-process simulator and
//!   nothing else on loopback).
//! - **Checked at connect time, after resolution**: HTTP clients resolve through [`EgressPolicy::resolver`],
//!   which hands the connector only permitted addresses, so a name that resolves to a public address when
//!   checked and to 127.0.0.1 when used (DNS rebinding) gets nowhere: the check and the connection use the same
//!   answer. Clients that cannot take a resolver (SMTP) call [`EgressPolicy::resolve`] themselves and connect
//!   to the address it returned.
//!
//! What must not live here: which destinations are the operator's own (the node's default vendor is built with
//! [`EgressPolicy::open`]); retries; anything about the protocol spoken once connected.

mod ranges;
mod resolver;

use std::fmt;
use std::net::{IpAddr, SocketAddr};
use std::str::FromStr;
use std::sync::Arc;

pub use ranges::classify;
pub use resolver::PolicyResolver;

/// One entry of `egress.allow`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Allow {
    /// A host name, lower case without a trailing dot: any address it resolves to.
    Host(String),
    /// An address or block (`10.1.0.0/16`, `127.0.0.1`, `::1`).
    Net(ipnet::IpNet),
    /// One address and port (`127.0.0.1:9090`, `[::1]:2525`).
    Socket(SocketAddr),
}

/// An `egress.allow` entry that is none of a host name, an address, a CIDR block or `address:port`.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{0:?} is not a host name, an IP address, a CIDR block (10.0.0.0/8) or an address:port")]
pub struct BadAllow(pub String);

impl FromStr for Allow {
    type Err = BadAllow;

    fn from_str(raw: &str) -> Result<Allow, BadAllow> {
        let text = raw.trim();
        if let Ok(socket) = text.parse::<SocketAddr>() {
            return Ok(Allow::Socket(socket));
        }
        if let Ok(net) = text.parse::<ipnet::IpNet>() {
            return Ok(Allow::Net(net));
        }
        if let Ok(ip) = text.trim_matches(['[', ']']).parse::<IpAddr>() {
            return Ok(Allow::Net(ipnet::IpNet::from(ip)));
        }
        let host = normalise_host(text);
        let label_ok = |label: &str| {
            !label.is_empty()
                && label.len() <= 63
                && label.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        };
        if !host.is_empty() && host.len() <= 253 && host.split('.').all(label_ok) {
            return Ok(Allow::Host(host));
        }
        Err(BadAllow(raw.to_owned()))
    }
}

impl fmt::Display for Allow {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Allow::Host(host) => f.write_str(host),
            Allow::Net(net) => write!(f, "{net}"),
            Allow::Socket(socket) => write!(f, "{socket}"),
        }
    }
}

/// Why a destination may not be reached. The text is safe to show the tenant: it names no address.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum EgressError {
    /// It resolves only to addresses the policy refuses. `class` (for logs) says what kind of address.
    #[error("refused by this server's egress policy: the destination is not a public address")]
    Refused { class: &'static str },
    /// The name does not resolve (or resolves to nothing).
    #[error("the host name does not resolve")]
    Unresolvable,
}

/// Which addresses may be connected to. Cheap to clone (one `Arc`).
#[derive(Clone, Debug)]
pub struct EgressPolicy {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    /// No restriction at all: for destinations the operator configured.
    open: bool,
    allow: Vec<Allow>,
}

impl EgressPolicy {
    /// Refuses every non-public address except those `allow` names.
    pub fn new(allow: Vec<Allow>) -> EgressPolicy {
        EgressPolicy { inner: Arc::new(Inner { open: false, allow }) }
    }

    /// Every address is allowed: only for destinations an operator set (never one a tenant chose).
    pub fn open() -> EgressPolicy {
        EgressPolicy { inner: Arc::new(Inner { open: true, allow: Vec::new() }) }
    }

    /// The same policy with one more allowed entry.
    pub fn with(&self, entry: Allow) -> EgressPolicy {
        let mut allow = self.inner.allow.clone();
        allow.push(entry);
        EgressPolicy { inner: Arc::new(Inner { open: self.inner.open, allow }) }
    }

    /// Whether every address is allowed ([`EgressPolicy::open`]): the destination is the operator's own.
    pub fn is_open(&self) -> bool {
        self.inner.open
    }

    /// The entries the operator allowed.
    pub fn allowed(&self) -> &[Allow] {
        &self.inner.allow
    }

    /// Whether a connection to `addr` for the destination named `host` (as written in its URL) may be opened.
    pub fn check(&self, host: &str, addr: SocketAddr) -> Result<(), EgressError> {
        if self.inner.open {
            return Ok(());
        }
        let Some(class) = classify(addr.ip()) else { return Ok(()) };
        let host = normalise_host(host);
        let allowed = self.inner.allow.iter().any(|entry| match entry {
            Allow::Host(name) => *name == host,
            Allow::Net(net) => net.contains(&addr.ip()),
            Allow::Socket(socket) => *socket == addr,
        });
        if allowed {
            Ok(())
        } else {
            Err(EgressError::Refused { class })
        }
    }

    /// For a destination whose host is an address literal (which HTTP clients connect to without asking a
    /// resolver): whether it is permitted. `None` when `host` is a name.
    pub fn check_literal(&self, host: &str, port: u16) -> Option<Result<(), EgressError>> {
        let ip = host.trim_matches(['[', ']']).parse::<IpAddr>().ok()?;
        Some(self.check(host, SocketAddr::new(ip, port)))
    }

    /// Resolves `host` (a name or an address literal) and keeps the addresses the policy permits, in the
    /// resolver's order. Connect to one of these, never to a fresh resolution of the name.
    pub async fn resolve(&self, host: &str, port: u16) -> Result<Vec<SocketAddr>, EgressError> {
        let literal = host.trim_matches(['[', ']']);
        let resolved: Vec<SocketAddr> = match literal.parse::<IpAddr>() {
            Ok(ip) => vec![SocketAddr::new(ip, port)],
            Err(_) => match tokio::net::lookup_host((literal, port)).await {
                Ok(addrs) => addrs.collect(),
                Err(err) => {
                    tracing::debug!(%host, error = %err, "egress: the destination did not resolve");
                    return Err(EgressError::Unresolvable);
                }
            },
        };
        self.permitted(host, resolved)
    }

    /// The permitted subset of `resolved`: an error if nothing resolved or nothing is permitted.
    fn permitted(&self, host: &str, resolved: Vec<SocketAddr>) -> Result<Vec<SocketAddr>, EgressError> {
        let mut refusal = None;
        let mut kept = Vec::with_capacity(resolved.len());
        for addr in resolved {
            match self.check(host, addr) {
                Ok(()) => kept.push(addr),
                Err(err) => {
                    tracing::warn!(%host, %addr, ?err, "egress: refused a connection to a non-public address");
                    refusal = Some(err);
                }
            }
        }
        match (kept.is_empty(), refusal) {
            (false, _) => Ok(kept),
            (true, Some(err)) => Err(err),
            (true, None) => Err(EgressError::Unresolvable),
        }
    }

    /// A DNS resolver for an HTTP client that reaches `port`: it answers only permitted addresses.
    pub fn resolver(&self, port: u16) -> Arc<PolicyResolver> {
        Arc::new(PolicyResolver::new(self.clone(), port))
    }
}

/// Host names compare in lower case without a trailing dot (`Vendor.Example.` is `vendor.example`).
fn normalise_host(host: &str) -> String {
    host.trim_matches(['[', ']']).trim_end_matches('.').to_ascii_lowercase()
}

#[cfg(test)]
mod tests;
