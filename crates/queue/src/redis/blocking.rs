//! Dedicated connections for blocking reads.
//!
//! A blocking `XREADGROUP` occupies its connection until it returns. On the shared multiplexed connection it
//! would hold up every append queued behind it, so each blocking read borrows a connection of its own from this
//! small pool and gives it back afterwards. A connection that failed, timed out or whose read was cancelled is
//! dropped rather than returned, since its reply stream may be out of step.

use std::sync::Mutex;
use std::time::Duration;

use redis::aio::MultiplexedConnection;
use redis::{AsyncConnectionConfig, Client, RedisResult};

/// How many idle dedicated connections are kept for reuse.
const MAX_IDLE: usize = 16;

pub(super) struct BlockingConnections {
    client: Client,
    config: AsyncConnectionConfig,
    idle: Mutex<Vec<MultiplexedConnection>>,
}

impl BlockingConnections {
    /// Connections time out on connect only; callers bound each blocking command themselves, since its
    /// legitimate duration is the caller's `block`.
    pub(super) fn new(client: Client, connect_timeout: Duration) -> Self {
        let config =
            AsyncConnectionConfig::new().set_connection_timeout(Some(connect_timeout)).set_response_timeout(None);
        Self { client, config, idle: Mutex::new(Vec::new()) }
    }

    /// An idle connection, or a new one.
    pub(super) async fn take(&self) -> RedisResult<MultiplexedConnection> {
        let reused = self.idle.lock().unwrap_or_else(|poisoned| poisoned.into_inner()).pop();
        match reused {
            Some(conn) => Ok(conn),
            None => self.client.get_multiplexed_async_connection_with_config(&self.config).await,
        }
    }

    /// Returns a healthy connection for reuse.
    pub(super) fn give_back(&self, conn: MultiplexedConnection) {
        let mut idle = self.idle.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        if idle.len() < MAX_IDLE {
            idle.push(conn);
        }
    }
}
