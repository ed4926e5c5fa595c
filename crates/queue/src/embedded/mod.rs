//! [`EmbeddedQueue`]: the queue on a local SQLite file, for the zero-setup mode.
//!
//! Its own file (separate from the application database), in WAL mode with `synchronous=FULL`, so an append
//! that returned survives `kill -9` and power loss. All mutations go through one writer task that commits them
//! in groups (see `writer.rs`); figures and "is anything new?" probes use a small pool that only reads. Several
//! processes may open the same file (an API process and a worker process): SQLite serialises their writers,
//! and blocked readers poll at a modest interval because another process's commits cannot wake them.
//! What must not live here: knowledge of what the payloads mean.

mod ops;
mod writer;

use std::path::Path;
use std::time::Duration;

use async_trait::async_trait;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{ConnectOptions, Connection};
use tokio::sync::{mpsc, oneshot, watch};
use tokio::task::JoinHandle;
use tokio::time::Instant;

use crate::{Delivery, EntryId, Queue, QueueError, Result, StreamStats};
use writer::{Answer, Op, Request};

/// How long a blocked reader sleeps between probes when no local commit wakes it: commits by another process
/// on the same file are only seen this way.
const POLL_INTERVAL: Duration = Duration::from_millis(50);

/// How long a statement waits for another connection's (or process's) write lock before failing.
const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// SQLite-file implementation of [`Queue`].
pub struct EmbeddedQueue {
    requests: mpsc::Sender<Request>,
    commits: watch::Receiver<u64>,
    readers: SqlitePool,
    writer: JoinHandle<()>,
}

/// Opens (creating if needed) the queue file at `path`; see [`EmbeddedQueue::open`].
pub async fn open(path: &Path, cap: u64) -> Result<EmbeddedQueue> {
    EmbeddedQueue::open(path, cap).await
}

fn unavailable(op: &'static str) -> impl Fn(sqlx::Error) -> QueueError {
    move |e| QueueError::Unavailable(format!("embedded queue {op}: {e}"))
}

fn stopped() -> QueueError {
    QueueError::Unavailable("embedded queue: writer stopped".into())
}

fn unexpected() -> QueueError {
    QueueError::Unavailable("embedded queue: unexpected answer from writer".into())
}

impl EmbeddedQueue {
    /// Opens (creating if needed, with its parent directory) the queue file at `path`, e.g.
    /// `{data_dir}/queue.db`. `cap` is the maximum backlog per stream.
    pub async fn open(path: &Path, cap: u64) -> Result<Self> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            tokio::fs::create_dir_all(dir)
                .await
                .map_err(|e| QueueError::Unavailable(format!("embedded queue: creating its directory: {e}")))?;
        }
        let options = SqliteConnectOptions::new()
            .filename(path)
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Full)
            .busy_timeout(BUSY_TIMEOUT);
        let mut conn = options.connect().await.map_err(unavailable("open"))?;
        sqlx::raw_sql(ops::SCHEMA).execute(&mut conn).await.map_err(unavailable("schema"))?;
        let readers = SqlitePoolOptions::new()
            .max_connections(4)
            .min_connections(0)
            .connect_with(options)
            .await
            .map_err(unavailable("open"))?;
        let (requests, receiver) = mpsc::channel(writer::CHANNEL_CAPACITY);
        let (commits_tx, commits) = watch::channel(0u64);
        let writer = tokio::spawn(writer::run(conn, receiver, cap, commits_tx));
        Ok(Self { requests, commits, readers, writer })
    }

    /// Stops accepting work, lets the writer answer everything queued, and closes the file. Dropping the queue
    /// has the same effect without waiting for it.
    pub async fn close(self) {
        let Self { requests, readers, writer, .. } = self;
        drop(requests);
        if let Err(e) = writer.await {
            tracing::warn!(error = %e, "embedded queue writer task failed");
        }
        readers.close().await;
    }

    async fn call(&self, op: Op) -> Result<Answer> {
        let (reply, answer) = oneshot::channel();
        self.requests.send(Request { op, reply }).await.map_err(|_| stopped())?;
        answer.await.map_err(|_| stopped())?
    }

    async fn deliveries(&self, op: Op) -> Result<Vec<Delivery>> {
        match self.call(op).await? {
            Answer::Deliveries(d) => Ok(d),
            _ => Err(unexpected()),
        }
    }

    async fn done(&self, op: Op) -> Result<()> {
        match self.call(op).await? {
            Answer::Done => Ok(()),
            _ => Err(unexpected()),
        }
    }

    /// Whether the group has undelivered entries: a cheap read-only probe before asking the writer.
    async fn has_new(&self, stream: &str, group: &str) -> Result<bool> {
        sqlx::query_scalar(
            "SELECT EXISTS (SELECT 1 FROM entries WHERE stream = ?1 AND id > \
             COALESCE((SELECT last_id FROM groups WHERE stream = ?1 AND grp = ?2), 0))",
        )
        .bind(stream)
        .bind(group)
        .fetch_one(&self.readers)
        .await
        .map_err(unavailable("read"))
    }
}

