//! [`LoginThrottle`]: refuses sign-in attempts after repeated failures, per account and per client address,
//! for a cooling-off window. In memory per node (a cluster of N nodes allows up to N× the attempts; still
//! orders of magnitude below what guessing needs against argon2id).

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

pub struct LoginThrottle {
    /// Failures allowed per account within `window`.
    per_account: u32,
    /// Failures allowed per client address within `window`.
    per_address: u32,
    window: Duration,
    failures: Mutex<HashMap<String, (u32, Instant)>>,
}

impl LoginThrottle {
    pub fn new(per_account: u32, per_address: u32, window: Duration) -> LoginThrottle {
        LoginThrottle { per_account, per_address, window, failures: Mutex::new(HashMap::new()) }
    }

    /// `Err(wait)` while either the account or the address is cooling off.
    pub fn check(&self, account: &str, address: &str) -> Result<(), Duration> {
        let Ok(failures) = self.failures.lock() else { return Ok(()) };
        let blocked = |key: String, limit: u32| {
            failures.get(&key).and_then(|(count, since)| {
                let elapsed = since.elapsed();
                (*count >= limit && elapsed < self.window).then(|| self.window - elapsed)
            })
        };
        match blocked(account_key(account), self.per_account).or(blocked(address_key(address), self.per_address)) {
            Some(wait) => Err(wait),
            None => Ok(()),
        }
    }

    pub fn failed(&self, account: &str, address: &str) {
        let Ok(mut failures) = self.failures.lock() else { return };
        let now = Instant::now();
        for key in [account_key(account), address_key(address)] {
            let entry = failures.entry(key).or_insert((0, now));
            if now.duration_since(entry.1) >= self.window {
                *entry = (0, now);
            }
            entry.0 += 1;
        }
        // Bounded memory: forget stale entries when the map grows.
        if failures.len() > 100_000 {
            failures.retain(|_, (_, since)| now.duration_since(*since) < self.window);
        }
    }

    /// A successful sign-in clears the account's failures (not the address's).
    pub fn succeeded(&self, account: &str) {
        if let Ok(mut failures) = self.failures.lock() {
            failures.remove(&account_key(account));
        }
    }
}

fn account_key(account: &str) -> String {
    format!("account:{account}")
}

fn address_key(address: &str) -> String {
    format!("address:{address}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blocks_after_repeated_failures_per_account_and_address() {
        let throttle = LoginThrottle::new(3, 5, Duration::from_secs(60));
        for _ in 0..3 {
            assert!(throttle.check("a@x.in", "1.1.1.1").is_ok());
            throttle.failed("a@x.in", "1.1.1.1");
        }
        assert!(throttle.check("a@x.in", "2.2.2.2").is_err(), "the account is cooling off from anywhere");
        assert!(throttle.check("b@x.in", "2.2.2.2").is_ok());
        throttle.failed("b@x.in", "1.1.1.1");
        throttle.failed("c@x.in", "1.1.1.1");
        assert!(throttle.check("d@x.in", "1.1.1.1").is_err(), "the address is cooling off for any account");
        throttle.succeeded("b@x.in");
        assert!(throttle.check("b@x.in", "3.3.3.3").is_ok());
    }
}
