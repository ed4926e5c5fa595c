//! [`RedisQueue`]: the queue on Redis Streams, for production mode where API and worker nodes scale out.
//!
//! Every key is `{prefix}{stream}` (dead letters: `{prefix}{stream}:dead`). Commands go over one
//! auto-reconnecting multiplexed connection ([`ConnectionManager`]), which pipelines concurrent callers instead
//! of locking a connection per call; blocking reads use dedicated connections (see `blocking.rs`). Multi-step
//! operations are Lua scripts (see `scripts.rs`) so each is one round trip and atomic.
//! What must not live here: knowledge of what the payloads mean.

mod blocking;
mod reply;
mod scripts;

use std::time::Duration;

use async_trait::async_trait;
use redis::aio::{ConnectionManager, ConnectionManagerConfig};
use redis::{Client, RedisError, Value};

use crate::{Delivery, EntryId, Queue, QueueError, Result, StreamStats};
use blocking::BlockingConnections;
use reply::AppendReply;

/// Upper bound on `XAUTOCLAIM` rounds within one `claim_idle`, so one call never scans an unbounded PEL.
const CLAIM_ROUNDS: u32 = 8;

/// Upper bound on entries per `read` or `claim_idle`, keeping `COUNT` arguments within Redis's integer range.
const MAX_COUNT: usize = 100_000;

/// Timeouts of the Redis connections. The defaults make calls fail within about two seconds when Redis is
/// down or stalled, so the API can answer 503 instead of hanging.
#[derive(Clone, Debug)]
pub struct RedisOptions {
    /// Bound on establishing a TCP connection (each attempt).
    pub connect_timeout: Duration,
    /// Bound on waiting for a reply to a non-blocking command.
    pub response_timeout: Duration,
    /// Reconnection attempts after a failed connect before a call reports `Unavailable`.
    pub reconnect_retries: usize,
}

impl Default for RedisOptions {
    fn default() -> Self {
        Self {
            connect_timeout: Duration::from_millis(500),
            response_timeout: Duration::from_millis(1500),
            reconnect_retries: 1,
        }
    }
}

/// Redis Streams implementation of [`Queue`].
pub struct RedisQueue {
    manager: ConnectionManager,
    blocking: BlockingConnections,
    prefix: String,
    cap: u64,
    response_timeout: Duration,
}

/// Connects with default [`RedisOptions`]; see [`RedisQueue::connect`].
pub async fn connect(url: &str, prefix: &str, cap: u64) -> Result<RedisQueue> {
    RedisQueue::connect(url, prefix, cap).await
}

/// Maps a Redis error to `Unavailable`, naming the operation. Redis error texts carry no URL or password.
fn unavailable(op: &'static str) -> impl Fn(RedisError) -> QueueError {
    move |e| QueueError::Unavailable(format!("redis {op}: {e}"))
}

fn is_server_error(e: &RedisError, code: &str) -> bool {
    e.code() == Some(code)
}

impl RedisQueue {
    /// Connects to `url`, failing with `Unavailable` if Redis cannot be reached now. `cap` is the maximum
    /// backlog per stream; every key is namespaced under `prefix`.
    pub async fn connect(url: &str, prefix: &str, cap: u64) -> Result<Self> {
        Self::connect_with(url, prefix, cap, RedisOptions::default()).await
    }

    /// [`RedisQueue::connect`] with explicit timeouts.
    pub async fn connect_with(url: &str, prefix: &str, cap: u64, options: RedisOptions) -> Result<Self> {
        let (client, config) = Self::client(url, &options)?;
        let manager =
            ConnectionManager::new_with_config(client.clone(), config).await.map_err(unavailable("connect"))?;
        Ok(Self::assemble(manager, client, prefix, cap, &options))
    }