/// Entry ids of this backend are decimal row ids; anything else is ignored.
fn row_id(id: &EntryId) -> Option<i64> {
    id.0.parse().ok()
}

#[async_trait]
impl Queue for EmbeddedQueue {
    #[tracing::instrument(level = "debug", skip(self, payloads), fields(count = payloads.len()))]
    async fn append(&self, stream: &str, payloads: &[Vec<u8>]) -> Result<Vec<EntryId>> {
        if payloads.is_empty() {
            return Ok(Vec::new());
        }
        match self.call(Op::Append { stream: stream.to_owned(), payloads: payloads.to_vec() }).await? {
            Answer::Ids(ids) => Ok(ids),
            _ => Err(unexpected()),
        }
    }

    async fn ensure_group(&self, stream: &str, group: &str) -> Result<()> {
        self.done(Op::EnsureGroup { stream: stream.to_owned(), group: group.to_owned() }).await
    }

    /// Creates the group (from the stream's beginning) if it does not exist yet, like the Redis queue.
    /// Waits on this process's commits, and polls every 50 ms for other processes' commits.
    #[tracing::instrument(level = "debug", skip(self))]
    async fn read(
        &self,
        stream: &str,
        group: &str,
        consumer: &str,
        max: usize,
        block: Duration,
    ) -> Result<Vec<Delivery>> {
        if max == 0 {
            return Ok(Vec::new());
        }
        // A huge `block` means "wait as long as it takes"; a year stands in for it without overflowing.
        let deadline = Instant::now() + block.min(Duration::from_secs(365 * 24 * 3600));
        // Subscribed before the first attempt, so a commit between the attempt and the wait is not missed.
        let mut commits = self.commits.clone();
        commits.borrow_and_update();
        let mut first = true;
        loop {
            if first || self.has_new(stream, group).await? {
                let op =
                    Op::Read { stream: stream.to_owned(), group: group.to_owned(), consumer: consumer.to_owned(), max };
                let got = self.deliveries(op).await?;
                if !got.is_empty() {
                    return Ok(got);
                }
            }
            first = false;
            let now = Instant::now();
            if now >= deadline {
                return Ok(Vec::new());
            }
            let wait = (deadline - now).min(POLL_INTERVAL);
            if let Ok(Err(_)) = tokio::time::timeout(wait, commits.changed()).await {
                // The writer is gone; the next attempt reports it.
                tokio::time::sleep(wait).await;
            }
        }
    }

    async fn claim_idle(
        &self,
        stream: &str,
        group: &str,
        consumer: &str,
        min_idle: Duration,
        max: usize,
    ) -> Result<Vec<Delivery>> {
        if max == 0 {
            return Ok(Vec::new());
        }
        let min_idle_ms = i64::try_from(min_idle.as_millis()).unwrap_or(i64::MAX);
        self.deliveries(Op::Claim {
            stream: stream.to_owned(),
            group: group.to_owned(),
            consumer: consumer.to_owned(),
            min_idle_ms,
            max,
        })
        .await
    }

    async fn ack(&self, stream: &str, group: &str, ids: &[EntryId]) -> Result<()> {
        let ids: Vec<i64> = ids.iter().filter_map(row_id).collect();
        if ids.is_empty() {
            return Ok(());
        }
        self.done(Op::Ack { stream: stream.to_owned(), group: group.to_owned(), ids }).await
    }

    async fn dead_letter(&self, stream: &str, group: &str, entries: &[Delivery], reason: &str) -> Result<()> {
        let entries: Vec<(i64, Delivery)> =
            entries.iter().filter_map(|d| row_id(&d.id).map(|id| (id, d.clone()))).collect();
        if entries.is_empty() {
            return Ok(());
        }
        self.done(Op::DeadLetter {
            stream: stream.to_owned(),
            group: group.to_owned(),
            entries,
            reason: reason.to_owned(),
        })
        .await
    }

    async fn stats(&self, stream: &str, group: &str) -> Result<StreamStats> {
        let (length, pending, dead_letters): (i64, i64, i64) = sqlx::query_as(
            "SELECT COALESCE((SELECT length FROM streams WHERE stream = ?1), 0), \
             (SELECT COUNT(*) FROM pending WHERE stream = ?1 AND grp = ?2), \
             (SELECT COUNT(*) FROM dead WHERE stream = ?1)",
        )
        .bind(stream)
        .bind(group)
        .fetch_one(&self.readers)
        .await
        .map_err(unavailable("stats"))?;
        let count = |n: i64| u64::try_from(n).unwrap_or(0);
        Ok(StreamStats { length: count(length), pending: count(pending), dead_letters: count(dead_letters) })
    }

    async fn ping(&self) -> Result<()> {
        let mut conn = self.readers.acquire().await.map_err(unavailable("ping"))?;
        conn.ping().await.map_err(unavailable("ping"))?;
        if self.requests.is_closed() {
            return Err(stopped());
        }
        Ok(())
    }
}
