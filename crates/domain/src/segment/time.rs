//! Time arithmetic shared by every execution of a rule (evaluator, SQL compiler, in-memory index).
//!
//! All segment time comparisons happen on whole milliseconds since the Unix epoch: SQLite stores
//! timestamps as INTEGER milliseconds and the ingest path truncates Postgres timestamps to milliseconds, so
//! comparing at a finer grain would let the backends disagree. Relative operators are computed from one
//! injected `now`, also truncated to milliseconds.

use chrono::{DateTime, Utc};

/// One day in milliseconds. Days are fixed 24-hour spans of UTC time: no calendar, no time zones.
pub const DAY_MS: i64 = 86_400_000;

/// Cut-offs are clamped to ±10^14 ms (roughly years -1200 and 5100). Every stored timestamp lies well
/// inside (customer and order timestamps are 1970 or later, at most a day ahead), so clamping never changes
/// a result; it only keeps huge day counts from overflowing or leaving the range a database accepts.
pub const CUTOFF_LIMIT_MS: i64 = 100_000_000_000_000;

/// Milliseconds since the epoch, rounded down (so 10:00:00.999 is 10:00:00.999, never 10:00:01).
pub fn to_millis(at: DateTime<Utc>) -> i64 {
    at.timestamp_millis()
}

/// The instant `ms` milliseconds after the epoch, saturating at chrono's range (never reached by values
/// built here, which are clamped to [`CUTOFF_LIMIT_MS`] or come from real timestamps).
pub fn from_millis(ms: i64) -> DateTime<Utc> {
    DateTime::from_timestamp_millis(ms).unwrap_or(if ms < 0 {
        DateTime::<Utc>::MIN_UTC
    } else {
        DateTime::<Utc>::MAX_UTC
    })
}

/// The instant `days` whole days before `now_ms`, clamped to ±[`CUTOFF_LIMIT_MS`]. `withinDays N` means
/// "after `days_before(now, N)`", `olderThanDays N` "before it", and the order-window fields count orders
/// placed after `days_before(now, window)`.
pub fn days_before(now_ms: i64, days: i64) -> i64 {
    let cutoff = i128::from(now_ms) - i128::from(days) * i128::from(DAY_MS);
    let limit = i128::from(CUTOFF_LIMIT_MS);
    // The clamp makes the value fit in an i64, so the conversion cannot fail.
    i64::try_from(cutoff.clamp(-limit, limit)).unwrap_or(0)
}

/// Whole days from `from_ms` to `to_ms`, rounded towards minus infinity: 23 hours is 0 days, and a
/// timestamp 1 hour in the future is -1 day. This is `inactive_days`.
pub fn whole_days(from_ms: i64, to_ms: i64) -> i64 {
    to_ms.saturating_sub(from_ms).div_euclid(DAY_MS)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn whole_days_round_down() {
        assert_eq!(whole_days(0, DAY_MS - 1), 0);
        assert_eq!(whole_days(0, DAY_MS), 1);
        assert_eq!(whole_days(0, -1), -1);
        assert_eq!(whole_days(5 * DAY_MS, 5 * DAY_MS), 0);
    }

    #[test]
    fn days_before_clamps() {
        assert_eq!(days_before(10 * DAY_MS, 3), 7 * DAY_MS);
        assert_eq!(days_before(0, i64::MAX), -CUTOFF_LIMIT_MS);
        assert_eq!(days_before(0, i64::MIN), CUTOFF_LIMIT_MS);
    }

    #[test]
    fn millis_round_trip() {
        let at = from_millis(1_700_000_000_123);
        assert_eq!(to_millis(at), 1_700_000_000_123);
        assert_eq!(from_millis(i64::MIN), DateTime::<Utc>::MIN_UTC);
    }
}
