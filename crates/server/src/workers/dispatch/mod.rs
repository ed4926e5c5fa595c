//! The dispatch worker: claims due messages in batches, renders them, sends them through each workspace's
//! channels, and records the results in one write per batch.
//!
//! Safe with any number of dispatchers on any number of nodes: a claim is a lease (see
//! [`Store::claim_deliveries`]); a dispatcher that dies mid-batch leaves its claims to lapse, and whoever
//! claims those messages next resends them with the same vendor reference (`{log_id}.{generation}`), which
//! the vendor deduplicates (the at-least-once contract in `converge_channels`). Results of a lapsed claim
//! are ignored by the store, except an acceptance, which is a fact about the vendor and always kept.
//!
//! Channels without delivery receipts (SMTP: the relay's acceptance is the outcome) get a `SENT` receipt
//! appended to the receipts stream *before* their acceptance is recorded, so a crash between the two cannot
//! leave a message waiting forever: the receipt is parked until its message is known.

mod cap;
mod prepare;
mod send;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use anyhow::Context;
use chrono::{DateTime, Utc};
use converge_domain::{CampaignId, CampaignTemplates, SendChannel, WorkspaceId};
use converge_queue::Queue;
use converge_store::{ClaimedDelivery, DispatchOutcome, DispatchResult, DispatchSummary, Store};
use tokio::sync::Semaphore;
use tokio_util::sync::CancellationToken;

use crate::consent::gate::Recipient;
use crate::consent::{Gate, Links};
use crate::delivery::{Brand, SendRate, WorkspaceSenders};
use crate::state::streams::RECEIPTS;
pub use prepare::{reference, CampaignInfo};
pub use send::backoff;

/// Campaign details kept per dispatcher; cleared when it grows past this (templates are cheap to reload).
const CAMPAIGN_CACHE: usize = 1_000;

#[derive(Clone)]
pub struct Dispatcher {
    pub store: Arc<dyn Store>,
    pub queue: Arc<dyn Queue>,
    pub senders: Arc<WorkspaceSenders>,
    /// Vendor requests in flight, shared by the node's dispatchers.
    pub slots: Arc<Semaphore>,
    pub rate: Arc<SendRate>,
    pub worker: String,
    pub claim_batch: u32,
    pub send_batch: usize,
    pub lease: Duration,
    pub max_attempts: u32,
    pub retry_base: Duration,
    pub retry_max: Duration,
    /// How long to wait before claiming again when nothing was due.
    pub idle: Duration,
    pub campaigns: Arc<Mutex<HashMap<CampaignId, Arc<CampaignInfo>>>>,
    /// Signs each message's unsubscribe link.
    pub links: Arc<Links>,
    /// Added to the system clock for claiming and for consent decisions: zero in every process; a test moves
    /// it forward to stand in for hours passing (quiet hours ending) without waiting.
    pub clock_offset: chrono::Duration,
}

/// What one step did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct DispatchReport {
    pub claimed: usize,
    pub accepted: usize,
    pub skipped: usize,
    pub retried: usize,
    /// Held for the end of quiet hours.
    pub deferred: usize,
    pub failed: usize,
    pub stored: DispatchSummary,
    /// Results the database refused even alone (their claims lapse and they are sent again).
    pub unrecorded: usize,
}

