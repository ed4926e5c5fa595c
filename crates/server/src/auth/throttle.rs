//! [`LoginThrottle`]: failure budgets for signing in, RESERVED before the password is hashed, so parallel
//! guesses cannot all slip past one check. In memory per node (a cluster of N nodes allows up to N× the
//! attempts; still orders of magnitude below what guessing needs against argon2id).
//!
//! The rule (docs/OPERATIONS.md, "Sign-in throttling"), within one cooling-off window:
//! - an address may fail `per_pair` times on one account; then that account is cooled off *for that
//!   address only* (an attacker cannot lock the owner out from the owner's own address);
//! - an address may fail `per_address` times over all accounts; then it is cooled off for every account
//!   (it only locks out itself and whoever shares it);
//! - an account may fail `per_account` times over all addresses; then it is under attack: an address that
//!   already failed on it is refused, and each other address gets one try (so a distributed guesser gets one
//!   guess per address, and the owner signing in from a clean address still gets in).
//!
//! Every attempt reserves one failure on each counter before it is let through; a correct password gives
//! the reservation back ([`Reservation::succeeded`]), a wrong one keeps it ([`Reservation::failed`]), and an
//! attempt dropped before its password was checked (the hashing queue refused it, a database error) gives it
//! back too.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

/// Most entries kept before stale ones are forgotten (and, if still over, the oldest half).
const MAX_ENTRIES: usize = 100_000;

pub struct LoginThrottle {
    limits: Limits,
    window: Duration,
    counts: Arc<Mutex<HashMap<Key, Count>>>,
}

#[derive(Clone, Copy, Debug)]
pub struct Limits {
    /// Failures one address may make on one account.
    pub per_pair: u32,
    /// Failures one address may make over all accounts.
    pub per_address: u32,
    /// Failures one account may take over all addresses before each further address gets one try.
    pub per_account: u32,
}

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
enum Key {
    Pair(String, String),
    Address(String),
    Account(String),
}

#[derive(Clone, Copy, Debug)]
struct Count {
    failures: u32,
    since: Instant,
}

/// One attempt let through: resolve it with [`Reservation::failed`] or [`Reservation::succeeded`].
#[must_use]
pub struct Reservation {
    counts: Arc<Mutex<HashMap<Key, Count>>>,
    keys: [Key; 3],
    resolved: bool,
}

impl LoginThrottle {
    pub fn new(limits: Limits, window: Duration) -> LoginThrottle {
        LoginThrottle { limits, window, counts: Arc::new(Mutex::new(HashMap::new())) }
    }

    /// Reserves one failure of `account` from `address`, or `Err(wait)` while this attempt is over a budget.
    pub fn reserve(&self, account: &str, address: &str) -> Result<Reservation, Duration> {
        let mut counts = lock(&self.counts);
        let now = Instant::now();
        let keys = [
            Key::Pair(account.to_owned(), address.to_owned()),
            Key::Address(address.to_owned()),
            Key::Account(account.to_owned()),
        ];
        let current = |key: &Key| {
            counts
                .get(key)
                .filter(|c| now.duration_since(c.since) < self.window)
                .map(|c| (c.failures, self.window - now.duration_since(c.since)))
                .unwrap_or((0, self.window))
        };
        let (pair, pair_wait) = current(&keys[0]);
        let (by_address, address_wait) = current(&keys[1]);
        let (by_account, account_wait) = current(&keys[2]);
        if by_address >= self.limits.per_address {
            return Err(address_wait);
        }
        if pair >= self.limits.per_pair {
            return Err(pair_wait);
        }
        if by_account >= self.limits.per_account && pair > 0 {
            // Under attack: this address already had its one try.
            return Err(account_wait.min(pair_wait));
        }
        for key in &keys {
            let count = counts.entry(key.clone()).or_insert(Count { failures: 0, since: now });
            if now.duration_since(count.since) >= self.window {
                *count = Count { failures: 0, since: now };
            }
            count.failures += 1;
        }
        if counts.len() > MAX_ENTRIES {
            forget_stale(&mut counts, now, self.window);
        }
        Ok(Reservation { counts: self.counts.clone(), keys, resolved: false })
    }
}

impl Reservation {
    /// A wrong password: the reserved failure stays counted.
    pub fn failed(mut self) {
        self.resolved = true;
    }

