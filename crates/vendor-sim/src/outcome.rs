//! Each message's fate — SENT or FAILED, why, and after how long — derived from `SHA-256(seed, reference)`.
//!
//! Deriving it from the reference instead of drawing from a shared random stream in arrival order means
//! concurrent senders, retries and batch splits cannot change any outcome: the same seed and the same set of
//! references always give the same ledger, which is what end-to-end tests compare against.

use sha2::{Digest, Sha256};

use converge_vendor_wire::Outcome;

use crate::message::Channel;

/// What will happen to one message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Fate {
    pub outcome: Outcome,
    /// Index into the channel's failure reasons (meaningful only when failed).
    pub reason: u8,
    /// Milliseconds from acceptance to the outcome.
    pub delay_ms: u64,
}

const SMS_REASONS: [&str; 4] = [
    "handset unreachable",
    "number is on the do-not-disturb registry",
    "number does not exist",
    "carrier rejected the message",
];
const EMAIL_REASONS: [&str; 4] = [
    "mailbox does not exist",
    "mailbox full",
    "rejected as spam by the receiving server",
    "domain does not accept mail",
];
const WHATSAPP_REASONS: [&str; 4] = [
    "number is not on WhatsApp",
    "recipient has blocked the business",
    "24-hour session window closed",
    "message template not approved",
];

impl Fate {
    /// The fate of `reference` under `seed`; `failure_rate` in [0, 1], delay uniform in `[min_ms, max_ms]`.
    pub(crate) fn of(seed: u64, reference: &str, failure_rate: f64, min_ms: u64, max_ms: u64) -> Fate {
        let mut hasher = Sha256::new();
        hasher.update(b"converge-vendor-sim/fate/v1");
        hasher.update(seed.to_le_bytes());
        hasher.update(reference.as_bytes());
        let digest = hasher.finalize();
        let word = |at: usize| {
            let mut bytes = [0u8; 8];
            bytes.copy_from_slice(&digest[at..at + 8]);
            u64::from_le_bytes(bytes)
        };
        let outcome = if unit(word(0)) < failure_rate { Outcome::Failed } else { Outcome::Sent };
        let span = max_ms.saturating_sub(min_ms).saturating_add(1);
        let delay_ms = min_ms + word(8) % span;
        Fate { outcome, reason: digest[16] % 4, delay_ms }
    }

    /// Whether the failure is for good: the address itself is the problem, so a retry would fail again.
    pub(crate) fn is_permanent(&self, channel: Channel) -> bool {
        let permanent: &[u8] = match channel {
            // On the do-not-disturb registry; does not exist.
            Channel::Sms => &[1, 2],
            // Mailbox does not exist; domain does not accept mail.
            Channel::Email => &[0, 3],
            // Not on WhatsApp; blocked the business.
            Channel::Whatsapp => &[0, 1],
        };
        self.outcome == Outcome::Failed && permanent.contains(&self.reason)
    }

    /// The error text a receipt carries for a failed message.
    pub(crate) fn error(&self, channel: Channel) -> Option<&'static str> {
        if self.outcome == Outcome::Sent {
            return None;
        }
        let reasons = match channel {
            Channel::Sms => &SMS_REASONS,
            Channel::Email => &EMAIL_REASONS,
            Channel::Whatsapp => &WHATSAPP_REASONS,
        };
        reasons.get(usize::from(self.reason)).copied()
    }
}

/// Maps a random word to [0, 1) with 53 bits of precision.
fn unit(word: u64) -> f64 {
    (word >> 11) as f64 / (1u64 << 53) as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_seed_and_reference_give_the_same_fate() {
        let a = Fate::of(7, "log-123", 0.1, 20, 200);
        assert_eq!(a, Fate::of(7, "log-123", 0.1, 20, 200));
        let outcomes = |seed| (0..500).map(|i| Fate::of(seed, &format!("r{i}"), 0.5, 0, 0).outcome).collect::<Vec<_>>();
        assert_ne!(outcomes(7), outcomes(8));
    }

    #[test]
    fn the_failure_share_follows_the_rate() {
        let failed =
            (0..20_000).filter(|i| Fate::of(1, &format!("r{i}"), 0.1, 0, 0).outcome == Outcome::Failed).count();
        assert!((1_800..2_200).contains(&failed), "{failed}");
        assert!((0..100).all(|i| Fate::of(1, &format!("r{i}"), 0.0, 0, 0).outcome == Outcome::Sent));
        assert!((0..100).all(|i| Fate::of(1, &format!("r{i}"), 1.0, 0, 0).outcome == Outcome::Failed));
    }

    #[test]
    fn delays_stay_in_range_and_spread() {
        let delays: Vec<u64> = (0..2_000).map(|i| Fate::of(3, &format!("r{i}"), 0.1, 20, 200).delay_ms).collect();
        assert!(delays.iter().all(|d| (20..=200).contains(d)));
        assert!(delays.contains(&20) && delays.contains(&200));
        assert_eq!(Fate::of(3, "x", 0.1, 50, 50).delay_ms, 50);
    }

    #[test]
    fn failures_carry_a_channel_reason() {
        let fate = Fate { outcome: Outcome::Failed, reason: 2, delay_ms: 0 };
        assert_eq!(fate.error(Channel::Email), Some("rejected as spam by the receiving server"));
        assert_eq!(Fate { outcome: Outcome::Sent, ..fate }.error(Channel::Email), None);
        let dnd = Fate { outcome: Outcome::Failed, reason: 1, delay_ms: 0 };
        assert_eq!(dnd.error(Channel::Sms), Some("number is on the do-not-disturb registry"));
        assert!(dnd.is_permanent(Channel::Sms), "the do-not-disturb registry will not change on a retry");
        assert!(!fate.is_permanent(Channel::Email), "spam filtering may pass another time");
        assert!(fate.is_permanent(Channel::Sms), "reason 2 of SMS: the number does not exist");
        assert!(!Fate { reason: 0, ..fate }.is_permanent(Channel::Sms), "an unreachable handset may come back");
        assert!(!Fate { outcome: Outcome::Sent, ..dnd }.is_permanent(Channel::Sms));
    }
}
