//! Consent and compliance over HTTP: the compliance settings, the suppression list, a customer's
//! subscriptions (with history), erasure and access, SMS replies, spam complaints, and the hosted unsubscribe and preferences
//! page.

pub mod complaints;
pub mod compliance;
pub mod erasure;
pub mod inbound;
pub mod subscriptions;
pub mod suppressions;
pub mod unsubscribe;
