//! The ledger: every accepted message, in acceptance order, with its outcome and receipt history.
//!
//! It lives in memory behind one mutex: a `Vec` indexed by sequence number plus a reference → sequence map for
//! idempotency. Checking and inserting a reference under the same lock is what makes concurrent duplicate sends
//! safe. Every operation takes the lock once per request or batch, never per message, so contention stays low.
//!
//! Memory grows with every distinct message for the life of the process (it is the record tests compare):
//! measured at about 380 bytes resident per message for a 75-character SMS — the entry, the reference index,
//! the strings and allocator overhead; longer bodies add their length — so a million messages take about
//! 400 MB. Nothing else grows without bound: pending receipts are freed once delivered or given up on.

mod counts;
mod view;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use chrono::{DateTime, Utc};

use crate::message::{Channel, Message, SenderFields};
use crate::outcome::Fate;
use crate::sync::lock;
use converge_vendor_wire::Outcome;
use converge_vendor_wire::Receipt;
use converge_vendor_wire::Status;
pub(crate) use counts::{Counts, RequestCounters};
pub use view::{LedgerEntry, ReceiptLog, ReceiptState, Stats};

/// The answer to one accepted (or duplicate) send.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Accepted {
    pub seq: u64,
    pub id: String,
    pub status: Status,
    pub duplicate: bool,
    /// For a new message, when its outcome is due (milliseconds after acceptance).
    pub due_in_ms: Option<u64>,
}

/// The result of one callback attempt, applied to every receipt copy it carried.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Attempt {
    Delivered,
    /// Failed; another attempt is scheduled.
    Retrying(String),
    /// Failed with a 4xx that is not retried.
    Rejected(String),
    /// Failed, and that was the last attempt.
    GaveUp(String),
}

struct Entry {
    reference: Arc<str>,
    to: Box<str>,
    channel: Channel,
    subject: Option<Box<str>>,
    body: Box<str>,
    sender: Option<Box<SenderFields>>,
    fate: Fate,
    status: Status,
    accepted_at: DateTime<Utc>,
    decided_at: Option<DateTime<Utc>>,
    duplicate_requests: u32,
    receipt_attempts: u32,
    receipts_delivered: u32,
    receipt_state: ReceiptState,
    receipt_error: Option<Box<str>>,
}

#[derive(Default)]
struct Inner {
    entries: Vec<Entry>,
    by_reference: HashMap<Arc<str>, u64>,
    counts: Counts,
}

pub(crate) struct Ledger {
    /// Distinguishes this run's message ids from a previous run's, so a restarted simulator never reuses an id
    /// that Converge already stored.
    instance: u32,
    inner: Mutex<Inner>,
    pub(crate) requests: RequestCounters,
}

const ID_PREFIX: &str = "msg_";

impl Ledger {
    pub(crate) fn new(instance: u32) -> Ledger {
        Ledger { instance, inner: Mutex::new(Inner::default()), requests: RequestCounters::default() }
    }

    fn id(&self, seq: u64) -> String {
        format!("{ID_PREFIX}{:08x}{seq:010x}", self.instance)
    }

    fn seq_of(&self, id: &str) -> Option<u64> {
        let rest = id.strip_prefix(ID_PREFIX)?;
        if rest.len() != 18 || u32::from_str_radix(rest.get(..8)?, 16).ok()? != self.instance {
            return None;
        }
        u64::from_str_radix(rest.get(8..)?, 16).ok()
    }

    /// Records new messages and recognises known references, all under one lock so two concurrent sends of
    /// the same reference cannot both create a message.
    pub(crate) fn accept(&self, messages: Vec<(Message, Fate)>, now: DateTime<Utc>) -> Vec<Accepted> {
        let mut inner = lock(&self.inner);
        let mut answers = Vec::with_capacity(messages.len());
        for (message, fate) in messages {
            if let Some(&seq) = inner.by_reference.get(message.reference.as_str()) {
                inner.counts.duplicates_requested += 1;
                let status = match inner.entries.get_mut(seq as usize) {
                    Some(entry) => {
                        entry.duplicate_requests += 1;
                        entry.status
                    }
                    None => Status::Queued,
                };
                answers.push(Accepted { seq, id: self.id(seq), status, duplicate: true, due_in_ms: None });
                continue;
            }
            let seq = inner.entries.len() as u64;
            let reference: Arc<str> = Arc::from(message.reference);
            inner.by_reference.insert(reference.clone(), seq);
            inner.entries.push(Entry {
                reference,
                to: message.to.into_boxed_str(),
                channel: message.channel,
                subject: message.subject.map(String::into_boxed_str),
                body: message.body.into_boxed_str(),
                sender: message.sender,
                fate,
                status: Status::Queued,
                accepted_at: now,
                decided_at: None,
                duplicate_requests: 0,
                receipt_attempts: 0,
                receipts_delivered: 0,
                receipt_state: ReceiptState::Pending,
                receipt_error: None,
            });
            inner.counts.accepted += 1;
            let due_in_ms = Some(fate.delay_ms);
            answers.push(Accepted { seq, id: self.id(seq), status: Status::Queued, duplicate: false, due_in_ms });
        }
        answers
    }

