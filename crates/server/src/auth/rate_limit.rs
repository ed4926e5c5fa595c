//! Per-caller request rate limiting (GCRA via `governor`), answered with 429 and `Retry-After`: one bucket per
//! API key and one per signed-in person.

use std::num::NonZeroU32;
use std::time::Duration;

use converge_domain::{ApiKeyId, UserId};
use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota};

/// Whose bucket a request draws from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum RateKey {
    Key(ApiKeyId),
    User(UserId),
}

pub struct RateLimit {
    limiter: DefaultKeyedRateLimiter<RateKey>,
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

    /// `Err(wait)` when the caller is over its rate.
    pub fn check(&self, key: RateKey) -> Result<(), Duration> {
        self.limiter.check_key(&key).map_err(|not_until| not_until.wait_time_from(self.clock.now()))
    }
}

impl RateLimit {
    /// Drops buckets of keys that are back at full capacity, bounding memory.
    pub fn forget_idle(&self) {
        self.limiter.retain_recent();
    }
}
