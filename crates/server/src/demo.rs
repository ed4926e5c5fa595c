//! `converge demo`: loads the deterministic sample through the same store path the ingest consumer uses.

use std::time::Instant;

use anyhow::Context;
use chrono::Utc;
use converge_datagen::Generator;
use converge_domain::{IngestEnvelope, IngestEvent};
use converge_store::Store;

const CHUNK: usize = 2_000;

pub async fn load(store: &dyn Store, workspace: &str, seed: u64, customers: u64, orders: u64) -> anyhow::Result<()> {
    let ws = store.workspace_by_slug(workspace).await?.with_context(|| format!("no workspace `{workspace}`"))?;
    let now = Utc::now();
    let generator = Generator::new(seed, customers, orders, now);
    let started = Instant::now();
    let envelope = |event| IngestEnvelope { workspace_id: ws.id, received_at: now, event };
    let mut chunk = Vec::with_capacity(CHUNK);
    let mut written = 0u64;
    let events = generator.customers().map(IngestEvent::Customer).chain(generator.orders().map(IngestEvent::Order));
    for event in events {
        chunk.push(envelope(event));
        if chunk.len() == CHUNK {
            store.apply_ingest(&chunk).await?;
            written += chunk.len() as u64;
            chunk.clear();
            if written.is_multiple_of(200_000) {
                eprintln!("  {written} records loaded");
            }
        }
    }
    if !chunk.is_empty() {
        store.apply_ingest(&chunk).await?;
    }
    let counts = store.counts(ws.id).await?;
    eprintln!(
        "demo data in workspace `{}`: {} customers, {} orders (seed {seed}, {:.1} s)",
        ws.slug,
        counts.customers,
        counts.orders,
        started.elapsed().as_secs_f64()
    );
    Ok(())
}
