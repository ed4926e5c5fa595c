//! Receipts waiting to be POSTed, in the order they became due.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};

use tokio::sync::Notify;

use crate::sync::lock;
use converge_vendor_wire::Receipt;

/// One copy of one receipt on its way to the callback URL.
#[derive(Debug, Clone)]
pub(crate) struct ReceiptJob {
    pub seq: u64,
    /// Attempts already made for this copy.
    pub attempts: u32,
    pub receipt: Arc<Receipt>,
}

#[derive(Default)]
pub(crate) struct Outbox {
    queue: Mutex<VecDeque<ReceiptJob>>,
    /// Woken whenever receipts are added.
    pub(crate) added: Notify,
}

impl Outbox {
    pub(crate) fn push(&self, jobs: impl IntoIterator<Item = ReceiptJob>) {
        lock(&self.queue).extend(jobs);
        self.added.notify_one();
    }

    /// Removes up to `max` receipts, oldest first.
    pub(crate) fn take(&self, max: usize) -> Vec<ReceiptJob> {
        let mut queue = lock(&self.queue);
        let count = max.min(queue.len());
        queue.drain(..count).collect()
    }

    pub(crate) fn len(&self) -> usize {
        lock(&self.queue).len()
    }
}