    /// Reveals the outcome of each still-queued message and returns its receipt. With `receipt_copies` (one
    /// count per seq, 0 when receipts are disabled) the copies are counted as pending deliveries.
    pub(crate) fn decide(&self, seqs: &[u64], copies: &[u8], now: DateTime<Utc>) -> Vec<(u64, u8, Receipt)> {
        let mut inner = lock(&self.inner);
        let mut receipts = Vec::with_capacity(seqs.len());
        for (&seq, &copies) in seqs.iter().zip(copies) {
            let Some(entry) = inner.entries.get_mut(seq as usize) else { continue };
            if entry.status != Status::Queued {
                continue;
            }
            let error = entry.fate.error(entry.channel);
            entry.status = match entry.fate.outcome {
                Outcome::Sent => Status::Sent,
                Outcome::Failed => Status::Failed,
            };
            entry.decided_at = Some(now);
            if copies == 0 {
                entry.receipt_state = ReceiptState::Disabled;
            }
            let receipt = Receipt {
                message_id: self.id(seq),
                reference: entry.reference.to_string(),
                status: entry.fate.outcome,
                error: error.map(str::to_owned),
                permanent: entry.fate.is_permanent(entry.channel),
                occurred_at: now,
            };
            match entry.fate.outcome {
                Outcome::Sent => inner.counts.sent += 1,
                Outcome::Failed => inner.counts.failed += 1,
            }
            inner.counts.receipts_enqueued += u64::from(copies);
            receipts.push((seq, copies, receipt));
        }
        receipts
    }

    /// Records one callback attempt for every receipt copy it carried.
    pub(crate) fn record_attempt(&self, seqs: &[u64], attempt: &Attempt) {
        let mut inner = lock(&self.inner);
        let Inner { entries, counts, .. } = &mut *inner;
        for &seq in seqs {
            let Some(entry) = entries.get_mut(seq as usize) else { continue };
            entry.receipt_attempts += 1;
            match attempt {
                Attempt::Delivered => {
                    entry.receipts_delivered += 1;
                    entry.receipt_state = ReceiptState::Delivered;
                    counts.receipts_delivered += 1;
                }
                Attempt::Retrying(error) => {
                    entry.receipt_error = Some(error.as_str().into());
                    counts.receipt_retries += 1;
                }
                Attempt::Rejected(error) | Attempt::GaveUp(error) => {
                    entry.receipt_error = Some(error.as_str().into());
                    counts.receipts_failed += 1;
                    if matches!(attempt, Attempt::Rejected(_)) {
                        counts.receipts_rejected += 1;
                    }
                    if entry.receipt_state != ReceiptState::Delivered {
                        entry.receipt_state = if matches!(attempt, Attempt::Rejected(_)) {
                            ReceiptState::Rejected
                        } else {
                            ReceiptState::GaveUp
                        };
                    }
                }
            }
        }
    }

    pub(crate) fn get(&self, id: &str) -> Option<LedgerEntry> {
        let seq = self.seq_of(id)?;
        let inner = lock(&self.inner);
        inner.entries.get(seq as usize).map(|entry| self.view(seq, entry))
    }

    /// Up to `limit` entries with a sequence number above `after` (from the start when `None`).
    pub(crate) fn page(&self, after: Option<u64>, limit: usize) -> Vec<LedgerEntry> {
        let inner = lock(&self.inner);
        let start = after.map_or(0, |after| after.saturating_add(1)).min(inner.entries.len() as u64) as usize;
        let end = start.saturating_add(limit).min(inner.entries.len());
        inner.entries[start..end].iter().zip(start as u64..).map(|(entry, seq)| self.view(seq, entry)).collect()
    }

    pub(crate) fn snapshot(&self) -> Vec<LedgerEntry> {
        self.page(None, usize::MAX)
    }

    pub(crate) fn stats(&self) -> Stats {
        let counts = lock(&self.inner).counts.clone();
        counts.into_stats(&self.requests)
    }

    fn view(&self, seq: u64, entry: &Entry) -> LedgerEntry {
        LedgerEntry {
            seq,
            id: self.id(seq),
            reference: entry.reference.to_string(),
            to: entry.to.to_string(),
            channel: entry.channel,
            subject: entry.subject.as_deref().map(str::to_owned),
            body: entry.body.to_string(),
            sender: entry.sender.as_deref().cloned(),
            status: entry.status,
            error: if entry.status == Status::Queued {
                None
            } else {
                entry.fate.error(entry.channel).map(str::to_owned)
            },
            accepted_at: entry.accepted_at,
            decided_at: entry.decided_at,
            duplicate_requests: entry.duplicate_requests,
            receipts: ReceiptLog {
                state: entry.receipt_state,
                attempts: entry.receipt_attempts,
                delivered: entry.receipts_delivered,
                last_error: entry.receipt_error.as_deref().map(str::to_owned),
            },
        }
    }
}

#[cfg(test)]
mod tests;
