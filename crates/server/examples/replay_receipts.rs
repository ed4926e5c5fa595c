//! Benchmark helper: replays the vendor simulator's whole ledger to Converge's receipt endpoint as signed
//! receipt batches, then waits until the campaign has applied them all. Used by `bench/campaign.sh` to time
//! delivery receipts in isolation from dispatch (the simulator runs with `--callback-url ""`, so it decides
//! outcomes but sends no receipts itself).
//!
//! ```text
//! VENDOR_SIM_API_KEY=… VENDOR_SIM_SIGNING_SECRET=… BENCH_KEY=<converge key, scope read> \
//!   cargo run --release -p converge-server --example replay_receipts -- \
//!   --converge http://127.0.0.1:8080 --vendor http://127.0.0.1:9090 --campaign 1
//! ```
//!
//! Prints progress to stderr and one `RESULT key=value …` line to stdout.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // a test (or a bench tool) says what it expects by panicking

use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{bail, Context};
use clap::Parser;
use converge_vendor_sim::wire::LedgerPage;
use converge_vendor_sim::{sign, LedgerEntry, Outcome, Receipt, ReceiptBatch, Stats, Status};
use serde_json::Value;

#[derive(Debug, Parser)]
struct Args {
    /// Converge's base URL.
    #[arg(long)]
    converge: String,
    /// The vendor simulator's base URL.
    #[arg(long)]
    vendor: String,
    /// The campaign whose messages the ledger holds.
    #[arg(long)]
    campaign: i64,
    /// Receipts per request (Converge takes at most 1000).
    #[arg(long, default_value_t = 1000)]
    batch: usize,
    /// Requests in flight at once.
    #[arg(long, default_value_t = 8)]
    in_flight: usize,
    /// Give up waiting for the campaign after this long.
    #[arg(long, default_value_t = 900)]
    timeout_secs: u64,
    #[arg(long, env = "VENDOR_SIM_API_KEY", hide_env_values = true)]
    vendor_key: String,
    #[arg(long, env = "VENDOR_SIM_SIGNING_SECRET", hide_env_values = true)]
    signing_secret: String,
    /// A Converge API key with the `read` scope, to follow the campaign.
    #[arg(long, env = "BENCH_KEY", hide_env_values = true)]
    converge_key: String,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let client = reqwest::Client::builder().pool_max_idle_per_host(args.in_flight * 2).build()?;
    let deadline = Instant::now() + Duration::from_secs(args.timeout_secs);

