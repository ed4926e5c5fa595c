//! Per-API-key request rate limiting (GCRA via `governor`), answered with 429 and `Retry-After`.

use std::num::NonZeroU32;
use std::time::Duration;

use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota};

pub struct RateLimit {
    limiter: DefaultKeyedRateLimiter<i64>,
    clock: DefaultClock,
}

impl RateLimit {
    pub fn new(per_second: u32, burst: u32) -> Self {
        let rate = NonZeroU32::new(per_second.max(1)).unwrap_or(NonZeroU32::MIN);
        let burst = NonZeroU32::new(burst.max(per_second).max(1)).unwrap_or(NonZeroU32::MIN);
        Self {
            limiter: DefaultKeyedRateLimiter::keyed(Quota::per_second(rate).allow_burst(burst)),
            clock: DefaultClock::default(),
        }
    }

    /// `Err(wait)` when the key is over its rate.
    pub fn check(&self, key_id: i64) -> Result<(), Duration> {
        self.limiter.check_key(&key_id).map_err(|not_until| not_until.wait_time_from(self.clock.now()))
    }
}

impl RateLimit {
    /// Drops buckets of keys that are back at full capacity, bounding memory.
    pub fn forget_idle(&self) {
        self.limiter.retain_recent();
    }
}