    /// Builds the queue without connecting: the first command connects. For starting while Redis is briefly
    /// down (readiness then reports it through [`Queue::ping`]). Fails only on an invalid URL.
    pub fn connect_lazy(url: &str, prefix: &str, cap: u64, options: RedisOptions) -> Result<Self> {
        let (client, config) = Self::client(url, &options)?;
        let manager =
            ConnectionManager::new_lazy_with_config(client.clone(), config).map_err(unavailable("connect"))?;
        Ok(Self::assemble(manager, client, prefix, cap, &options))
    }

    fn client(url: &str, options: &RedisOptions) -> Result<(Client, ConnectionManagerConfig)> {
        // The URL may carry a password: the message must not include it.
        let client = Client::open(url).map_err(|_| QueueError::Unavailable("redis: invalid connection URL".into()))?;
        let config = ConnectionManagerConfig::new()
            .set_connection_timeout(Some(options.connect_timeout))
            .set_response_timeout(Some(options.response_timeout))
            .set_number_of_retries(options.reconnect_retries)
            .set_min_delay(Duration::from_millis(50))
            .set_max_delay(Duration::from_millis(250));
        Ok((client, config))
    }

    fn assemble(manager: ConnectionManager, client: Client, prefix: &str, cap: u64, options: &RedisOptions) -> Self {
        Self {
            manager,
            blocking: BlockingConnections::new(client, options.connect_timeout),
            prefix: prefix.to_owned(),
            cap,
            response_timeout: options.response_timeout,
        }
    }

    fn key(&self, stream: &str) -> String {
        format!("{}{stream}", self.prefix)
    }

    fn dead_key(&self, stream: &str) -> String {
        format!("{}{stream}:dead", self.prefix)
    }

    /// One `XREADGROUP`. A zero `block` runs on the shared connection (it returns at once); otherwise on a
    /// dedicated one, bounded by `block` plus the response timeout.
    async fn read_once(
        &self,
        key: &str,
        group: &str,
        consumer: &str,
        max: usize,
        block: Duration,
    ) -> std::result::Result<Value, RedisError> {
        let mut cmd = redis::cmd("XREADGROUP");
        cmd.arg("GROUP").arg(group).arg(consumer).arg("COUNT").arg(max);
        if block.is_zero() {
            cmd.arg("STREAMS").arg(key).arg(">");
            return cmd.query_async(&mut self.manager.clone()).await;
        }
        let block_ms = u64::try_from(block.as_millis()).unwrap_or(u64::MAX).max(1);
        cmd.arg("BLOCK").arg(block_ms).arg("STREAMS").arg(key).arg(">");
        let mut conn = self.blocking.take().await?;
        match tokio::time::timeout(block.saturating_add(self.response_timeout), cmd.query_async::<Value>(&mut conn))
            .await
        {
            Ok(Ok(value)) => {
                self.blocking.give_back(conn);
                Ok(value)
            }
            Ok(Err(e)) => {
                if !e.is_io_error() && !e.is_unrecoverable_error() {
                    self.blocking.give_back(conn);
                }
                Err(e)
            }
            Err(_) => {
                Err(RedisError::from(std::io::Error::new(std::io::ErrorKind::TimedOut, "blocking read timed out")))
            }
        }
    }
}

#[async_trait]
impl Queue for RedisQueue {
    #[tracing::instrument(level = "debug", skip(self, payloads), fields(count = payloads.len()))]
    async fn append(&self, stream: &str, payloads: &[Vec<u8>]) -> Result<Vec<EntryId>> {
        if payloads.is_empty() {
            return Ok(Vec::new());
        }
        let mut call = scripts::APPEND.key(self.key(stream));
        call.arg(self.cap).arg(self.cap.saturating_mul(2));
        for payload in payloads {
            call.arg(payload.as_slice());
        }
        let value: Value = call.invoke_async(&mut self.manager.clone()).await.map_err(unavailable("append"))?;
        match reply::append_reply(value)? {
            AppendReply::Added(ids) => Ok(ids),
            AppendReply::Full(length) => Err(QueueError::Full { stream: stream.to_owned(), length, cap: self.cap }),
        }
    }

