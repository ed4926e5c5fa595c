//! [`PolicyResolver`]: reqwest's DNS hook, answering only the addresses the policy permits, so the HTTP
//! connector can only ever connect to a checked address.

use std::net::SocketAddr;

use reqwest::dns::{Addrs, Name, Resolve, Resolving};

use crate::EgressPolicy;

/// Resolves names for one HTTP client whose destination listens on `port` (reqwest puts the URL's port on
/// whatever addresses a resolver returns, so the port checked here is the port connected to).
#[derive(Debug)]
pub struct PolicyResolver {
    policy: EgressPolicy,
    port: u16,
}

impl PolicyResolver {
    pub(crate) fn new(policy: EgressPolicy, port: u16) -> PolicyResolver {
        PolicyResolver { policy, port }
    }
}

impl Resolve for PolicyResolver {
    fn resolve(&self, name: Name) -> Resolving {
        let policy = self.policy.clone();
        let port = self.port;
        let host = name.as_str().to_owned();
        Box::pin(async move {
            let addrs: Vec<SocketAddr> = policy.resolve(&host, port).await?;
            Ok(Box::new(addrs.into_iter()) as Addrs)
        })
    }
}
