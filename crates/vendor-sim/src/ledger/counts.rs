//! Run-wide counters behind [`super::Stats`]: message and receipt counts kept under the ledger lock (so they
//! always agree with the entries), request counts kept in atomics (so chaos paths never touch the ledger lock).

use std::sync::atomic::{AtomicU64, Ordering};

use super::Stats;

#[derive(Debug, Clone, Default)]
pub(crate) struct Counts {
    pub accepted: u64,
    pub sent: u64,
    pub failed: u64,
    pub duplicates_requested: u64,
    pub receipts_enqueued: u64,
    pub receipts_delivered: u64,
    pub receipts_failed: u64,
    pub receipts_rejected: u64,
    pub receipt_retries: u64,
}

#[derive(Debug, Default)]
pub(crate) struct RequestCounters {
    pub send_requests: AtomicU64,
    pub send_errors_injected: AtomicU64,
    pub connections_dropped: AtomicU64,
    pub callback_requests: AtomicU64,
}

impl RequestCounters {
    pub(crate) fn bump(counter: &AtomicU64) {
        counter.fetch_add(1, Ordering::Relaxed);
    }
}

impl Counts {
    pub(crate) fn into_stats(self, requests: &RequestCounters) -> Stats {
        let settled = self.receipts_delivered + self.receipts_failed;
        Stats {
            accepted: self.accepted,
            queued: self.accepted - self.sent - self.failed,
            sent: self.sent,
            failed: self.failed,
            duplicates_requested: self.duplicates_requested,
            receipts_delivered: self.receipts_delivered,
            receipts_pending: self.receipts_enqueued.saturating_sub(settled),
            receipts_failed: self.receipts_failed,
            receipts_rejected: self.receipts_rejected,
            receipt_retries: self.receipt_retries,
            callback_requests: requests.callback_requests.load(Ordering::Relaxed),
            send_requests: requests.send_requests.load(Ordering::Relaxed),
            send_errors_injected: requests.send_errors_injected.load(Ordering::Relaxed),
            connections_dropped: requests.connections_dropped.load(Ordering::Relaxed),
        }
    }
}
