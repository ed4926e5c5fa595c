//! Durable streams with consumer groups.
//!
//! One interface, two implementations, one behaviour (checked by `tests/conformance.rs`):
//! - [`redis::RedisQueue`]: Redis Streams (`XADD`, `XREADGROUP`, `XACK`, `XAUTOCLAIM`, `XPENDING`).
//! - [`embedded::EmbeddedQueue`]: a SQLite file on local disk, for the zero-setup mode.
//!
//! Semantics are Redis Streams' consumer-group semantics, at-least-once: an entry read by a consumer stays
//! *pending* until acknowledged; a pending entry idle longer than a threshold can be claimed by another consumer,
//! which increments its delivery count; callers dead-letter entries whose delivery count passes their limit.
//! Appends are durable when `append` returns and are refused (never dropped) when the stream's backlog is at
//! its cap. What must not live here: knowledge of what the payloads mean.

pub mod embedded;
pub mod redis;

use std::time::Duration;

use async_trait::async_trait;

/// Identifier of an entry within its stream; ordered as the stream orders entries. The text is the backend's own
/// (`1700000000000-0` on Redis, a decimal row id embedded): do not compare ids as strings.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct EntryId(pub String);

impl std::fmt::Display for EntryId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// One entry handed to a consumer.
#[derive(Clone, Debug)]
pub struct Delivery {
    pub id: EntryId,
    pub payload: Vec<u8>,
    /// How many times this entry has been delivered, this delivery included (1 on first delivery).
    pub deliveries: u32,
}

/// Point-in-time figures for metrics and readiness.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct StreamStats {
    /// Entries kept in the stream: not yet delivered plus delivered-but-unacknowledged.
    pub length: u64,
    /// Delivered to a consumer of the group and not yet acknowledged.
    pub pending: u64,
    /// Entries in the dead-letter stream.
    pub dead_letters: u64,
}

#[derive(Debug, thiserror::Error)]
pub enum QueueError {
    /// The stream's backlog is at its cap: the caller should answer 503 with `Retry-After`.
    #[error("stream {stream} is full ({length} entries, cap {cap})")]
    Full { stream: String, length: u64, cap: u64 },
    /// The queue's backing service cannot be reached or failed.
    #[error("queue unavailable: {0}")]
    Unavailable(String),
}

pub type Result<T> = std::result::Result<T, QueueError>;

/// A durable stream store with consumer groups. Stream and group names are plain identifiers
/// (`[a-z0-9_:-]+`); implementations namespace them under their key prefix.
#[async_trait]
pub trait Queue: Send + Sync + 'static {
    /// Appends all payloads atomically (all or none) and durably; returns their ids in order.
    /// Fails with [`QueueError::Full`] when the stream already holds `cap` or more entries.
    async fn append(&self, stream: &str, payloads: &[Vec<u8>]) -> Result<Vec<EntryId>>;

    /// Creates the consumer group if it does not exist (starting from the stream's beginning). Idempotent.
    async fn ensure_group(&self, stream: &str, group: &str) -> Result<()>;

    /// Delivers up to `max` never-delivered entries to `consumer`, waiting up to `block` for the first one.
    /// Returns an empty vector on timeout. Creates the group (from the stream's beginning) if it does not exist.
    async fn read(
        &self,
        stream: &str,
        group: &str,
        consumer: &str,
        max: usize,
        block: Duration,
    ) -> Result<Vec<Delivery>>;

    /// Transfers to `consumer` up to `max` pending entries idle for at least `min_idle` (a crashed or stuck
    /// consumer's work), incrementing their delivery count.
    async fn claim_idle(
        &self,
        stream: &str,
        group: &str,
        consumer: &str,
        min_idle: Duration,
        max: usize,
    ) -> Result<Vec<Delivery>>;

    /// Acknowledges entries: they are done and may be removed from the stream. Unknown ids are ignored.
    /// An entry no group still needs (every group has delivered it, none holds it pending) is removed, so
    /// [`StreamStats::length`] stays the backlog the cap is checked against.
    async fn ack(&self, stream: &str, group: &str, ids: &[EntryId]) -> Result<()>;

    /// Copies the entries to the dead-letter stream `{stream}:dead` with the reason, then acknowledges them.
    /// Entries no longer pending in the group (already acknowledged or dead-lettered) are skipped, so a retried
    /// call does not copy them twice.
    async fn dead_letter(&self, stream: &str, group: &str, entries: &[Delivery], reason: &str) -> Result<()>;

    /// Current figures for the stream and group.
    async fn stats(&self, stream: &str, group: &str) -> Result<StreamStats>;

    /// Checks the backing service answers.
    async fn ping(&self) -> Result<()>;
}
