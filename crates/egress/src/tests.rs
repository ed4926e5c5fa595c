use std::net::{IpAddr, SocketAddr};

use super::*;

fn ip(text: &str) -> IpAddr {
    text.parse().unwrap()
}

#[test]
fn every_inward_range_is_classified_and_public_addresses_are_not() {
    for (address, class) in [
        ("127.0.0.1", "loopback"),
        ("127.255.0.9", "loopback"),
        ("0.0.0.0", "unspecified"),
        ("0.1.2.3", "this-network"),
        ("10.0.0.5", "private"),
        ("172.16.0.1", "private"),
        ("172.31.255.255", "private"),
        ("192.168.1.1", "private"),
        ("169.254.169.254", "link-local"),
        ("100.64.0.1", "carrier-grade-nat"),
        ("100.100.100.200", "carrier-grade-nat"),
        ("224.0.0.1", "multicast"),
        ("255.255.255.255", "broadcast"),
        ("240.0.0.1", "reserved"),
        ("192.0.2.10", "documentation"),
        ("198.18.0.1", "benchmarking"),
        ("::1", "loopback"),
        ("::", "unspecified"),
        ("::ffff:127.0.0.1", "loopback"),
        ("::ffff:169.254.169.254", "link-local"),
        ("::127.0.0.1", "loopback"),
        ("64:ff9b::10.0.0.1", "private"),
        ("2002:7f00:1::", "loopback"),
        ("2001::1", "teredo"),
        ("2001:db8::1", "documentation"),
        ("fd00:ec2::254", "private"),
        ("fc00::1", "private"),
        ("fe80::1", "link-local"),
        ("fec0::1", "private"),
        ("ff02::1", "multicast"),
    ] {
        assert_eq!(classify(ip(address)), Some(class), "{address}");
    }
    for public in
        ["8.8.8.8", "1.1.1.1", "172.32.0.1", "100.128.0.1", "2606:4700::1111", "::ffff:8.8.8.8", "2002:0808:0808::"]
    {
        assert_eq!(classify(ip(public)), None, "{public}");
    }
}

#[test]
fn allow_entries_parse_as_sockets_blocks_addresses_or_hosts() {
    assert_eq!("127.0.0.1:9090".parse(), Ok(Allow::Socket("127.0.0.1:9090".parse().unwrap())));
    assert_eq!("[::1]:2525".parse(), Ok(Allow::Socket("[::1]:2525".parse().unwrap())));
    assert_eq!("10.1.0.0/16".parse(), Ok(Allow::Net("10.1.0.0/16".parse().unwrap())));
    assert_eq!("127.0.0.1".parse(), Ok(Allow::Net("127.0.0.1/32".parse().unwrap())));
    assert_eq!("::1".parse(), Ok(Allow::Net("::1/128".parse().unwrap())));
    assert_eq!("SMTP.Internal.Example.".parse(), Ok(Allow::Host("smtp.internal.example".into())));
    for bad in ["", "http://x", "a b", "10.0.0.0/33", "x..y", "host:port"] {
        assert!(bad.parse::<Allow>().is_err(), "{bad:?}");
    }
}

#[test]
fn only_what_the_operator_allowed_gets_through() {
    let sock = |text: &str| text.parse::<SocketAddr>().unwrap();
    let closed = EgressPolicy::new(Vec::new());
    assert_eq!(closed.check("8.8.8.8", sock("8.8.8.8:443")), Ok(()));
    assert_eq!(closed.check("localhost", sock("127.0.0.1:80")), Err(EgressError::Refused { class: "loopback" }));
    assert!(closed.check("metadata", sock("169.254.169.254:80")).is_err());
    assert_eq!(EgressPolicy::open().check("localhost", sock("127.0.0.1:80")), Ok(()));

    let allow = vec!["127.0.0.1:9090".parse().unwrap(), "10.1.0.0/16".parse().unwrap(), "relay.corp".parse().unwrap()];
    let policy = EgressPolicy::new(allow);
    assert_eq!(policy.check("127.0.0.1", sock("127.0.0.1:9090")), Ok(()));
    assert!(policy.check("127.0.0.1", sock("127.0.0.1:9091")).is_err(), "another port of an allowed socket");
    assert_eq!(policy.check("10.1.2.3", sock("10.1.2.3:25")), Ok(()));
    assert!(policy.check("10.2.0.1", sock("10.2.0.1:25")).is_err());
    assert_eq!(policy.check("Relay.Corp.", sock("10.9.9.9:25")), Ok(()), "an allowed host, whatever it resolves to");
    assert!(policy.check("evil.example", sock("10.9.9.9:25")).is_err());
    assert_eq!(policy.check_literal("[::1]", 80), Some(Err(EgressError::Refused { class: "loopback" })));
    assert_eq!(policy.check_literal("vendor.example", 80), None);
}

#[tokio::test]
async fn names_are_judged_by_what_they_resolve_to() {
    let closed = EgressPolicy::new(Vec::new());
    assert_eq!(closed.resolve("localhost", 80).await, Err(EgressError::Refused { class: "loopback" }));
    assert_eq!(closed.resolve("127.0.0.1", 80).await, Err(EgressError::Refused { class: "loopback" }));
    assert_eq!(closed.resolve("[::1]", 80).await, Err(EgressError::Refused { class: "loopback" }));
    assert_eq!(closed.resolve("does-not-exist.invalid", 80).await, Err(EgressError::Unresolvable));
    let allowed = closed.with("127.0.0.1".parse().unwrap());
    let addrs = allowed.resolve("localhost", 8080).await.unwrap();
    assert!(addrs.iter().all(|a| a.ip() == ip("127.0.0.1") && a.port() == 8080), "{addrs:?}");
    // The refusal names no address: it is shown to the tenant.
    assert!(!EgressError::Refused { class: "loopback" }.to_string().contains("127"));
}
