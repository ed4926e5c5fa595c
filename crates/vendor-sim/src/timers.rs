//! Work that becomes due later: revealing a message's outcome, retrying a receipt delivery.
//!
//! One min-heap for all of it, instead of a sleeping task per message, keeps 20,000+ messages a second cheap:
//! the scheduler wakes once per due instant and handles everything due together.

use std::cmp::Ordering;
use std::collections::BinaryHeap;
use std::sync::Mutex;

use tokio::sync::Notify;
use tokio::time::Instant;

use crate::outbox::ReceiptJob;
use crate::sync::lock;

/// What to do when a timer fires.
#[derive(Debug)]
pub(crate) enum Job {
    /// Reveal the outcome of the message with this sequence number and queue its receipt.
    Decide(u64),
    /// Put a receipt whose delivery failed back into the outbox.
    Redeliver(ReceiptJob),
}

#[derive(Debug)]
struct Timer {
    due: Instant,
    /// Ties between equal due instants go to the earlier scheduled, so equal delays keep acceptance order.
    order: u64,
    job: Job,
}

impl PartialEq for Timer {
    fn eq(&self, other: &Timer) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for Timer {}

impl PartialOrd for Timer {
    fn partial_cmp(&self, other: &Timer) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Timer {
    /// Reversed, so `BinaryHeap` (a max-heap) pops the earliest timer first.
    fn cmp(&self, other: &Timer) -> Ordering {
        (other.due, other.order).cmp(&(self.due, self.order))
    }
}

#[derive(Default)]
struct Heap {
    timers: BinaryHeap<Timer>,
    next_order: u64,
}

#[derive(Default)]
pub(crate) struct Timers {
    heap: Mutex<Heap>,
    /// Woken whenever a timer is added, so the scheduler can sleep until the earliest one.
    pub(crate) added: Notify,
}

impl Timers {
    pub(crate) fn schedule(&self, jobs: impl IntoIterator<Item = (Instant, Job)>) {
        {
            let mut heap = lock(&self.heap);
            for (due, job) in jobs {
                let order = heap.next_order;
                heap.next_order += 1;
                heap.timers.push(Timer { due, order, job });
            }
        }
        self.added.notify_one();
    }

    /// Removes up to `max` jobs due at `now`, earliest first, and tells when the next remaining one is due.
    pub(crate) fn take_due(&self, now: Instant, max: usize) -> (Vec<Job>, Option<Instant>) {
        let mut heap = lock(&self.heap);
        let mut due = Vec::new();
        while due.len() < max {
            match heap.timers.peek() {
                Some(timer) if timer.due <= now => {
                    if let Some(timer) = heap.timers.pop() {
                        due.push(timer.job);
                    }
                }
                _ => break,
            }
        }
        (due, heap.timers.peek().map(|timer| timer.due))
    }

    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        lock(&self.heap).timers.len()
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    fn seqs(jobs: &[Job]) -> Vec<u64> {
        jobs.iter().filter_map(|job| if let Job::Decide(seq) = job { Some(*seq) } else { None }).collect()
    }

    #[test]
    fn due_jobs_come_out_earliest_first_and_ties_in_order() {
        let timers = Timers::default();
        let start = Instant::now();
        let at = |ms| start + Duration::from_millis(ms);
        timers.schedule([(at(30), Job::Decide(0)), (at(10), Job::Decide(1)), (at(10), Job::Decide(2))]);
        timers.schedule([(at(50), Job::Decide(3))]);
        let (due, next) = timers.take_due(at(30), 100);
        assert_eq!(seqs(&due), [1, 2, 0]);
        assert_eq!(next, Some(at(50)));
        let (due, next) = timers.take_due(at(40), 100);
        assert!(due.is_empty());
        assert_eq!(next, Some(at(50)));
        assert_eq!(timers.len(), 1);
    }

    #[test]
    fn at_most_max_jobs_are_taken() {
        let timers = Timers::default();
        let now = Instant::now();
        timers.schedule((0..10).map(|seq| (now, Job::Decide(seq))));
        let (due, next) = timers.take_due(now, 4);
        assert_eq!(seqs(&due), [0, 1, 2, 3]);
        assert_eq!(next, Some(now));
    }
}
