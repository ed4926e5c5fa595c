//! Converge's domain: the types every other crate agrees on.
//!
//! Row ids ([`ids`]) are one type per table.
//!
//! Everything here is pure (no I/O, no clock reads: "now" is always passed in) so it can be unit- and
//! property-tested in isolation. The guiding rule is *parse, don't validate*: raw input DTOs
//! ([`CustomerInput`], [`OrderInput`]) turn into records ([`CustomerRecord`], [`OrderRecord`]) made only of
//! newtypes ([`Email`], [`Money`], [`ExternalId`], …) whose constructors check their invariants, so a value of
//! one of those types is valid wherever it travels, including through the ingest stream ([`IngestEnvelope`]).
//!
//! Campaigns add [`MessageTemplate`] (checked, sandboxed personalisation) and the campaign and delivery state
//! machines in [`campaign`].
//!
//! What must not live here: database or HTTP types, async code, configuration.

pub mod campaign;
pub mod consent;
pub mod customer;
pub mod error;
pub mod fields;
pub mod ids;
pub mod ingest;
pub mod money;
pub mod order;
pub mod profile;
pub mod role;
pub mod scope;
pub mod segment;
#[cfg(feature = "sqlx")]
mod stored;
pub mod template;

pub use campaign::{
    check_draft_template, parse_send_at, Address, CampaignDraft, CampaignEvent, CampaignStatus, CampaignTemplates,
    DeliveryStatus, DraftInput, ReceiptStatus, SendChannel, SkipReason, TransitionError,
};
pub use consent::{Compliance, ComplianceInput, ConsentSource, SubscriptionStatus, Subscriptions, Topic};
pub use customer::{CustomerInput, CustomerRecord};
pub use error::{FieldError, FieldErrors};
pub use fields::{
    parse_timestamp, text_schema, ApiKeyLabel, AttributeKey, AttributeValue, Attributes, CampaignName, Channel, City,
    Email, ExternalId, Gender, PersonName, Phone, ProductName, SalesChannel, SegmentDescription, SegmentName, Sku,
    NOTE_PATTERN, NO_CONTROL_PATTERN, PROSE_PATTERN, VISIBLE_TEXT_PATTERN,
};
pub use ids::{
    ApiKeyId, AuditEntryId, CampaignId, CustomerId, InvitationId, MessageId, OrderId, SegmentId, TemplateId, UserId,
    WorkspaceId,
};
pub use ingest::{IngestEnvelope, IngestEvent};
pub use money::{Currency, Money, TOTAL_CAP_MINOR};
pub use order::{OrderInput, OrderItem, OrderItemInput, OrderRecord, OrderStatus, Quantity};
pub use profile::{EmailSender, ProfilePatch, SmsSender, WorkspaceProfile};
pub use role::{Permission, Role};
pub use scope::Scope;
pub use template::{
    segments_estimate, MessageTemplate, TemplateError, TemplateIssue, TemplateVariable, TemplateVars,
    TEMPLATE_VARIABLES,
};

#[cfg(test)]
mod tests;
