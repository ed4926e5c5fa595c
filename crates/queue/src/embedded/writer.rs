//! The single writer task: group commit for every mutating operation.
//!
//! Callers send requests over a channel; the task takes every request already waiting (up to a bound), runs
//! them in ONE `BEGIN IMMEDIATE` transaction, commits (an fsync, `synchronous=FULL`), and only then answers
//! each request. Thousands of concurrent appends thus share a handful of fsyncs, and an append's answer always
//! means "committed". One writer per process also means no lock contention between this process's own
//! operations; other processes on the same file wait on SQLite's busy timeout.
//!
//! If anything in a batch fails at the database level, the transaction is rolled back and every request of
//! the batch is answered with `Unavailable` (nothing of it was written). When every sender is dropped the
//! task drains the channel, answers what was queued, closes its connection and ends.

use std::time::{SystemTime, UNIX_EPOCH};

use sqlx::{Connection, SqliteConnection};
use tokio::sync::{mpsc, oneshot, watch};

use super::ops;
use crate::{Delivery, EntryId, QueueError, Result};

/// Requests waiting in the channel before callers are slowed down.
pub(super) const CHANNEL_CAPACITY: usize = 8192;

/// Bound on one batch, in rows (an append counts its payloads, other requests count one), so that a burst
/// does not turn into one huge transaction that delays every answer.
const BATCH_ROWS: usize = 4096;

pub(super) enum Op {
    Append { stream: String, payloads: Vec<Vec<u8>> },
    EnsureGroup { stream: String, group: String },
    Read { stream: String, group: String, consumer: String, max: usize },
    Claim { stream: String, group: String, consumer: String, min_idle_ms: i64, max: usize },
    Ack { stream: String, group: String, ids: Vec<i64> },
    DeadLetter { stream: String, group: String, entries: Vec<(i64, Delivery)>, reason: String },
}

impl Op {
    fn rows(&self) -> usize {
        match self {
            Op::Append { payloads, .. } => payloads.len().max(1),
            Op::Ack { ids, .. } => ids.len().max(1),
            Op::DeadLetter { entries, .. } => entries.len().max(1),
            _ => 1,
        }
    }
}

/// What an operation answers; each public method knows which variant its operation yields.
pub(super) enum Answer {
    Ids(Vec<EntryId>),
    Deliveries(Vec<Delivery>),
    Done,
}

pub(super) struct Request {
    pub(super) op: Op,
    pub(super) reply: oneshot::Sender<Result<Answer>>,
}

fn now_ms() -> i64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map(|d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX)).unwrap_or(0)
}

/// Runs the writer until every sender is gone. `commits` is bumped after each commit that appended entries,
/// waking this process's blocked readers.
pub(super) async fn run(
    mut conn: SqliteConnection,
    mut requests: mpsc::Receiver<Request>,
    cap: u64,
    commits: watch::Sender<u64>,
) {
    while let Some(first) = requests.recv().await {
        let mut rows = first.op.rows();
        let mut batch = vec![first];
        while rows < BATCH_ROWS {
            match requests.try_recv() {
                Ok(request) => {
                    rows += request.op.rows();
                    batch.push(request);
                }
                Err(_) => break,
            }
        }
        let appended = batch.iter().any(|r| matches!(r.op, Op::Append { .. }));
        match execute(&mut conn, &batch, cap).await {
            Ok(answers) => {
                for (request, answer) in batch.into_iter().zip(answers) {
                    let _ = request.reply.send(answer);
                }
                if appended {
                    commits.send_modify(|n| *n = n.wrapping_add(1));
                }
            }
            Err(e) => {
                tracing::warn!(error = %e, requests = batch.len(), "embedded queue batch rolled back");
                let message = format!("embedded queue: {e}");
                for request in batch {
                    let _ = request.reply.send(Err(QueueError::Unavailable(message.clone())));
                }
            }
        }
    }
    if let Err(e) = conn.close().await {
        tracing::warn!(error = %e, "closing the embedded queue's writer connection");
    }
}

/// Runs a batch in one transaction; answers are in request order and valid only once this returns `Ok`.
async fn execute(conn: &mut SqliteConnection, batch: &[Request], cap: u64) -> ops::Db<Vec<Result<Answer>>> {
    let mut tx = conn.begin_with("BEGIN IMMEDIATE").await?;
    let now = now_ms();
    let mut answers = Vec::with_capacity(batch.len());
    for request in batch {
        let answer = match &request.op {
            Op::Append { stream, payloads } => ops::append(&mut tx, stream, payloads, cap).await?.map(Answer::Ids),
            Op::EnsureGroup { stream, group } => {
                ops::ensure_group(&mut tx, stream, group).await?;
                Ok(Answer::Done)
            }
            Op::Read { stream, group, consumer, max } => {
                Ok(Answer::Deliveries(ops::read(&mut tx, stream, group, consumer, *max, now).await?))
            }
            Op::Claim { stream, group, consumer, min_idle_ms, max } => {
                let cutoff = now.saturating_sub(*min_idle_ms);
                Ok(Answer::Deliveries(ops::claim(&mut tx, stream, group, consumer, cutoff, *max, now).await?))
            }
            Op::Ack { stream, group, ids } => {
                ops::ack(&mut tx, stream, group, ids).await?;
                Ok(Answer::Done)
            }
            Op::DeadLetter { stream, group, entries, reason } => {
                ops::dead_letter(&mut tx, stream, group, entries, reason, now).await?;
                Ok(Answer::Done)
            }
        };
        answers.push(answer);
    }
    tx.commit().await?;
    Ok(answers)
}
