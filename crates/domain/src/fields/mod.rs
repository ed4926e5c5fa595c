//! Contact and catalogue fields: one newtype per kind of value, each with a `parse` that is the only way to
//! build it.
//!
//! Every string newtype here has a private field, `parse(&str) -> Result<Self, String>` whose error is human
//! text completing "<field> …" (e.g. "must be a valid e-mail address"), `as_str()`, and serde
//! `try_from = "String"`, so deserializing a stored or queued value re-checks it instead of trusting it.

/// Implements the boilerplate shared by string newtypes: `as_str`, `Display`, `AsRef<str>`, serde's
/// `TryFrom<String>`/`Into<String>` pair (the struct carries the `#[serde(try_from, into)]` attribute), and an
/// OpenAPI schema built by `$schema`.
macro_rules! string_newtype {
    ($name:ident, $schema:expr) => {
        impl $name {
            /// The validated text.
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl AsRef<str> for $name {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }

        impl TryFrom<String> for $name {
            type Error = String;

            fn try_from(value: String) -> Result<Self, Self::Error> {
                Self::parse(&value)
            }
        }

        impl From<$name> for String {
            fn from(value: $name) -> String {
                value.0
            }
        }

        impl utoipa::PartialSchema for $name {
            fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
                let builder: utoipa::openapi::ObjectBuilder = $schema;
                builder.into()
            }
        }

        impl utoipa::ToSchema for $name {}
    };
}

mod attributes;
mod choice;
mod email;
mod phone;
mod text;
mod timestamp;

pub use attributes::{AttributeKey, AttributeValue, Attributes};
pub use choice::{Channel, Gender};
pub use email::Email;
pub use phone::Phone;
pub use text::{
    ApiKeyLabel, CampaignName, City, ExternalId, PersonName, ProductName, SalesChannel, SegmentDescription,
    SegmentName, Sku,
};
pub use timestamp::parse_timestamp;

/// The OpenAPI `pattern` of free text as [`bounded_text`] accepts it: at least one visible character and no
/// control characters (C0, DEL, C1), so a generator that follows the spec never produces a refused value.
pub const VISIBLE_TEXT_PATTERN: &str = r"^[^\x00-\x1f\x7f-\x9f]*[^\s\x00-\x1f\x7f-\x9f][^\x00-\x1f\x7f-\x9f]*$";

/// The OpenAPI `pattern` of prose (a description, an objective): as [`VISIBLE_TEXT_PATTERN`], but line breaks
/// and tabs are allowed.
pub const PROSE_PATTERN: &str =
    r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]*[^\s\x00-\x1f\x7f-\x9f][^\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]*$";

/// The OpenAPI `pattern` of optional text: possibly empty, never a control character.
pub const NO_CONTROL_PATTERN: &str = r"^[^\x00-\x1f\x7f-\x9f]*$";

/// The OpenAPI `pattern` of an optional note: possibly empty, line breaks and tabs allowed, no other control
/// character.
pub const NOTE_PATTERN: &str = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]*$";

/// The OpenAPI schema of free text of at most `max` characters matching `pattern` (one of the patterns above,
/// which also say whether it may be empty), for request fields the server checks by hand rather than through a
/// newtype.
pub fn text_schema(pattern: &str, max: usize) -> utoipa::openapi::ObjectBuilder {
    utoipa::openapi::ObjectBuilder::new()
        .schema_type(utoipa::openapi::Type::String)
        .max_length(Some(max))
        .pattern(Some(pattern))
}

/// Starts the OpenAPI schema of a string field.
fn string_schema(description: &str) -> utoipa::openapi::ObjectBuilder {
    utoipa::openapi::ObjectBuilder::new().schema_type(utoipa::openapi::Type::String).description(Some(description))
}
