//! The ingest consumer: reads the `ingest` stream in batches, applies each batch to the store in one
//! transaction, then acknowledges it.
//!
//! At-least-once delivery, exactly-once effect: an entry is acknowledged only after its transaction
//! committed, and the store's writes are idempotent (orders by external id, profiles by received time), so
//! a crash between commit and acknowledgement only causes a harmless redelivery. Entries that cannot be
//! decoded, or that fail `max_deliveries` times, go to the dead-letter stream instead of blocking the rest.

use std::sync::Arc;
use std::time::Duration;

use converge_domain::IngestEnvelope;
use converge_queue::{Delivery, Queue};
use converge_store::{IngestOutcome, Store};
use tokio_util::sync::CancellationToken;

use crate::state::streams::{INGEST, INGEST_GROUP};

#[derive(Clone)]
pub struct IngestWorker {
    pub store: Arc<dyn Store>,
    pub queue: Arc<dyn Queue>,
    pub consumer: String,
    pub batch: usize,
    pub max_deliveries: u32,
    pub reclaim_idle: Duration,
    /// How long one `read` waits for entries; bounds how quickly shutdown is noticed.
    pub block: Duration,
}

/// What one step did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct StepReport {
    /// Entries handed to this consumer (new or reclaimed).
    pub delivered: usize,
    /// Entries applied and acknowledged.
    pub acknowledged: usize,
    /// Entries moved to the dead-letter stream.
    pub dead_lettered: usize,
    /// Entries left pending after a failure (to be redelivered).
    pub failed: usize,
    pub outcome: IngestOutcome,
}

impl IngestWorker {
    /// Reclaims idle entries of dead consumers if any, otherwise reads new ones, and processes them.
    pub async fn step(&self) -> anyhow::Result<StepReport> {
        let mut deliveries =
            self.queue.claim_idle(INGEST, INGEST_GROUP, &self.consumer, self.reclaim_idle, self.batch).await?;
        if deliveries.is_empty() {
            deliveries = self.queue.read(INGEST, INGEST_GROUP, &self.consumer, self.batch, self.block).await?;
        }
        self.process(deliveries).await
    }

    /// Applies a set of deliveries: decodes, dead-letters poison entries, applies the rest in one
    /// transaction and acknowledges them. When the batch transaction fails, entries are retried one by one
    /// so that one bad entry cannot hold back the others.
    pub async fn process(&self, deliveries: Vec<Delivery>) -> anyhow::Result<StepReport> {
        let mut report = StepReport { delivered: deliveries.len(), ..StepReport::default() };
        if deliveries.is_empty() {
            return Ok(report);
        }
        let mut ids = Vec::with_capacity(deliveries.len());
        let mut envelopes: Vec<IngestEnvelope> = Vec::with_capacity(deliveries.len());
        let mut poison = Vec::new();
        let mut exhausted = Vec::new();
        for delivery in deliveries {
            if delivery.deliveries > self.max_deliveries {
                exhausted.push(delivery);
                continue;
            }
            match IngestEnvelope::from_bytes(&delivery.payload) {
                Ok(envelope) => {
                    ids.push(delivery.id);
                    envelopes.push(envelope);
                }
                Err(err) => {
                    tracing::error!(entry = %delivery.id, %err, "undecodable ingest entry; dead-lettering");
                    poison.push(delivery);
                }
            }
        }
        report.dead_lettered += self.bury(&poison, "undecodable payload").await?;
        report.dead_lettered += self.bury(&exhausted, "exceeded the delivery limit").await?;
        if envelopes.is_empty() {
            record(&report);
            return Ok(report);
        }
        metrics::histogram!("converge_ingest_batch_size").record(envelopes.len() as f64);

        match self.store.apply_ingest(&envelopes).await {
            Ok(outcome) => {
                self.queue.ack(INGEST, INGEST_GROUP, &ids).await?;
                report.acknowledged += ids.len();
                report.outcome = outcome;
            }
            Err(err) if envelopes.len() > 1 => {
                tracing::warn!(error = %err, entries = envelopes.len(), "batch failed; applying entries one by one");
                for (id, envelope) in ids.iter().zip(&envelopes) {
                    match self.store.apply_ingest(std::slice::from_ref(envelope)).await {
                        Ok(outcome) => {
                            self.queue.ack(INGEST, INGEST_GROUP, std::slice::from_ref(id)).await?;
                            report.acknowledged += 1;
                            add(&mut report.outcome, outcome);
                        }
                        Err(err) => {
                            tracing::error!(entry = %id, error = %err, "ingest entry failed; will retry");
                            report.failed += 1;
                        }
                    }
                }
            }
            Err(err) => {
                tracing::error!(error = %err, "ingest entry failed; will retry");
                report.failed += envelopes.len();
            }
        }
        record(&report);
        Ok(report)
    }

    async fn bury(&self, entries: &[Delivery], reason: &str) -> anyhow::Result<usize> {
        if !entries.is_empty() {
            self.queue.dead_letter(INGEST, INGEST_GROUP, entries, reason).await?;
        }
        Ok(entries.len())
    }

    /// Runs steps until `stop` is cancelled; a step in progress always finishes (graceful shutdown never
    /// abandons a batch half-applied — and if the process dies instead, redelivery covers it).
    pub async fn run(self, stop: CancellationToken) {
        let mut backoff = Duration::from_millis(100);
        while !stop.is_cancelled() {
            match self.step().await {
                Ok(report) if report.failed > 0 => {
                    pause(&stop, backoff).await;
                    backoff = (backoff * 2).min(Duration::from_secs(10));
                }
                Ok(_) => backoff = Duration::from_millis(100),
                Err(err) => {
                    tracing::error!(error = format!("{err:#}"), consumer = %self.consumer, "ingest step failed");
                    pause(&stop, backoff).await;
                    backoff = (backoff * 2).min(Duration::from_secs(10));
                }
            }
        }
        tracing::info!(consumer = %self.consumer, "ingest consumer stopped");
    }
}

async fn pause(stop: &CancellationToken, delay: Duration) {
    tokio::select! {
        _ = stop.cancelled() => {}
        _ = tokio::time::sleep(delay) => {}
    }
}

fn add(total: &mut IngestOutcome, more: IngestOutcome) {
    total.customers_upserted += more.customers_upserted;
    total.customers_stale += more.customers_stale;
    total.orders_inserted += more.orders_inserted;
    total.orders_duplicate += more.orders_duplicate;
}

fn record(report: &StepReport) {
    let o = report.outcome;
    for (outcome, n) in [
        ("customer_upserted", o.customers_upserted),
        ("customer_stale", o.customers_stale),
        ("order_inserted", o.orders_inserted),
        ("order_duplicate", o.orders_duplicate),
        ("dead_lettered", report.dead_lettered as u64),
        ("failed", report.failed as u64),
    ] {
        if n > 0 {
            metrics::counter!("converge_ingest_applied_total", "outcome" => outcome).increment(n);
        }
    }
}
