//! Which addresses are not public: [`classify`] names the kind of a non-public address, `None` for a public
//! one. The ranges are IANA's special-purpose registries (RFC 6890 and its updates), narrowed to what a
//! tenant must never reach through the server and what no public service uses.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// The kind of a non-public address (`"loopback"`, `"private"`, `"link-local"`, …), or `None` when it is a
/// public unicast address a tenant's destination may resolve to.
pub fn classify(ip: IpAddr) -> Option<&'static str> {
    match ip {
        IpAddr::V4(v4) => classify_v4(v4),
        IpAddr::V6(v6) => classify_v6(v6),
    }
}

fn classify_v4(ip: Ipv4Addr) -> Option<&'static str> {
    let [a, b, c, _] = ip.octets();
    let class = match (a, b, c) {
        _ if ip.is_unspecified() => "unspecified",
        (0, _, _) => "this-network",
        (127, _, _) => "loopback",
        (10, _, _) | (192, 168, _) => "private",
        (172, 16..=31, _) => "private",
        // Holds 169.254.169.254, the metadata service of AWS, GCP, Azure and others.
        (169, 254, _) => "link-local",
        // Shared address space; holds 100.100.100.200, Alibaba Cloud's metadata service.
        (100, 64..=127, _) => "carrier-grade-nat",
        (192, 0, 0) => "ietf-protocol",
        (192, 0, 2) | (198, 51, 100) | (203, 0, 113) => "documentation",
        (198, 18..=19, _) => "benchmarking",
        (192, 88, 99) => "deprecated-relay",
        (224..=239, _, _) => "multicast",
        _ if ip.is_broadcast() => "broadcast",
        (240..=255, _, _) => "reserved",
        _ => return None,
    };
    Some(class)
}

fn classify_v6(ip: Ipv6Addr) -> Option<&'static str> {
    if ip.is_unspecified() {
        return Some("unspecified");
    }
    if ip.is_loopback() {
        return Some("loopback");
    }
    let segments = ip.segments();
    // Forms that carry an IPv4 address are as public as that address.
    if let Some(v4) = ip.to_ipv4_mapped() {
        return classify_v4(v4);
    }
    let embedded = |hi: u16, lo: u16| Ipv4Addr::new((hi >> 8) as u8, hi as u8, (lo >> 8) as u8, lo as u8);
    match segments {
        // IPv4-compatible (deprecated): ::a.b.c.d.
        [0, 0, 0, 0, 0, 0, _, _] => return Some(classify_v4(embedded(segments[6], segments[7])).unwrap_or("reserved")),
        // NAT64 well-known prefix: the gateway connects to the embedded address.
        [0x64, 0xff9b, 0, 0, 0, 0, _, _] => return classify_v4(embedded(segments[6], segments[7])),
        // 6to4: 2002:aabb:ccdd::/48 relays to aa.bb.cc.dd.
        [0x2002, hi, lo, ..] => return classify_v4(embedded(hi, lo)),
        _ => {}
    }
    let first = segments[0];
    let class = match first {
        // Local-use NAT64 (64:ff9b:1::/48).
        0x64 if segments[1] == 0xff9b && segments[2] == 1 => "nat64-local",
        // Discard-only (100::/64).
        0x100 if segments[1..4] == [0, 0, 0] => "discard",
        // Teredo (2001::/32) hides its IPv4 endpoint; 2001:db8::/32 is documentation.
        0x2001 if segments[1] == 0 => "teredo",
        0x2001 if segments[1] == 0xdb8 => "documentation",
        // Unique local (fc00::/7), which holds AWS's IPv6 metadata address fd00:ec2::254.
        0xfc00..=0xfdff => "private",
        0xfe80..=0xfebf => "link-local",
        // Site-local (fec0::/10, deprecated but still routed inside some networks).
        0xfec0..=0xfeff => "private",
        0xff00..=0xffff => "multicast",
        _ => return None,
    };
    Some(class)
}
