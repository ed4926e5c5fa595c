//! The conformance suite's functions, written against `Arc<dyn Queue>`; `conformance.rs` runs each on both
//! backends. Helpers shared by the suite and the backend-specific tests live here too.

mod backlog;
mod concurrency;
mod delivery;

use std::time::Duration;

use converge_queue::{Delivery, EntryId, Queue, StreamStats};

pub use backlog::*;
pub use concurrency::*;
pub use delivery::*;

pub const STREAM: &str = "jobs";
pub const GROUP: &str = "workers";
pub const SHORT: Duration = Duration::from_millis(100);

pub fn payloads(tag: &str, n: usize) -> Vec<Vec<u8>> {
    (0..n).map(|i| format!("{tag}-{i}").into_bytes()).collect()
}

pub fn ids(deliveries: &[Delivery]) -> Vec<EntryId> {
    deliveries.iter().map(|d| d.id.clone()).collect()
}

/// Reads until a read comes back empty.
pub async fn drain(q: &dyn Queue, consumer: &str, max: usize) -> Vec<Delivery> {
    let mut all = Vec::new();
    loop {
        let got = q.read(STREAM, GROUP, consumer, max, SHORT).await.expect("read");
        if got.is_empty() {
            return all;
        }
        all.extend(got);
    }
}

pub async fn stats(q: &dyn Queue) -> StreamStats {
    q.stats(STREAM, GROUP).await.expect("stats")
}
