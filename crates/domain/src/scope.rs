//! What an API key may do ([`Scope`]), as stored (`ingest,read`) and as the API names it.

use serde::{Deserialize, Serialize};

use crate::role::Permission;

/// What a key may do. `All` implies every other scope.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Scope {
    Ingest,
    Read,
    Campaigns,
    All,
}

impl Scope {
    /// Every scope, in the order the API lists them.
    pub const ALL: [Scope; 4] = [Scope::Ingest, Scope::Read, Scope::Campaigns, Scope::All];

    pub fn as_str(self) -> &'static str {
        match self {
            Scope::Ingest => "ingest",
            Scope::Read => "read",
            Scope::Campaigns => "campaigns",
            Scope::All => "all",
        }
    }

    pub fn parse(text: &str) -> Result<Scope, String> {
        match text.trim().to_ascii_lowercase().as_str() {
            "ingest" => Ok(Scope::Ingest),
            "read" => Ok(Scope::Read),
            "campaigns" => Ok(Scope::Campaigns),
            "all" => Ok(Scope::All),
            other => Err(format!("unknown scope `{other}` (expected ingest, read, campaigns or all)")),
        }
    }

    /// Parses a comma-separated list such as `ingest,read`; at least one scope, no repeats kept.
    pub fn parse_list(text: &str) -> Result<Vec<Scope>, String> {
        let mut scopes = Vec::new();
        for part in text.split(',').filter(|p| !p.trim().is_empty()) {
            let scope = Scope::parse(part)?;
            if !scopes.contains(&scope) {
                scopes.push(scope);
            }
        }
        if scopes.is_empty() {
            return Err("at least one scope is required".into());
        }
        Ok(scopes)
    }

    /// The comma-separated form [`Scope::parse_list`] reads (`ingest,read`).
    pub fn format_list(scopes: &[Scope]) -> String {
        scopes.iter().map(|s| s.as_str()).collect::<Vec<_>>().join(",")
    }

    /// What this scope lets a key do.
    pub fn permission(self) -> Permission {
        match self {
            Scope::Read => Permission::Read,
            Scope::Ingest => Permission::Ingest,
            Scope::Campaigns => Permission::Campaigns,
            Scope::All => Permission::Admin,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scope_lists_parse_and_reject_unknowns() {
        assert_eq!(Scope::parse_list("ingest, read,ingest").unwrap(), vec![Scope::Ingest, Scope::Read]);
        assert!(Scope::parse_list("ingest,write").is_err());
        assert!(Scope::parse_list(" , ").is_err());
        let all = Scope::ALL.to_vec();
        assert_eq!(Scope::parse_list(&Scope::format_list(&all)).unwrap(), all);
    }
}
