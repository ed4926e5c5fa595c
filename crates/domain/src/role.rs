//! [`Role`]: what a person may do in one workspace. API keys have scopes instead; both answer the same
//! question through [`Permission`].

use std::fmt;

use serde::{Deserialize, Serialize};

/// A member's role in a workspace, from most to least powerful.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// Everything, including members' roles and other owners.
    Owner,
    /// Everything except changing owners: settings, API keys, members below owner.
    Admin,
    /// Builds audiences, launches campaigns, sends data.
    Member,
    /// Reads.
    Viewer,
}

/// What a request needs. API-key scopes map one to one (`read`, `ingest`, `campaigns`, `all` = `Admin`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Permission {
    Read,
    Ingest,
    Campaigns,
    /// Settings, API keys, members, audit.
    Admin,
}

impl Role {
    pub const ALL: [Role; 4] = [Role::Owner, Role::Admin, Role::Member, Role::Viewer];

    pub fn parse(raw: &str) -> Result<Role, String> {
        match raw.trim().to_ascii_lowercase().as_str() {
            "owner" => Ok(Role::Owner),
            "admin" => Ok(Role::Admin),
            "member" => Ok(Role::Member),
            "viewer" => Ok(Role::Viewer),
            other => Err(format!("unknown role `{other}`; use owner, admin, member or viewer")),
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Owner => "owner",
            Role::Admin => "admin",
            Role::Member => "member",
            Role::Viewer => "viewer",
        }
    }

    /// Whether this role grants `permission`.
    pub fn allows(self, permission: Permission) -> bool {
        match permission {
            Permission::Read => true,
            Permission::Ingest | Permission::Campaigns => self <= Role::Member,
            Permission::Admin => self <= Role::Admin,
        }
    }

    /// Whether someone with this role may give or take away `target` (owners manage everyone; admins
    /// manage admins, members and viewers; nobody else manages anyone).
    pub fn manages(self, target: Role) -> bool {
        match self {
            Role::Owner => true,
            Role::Admin => target != Role::Owner,
            Role::Member | Role::Viewer => false,
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_are_nested() {
        use Permission::*;
        let table = [
            (Role::Owner, [true, true, true, true]),
            (Role::Admin, [true, true, true, true]),
            (Role::Member, [true, true, true, false]),
            (Role::Viewer, [true, false, false, false]),
        ];
        for (role, expected) in table {
            let got = [Read, Ingest, Campaigns, Admin].map(|p| role.allows(p));
            assert_eq!(got, expected, "{role}");
        }
        assert!(Role::Owner.manages(Role::Owner) && Role::Admin.manages(Role::Admin));
        assert!(!Role::Admin.manages(Role::Owner) && !Role::Member.manages(Role::Viewer));
        for role in Role::ALL {
            assert_eq!(Role::parse(role.as_str()), Ok(role));
        }
        assert!(Role::parse("root").is_err());
    }
}
