//! [`ClientAddress`]: who is on the other end of a request, for throttling and the audit log.
//!
//! The TCP peer, unless it is one of `auth.trusted_proxies`: then the forwarding header the operator named
//! (`auth.forwarded_header`: `X-Forwarded-For` by default, or RFC 7239 `Forwarded`) is read right to left
//! and the first hop that is not a trusted proxy is the client. Anything left of that hop was written by
//! the client itself and is ignored, so a client cannot choose its own address.

use std::net::{IpAddr, SocketAddr};

use axum::http::HeaderMap;
use ipnet::IpNet;
use serde::{Deserialize, Serialize};

/// Hops read from the right at most (a header longer than this is someone's garbage).
const MAX_HOPS: usize = 32;

/// Which header trusted proxies append the client's address to.
#[derive(Clone, Copy, Debug, Default, Deserialize, Serialize, PartialEq, Eq)]
#[serde(rename_all = "kebab-case")]
pub enum ForwardedHeader {
    #[default]
    XForwardedFor,
    Forwarded,
}

#[derive(Clone, Debug, Default)]
pub struct ClientAddress {
    trusted: Vec<IpNet>,
    header: ForwardedHeader,
}

impl ClientAddress {
    /// Parses `auth.trusted_proxies` (addresses or CIDR blocks); the error names the entry that is neither.
    pub fn new(trusted_proxies: &[String], header: ForwardedHeader) -> Result<ClientAddress, String> {
        let trusted = trusted_proxies
            .iter()
            .map(|entry| {
                let text = entry.trim();
                text.parse::<IpNet>()
                    .or_else(|_| text.parse::<IpAddr>().map(IpNet::from))
                    .map_err(|_| format!("{entry:?} is not an IP address or CIDR block"))
            })
            .collect::<Result<_, _>>()?;
        Ok(ClientAddress { trusted, header })
    }

    fn is_trusted(&self, ip: IpAddr) -> bool {
        let ip = ip.to_canonical();
        self.trusted.iter().any(|net| net.contains(&ip))
    }

    /// The client's address as text (`unknown` without a peer).
    pub fn of(&self, peer: Option<SocketAddr>, headers: &HeaderMap) -> String {
        let Some(peer) = peer.map(|p| p.ip().to_canonical()) else { return "unknown".into() };
        if !self.is_trusted(peer) {
            return peer.to_string();
        }
        let hops = match self.header {
            ForwardedHeader::XForwardedFor => header_items(headers, "x-forwarded-for", ',', parse_plain),
            ForwardedHeader::Forwarded => header_items(headers, "forwarded", ',', parse_forwarded_element),
        };
        // Right to left: the nearest hop our own proxy wrote first.
        let mut client = peer;
        for hop in hops.into_iter().rev().take(MAX_HOPS) {
            // A hop that is no address: our proxy passed garbage on; stop at the last address we believe.
            let Some(ip) = hop else { break };
            client = ip;
            if !self.is_trusted(ip) {
                break;
            }
        }
        client.to_string()
    }
}

/// Every comma-separated item of every value of `name`, in order, parsed by `parse`.
fn header_items(
    headers: &HeaderMap,
    name: &str,
    separator: char,
    parse: fn(&str) -> Option<IpAddr>,
) -> Vec<Option<IpAddr>> {
    headers
        .get_all(name)
        .iter()
        .flat_map(|value| {
            let text = value.to_str().unwrap_or("");
            text.split(separator).map(parse).collect::<Vec<_>>()
        })
        .collect()
}

/// `203.0.113.7`, `203.0.113.7:4711`, `2001:db8::1`, `[2001:db8::1]:4711`.
fn parse_plain(item: &str) -> Option<IpAddr> {
    let item = item.trim().trim_matches('"');
    if let Ok(ip) = item.parse::<IpAddr>() {
        return Some(ip.to_canonical());
    }
    if let Ok(socket) = item.parse::<SocketAddr>() {
        return Some(socket.ip().to_canonical());
    }
    item.strip_prefix('[').and_then(|rest| rest.strip_suffix(']')).and_then(|ip| ip.parse::<IpAddr>().ok())
}

/// The `for=` of one RFC 7239 element (`for=192.0.2.60;proto=http;by=203.0.113.43`).
fn parse_forwarded_element(element: &str) -> Option<IpAddr> {
    element.split(';').find_map(|pair| {
        let (key, value) = pair.split_once('=')?;
        key.trim().eq_ignore_ascii_case("for").then(|| parse_plain(value)).flatten()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(name: &'static str, values: &[&str]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for value in values {
            map.append(name, value.parse().unwrap());
        }
        map
    }

    fn peer(ip: &str) -> Option<SocketAddr> {
        Some(SocketAddr::new(ip.parse().unwrap(), 5000))
    }

    #[test]
    fn the_header_is_believed_only_from_a_trusted_peer() {
        let addresses =
            ClientAddress::new(&["10.0.0.0/8".into(), "192.0.2.1".into()], ForwardedHeader::default()).unwrap();
        let forged = headers("x-forwarded-for", &["1.2.3.4"]);
        assert_eq!(addresses.of(peer("203.0.113.9"), &forged), "203.0.113.9", "an untrusted peer");
        assert_eq!(addresses.of(peer("10.1.2.3"), &forged), "1.2.3.4");
        // The client wrote the left part; our proxies appended the rest.
        let chain = headers("x-forwarded-for", &["6.6.6.6, 198.51.100.4", "10.0.0.7"]);
        assert_eq!(addresses.of(peer("192.0.2.1"), &chain), "198.51.100.4", "the right-most untrusted hop");
        assert_eq!(addresses.of(peer("10.0.0.1"), &HeaderMap::new()), "10.0.0.1", "no header: the proxy itself");
        assert_eq!(addresses.of(peer("10.0.0.1"), &headers("x-forwarded-for", &["garbage"])), "10.0.0.1");
        assert_eq!(addresses.of(None, &forged), "unknown");
        let mapped = addresses.of(peer("::ffff:10.0.0.1"), &headers("x-forwarded-for", &["[2001:db8::5]:80"]));
        assert_eq!(mapped, "2001:db8::5");
    }

    #[test]
    fn forwarded_elements_are_read_when_configured() {
        let addresses = ClientAddress::new(&["127.0.0.1".into()], ForwardedHeader::Forwarded).unwrap();
        let value = headers("forwarded", &["for=6.6.6.6, for=\"[2001:db8:cafe::17]:4711\";proto=https"]);
        assert_eq!(addresses.of(peer("127.0.0.1"), &value), "2001:db8:cafe::17");
        let xff = headers("x-forwarded-for", &["1.2.3.4"]);
        assert_eq!(addresses.of(peer("127.0.0.1"), &xff), "127.0.0.1", "the other header is not read");
        assert!(ClientAddress::new(&["not-an-ip".into()], ForwardedHeader::Forwarded).is_err());
    }
}