impl Dispatcher {
    /// Claims one batch, sends it and records the results.
    pub async fn step(&self) -> anyhow::Result<DispatchReport> {
        let lease = chrono::Duration::from_std(self.lease).unwrap_or(chrono::Duration::seconds(60));
        let now = Utc::now() + self.clock_offset;
        let claims = self.store.claim_deliveries(&self.worker, self.claim_batch, lease, now).await?;
        let mut report = DispatchReport { claimed: claims.len(), ..DispatchReport::default() };
        if claims.is_empty() {
            return Ok(report);
        }
        metrics::histogram!("converge_dispatch_batch_size").record(claims.len() as f64);
        let campaigns = self.campaigns_of(&claims).await?;
        let mut gates = self.gates_of(&claims, now).await?;
        let prepared = prepare::prepare(claims, &campaigns, &mut gates, now);
        let prepared = cap::hold(self.store.as_ref(), prepared, &gates, lease, now).await?;
        let (mut sent, mut requests) = self.start_sending(prepared.ready).await;
        sent.results.extend(prepared.settled);
        self.settle(sent, &mut report).await?;
        // Each request's results are recorded as soon as it is answered, so the vendor's receipts (which
        // may come back within milliseconds) mostly find their message's vendor id already stored instead
        // of being parked until the whole claim is done.
        while let Some(joined) = requests.join_next().await {
            match joined {
                Ok((chunk, outcomes, sender)) => {
                    let answered = self.answered(chunk, outcomes, &sender);
                    self.settle(answered, &mut report).await?;
                }
                // A panicking sender: its claims lapse and the messages are sent again (same reference).
                Err(err) => tracing::error!(error = %err, "a send task failed"),
            }
        }
        record(&report);
        Ok(report)
    }

    /// Records results (and, first, the receipts of channels that report none themselves).
    async fn settle(&self, sent: send::Sent, report: &mut DispatchReport) -> anyhow::Result<()> {
        if sent.results.is_empty() {
            return Ok(());
        }
        let direct = if sent.receipts.is_empty() {
            Vec::new()
        } else {
            let payloads: Vec<Vec<u8>> = sent.receipts.iter().map(|r| r.to_bytes()).collect();
            match self.queue.append(RECEIPTS, &payloads).await {
                Ok(_) => Vec::new(),
                Err(err) => {
                    tracing::warn!(error = %err, "could not queue receipts of sent e-mail; applying them directly");
                    sent.receipts
                }
            }
        };
        for result in &sent.results {
            match result.outcome {
                DispatchOutcome::Accepted { .. } => report.accepted += 1,
                DispatchOutcome::Skipped { .. } => report.skipped += 1,
                DispatchOutcome::Retry { .. } => report.retried += 1,
                DispatchOutcome::Deferred { .. } => report.deferred += 1,
                DispatchOutcome::Failed { .. } => report.failed += 1,
            }
        }
        self.record_isolating(&sent.results, report).await?;
        if !direct.is_empty() {
            let updates: Vec<_> = direct.into_iter().map(|r| r.into_update()).collect();
            self.store.apply_receipts(&updates, Utc::now()).await.context("applying receipts of sent e-mail")?;
        }
        Ok(())
    }

    /// Records results in one write; if the database refuses that write (while answering otherwise), records
    /// halves, down to single results, so one result that cannot be stored never holds back the rest of the
    /// batch. A single result that still fails is left out: its claim lapses and the message is claimed and
    /// sent again with the same reference (which the vendor deduplicates).
    async fn record_isolating(&self, results: &[DispatchResult], report: &mut DispatchReport) -> anyhow::Result<()> {
        let mut parts = vec![results];
        // Bounded: every split halves a part, so at most 2·len − 1 writes.
        while let Some(part) = parts.pop() {
            match self.store.record_dispatch(part, Utc::now()).await {
                Ok(stored) => {
                    report.stored.recorded += stored.recorded;
                    report.stored.ignored += stored.ignored;
                    report.stored.receipts_applied += stored.receipts_applied;
                }
                Err(err) if self.store.ping().await.is_err() => {
                    return Err(err).context("recording dispatch results (the database is unreachable)");
                }
                Err(err) if part.len() == 1 => {
                    tracing::error!(log_id = part[0].log_id.get(), error = %err, "a dispatch result could not be recorded");
                    report.unrecorded += 1;
                }
                Err(_) => {
                    let (left, right) = part.split_at(part.len() / 2);
                    parts.push(right);
                    parts.push(left);
                }
            }
        }
        Ok(())
    }

