//! Backends for the conformance suite: a fresh embedded queue in a temporary directory, or a Redis queue under
//! a unique key prefix (deleted afterwards). Redis is optional locally but required on CI (`CI=true`).

use std::path::PathBuf;
use std::sync::Arc;

use converge_queue::embedded::EmbeddedQueue;
use converge_queue::redis::RedisQueue;
use converge_queue::Queue;
use tempfile::TempDir;

pub struct Backend {
    pub queue: Arc<dyn Queue>,
    cleanup: Cleanup,
}

enum Cleanup {
    Dir { _dir: TempDir },
    Redis { prefix: String },
}

pub fn redis_url() -> String {
    std::env::var("REDIS_URL").unwrap_or_else(|_| "redis://127.0.0.1:6379".to_owned())
}

pub fn queue_path(dir: &TempDir) -> PathBuf {
    dir.path().join("queue.db")
}

pub async fn embedded(cap: u64) -> Backend {
    let dir = tempfile::tempdir().expect("temporary directory");
    let queue = EmbeddedQueue::open(&queue_path(&dir), cap).await.expect("open embedded queue");
    Backend { queue: Arc::new(queue), cleanup: Cleanup::Dir { _dir: dir } }
}

/// A Redis queue under a fresh prefix, or `None` (after saying so) when Redis is unreachable outside CI.
pub async fn redis(cap: u64) -> Option<Backend> {
    let prefix = format!("test:{}:", uuid::Uuid::new_v4());
    match RedisQueue::connect(&redis_url(), &prefix, cap).await {
        Ok(queue) => Some(Backend { queue: Arc::new(queue), cleanup: Cleanup::Redis { prefix } }),
        Err(e) if std::env::var("CI").is_ok_and(|v| v == "true") => {
            panic!("Redis is required on CI (CI=true) but unreachable at REDIS_URL or 127.0.0.1:6379: {e}")
        }
        Err(e) => {
            eprintln!("SKIPPED: Redis unreachable ({e}); set REDIS_URL or start Redis to run the Redis tests");
            None
        }
    }
}

/// A raw connection for tests that reach around the queue (cleanup, simulating server-side deletions).
pub async fn raw_redis() -> redis::aio::MultiplexedConnection {
    let client = redis::Client::open(redis_url()).expect("redis url");
    client.get_multiplexed_async_connection().await.expect("raw redis connection")
}

impl Backend {
    /// The Redis key prefix, for tests that inspect keys directly.
    pub fn prefix(&self) -> Option<&str> {
        match &self.cleanup {
            Cleanup::Redis { prefix } => Some(prefix),
            Cleanup::Dir { .. } => None,
        }
    }

    /// Deletes the Redis keys the test created; the temporary directory goes with `self`.
    pub async fn finish(self) {
        let Cleanup::Redis { prefix } = &self.cleanup else {
            return;
        };
        drop(self.queue);
        let mut conn = raw_redis().await;
        let keys: Vec<String> =
            redis::cmd("KEYS").arg(format!("{prefix}*")).query_async(&mut conn).await.expect("list test keys");
        if !keys.is_empty() {
            let _: i64 = redis::cmd("DEL").arg(keys).query_async(&mut conn).await.expect("delete test keys");
        }
    }
}
