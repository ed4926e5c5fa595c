//! [`SendRate`]: the per-workspace send rate of one node (GCRA via `governor`), awaited by the dispatchers
//! before each vendor request.

use std::num::NonZeroU32;

use converge_domain::WorkspaceId;
use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota};

pub struct SendRate {
    /// `None`: unlimited.
    limiter: Option<DefaultKeyedRateLimiter<WorkspaceId>>,
    /// Tokens one wait can take at most (one second's worth).
    burst: u32,
    clock: DefaultClock,
}

impl SendRate {
    /// `per_second` messages per workspace, bursting up to one second's worth; 0 means unlimited.
    pub fn new(per_second: u32) -> SendRate {
        let limiter = NonZeroU32::new(per_second).map(|rate| DefaultKeyedRateLimiter::keyed(Quota::per_second(rate)));
        SendRate { limiter, burst: per_second.max(1), clock: DefaultClock::default() }
    }

    /// Waits until `workspace_id` may send `messages` more, taking the tokens.
    pub async fn acquire(&self, workspace_id: WorkspaceId, messages: usize) {
        let Some(limiter) = &self.limiter else { return };
        let mut left = u32::try_from(messages).unwrap_or(u32::MAX);
        // Bounded: each round takes at least one token or sleeps until it can.
        while left > 0 {
            let take = left.min(self.burst);
            let Some(n) = NonZeroU32::new(take) else { return };
            match limiter.check_key_n(&workspace_id, n) {
                Ok(Ok(())) => left -= take,
                Ok(Err(not_until)) => tokio::time::sleep(not_until.wait_time_from(self.clock.now())).await,
                // Cannot happen (take <= burst); never spin on it.
                Err(_) => return,
            }
        }
    }

    /// Drops buckets of idle workspaces, bounding memory.
    pub fn forget_idle(&self) {
        if let Some(limiter) = &self.limiter {
            limiter.retain_recent();
        }
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    #[tokio::test]
    async fn waits_for_tokens_per_workspace() {
        let rate = SendRate::new(100);
        let started = std::time::Instant::now();
        rate.acquire(WorkspaceId::new(1), 100).await; // the first second's worth is free
        rate.acquire(WorkspaceId::new(1), 20).await; // 20 more for workspace 1: about 200 ms
        let waited = started.elapsed();
        assert!(waited >= Duration::from_millis(150), "{waited:?}");
        // Another workspace has its own, full bucket (checked without timing: the tokens are there now).
        let limiter = rate.limiter.as_ref().unwrap();
        assert!(limiter.check_key_n(&WorkspaceId::new(2), NonZeroU32::new(100).unwrap()).unwrap().is_ok());
        assert!(limiter.check_key_n(&WorkspaceId::new(1), NonZeroU32::new(100).unwrap()).unwrap().is_err());
    }

    #[tokio::test]
    async fn zero_is_unlimited() {
        let rate = SendRate::new(0);
        rate.acquire(WorkspaceId::new(1), 1_000_000).await;
    }
}