    async fn ensure_group(&self, stream: &str, group: &str) -> Result<()> {
        let created: std::result::Result<(), RedisError> = redis::cmd("XGROUP")
            .arg("CREATE")
            .arg(self.key(stream))
            .arg(group)
            .arg("0")
            .arg("MKSTREAM")
            .query_async(&mut self.manager.clone())
            .await;
        match created {
            Err(e) if !is_server_error(&e, "BUSYGROUP") => Err(unavailable("ensure_group")(e)),
            _ => Ok(()),
        }
    }

    /// Creates the group (from the stream's beginning) if it does not exist yet, like the embedded queue.
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
        let max = max.min(MAX_COUNT);
        let key = self.key(stream);
        let value = match self.read_once(&key, group, consumer, max, block).await {
            Err(e) if is_server_error(&e, "NOGROUP") => {
                self.ensure_group(stream, group).await?;
                self.read_once(&key, group, consumer, max, block).await
            }
            other => other,
        }
        .map_err(unavailable("read"))?;
        reply::read_reply(value)
    }

    #[tracing::instrument(level = "debug", skip(self))]
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
        let max = max.min(MAX_COUNT);
        let min_idle_ms = u64::try_from(min_idle.as_millis()).unwrap_or(u64::MAX);
        let value: Value = scripts::CLAIM
            .key(self.key(stream))
            .arg(group)
            .arg(consumer)
            .arg(min_idle_ms)
            .arg(max)
            .arg(CLAIM_ROUNDS)
            .invoke_async(&mut self.manager.clone())
            .await
            .map_err(unavailable("claim_idle"))?;
        reply::claim_reply(value)
    }

    #[tracing::instrument(level = "debug", skip(self, ids), fields(count = ids.len()))]
    async fn ack(&self, stream: &str, group: &str, ids: &[EntryId]) -> Result<()> {
        let ids: Vec<&str> = ids.iter().map(|id| id.0.as_str()).filter(|id| reply::is_stream_id(id)).collect();
        if ids.is_empty() {
            return Ok(());
        }
        let mut call = scripts::ACK.key(self.key(stream));
        call.arg(group).arg(ids);
        let _acked: i64 = call.invoke_async(&mut self.manager.clone()).await.map_err(unavailable("ack"))?;
        Ok(())
    }

    #[tracing::instrument(level = "debug", skip(self, entries), fields(count = entries.len()))]
    async fn dead_letter(&self, stream: &str, group: &str, entries: &[Delivery], reason: &str) -> Result<()> {
        let entries: Vec<&Delivery> = entries.iter().filter(|d| reply::is_stream_id(&d.id.0)).collect();
        if entries.is_empty() {
            return Ok(());
        }
        let mut call = scripts::DEAD_LETTER.key(self.key(stream));
        call.key(self.dead_key(stream)).arg(group).arg(reason);
        for delivery in entries {
            call.arg(delivery.id.0.as_str()).arg(delivery.payload.as_slice()).arg(delivery.deliveries);
        }
        let _moved: i64 = call.invoke_async(&mut self.manager.clone()).await.map_err(unavailable("dead_letter"))?;
        Ok(())
    }

    async fn stats(&self, stream: &str, group: &str) -> Result<StreamStats> {
        let (length, pending, dead_letters): (u64, u64, u64) = scripts::STATS
            .key(self.key(stream))
            .key(self.dead_key(stream))
            .arg(group)
            .invoke_async(&mut self.manager.clone())
            .await
            .map_err(unavailable("stats"))?;
        Ok(StreamStats { length, pending, dead_letters })
    }

    async fn ping(&self) -> Result<()> {
        let _: String = redis::cmd("PING").query_async(&mut self.manager.clone()).await.map_err(unavailable("ping"))?;
        Ok(())
    }
}
