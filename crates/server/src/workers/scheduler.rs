//! The campaign scheduler: starts campaigns whose send time has come, completes those with nothing pending
//! (applying receipts that raced their dispatch results on the way), and forgets receipts that never matched
//! a message. Every statement is a compare-and-set, so any number of nodes may run it at once.

use std::sync::Arc;
use std::time::Duration;

use chrono::Utc;
use converge_domain::CampaignId;
use converge_store::Store;
use tokio_util::sync::CancellationToken;

/// Parked receipts that found no message within this time are dropped.
const UNMATCHED_RECEIPT_RETENTION: chrono::Duration = chrono::Duration::hours(24);
/// Prune every this many ticks.
const PRUNE_EVERY: u64 = 600;

#[derive(Clone)]
pub struct Scheduler {
    pub store: Arc<dyn Store>,
    pub interval: Duration,
}

/// What one tick did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Tick {
    pub started: Vec<CampaignId>,
    pub completed: Vec<CampaignId>,
}

impl Scheduler {
    pub async fn tick(&self) -> anyhow::Result<Tick> {
        let now = Utc::now();
        let started = self.store.start_due_campaigns(now).await?;
        let completed = self.store.finish_campaigns(now).await?;
        // Permanent failures settled by a dispatcher applying a parked receipt (or by the sweep in
        // finish_campaigns) reach the suppression list here if no receipt batch got to them first.
        crate::workers::receipts::settle_all_bounces(self.store.as_ref(), now).await?;
        for id in &started {
            tracing::info!(campaign = id.get(), "campaign started");
        }
        for id in &completed {
            tracing::info!(campaign = id.get(), "campaign completed");
        }
        Ok(Tick { started, completed })
    }

    pub async fn run(self, stop: CancellationToken) {
        let mut ticks: u64 = 0;
        loop {
            tokio::select! {
                _ = stop.cancelled() => return,
                _ = tokio::time::sleep(self.interval) => {}
            }
            if let Err(err) = self.tick().await {
                tracing::warn!(error = format!("{err:#}"), "scheduler tick failed");
            }
            ticks += 1;
            if ticks.is_multiple_of(PRUNE_EVERY) {
                match self.store.prune_unmatched_receipts(Utc::now() - UNMATCHED_RECEIPT_RETENTION).await {
                    Ok(0) => {}
                    Ok(n) => tracing::info!(pruned = n, "dropped delivery receipts that never matched a message"),
                    Err(err) => tracing::warn!(error = %err, "could not prune unmatched receipts"),
                }
            }
        }
    }
}
