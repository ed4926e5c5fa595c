//! Receipt delivery: POST batches from the outbox to the callback URL, signed, with bounded concurrency, and
//! retry what failed with exponential backoff.
//!
//! 2xx delivers; a connection error, timeout, 408, 429 or 5xx is retried up to [`MAX_ATTEMPTS`] times with
//! delays doubling from [`BACKOFF_BASE`] to at most [`BACKOFF_CAP`] (±20% jitter, so a recovering receiver is
//! not hit by every receipt at once); any other status is the receiver saying "never", so it is recorded as
//! rejected and not retried. Each retry re-enters the outbox and may travel in a different batch.

use std::sync::Arc;
use std::time::Duration;

use chrono::Utc;
use serde::Serialize;
use tokio::sync::Semaphore;
use tokio::task::JoinSet;
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;

use crate::ledger::{Attempt, RequestCounters};
use crate::outbox::ReceiptJob;
use crate::sim::Sim;
use crate::timers::Job;
use converge_vendor_wire::Receipt;
use converge_vendor_wire::{sign, SIGNATURE_HEADER, TIMESTAMP_HEADER};

/// Attempts per receipt copy before it is given up on (about 30 s of retrying in all).
pub const MAX_ATTEMPTS: u32 = 10;
/// Delay before the first retry.
pub const BACKOFF_BASE: Duration = Duration::from_millis(100);
/// Longest delay between two attempts.
pub const BACKOFF_CAP: Duration = Duration::from_secs(10);
/// Callback requests in flight at once.
pub const CONCURRENCY: usize = 8;
/// How long a callback request may take before it counts as failed.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(10);
/// When fewer receipts than a full batch are waiting, wait this long for more, so receipts trickling in one
/// by one still travel in batches at high rates.
const LINGER: Duration = Duration::from_millis(5);
/// How long shutdown waits for in-flight callbacks.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(5);

/// What the receiver's answer means for the receipts it carried.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Verdict {
    Delivered,
    Retry(String),
    Reject(String),
}

#[derive(Serialize)]
struct Body<'a> {
    receipts: Vec<&'a Receipt>,
}

/// The HTTP client for callbacks: no proxy (the receiver is local), bounded timeouts, pooled connections.
pub(crate) fn client() -> anyhow::Result<reqwest::Client> {
    Ok(reqwest::Client::builder()
        .no_proxy()
        .timeout(REQUEST_TIMEOUT)
        .connect_timeout(Duration::from_secs(2))
        .pool_max_idle_per_host(CONCURRENCY)
        .build()?)
}

/// Delay before attempt `attempts + 1`, given that `attempts` have failed.
pub(crate) fn backoff(attempts: u32, jitter: f64) -> Duration {
    let exponent = attempts.saturating_sub(1).min(16);
    let delay = BACKOFF_BASE.saturating_mul(1 << exponent).min(BACKOFF_CAP);
    delay.mul_f64(jitter.clamp(0.5, 1.5))
}

fn classify(result: Result<reqwest::StatusCode, reqwest::Error>) -> Verdict {
    match result {
        Ok(status) if status.is_success() => Verdict::Delivered,
        Ok(status) if status.is_server_error() || status.as_u16() == 408 || status.as_u16() == 429 => {
            Verdict::Retry(format!("HTTP {}", status.as_u16()))
        }
        Ok(status) => Verdict::Reject(format!("HTTP {}", status.as_u16())),
        Err(err) if err.is_timeout() => Verdict::Retry("timed out".into()),
        Err(err) if err.is_connect() => Verdict::Retry("connection refused or failed".into()),
        Err(err) => Verdict::Retry(format!("transport error: {err}")),
    }
}

/// Sends one batch and records the result: the delivery step, callable directly from tests.
pub(crate) async fn deliver(sim: &Sim, client: &reqwest::Client, mut batch: Vec<ReceiptJob>) {
    if batch.is_empty() {
        return;
    }
    sim.chaos.maybe_shuffle(&mut batch);
    let verdict = match serde_json::to_vec(&Body { receipts: batch.iter().map(|job| job.receipt.as_ref()).collect() }) {
        Ok(body) => {
            let timestamp = Utc::now().timestamp();
            let signature = sign(&sim.config.signing_secret, timestamp, &body);
            RequestCounters::bump(&sim.ledger.requests.callback_requests);
            let sent = client
                .post(&sim.config.callback_url)
                .header(reqwest::header::CONTENT_TYPE, "application/json")
                .header(TIMESTAMP_HEADER, timestamp.to_string())
                .header(SIGNATURE_HEADER, signature)
                .body(body)
                .send()
                .await;
            let status = match sent {
                Ok(response) => {
                    let status = response.status();
                    // Reading the (small) answer lets the connection be reused.
                    let _ = response.bytes().await;
                    Ok(status)
                }
                Err(err) => Err(err),
            };
            classify(status)
        }
        Err(err) => Verdict::Reject(format!("could not encode receipts: {err}")),
    };
    record(sim, batch, verdict);
}

