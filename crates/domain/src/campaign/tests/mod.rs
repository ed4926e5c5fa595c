//! Tests of the campaign state machines: every campaign transition (table-driven), the delivery status
//! rules with a property over random receipt sequences, and channel resolution.

mod channel;
mod delivery;
mod status;