    /// A correct password: the reservation is given back and this address's failures on the account are
    /// forgotten (other addresses' failures are not: the owner signing in does not reset a guesser).
    pub fn succeeded(mut self) {
        self.resolved = true;
        let mut counts = lock(&self.counts);
        counts.remove(&self.keys[0]);
        for key in &self.keys[1..] {
            give_back(&mut counts, key);
        }
    }
}

impl Drop for Reservation {
    /// Not resolved: the password was never checked, so it was no guess.
    fn drop(&mut self) {
        if !self.resolved {
            let mut counts = lock(&self.counts);
            for key in &self.keys {
                give_back(&mut counts, key);
            }
        }
    }
}

fn give_back(counts: &mut HashMap<Key, Count>, key: &Key) {
    if let Some(count) = counts.get_mut(key) {
        count.failures = count.failures.saturating_sub(1);
        if count.failures == 0 {
            counts.remove(key);
        }
    }
}

fn forget_stale(counts: &mut HashMap<Key, Count>, now: Instant, window: Duration) {
    counts.retain(|_, c| now.duration_since(c.since) < window);
    if counts.len() > MAX_ENTRIES {
        // A flood of fresh addresses and accounts: keep the newer half (bounded memory wins over history).
        let mut ages: Vec<Instant> = counts.values().map(|c| c.since).collect();
        ages.sort_unstable();
        let cut = ages[ages.len() / 2];
        counts.retain(|_, c| c.since >= cut);
    }
}

fn lock(counts: &Mutex<HashMap<Key, Count>>) -> MutexGuard<'_, HashMap<Key, Count>> {
    counts.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn throttle(per_pair: u32, per_address: u32, per_account: u32) -> LoginThrottle {
        LoginThrottle::new(Limits { per_pair, per_address, per_account }, Duration::from_secs(60))
    }

    #[test]
    fn the_budget_is_reserved_before_the_check_resolves() {
        let throttle = throttle(3, 100, 100);
        let held: Vec<_> = (0..3).map(|_| throttle.reserve("a@x.in", "1.1.1.1").unwrap()).collect();
        assert!(throttle.reserve("a@x.in", "1.1.1.1").is_err(), "three in flight use the whole budget");
        drop(held);
        assert!(throttle.reserve("a@x.in", "1.1.1.1").is_ok(), "unchecked attempts are given back");
    }

    #[test]
    fn one_address_cannot_lock_another_out_of_its_account() {
        let throttle = throttle(3, 100, 5);
        for _ in 0..3 {
            throttle.reserve("a@x.in", "6.6.6.6").unwrap().failed();
        }
        assert!(throttle.reserve("a@x.in", "6.6.6.6").is_err(), "the guesser is cooled off on this account");
        throttle.reserve("a@x.in", "1.1.1.1").unwrap().succeeded();
        assert!(throttle.reserve("b@x.in", "6.6.6.6").is_ok(), "and only on this account");
    }

    #[test]
    fn an_account_under_attack_allows_one_try_per_address() {
        let throttle = throttle(3, 100, 4);
        for address in ["6.6.6.1", "6.6.6.2"] {
            for _ in 0..2 {
                throttle.reserve("a@x.in", address).unwrap().failed();
            }
        }
        assert!(throttle.reserve("a@x.in", "6.6.6.1").is_err(), "an address that failed is refused");
        throttle.reserve("a@x.in", "6.6.6.3").unwrap().failed();
        assert!(throttle.reserve("a@x.in", "6.6.6.3").is_err(), "a fresh address had one try");
        throttle.reserve("a@x.in", "1.1.1.1").unwrap().succeeded();
    }

    #[test]
    fn an_address_over_its_budget_is_cooled_off_for_every_account() {
        let throttle = throttle(5, 3, 100);
        for account in ["a@x.in", "b@x.in", "c@x.in"] {
            throttle.reserve(account, "6.6.6.6").unwrap().failed();
        }
        assert!(throttle.reserve("d@x.in", "6.6.6.6").is_err());
        assert!(throttle.reserve("d@x.in", "1.1.1.1").is_ok());
    }

    #[test]
    fn success_forgets_this_addresss_failures_only() {
        let throttle = throttle(3, 100, 100);
        for _ in 0..2 {
            throttle.reserve("a@x.in", "1.1.1.1").unwrap().failed();
        }
        throttle.reserve("a@x.in", "1.1.1.1").unwrap().succeeded();
        for _ in 0..3 {
            throttle.reserve("a@x.in", "1.1.1.1").unwrap().failed();
        }
        assert!(throttle.reserve("a@x.in", "1.1.1.1").is_err());
    }
}