fn record(sim: &Sim, batch: Vec<ReceiptJob>, verdict: Verdict) {
    match verdict {
        Verdict::Delivered => sim.ledger.record_attempt(&seqs(&batch), &Attempt::Delivered),
        Verdict::Reject(error) => {
            tracing::warn!(%error, receipts = batch.len(), "the receipt endpoint rejected receipts; not retrying");
            sim.ledger.record_attempt(&seqs(&batch), &Attempt::Rejected(error));
        }
        Verdict::Retry(error) => {
            let (last, again): (Vec<ReceiptJob>, Vec<ReceiptJob>) =
                batch.into_iter().partition(|job| job.attempts + 1 >= MAX_ATTEMPTS);
            if !last.is_empty() {
                tracing::warn!(%error, receipts = last.len(), "giving up on receipts after {MAX_ATTEMPTS} attempts");
                sim.ledger.record_attempt(&seqs(&last), &Attempt::GaveUp(error.clone()));
            }
            sim.ledger.record_attempt(&seqs(&again), &Attempt::Retrying(error));
            let now = Instant::now();
            sim.timers.schedule(again.into_iter().map(|mut job| {
                job.attempts += 1;
                (now + backoff(job.attempts, sim.chaos.jitter()), Job::Redeliver(job))
            }));
        }
    }
}

fn seqs(batch: &[ReceiptJob]) -> Vec<u64> {
    batch.iter().map(|job| job.seq).collect()
}

/// The delivery loop: whenever receipts wait and a request slot is free, send a batch; until `stop`, then
/// let in-flight requests finish (bounded by [`SHUTDOWN_GRACE`]).
pub(crate) async fn delivery_loop(sim: Arc<Sim>, client: reqwest::Client, stop: CancellationToken) {
    let slots = Arc::new(Semaphore::new(CONCURRENCY));
    let mut in_flight = JoinSet::new();
    let batch_max = sim.config.receipt_batch_max;
    while !stop.is_cancelled() {
        while in_flight.try_join_next().is_some() {}
        if sim.outbox.len() == 0 {
            tokio::select! {
                _ = stop.cancelled() => break,
                _ = sim.outbox.added.notified() => continue,
            }
        }
        let slot = tokio::select! {
            _ = stop.cancelled() => break,
            slot = slots.clone().acquire_owned() => slot,
        };
        let Ok(slot) = slot else { break };
        if batch_max > 1 && sim.outbox.len() < batch_max {
            tokio::select! {
                _ = stop.cancelled() => break,
                _ = tokio::time::sleep(LINGER) => {}
            }
        }
        let batch = sim.outbox.take(batch_max);
        let (sim, client) = (sim.clone(), client.clone());
        in_flight.spawn(async move {
            deliver(&sim, &client, batch).await;
            drop(slot);
        });
    }
    let drained = tokio::time::timeout(SHUTDOWN_GRACE, async { while in_flight.join_next().await.is_some() {} });
    if drained.await.is_err() {
        in_flight.abort_all();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_up_to_the_cap() {
        assert_eq!(backoff(1, 1.0), Duration::from_millis(100));
        assert_eq!(backoff(2, 1.0), Duration::from_millis(200));
        assert_eq!(backoff(5, 1.0), Duration::from_millis(1_600));
        assert_eq!(backoff(9, 1.0), BACKOFF_CAP);
        assert_eq!(backoff(1_000, 1.0), BACKOFF_CAP);
        assert_eq!(backoff(1, 1.2), Duration::from_millis(120));
    }

    #[test]
    fn only_transient_failures_are_retried() {
        use reqwest::StatusCode;
        assert_eq!(classify(Ok(StatusCode::OK)), Verdict::Delivered);
        assert_eq!(classify(Ok(StatusCode::ACCEPTED)), Verdict::Delivered);
        for status in [500, 502, 503, 408, 429] {
            let status = StatusCode::from_u16(status).unwrap();
            assert!(matches!(classify(Ok(status)), Verdict::Retry(_)), "{status}");
        }
        for status in [400, 401, 404, 422] {
            let status = StatusCode::from_u16(status).unwrap();
            assert!(matches!(classify(Ok(status)), Verdict::Reject(_)), "{status}");
        }
    }
}
