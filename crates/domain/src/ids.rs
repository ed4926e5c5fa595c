//! Row ids, one type per table, so that a workspace id cannot be passed where a segment id is expected
//! (`segment(workspace, id)` with the two swapped no longer compiles).
//!
//! Each is a transparent `i64`: the same number in JSON, in a URL path and in both databases (with the
//! `sqlx` feature, which the store enables, they bind and decode as the `BIGINT`/`INTEGER` column they are).
//! Only the store makes them from database rows; HTTP paths and bodies make them by deserializing, and
//! code that only has a number (a CLI flag, a queue entry, a test) says so with [`WorkspaceId::new`] etc.

use serde::{Deserialize, Serialize};

macro_rules! id_types {
    ($($(#[$doc:meta])* $name:ident;)+) => {$(
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        #[cfg_attr(feature = "sqlx", derive(sqlx::Type), sqlx(transparent))]
        #[serde(transparent)]
        pub struct $name(i64);

        impl $name {
            /// The id a row was stored under. Nothing checks that the row exists.
            pub const fn new(id: i64) -> Self {
                $name(id)
            }

            /// The number, for what is not typed by table (metrics labels, the index's arrays, logs).
            pub const fn get(self) -> i64 {
                self.0
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                self.0.fmt(f)
            }
        }

        /// A decimal number, as query parameters carry it.
        impl std::str::FromStr for $name {
            type Err = std::num::ParseIntError;

            fn from_str(text: &str) -> Result<Self, Self::Err> {
                text.parse().map($name)
            }
        }

        impl From<$name> for i64 {
            fn from(id: $name) -> i64 {
                id.0
            }
        }

        impl utoipa::PartialSchema for $name {
            fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
                <i64 as utoipa::PartialSchema>::schema()
            }
        }

        impl utoipa::ToSchema for $name {}
    )+};
}

id_types! {
    /// A workspace (tenant): every other row belongs to exactly one.
    WorkspaceId;
    /// A customer row (not the client's external id).
    CustomerId;
    /// A campaign.
    CampaignId;
    /// A saved segment.
    SegmentId;
    /// A person who signs in (members of workspaces).
    UserId;
    /// An API key.
    ApiKeyId;
    /// One campaign log row: a message to one recipient.
    MessageId;
    /// An invitation to join a workspace.
    InvitationId;
    /// An order row (not the client's external id).
    OrderId;
    /// A saved message template.
    TemplateId;
    /// One entry of a workspace's audit log.
    AuditEntryId;
}
