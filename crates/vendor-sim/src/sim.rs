//! The simulator's shared state and its two core steps: accepting messages and revealing due outcomes.
//!
//! HTTP handlers, the scheduler loop and the receipt delivery loop all work through [`Sim`]; the steps here are
//! plain functions of the state and the current time, so tests can drive them without sleeping.

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, SubsecRound, Utc};
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;

use crate::chaos::ChaosState;
use crate::config::SimConfig;
use crate::ledger::{Accepted, Ledger};
use crate::message::Message;
use crate::outbox::{Outbox, ReceiptJob};
use crate::outcome::Fate;
use crate::timers::{Job, Timers};

/// Most timers handled in one scheduler pass, so one pass never holds the ledger lock for long.
const MAX_DUE_PER_PASS: usize = 10_000;
/// How long the scheduler sleeps when nothing is scheduled (it is woken early when something is).
const IDLE_WAKE: Duration = Duration::from_secs(1);

pub(crate) struct Sim {
    pub(crate) config: SimConfig,
    pub(crate) ledger: Ledger,
    pub(crate) chaos: ChaosState,
    pub(crate) timers: Timers,
    pub(crate) outbox: Outbox,
}

/// Timestamps are kept at millisecond precision so they survive a round trip through any database unchanged.
pub(crate) fn now_ms() -> DateTime<Utc> {
    Utc::now().trunc_subsecs(3)
}

impl Sim {
    pub(crate) fn new(config: SimConfig, instance: u32) -> Sim {
        let chaos = ChaosState::new(config.chaos.clone(), config.seed);
        Sim { ledger: Ledger::new(instance), chaos, timers: Timers::default(), outbox: Outbox::default(), config }
    }

    fn receipts_enabled(&self) -> bool {
        !self.config.callback_url.is_empty()
    }

    /// Records the messages (or recognises their references) and schedules each new message's outcome.
    pub(crate) fn accept(&self, messages: Vec<Message>) -> Vec<Accepted> {
        let config = &self.config;
        let with_fates = messages
            .into_iter()
            .map(|message| {
                let fate = Fate::of(
                    config.seed,
                    &message.reference,
                    config.failure_rate,
                    config.min_delay_ms,
                    config.max_delay_ms,
                );
                (message, fate)
            })
            .collect();
        let accepted = self.ledger.accept(with_fates, now_ms());
        let new: Vec<(u64, u64)> =
            accepted.iter().filter_map(|answer| answer.due_in_ms.map(|delay| (answer.seq, delay))).collect();
        if !new.is_empty() {
            let extra = self.chaos.reorder_delays(new.len(), config.max_delay_ms);
            let start = Instant::now();
            self.timers.schedule(new.iter().enumerate().map(|(i, &(seq, delay))| {
                let extra = extra.as_ref().and_then(|extra| extra.get(i)).copied().unwrap_or(0);
                (start + Duration::from_millis(delay + extra), Job::Decide(seq))
            }));
        }
        accepted
    }

    /// Handles every timer due at `now` (at most one pass's worth): reveals outcomes and queues their
    /// receipts, and puts receipts due for a retry back into the outbox. Returns how many timers fired and
    /// when the next one is due.
    pub(crate) fn run_due(&self, now: Instant) -> (usize, Option<Instant>) {
        let (jobs, next) = self.timers.take_due(now, MAX_DUE_PER_PASS);
        let fired = jobs.len();
        let mut decide = Vec::new();
        let mut redeliver = Vec::new();
        for job in jobs {
            match job {
                Job::Decide(seq) => decide.push(seq),
                Job::Redeliver(receipt) => redeliver.push(receipt),
            }
        }
        if !decide.is_empty() {
            let copies =
                if self.receipts_enabled() { self.chaos.receipt_copies(decide.len()) } else { vec![0; decide.len()] };
            let decided = self.ledger.decide(&decide, &copies, now_ms());
            let jobs = decided.into_iter().flat_map(|(seq, copies, receipt)| {
                let receipt = Arc::new(receipt);
                (0..copies).map(move |_| ReceiptJob { seq, attempts: 0, receipt: receipt.clone() })
            });
            redeliver.extend(jobs);
        }
        if !redeliver.is_empty() {
            self.outbox.push(redeliver);
        }
        (fired, next)
    }

    /// The scheduler loop: runs [`Sim::run_due`] whenever something is due, until `stop`.
    pub(crate) async fn schedule_loop(self: Arc<Self>, stop: CancellationToken) {
        while !stop.is_cancelled() {
            let (fired, next) = self.run_due(Instant::now());
            if fired == MAX_DUE_PER_PASS {
                // More is due already; let other tasks run before the next pass.
                tokio::task::yield_now().await;
                continue;
            }
            let wake_at = next.unwrap_or_else(|| Instant::now() + IDLE_WAKE);
            tokio::select! {
                _ = stop.cancelled() => return,
                _ = self.timers.added.notified() => {}
                _ = tokio::time::sleep_until(wake_at) => {}
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::message::Channel;
    use converge_vendor_wire::Outcome;

    fn message(reference: &str) -> Message {
        Message {
            to: "+919812345678".into(),
            channel: Channel::Sms,
            body: "hi".into(),
            subject: None,
            reference: reference.into(),
            sender: None,
        }
    }

    fn sim(callback_url: &str) -> Sim {
        let config = SimConfig {
            callback_url: callback_url.into(),
            min_delay_ms: 10,
            max_delay_ms: 10,
            failure_rate: 1.0,
            ..SimConfig::default()
        };
        Sim::new(config, 1)
    }

    #[test]
    fn outcomes_are_revealed_only_when_due_and_receipts_queued() {
        let sim = sim("http://127.0.0.1:9/receipts");
        sim.accept(vec![message("a"), message("b"), message("a")]);
        let start = Instant::now();
        assert_eq!(sim.run_due(start).0, 0);
        let (fired, next) = sim.run_due(start + Duration::from_millis(10));
        assert_eq!((fired, next), (2, None));
        assert_eq!(sim.outbox.len(), 2);
        let receipts = sim.outbox.take(10);
        assert_eq!(receipts[0].receipt.reference, "a");
        assert_eq!(receipts[1].receipt.status, Outcome::Failed);
        assert_eq!(sim.ledger.stats().failed, 2);
    }

    #[test]
    fn without_a_callback_url_outcomes_are_recorded_but_no_receipt_is_queued() {
        let sim = sim("");
        sim.accept(vec![message("a")]);
        sim.run_due(Instant::now() + Duration::from_millis(10));
        assert_eq!(sim.outbox.len(), 0);
        let entries = sim.ledger.snapshot();
        assert_eq!(entries[0].receipts.state, crate::ledger::ReceiptState::Disabled);
        assert_eq!(sim.ledger.stats().receipts_pending, 0);
    }
}
