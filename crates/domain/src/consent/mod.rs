//! Consent: who agreed to be messaged on which channel ([`SubscriptionStatus`], [`ConsentSource`],
//! [`Subscriptions`]), the workspace's compliance settings ([`Compliance`]: policy per channel, quiet hours,
//! frequency cap, SMS opt-out line, topics), what a recipient's consent decides at send time ([`decide`]), and
//! the reply keywords of SMS ([`ReplyKeyword`]).
//!
//! Pure like the rest of the domain: the dispatcher reads the facts (status, suppression, messages in the
//! cap's window) and passes them in with `now`.

mod compliance;
mod decide;
mod reply;
mod status;
mod suppression;

pub use compliance::{Compliance, ComplianceInput, FrequencyCap, Policy, QuietHours, Topic};
pub use decide::{decide, ConsentFacts, ConsentSkip, Verdict};
pub use reply::ReplyKeyword;
pub use status::{ChannelKey, ConsentSource, SubscriptionStatus, Subscriptions};
pub use suppression::{AddressKey, SuppressionAddress};

#[cfg(test)]
mod tests;
