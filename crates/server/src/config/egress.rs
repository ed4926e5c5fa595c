//! Settings of outbound connections to destinations a workspace chose (its vendor URL, its SMTP relay): the
//! operator's exceptions to the egress policy (see `converge_egress`).

use converge_egress::{Allow, BadAllow, EgressPolicy};
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct EgressSettings {
    /// Non-public destinations workspaces may nevertheless reach: host names (`relay.corp.example`, whatever
    /// it resolves to), addresses or CIDR blocks (`10.20.0.0/16`), or `address:port` (`127.0.0.1:2525`).
    /// Empty by default: loopback, private, link-local, carrier-grade NAT, multicast and metadata addresses are
    /// refused. The embedded default also admits its own in-process simulator, and nothing else.
    pub allow: Vec<String>,
}

impl EgressSettings {
    /// The policy for workspace-chosen destinations; an entry that does not parse is named in the error.
    pub fn policy(&self) -> Result<EgressPolicy, BadAllow> {
        let allow = self.allow.iter().map(|entry| entry.parse::<Allow>()).collect::<Result<Vec<_>, _>>()?;
        Ok(EgressPolicy::new(allow))
    }
}
