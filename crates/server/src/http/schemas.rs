//! The spec's shapes of request fields the handlers check by hand (not through a domain newtype), for
//! `#[schema(schema_with = …)]`. Each states exactly what its handler accepts (or less), so a request that
//! follows the spec is never refused for its shape.

use converge_ai::{MAX_OBJECTIVE_CHARS, MAX_TEXT_CHARS};
use converge_domain::template::MAX_EMAIL_TEMPLATE_CHARS;
use converge_domain::{text_schema, Role, PROSE_PATTERN, VISIBLE_TEXT_PATTERN};
use utoipa::openapi::schema::{ArrayBuilder, ObjectBuilder, Type};
use utoipa::openapi::{RefOr, Schema};

use crate::auth::Scope;

/// An API key's scopes: at least one of `ingest`, `read`, `campaigns`, `all`.
pub fn api_key_scopes() -> RefOr<Schema> {
    let names = Scope::ALL.map(Scope::as_str);
    let scope = ObjectBuilder::new().schema_type(Type::String).enum_values(Some(names));
    ArrayBuilder::new().items(scope).min_items(Some(1)).into()
}

/// A campaign's `Idempotency-Key`: 1 to 200 characters, no control characters.
pub fn idempotency_key() -> RefOr<Schema> {
    text_schema(VISIBLE_TEXT_PATTERN, crate::http::campaigns::create::MAX_IDEMPOTENCY_KEY_CHARS).into()
}

/// A message template: not blank; the channel's own limit (e-mail's is the largest) is checked on create.
pub fn template() -> RefOr<Schema> {
    text_schema(PROSE_PATTERN, MAX_EMAIL_TEMPLATE_CHARS).into()
}

/// What a campaign wants, for message suggestions.
pub fn objective() -> RefOr<Schema> {
    text_schema(PROSE_PATTERN, MAX_OBJECTIVE_CHARS).into()
}

/// An audience described in words, for a rule drafted from it.
pub fn audience_text() -> RefOr<Schema> {
    text_schema(PROSE_PATTERN, MAX_TEXT_CHARS).into()
}

/// The role a workspace domain or an invitation gives: owners are named, never joined by domain.
pub fn joinable_role() -> RefOr<Schema> {
    let joinable = Role::ALL.into_iter().filter(|role| *role != Role::Owner).map(Role::as_str);
    ObjectBuilder::new().schema_type(Type::String).enum_values(Some(joinable)).into()
}
