//! The receipt applier: reads the `receipts` stream, gathers entries into batches, writes each batch with
//! one [`Store::apply_receipts`] call, then acknowledges it.
//!
//! Receipts arrive one small request at a time (a vendor callback carries whatever was ready), so a step
//! keeps reading until it holds `batch` entries or `flush` has passed since the first one: the database
//! sees few large statements, and a lone receipt waits at most `flush`. Entries come from the receipt
//! endpoint and from dispatchers (channels whose acceptance is the outcome, such as SMTP); the applier
//! does not care which.
//!
//! At-least-once delivery, exactly-once effect: an entry is acknowledged only after its batch committed,
//! and a receipt only ever moves a PENDING message, so redelivery is harmless. Undecodable entries and
//! entries delivered more than `max_deliveries` times go to the dead-letter stream.

use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use converge_queue::{Delivery, EntryId, Queue};
use converge_store::{ReceiptOutcome, ReceiptUpdate, Store};
use tokio_util::sync::CancellationToken;

use crate::delivery::ReceiptEntry;
use crate::state::streams::{RECEIPTS, RECEIPTS_GROUP};

/// Queued bounces listed per statement.
const BOUNCES_PER_STEP: u32 = 500;
/// Statements per call, so a backlog is worked off across ticks rather than in one long call.
const BOUNCE_STEPS: usize = 20;

/// Adds the addresses of messages that failed for good to their workspaces' suppression lists (see
/// `Consent::settle_bounces`): by the receipt applier after a batch with such failures, and by the scheduler
/// for those a dispatcher or the reconcile sweep settled.
pub async fn settle_all_bounces(store: &dyn Store, now: DateTime<Utc>) -> converge_store::StoreResult<u64> {
    let mut total = 0;
    for _ in 0..BOUNCE_STEPS {
        let taken = store.settle_bounces(BOUNCES_PER_STEP, now).await?;
        total += taken;
        if taken < u64::from(BOUNCES_PER_STEP) {
            break;
        }
    }
    if total > 0 {
        metrics::counter!("converge_bounces_settled_total").increment(total);
    }
    Ok(total)
}

#[derive(Clone)]
pub struct ReceiptApplier {
    pub store: Arc<dyn Store>,
    pub queue: Arc<dyn Queue>,
    pub consumer: String,
    /// Most receipts written per statement.
    pub batch: usize,
    /// Longest wait, after the first entry of a batch arrived, for the batch to fill.
    pub flush: Duration,
    pub max_deliveries: u32,
    pub reclaim_idle: Duration,
    /// How long one step waits for a first entry; bounds how quickly shutdown is noticed.
    pub block: Duration,
}

/// What one step did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct StepReport {
    /// Entries handed to this consumer (new or reclaimed).
    pub delivered: usize,
    /// Receipts in the step's apply call (0 when there was nothing to apply).
    pub batch_size: usize,
    /// Entries applied and acknowledged.
    pub acknowledged: usize,
    /// Entries moved to the dead-letter stream.
    pub dead_lettered: usize,
    /// Entries left pending after a failure (to be redelivered).
    pub failed: usize,
    pub outcome: ReceiptOutcome,
}

impl ReceiptApplier {
    /// Reclaims idle entries of dead consumers if any, otherwise gathers new ones into a batch, and
    /// processes them.
    pub async fn step(&self) -> anyhow::Result<StepReport> {
        let reclaimed =
            self.queue.claim_idle(RECEIPTS, RECEIPTS_GROUP, &self.consumer, self.reclaim_idle, self.batch).await?;
        if !reclaimed.is_empty() {
            return self.process(reclaimed).await;
        }
        let deliveries = self.gather().await?;
        self.process(deliveries).await
    }

    /// Waits up to `block` for entries, then keeps reading until `batch` entries or `flush` after the first.
    async fn gather(&self) -> anyhow::Result<Vec<Delivery>> {
        let batch = self.batch.max(1);
        let mut deliveries = self.queue.read(RECEIPTS, RECEIPTS_GROUP, &self.consumer, batch, self.block).await?;
        let first = Instant::now();
        while !deliveries.is_empty() && deliveries.len() < batch {
            let left = self.flush.saturating_sub(first.elapsed());
            if left.is_zero() {
                break;
            }
            match self.queue.read(RECEIPTS, RECEIPTS_GROUP, &self.consumer, batch - deliveries.len(), left).await {
                Ok(more) if more.is_empty() => break,
                Ok(more) => deliveries.extend(more),
                Err(err) => {
                    // What was read is ours and pending: apply it rather than wait for a reclaim.
                    tracing::warn!(%err, consumer = %self.consumer, "receipt read failed; applying what was read");
                    break;
                }
            }
        }
        Ok(deliveries)
    }

