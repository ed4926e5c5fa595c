//! Proving a workspace controls an e-mail domain before that domain auto-joins anyone: the workspace
//! publishes `converge-verify=<token>` (its own random token for that domain) as a TXT record at
//! `_converge.<domain>`, and [`check`] looks it up with a real resolver (hickory), the configured one
//! (`dns.resolver`) or the system's. A record split into several strings counts as their concatenation;
//! any one matching record among several is enough.

use std::time::Duration;

use hickory_resolver::config::{NameServerConfigGroup, ResolverConfig, ResolverOpts};
use hickory_resolver::error::ResolveErrorKind;
use hickory_resolver::TokioAsyncResolver;

use crate::config::DnsSettings;

/// The name the TXT record lives at.
pub fn record_name(domain: &str) -> String {
    format!("_converge.{domain}")
}

/// The exact TXT value that proves `token`.
pub fn record_value(token: &str) -> String {
    format!("converge-verify={token}")
}

/// Why a proof did not hold. Texts name the record, never anything the resolver answered beyond that.
#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub enum ProofError {
    #[error("no TXT record at {0}")]
    NoRecord(String),
    #[error("the TXT records at {0} do not contain the expected value")]
    Mismatch(String),
    #[error("the DNS resolver could not answer for {name}: {reason}")]
    Unavailable { name: String, reason: String },
}

fn resolver(settings: &DnsSettings) -> Result<TokioAsyncResolver, String> {
    let (config, mut opts) = match settings.resolver {
        Some(address) => {
            let servers = NameServerConfigGroup::from_ips_clear(&[address.ip()], address.port(), true);
            (ResolverConfig::from_parts(None, Vec::new(), servers), ResolverOpts::default())
        }
        None => hickory_resolver::system_conf::read_system_conf().map_err(|e| e.to_string())?,
    };
    opts.timeout = Duration::from_secs(settings.timeout_secs.max(1));
    opts.attempts = 2;
    opts.use_hosts_file = false;
    Ok(TokioAsyncResolver::tokio(config, opts))
}

/// Checks that `_converge.<domain>` carries `converge-verify=<token>`. A fresh resolver per check: no cached
/// answer (a record just published, or its absence a minute ago) carries over.
pub async fn check(settings: &DnsSettings, domain: &str, token: &str) -> Result<(), ProofError> {
    let name = record_name(domain);
    let unavailable = |reason: String| ProofError::Unavailable { name: name.clone(), reason };
    let resolver = resolver(settings).map_err(unavailable)?;
    // Fully qualified: no search domain is appended.
    let lookup = match resolver.txt_lookup(format!("{name}.")).await {
        Ok(lookup) => lookup,
        Err(err) => {
            return Err(match err.kind() {
                ResolveErrorKind::NoRecordsFound { .. } => ProofError::NoRecord(name),
                _ => unavailable(err.to_string()),
            })
        }
    };
    let expected = record_value(token);
    let found = lookup.iter().any(|txt| {
        let joined: Vec<u8> = txt.txt_data().iter().flat_map(|part| part.iter().copied()).collect();
        joined == expected.as_bytes()
    });
    if found {
        Ok(())
    } else {
        Err(ProofError::Mismatch(name))
    }
}
