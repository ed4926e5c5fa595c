//! Misbehaviour on demand: the settings ([`Chaos`]) and the seeded dice that apply them.
//!
//! Chaos exists so Converge's tests can prove their retry and idempotency paths against a vendor that fails in
//! the ways real ones do. Settings come from [`crate::SimConfig::chaos`] at start and from `PUT /admin/chaos`
//! at run time; a PUT replaces all settings (fields left out are off), so the state is always exactly what the
//! last caller asked for.

use std::sync::{Mutex, RwLock};

use chrono::{DateTime, Utc};
use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use serde::{Deserialize, Serialize};

use crate::sync::{lock, read, write};

/// Longest `slow_ms` accepted: a client timeout is usually far shorter, and a bound keeps handlers bounded.
const MAX_SLOW_MS: u64 = 120_000;

/// How the simulator misbehaves. All off by default.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Chaos {
    /// Probability (0–1) that a message's receipt is delivered twice.
    pub duplicate_receipts: f64,
    /// Shuffle receipts within each callback batch and add a random extra delay (up to `max(max_delay_ms,
    /// 100)` ms) before each outcome, so later messages' receipts often arrive first.
    pub reorder: bool,
    /// Milliseconds to wait before answering a send, after the messages were accepted.
    pub slow_ms: u64,
    /// Fraction (0–1) of send requests answered 500 or 503 without accepting anything.
    pub error_rate: f64,
    /// Fraction (0–1) of send requests whose connection is closed without a response, after the messages were
    /// accepted: the client cannot tell, retries, and only idempotency by `reference` prevents a second send.
    pub drop_rate: f64,
    /// Until this instant every endpoint except `/admin/chaos` answers 503.
    pub outage_until: Option<DateTime<Utc>>,
}

impl Chaos {
    /// Rejects settings that make no sense, naming the field.
    pub fn validate(&self) -> Result<(), String> {
        for (name, value) in [
            ("duplicate_receipts", self.duplicate_receipts),
            ("error_rate", self.error_rate),
            ("drop_rate", self.drop_rate),
        ] {
            if !(0.0..=1.0).contains(&value) {
                return Err(format!("{name} must be between 0 and 1"));
            }
        }
        if self.error_rate + self.drop_rate > 1.0 {
            return Err("error_rate + drop_rate must not exceed 1".into());
        }
        if self.slow_ms > MAX_SLOW_MS {
            return Err(format!("slow_ms must be at most {MAX_SLOW_MS}"));
        }
        Ok(())
    }

    /// Whether the simulated outage is still on at `now`.
    pub fn in_outage(&self, now: DateTime<Utc>) -> bool {
        self.outage_until.is_some_and(|until| now < until)
    }
}

/// What to do with one send request, decided once per request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum SendFate {
    /// Accept and answer normally.
    Answer,
    /// Answer with this 5xx status and accept nothing.
    Error(u16),
    /// Accept, then close the connection without answering.
    Drop,
}

/// The current chaos settings and the seeded random source for every chaos decision.
pub(crate) struct ChaosState {
    settings: RwLock<Chaos>,
    rng: Mutex<StdRng>,
}

impl ChaosState {
    pub(crate) fn new(settings: Chaos, seed: u64) -> ChaosState {
        // A different stream from the outcome hash, so chaos never correlates with outcomes.
        ChaosState {
            settings: RwLock::new(settings),
            rng: Mutex::new(StdRng::seed_from_u64(seed ^ 0x9e37_79b9_7f4a_7c15)),
        }
    }

    pub(crate) fn get(&self) -> Chaos {
        read(&self.settings).clone()
    }

    pub(crate) fn set(&self, settings: Chaos) {
        *write(&self.settings) = settings;
    }

    pub(crate) fn send_fate(&self) -> SendFate {
        let (error_rate, drop_rate) = {
            let chaos = read(&self.settings);
            (chaos.error_rate, chaos.drop_rate)
        };
        if error_rate <= 0.0 && drop_rate <= 0.0 {
            return SendFate::Answer;
        }
        let mut rng = lock(&self.rng);
        let roll: f64 = rng.gen();
        if roll < error_rate {
            SendFate::Error(if rng.gen_bool(0.5) { 500 } else { 503 })
        } else if roll < error_rate + drop_rate {
            SendFate::Drop
        } else {
            SendFate::Answer
        }
    }

    /// How many copies of a receipt to deliver (1, or 2 under `duplicate_receipts`), for `count` receipts.
    pub(crate) fn receipt_copies(&self, count: usize) -> Vec<u8> {
        let probability = read(&self.settings).duplicate_receipts;
        if probability <= 0.0 {
            return vec![1; count];
        }
        let mut rng = lock(&self.rng);
        (0..count).map(|_| if rng.gen_bool(probability.min(1.0)) { 2 } else { 1 }).collect()
    }

    /// Extra milliseconds before each of `count` outcomes when reordering is on (zeros otherwise).
    pub(crate) fn reorder_delays(&self, count: usize, max_delay_ms: u64) -> Option<Vec<u64>> {
        if !read(&self.settings).reorder {
            return None;
        }
        let window = max_delay_ms.max(100);
        let mut rng = lock(&self.rng);
        Some((0..count).map(|_| rng.gen_range(0..=window)).collect())
    }

    /// Shuffles a callback batch when reordering is on.
    pub(crate) fn maybe_shuffle<T>(&self, items: &mut [T]) {
        if read(&self.settings).reorder {
            items.shuffle(&mut *lock(&self.rng));
        }
    }

    pub(crate) fn slow_ms(&self) -> u64 {
        read(&self.settings).slow_ms
    }

    /// A jitter factor in [0.8, 1.2] for receipt retry backoff, so retries of many receipts spread out.
    pub(crate) fn jitter(&self) -> f64 {
        lock(&self.rng).gen_range(0.8..=1.2)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn validation_names_the_field() {
        assert!(Chaos::default().validate().is_ok());
        let bad = Chaos { error_rate: 1.5, ..Chaos::default() };
        assert!(bad.validate().is_err_and(|e| e.contains("error_rate")));
        let too_much = Chaos { error_rate: 0.6, drop_rate: 0.6, ..Chaos::default() };
        assert!(too_much.validate().is_err());
    }

    #[test]
    fn fates_follow_the_rates() {
        let state = ChaosState::new(Chaos { error_rate: 0.2, drop_rate: 0.1, ..Chaos::default() }, 7);
        let fates: Vec<SendFate> = (0..10_000).map(|_| state.send_fate()).collect();
        let errors = fates.iter().filter(|f| matches!(f, SendFate::Error(_))).count();
        let drops = fates.iter().filter(|f| **f == SendFate::Drop).count();
        assert!((1_800..2_200).contains(&errors), "{errors}");
        assert!((850..1_150).contains(&drops), "{drops}");
    }

    #[test]
    fn partial_json_turns_everything_else_off() {
        let chaos: Chaos = serde_json::from_str(r#"{"reorder": true}"#).unwrap();
        assert_eq!(chaos, Chaos { reorder: true, ..Chaos::default() });
        assert!(serde_json::from_str::<Chaos>(r#"{"reorder": true, "typo": 1}"#).is_err());
    }
}