    /// Applies a set of deliveries: decodes, dead-letters poison and exhausted entries, writes the rest in
    /// one `apply_receipts` call and acknowledges them once it committed. A failed write leaves the entries
    /// pending for redelivery; if the database answers otherwise, the batch is split to isolate the entry
    /// that fails, so one bad receipt cannot hold back the others.
    pub async fn process(&self, deliveries: Vec<Delivery>) -> anyhow::Result<StepReport> {
        let mut report = StepReport { delivered: deliveries.len(), ..StepReport::default() };
        if deliveries.is_empty() {
            return Ok(report);
        }
        let mut ids = Vec::with_capacity(deliveries.len());
        let mut updates = Vec::with_capacity(deliveries.len());
        let mut poison = Vec::new();
        let mut exhausted = Vec::new();
        let mut permanent = false;
        for delivery in deliveries {
            if delivery.deliveries > self.max_deliveries {
                exhausted.push(delivery);
                continue;
            }
            match ReceiptEntry::from_bytes(&delivery.payload) {
                Ok(entry) => {
                    ids.push(delivery.id);
                    permanent |= entry.permanent;
                    updates.push(entry.into_update());
                }
                Err(err) => {
                    tracing::error!(entry = %delivery.id, %err, "undecodable receipt entry; dead-lettering");
                    poison.push(delivery);
                }
            }
        }
        report.dead_lettered += self.bury(&poison, "undecodable payload").await?;
        report.dead_lettered += self.bury(&exhausted, "exceeded the delivery limit").await?;
        if !updates.is_empty() {
            report.batch_size = updates.len();
            match self.apply(&updates).await {
                Ok(outcome) => {
                    self.queue.ack(RECEIPTS, RECEIPTS_GROUP, &ids).await?;
                    report.acknowledged = ids.len();
                    report.outcome = outcome;
                }
                Err(err) => {
                    tracing::error!(error = %err, receipts = updates.len(), "receipt batch failed");
                    self.salvage(&ids, &updates, &mut report).await?;
                }
            }
            if permanent {
                // The batch queued its permanent failures for the suppression list in the statement that
                // settled them; list them now (the scheduler does it otherwise, so a failure here loses nothing).
                if let Err(err) = settle_all_bounces(self.store.as_ref(), Utc::now()).await {
                    tracing::warn!(error = %err, "could not add bounced addresses to the suppression list yet");
                }
            }
        }
        record(&report);
        tracing::debug!(
            consumer = %self.consumer,
            size = report.batch_size,
            applied = report.outcome.applied,
            duplicate_or_late = report.outcome.ignored_duplicates_or_late,
            unknown = report.outcome.unknown,
            dead_lettered = report.dead_lettered,
            failed = report.failed,
            "receipt batch"
        );
        Ok(report)
    }

    async fn apply(&self, updates: &[ReceiptUpdate]) -> converge_store::StoreResult<ReceiptOutcome> {
        metrics::histogram!("converge_receipt_batch_size").record(updates.len() as f64);
        self.store.apply_receipts(updates, Utc::now()).await
    }

    /// After a failed batch: if the database is down, leave everything pending; otherwise something in the
    /// batch is at fault, so apply halves (in order, which keeps "the earlier receipt wins") down to single
    /// entries, acknowledging each part that commits. Entries that still fail stay pending and are
    /// dead-lettered once past `max_deliveries`.
    async fn salvage(&self, ids: &[EntryId], updates: &[ReceiptUpdate], report: &mut StepReport) -> anyhow::Result<()> {
        if updates.len() == 1 || self.store.ping().await.is_err() {
            report.failed += updates.len();
            return Ok(());
        }
        let mid = updates.len() / 2;
        let mut parts = vec![(mid, updates.len()), (0, mid)];
        while let Some((lo, hi)) = parts.pop() {
            match self.apply(&updates[lo..hi]).await {
                Ok(outcome) => {
                    self.queue.ack(RECEIPTS, RECEIPTS_GROUP, &ids[lo..hi]).await?;
                    report.acknowledged += hi - lo;
                    add(&mut report.outcome, outcome);
                }
                Err(_) if hi - lo > 1 => {
                    let mid = lo + (hi - lo) / 2;
                    parts.push((mid, hi));
                    parts.push((lo, mid));
                }
                Err(err) => {
                    tracing::error!(entry = %ids[lo], error = %err, "receipt entry failed; will retry");
                    report.failed += 1;
                }
            }
        }
        Ok(())
    }

    async fn bury(&self, entries: &[Delivery], reason: &str) -> anyhow::Result<usize> {
        if !entries.is_empty() {
            self.queue.dead_letter(RECEIPTS, RECEIPTS_GROUP, entries, reason).await?;
        }
        Ok(entries.len())
    }

    /// Runs steps until `stop` is cancelled; a step in progress always finishes. After a failure it backs
    /// off, and while the database is unreachable it waits for it instead of reclaiming entries, so an
    /// outage does not use up their deliveries and send good receipts to the dead-letter stream.
    pub async fn run(self, stop: CancellationToken) {
        let mut backoff = Duration::from_millis(100);
        while !stop.is_cancelled() {
            let failed = match self.step().await {
                Ok(report) => report.failed > 0,
                Err(err) => {
                    tracing::error!(error = format!("{err:#}"), consumer = %self.consumer, "receipt step failed");
                    true
                }
            };
            if !failed {
                backoff = Duration::from_millis(100);
                continue;
            }
            pause(&stop, backoff).await;
            backoff = (backoff * 2).min(Duration::from_secs(10));
            while !stop.is_cancelled() && self.store.ping().await.is_err() {
                pause(&stop, backoff).await;
                backoff = (backoff * 2).min(Duration::from_secs(10));
            }
        }
        tracing::info!(consumer = %self.consumer, "receipt applier stopped");
    }
}

async fn pause(stop: &CancellationToken, delay: Duration) {
    tokio::select! {
        _ = stop.cancelled() => {}
        _ = tokio::time::sleep(delay) => {}
    }
}

fn add(total: &mut ReceiptOutcome, more: ReceiptOutcome) {
    total.applied += more.applied;
    total.ignored_duplicates_or_late += more.ignored_duplicates_or_late;
    total.unknown += more.unknown;
}

fn record(report: &StepReport) {
    let o = report.outcome;
    for (outcome, n) in [
        ("applied", o.applied),
        ("duplicate_or_late", o.ignored_duplicates_or_late),
        ("unknown", o.unknown),
        ("dead_lettered", report.dead_lettered as u64),
    ] {
        if n > 0 {
            metrics::counter!("converge_receipts_total", "outcome" => outcome).increment(n);
        }
    }
}
