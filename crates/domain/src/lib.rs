//! Converge's domain: the types every other crate agrees on.
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
pub mod customer;
pub mod error;
pub mod fields;
pub mod ingest;
pub mod money;
pub mod order;
pub mod role;
pub mod segment;
pub mod template;

pub use campaign::{
    Address, CampaignEvent, CampaignStatus, DeliveryStatus, ReceiptStatus, SendChannel, SkipReason, TransitionError,
};
pub use customer::{CustomerInput, CustomerRecord};
pub use error::{FieldError, FieldErrors};
pub use fields::{
    parse_timestamp, text_schema, AttributeKey, AttributeValue, Attributes, CampaignName, Channel, City, Email,
    ExternalId, Gender, PersonName, Phone, ProductName, SalesChannel, SegmentName, Sku, NO_CONTROL_PATTERN,
    PROSE_PATTERN, VISIBLE_TEXT_PATTERN,
};
pub use ingest::{IngestEnvelope, IngestEvent};
pub use money::{Currency, Money, TOTAL_CAP_MINOR};
pub use order::{OrderInput, OrderItem, OrderItemInput, OrderRecord, OrderStatus, Quantity};
pub use role::{Permission, Role};
pub use template::{
    segments_estimate, MessageTemplate, TemplateError, TemplateIssue, TemplateVariable, TemplateVars,
    TEMPLATE_VARIABLES,
};

#[cfg(test)]
mod schema_tests;