    /// The consent facts of each workspace in the batch.
    async fn gates_of(
        &self,
        claims: &[ClaimedDelivery],
        now: DateTime<Utc>,
    ) -> anyhow::Result<HashMap<WorkspaceId, Gate>> {
        let mut by_workspace: HashMap<WorkspaceId, Vec<Recipient<'_>>> = HashMap::new();
        for claim in claims {
            by_workspace.entry(claim.workspace_id).or_default().push(Recipient::from(claim));
        }
        let mut gates = HashMap::new();
        for (workspace_id, claims) in by_workspace {
            let gate = Gate::load(self.store.as_ref(), &self.links, workspace_id, &claims, now)
                .await
                .with_context(|| format!("loading the consent facts of workspace {workspace_id}"))?;
            gates.insert(workspace_id, gate);
        }
        Ok(gates)
    }

    async fn campaigns_of(&self, claims: &[ClaimedDelivery]) -> anyhow::Result<HashMap<CampaignId, Arc<CampaignInfo>>> {
        let mut found = HashMap::new();
        for claim in claims {
            if found.contains_key(&claim.campaign_id) {
                continue;
            }
            let cached = self.campaigns.lock().ok().and_then(|cache| cache.get(&claim.campaign_id).cloned());
            let info = match cached {
                Some(info) => info,
                None => {
                    let info = Arc::new(self.load_campaign(claim).await?);
                    if let Ok(mut cache) = self.campaigns.lock() {
                        if cache.len() >= CAMPAIGN_CACHE {
                            cache.clear();
                        }
                        cache.insert(claim.campaign_id, info.clone());
                    }
                    info
                }
            };
            found.insert(claim.campaign_id, info);
        }
        Ok(found)
    }

    async fn load_campaign(&self, claim: &ClaimedDelivery) -> anyhow::Result<CampaignInfo> {
        let campaign = self
            .store
            .campaign(claim.workspace_id, claim.campaign_id)
            .await?
            .with_context(|| format!("campaign {} vanished", claim.campaign_id))?;
        let workspace = self
            .store
            .workspace(claim.workspace_id)
            .await?
            .with_context(|| format!("workspace {} vanished", claim.workspace_id))?;
        let channel: SendChannel = campaign.channel;
        let templates = CampaignTemplates::parse(&campaign.template, channel)
            .map_err(|e| format!("the campaign's template is no longer valid: {e}"));
        // A subject that no longer compiles fails its e-mails like a body that does not.
        let subject = campaign
            .subject
            .as_deref()
            .map(|s| {
                converge_domain::template::subject_template(s)
                    .map_err(|e| format!("the campaign's subject is no longer valid: {e}"))
            })
            .transpose();
        Ok(CampaignInfo {
            name: campaign.name,
            channel,
            templates,
            subject,
            preheader: campaign.preheader,
            brand: Brand::of(&workspace),
            topic: campaign.topic,
        })
    }

    /// Runs steps until `stop`; a batch in progress always finishes (its results are recorded).
    pub async fn run(self, stop: CancellationToken) {
        let mut backoff = Duration::from_millis(200);
        while !stop.is_cancelled() {
            match self.step().await {
                Ok(report) if report.claimed == 0 => pause(&stop, self.idle).await,
                Ok(_) => backoff = Duration::from_millis(200),
                Err(err) => {
                    tracing::error!(error = format!("{err:#}"), worker = %self.worker, "dispatch step failed");
                    pause(&stop, backoff).await;
                    backoff = (backoff * 2).min(Duration::from_secs(10));
                }
            }
        }
        tracing::info!(worker = %self.worker, "dispatcher stopped");
    }
}

async fn pause(stop: &CancellationToken, delay: Duration) {
    tokio::select! {
        _ = stop.cancelled() => {}
        _ = tokio::time::sleep(delay) => {}
    }
}

fn record(report: &DispatchReport) {
    for (outcome, n) in [
        ("accepted", report.accepted),
        ("skipped", report.skipped),
        ("retry", report.retried),
        ("deferred", report.deferred),
        ("failed", report.failed),
        ("ignored", report.stored.ignored as usize),
    ] {
        if n > 0 {
            metrics::counter!("converge_dispatch_total", "outcome" => outcome).increment(n as u64);
        }
    }
}
