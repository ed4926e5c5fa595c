//! Workspace administration: the workspace's profile (brand, postal address, senders), members and their
//! roles, invitations, and the e-mail domains whose people join automatically. Everything here needs the admin permission (owner or admin, or an API key with
//! scope `all`), except listing members, which any member may do.
//!
//! Who may change whom follows [`Role::manages`]: the caller must manage both a member's current role and
//! the role given. An API key with scope `all` acts as an admin (it can never touch owners). A workspace
//! always keeps at least one owner.

pub mod domains;
pub mod invitation_mail;
pub mod invitations;
pub mod members;
pub mod profile;

use converge_domain::Role;

use crate::auth::{Caller, Scope};
use crate::http::error::ApiError;

/// The role the caller acts with when administering: their own, or admin for an API key with `all`.
/// Fails with 403 unless the caller has the admin permission.
pub(crate) fn admin_role(caller: &Caller) -> Result<Role, ApiError> {
    caller.require(Scope::All)?;
    Ok(caller.role().unwrap_or(Role::Admin))
}

/// 403 unless `acting` may give or take away `target`.
pub(crate) fn require_manages(acting: Role, target: Role) -> Result<(), ApiError> {
    if acting.manages(target) {
        Ok(())
    } else {
        Err(ApiError::Forbidden(format!("your role ({acting}) cannot give or take away the {target} role")))
    }
}

/// Parses a role field, naming `field` when it is unknown.
pub(crate) fn parse_role(field: &str, raw: &str) -> Result<Role, ApiError> {
    Role::parse(raw).map_err(|e| ApiError::invalid(field, e))
}