    // Every outcome must be decided before the ledger is read.
    loop {
        let stats: Stats = client
            .get(format!("{}/v1/stats", args.vendor))
            .bearer_auth(&args.vendor_key)
            .send()
            .await?
            .error_for_status()?
            .json()
            .await?;
        if stats.queued == 0 {
            break;
        }
        if Instant::now() > deadline {
            bail!("the simulator still has {} undecided messages", stats.queued);
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }

    let started = Instant::now();
    let entries = ledger(&client, &args).await?;
    let read_secs = started.elapsed().as_secs_f64();
    eprintln!("read {} ledger entries in {read_secs:.2} s", entries.len());

    // Bodies are built before the clock starts: what is timed is Converge, not this client's serializer.
    let mut bodies = Vec::with_capacity(entries.len() / args.batch.max(1) + 1);
    for chunk in entries.chunks(args.batch.max(1)) {
        let receipts = chunk.iter().map(receipt).collect::<anyhow::Result<Vec<_>>>()?;
        bodies.push(serde_json::to_vec(&ReceiptBatch { receipts })?);
    }
    let total_receipts = entries.len() as u64;
    drop(entries);

    let before = campaign(&client, &args).await?;
    let pending_before = before["stats"]["pending"].as_i64().unwrap_or(0);
    eprintln!("campaign {} before replay: status {}, stats {}", args.campaign, before["status"], before["stats"]);

    let bodies = Arc::new(bodies);
    let next = Arc::new(AtomicUsize::new(0));
    let accepted = Arc::new(AtomicU64::new(0));
    let retries = Arc::new(AtomicU64::new(0));
    let start = Instant::now();
    let mut senders = tokio::task::JoinSet::new();
    for _ in 0..args.in_flight.max(1) {
        let (client, bodies, next, accepted, retries) =
            (client.clone(), bodies.clone(), next.clone(), accepted.clone(), retries.clone());
        let url = format!("{}/api/v1/delivery-receipts", args.converge);
        let secret = args.signing_secret.clone();
        senders.spawn(async move {
            loop {
                let index = next.fetch_add(1, Ordering::Relaxed);
                let Some(body) = bodies.get(index) else { return Ok::<_, anyhow::Error>(()) };
                let mut attempt = 0;
                loop {
                    attempt += 1;
                    let timestamp = chrono::Utc::now().timestamp();
                    let response = client
                        .post(&url)
                        .header("Content-Type", "application/json")
                        .header(converge_vendor_sim::TIMESTAMP_HEADER, timestamp.to_string())
                        .header(converge_vendor_sim::SIGNATURE_HEADER, sign(&secret, timestamp, body))
                        .body(body.clone())
                        .send()
                        .await;
                    match response {
                        Ok(r) if r.status().as_u16() == 202 => {
                            let answer: Value = r.json().await?;
                            accepted.fetch_add(answer["accepted"].as_u64().unwrap_or(0), Ordering::Relaxed);
                            break;
                        }
                        Ok(r) if (r.status().as_u16() == 503 || r.status().as_u16() == 429) && attempt < 100 => {
                            retries.fetch_add(1, Ordering::Relaxed);
                            tokio::time::sleep(Duration::from_millis(200)).await;
                        }
                        Ok(r) => {
                            let status = r.status();
                            bail!("receipt batch {index} answered {status}: {}", r.text().await.unwrap_or_default())
                        }
                        Err(err) if attempt < 100 => {
                            retries.fetch_add(1, Ordering::Relaxed);
                            eprintln!("receipt batch {index}: {err}; retrying");
                            tokio::time::sleep(Duration::from_millis(200)).await;
                        }
                        Err(err) => return Err(err.into()),
                    }
                }
            }
        });
    }
    while let Some(joined) = senders.join_next().await {
        joined.context("a sender task panicked")??;
    }
    let accept_secs = start.elapsed().as_secs_f64();
    let accepted = accepted.load(Ordering::Relaxed);
    eprintln!(
        "POSTed {} requests: {accepted} receipts accepted in {accept_secs:.2} s ({:.0}/s, {} retries after 503/429/errors)",
        bodies.len(),
        accepted as f64 / accept_secs,
        retries.load(Ordering::Relaxed)
    );

    // Follow the campaign until every receipt is applied (nothing pending), then until it is completed.
    let mut applied_secs = None;
    let mut last_print = Instant::now();
    let mut last_pending = pending_before;
    let completed_secs = loop {
        let view = campaign(&client, &args).await?;
        let pending = view["stats"]["pending"].as_i64().unwrap_or(-1);
        if pending == 0 && applied_secs.is_none() {
            applied_secs = Some(start.elapsed().as_secs_f64());
        }
        if view["status"] == "completed" {
            break start.elapsed().as_secs_f64();
        }
        if last_print.elapsed() >= Duration::from_secs(5) {
            let rate = (last_pending - pending) as f64 / last_print.elapsed().as_secs_f64();
            eprintln!("  t={:6.1} s pending {pending:>8} ({rate:.0} applied/s)", start.elapsed().as_secs_f64());
            last_print = Instant::now();
            last_pending = pending;
        }
        if Instant::now() > deadline {
            bail!("campaign not completed in time: {view}");
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    let applied_secs = applied_secs.unwrap_or(completed_secs);
    let after = campaign(&client, &args).await?;
    let applied = pending_before - after["stats"]["pending"].as_i64().unwrap_or(0);
    eprintln!("campaign {} after replay: status {}, stats {}", args.campaign, after["status"], after["stats"]);
    eprintln!(
        "{applied} receipts applied {applied_secs:.2} s after the first POST ({:.0}/s end to end); completed at {completed_secs:.2} s",
        applied as f64 / applied_secs
    );
    println!(
        "RESULT receipts={total_receipts} accepted={accepted} applied={applied} accept_secs={accept_secs:.3} \
         accept_per_sec={:.0} applied_secs={applied_secs:.3} applied_per_sec={:.0} completed_secs={completed_secs:.3} \
         ledger_read_secs={read_secs:.3}",
        accepted as f64 / accept_secs,
        applied as f64 / applied_secs
    );
    Ok(())
}

async fn ledger(client: &reqwest::Client, args: &Args) -> anyhow::Result<Vec<LedgerEntry>> {
    let mut entries = Vec::new();
    let mut after: Option<u64> = None;
    loop {
        let mut url = format!("{}/v1/ledger?limit=10000", args.vendor);
        if let Some(after) = after {
            url.push_str(&format!("&after={after}"));
        }
        let page: LedgerPage =
            client.get(url).bearer_auth(&args.vendor_key).send().await?.error_for_status()?.json().await?;
        entries.extend(page.entries);
        match page.next {
            Some(next) => after = Some(next),
            None => return Ok(entries),
        }
    }
}

fn receipt(entry: &LedgerEntry) -> anyhow::Result<Receipt> {
    let status = match entry.status {
        Status::Sent => Outcome::Sent,
        Status::Failed => Outcome::Failed,
        Status::Queued => bail!("message {} has no outcome yet", entry.id),
    };
    Ok(Receipt {
        message_id: entry.id.clone(),
        reference: entry.reference.clone(),
        status,
        error: entry.error.clone(),
        permanent: false,
        occurred_at: entry.decided_at.context("a decided message without decided_at")?,
    })
}

/// The campaign as the list shows it: the detail endpoint also computes a delivery timeline (an aggregate over
/// the campaign's log, cached 5 s), which polling it would add to the work being measured.
async fn campaign(client: &reqwest::Client, args: &Args) -> anyhow::Result<Value> {
    let url = format!("{}/api/v1/campaigns?limit=100", args.converge);
    let page: Value = client.get(url).bearer_auth(&args.converge_key).send().await?.error_for_status()?.json().await?;
    let items = page["items"].as_array().context("the campaign list has no items")?;
    let found = items.iter().find(|item| item["id"].as_i64() == Some(args.campaign));
    found.cloned().with_context(|| format!("campaign {} is not among the newest 100", args.campaign))
}
