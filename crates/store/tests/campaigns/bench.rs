//! Receipt throughput on Postgres (the issue's target: ≥ 50,000 receipts/s in batches of 1,000–5,000).
//! Ignored by default; run it alone, in release mode, with output:
//!
//! ```sh
//! cargo test --release -p converge-store --test campaigns -- --ignored --nocapture receipts_per_second
//! ```
//!
//! `CONVERGE_BENCH_RECEIPTS` (default 200,000 messages) and `CONVERGE_BENCH_BATCH` (default 2,000) tune it.
//! Fully shuffled receipts are the worst case for caching: past ~300k messages the log outgrows Postgres's
//! default 128 MB `shared_buffers` and every receipt costs about one buffer miss (1M: ~70k/s instead of
//! ~105k/s); size `shared_buffers` to the log of the running campaigns.
//! The receipts come shuffled, 10% FAILED, with 5% duplicates mixed in, as a vendor would send them.

use std::time::Instant;

use chrono::Utc;
use converge_domain::ReceiptStatus;
use converge_store::postgres::PgStore;
use converge_store::testing::TestDatabase;
use converge_store::{Dispatch, Launch, Lifecycle, ReceiptUpdate, Receipts, Store, Workspaces};

use super::{accepted, check, everyone, new_campaign, secs, support::inr};

fn env(name: &str, default: usize) -> usize {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

/// A deterministic shuffle (xorshift), so runs are comparable.
fn shuffle<T>(items: &mut [T]) {
    let mut state = 0x9E37_79B9_7F4A_7C15_u64;
    for i in (1..items.len()).rev() {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        items.swap(i, (state % (i as u64 + 1)) as usize);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "benchmark: run explicitly, in release mode"]
async fn receipts_per_second() {
    let Some(db) = TestDatabase::create().await else { return };
    let (n, batch) = (env("CONVERGE_BENCH_RECEIPTS", 200_000), env("CONVERGE_BENCH_BATCH", 2_000));
    let store = PgStore::connect(&db.url, 4).await.unwrap();
    store.migrate().await.unwrap();
    let ws = store.create_workspace("bench", "Bench", &inr()).await.unwrap().id;
    sqlx::query(
        "INSERT INTO customers (workspace_id, external_id, name, phone, created_at, updated_at, attributes_fold) \
         SELECT $1, 'C' || g, 'Person ' || g, '+9198' || lpad(g::text, 8, '0'), now(), now(), '{}' \
         FROM generate_series(1, $2) AS g",
    )
    .bind(ws)
    .bind(n as i64)
    .execute(store.pool())
    .await
    .unwrap();
    let now = Utc::now();
    let started = Instant::now();
    let (campaign, _) = store.create_campaign(ws, &new_campaign(everyone(), None, now), now).await.unwrap();
    println!("launch: snapshot of {n} recipients in {:.2?}", started.elapsed());
    store.start_due_campaigns(now).await.unwrap();
    let (mut claiming, mut recording) = (std::time::Duration::ZERO, std::time::Duration::ZERO);
    let mut vendor_ids = Vec::with_capacity(n);
    loop {
        let started = Instant::now();
        let claimed = store.claim_deliveries("bench", 5_000, secs(600), now).await.unwrap();
        claiming += started.elapsed();
        if claimed.is_empty() {
            break;
        }
        let results: Vec<_> = claimed.iter().map(|d| accepted(d, &format!("msg-{}", d.log_id))).collect();
        let started = Instant::now();
        store.record_dispatch(&results, now).await.unwrap();
        recording += started.elapsed();
        vendor_ids.extend(claimed.iter().map(|d| (d.log_id, format!("msg-{}", d.log_id))));
    }
    let rate = |took: std::time::Duration| n as f64 / took.as_secs_f64();
    println!(
        "dispatch, one worker, batches of 5,000: claim {claiming:.2?} ({:.0}/s), record {recording:.2?} ({:.0}/s)",
        rate(claiming),
        rate(recording)
    );
    let mut receipts: Vec<ReceiptUpdate> = vendor_ids
        .iter()
        .enumerate()
        .map(|(i, (log_id, id))| {
            let status = if i % 10 == 0 { ReceiptStatus::Failed } else { ReceiptStatus::Sent };
            let route = super::ROUTE.to_owned();
            ReceiptUpdate {
                log_id: *log_id,
                route,
                vendor_message_id: id.clone(),
                status,
                error: None,
                at: now,
                permanent: false,
            }
        })
        .collect();
    let duplicates: Vec<_> = receipts.iter().step_by(20).cloned().collect();
    receipts.extend(duplicates);
    shuffle(&mut receipts);
    let (updates_before, hot_before) = update_counts(&store).await;
    let started = Instant::now();
    let mut applied = 0;
    for chunk in receipts.chunks(batch) {
        applied += store.apply_receipts(chunk, now).await.unwrap().applied;
    }
    let took = started.elapsed();
    assert_eq!(applied as usize, n);
    println!(
        "receipts: {} (incl. {} duplicates) in batches of {batch}, one applier: {took:.2?} = {:.0} receipts/s",
        receipts.len(),
        receipts.len() - n,
        receipts.len() as f64 / took.as_secs_f64()
    );
    let (updates, hot) = update_counts(&store).await;
    println!("receipts: {} of {} row updates were HOT (no index writes)", hot - hot_before, updates - updates_before);
    let done = check(&store, ws, campaign.id).await;
    assert_eq!((done.stats.pending, done.stats.sent + done.stats.failed), (0, n as i64));
}

/// `communication_log`'s (updates, HOT updates) so far; idle backends flush statistics within ~10 s.
async fn update_counts(store: &PgStore) -> (i64, i64) {
    tokio::time::sleep(std::time::Duration::from_millis(11_000)).await;
    sqlx::query_as("SELECT n_tup_upd, n_tup_hot_upd FROM pg_stat_user_tables WHERE relname = 'communication_log'")
        .fetch_one(store.pool())
        .await
        .unwrap()
}
