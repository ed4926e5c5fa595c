//! Order-window values (`orders_last_90_days`, `spend_last_30_days`, …) kept per window length, so a query
//! reads one integer column instead of searching every customer's orders.
//!
//! A window's values are valid for one cutoff (`now - days`). A later query with another cutoff only
//! recomputes the customers owning an order whose time lies between the two cutoffs — the only orders whose
//! membership changed — found through a time-sorted list of every order. A customer whose orders change is
//! recomputed at once for every cached cutoff. Values are always computed by [`OrderColumn::after`], the
//! same function the uncached path uses, so caching cannot change a result.

use std::sync::Mutex;

use crate::orders::OrderColumn;

/// Orders appended since the time-sorted list was built are merged into it past this many.
const MERGE_AFTER: usize = 100_000;

struct State {
    cutoff: i64,
    count: Vec<i64>,
    spend: Vec<i64>,
}

/// Every order's `(time, row)`, sorted by time, plus recent additions not yet merged.
#[derive(Default)]
struct TimeIndex {
    times: Vec<i64>,
    rows: Vec<u32>,
    recent: Vec<(i64, u32)>,
}

#[derive(Default)]
pub(crate) struct Windows {
    /// One state per window length in days.
    states: Mutex<Vec<(i64, State)>>,
    by_time: TimeIndex,
}

impl Windows {
    /// Records a row's orders (on load and whenever they change) and refreshes its cached values.
    pub(crate) fn row_changed(&mut self, row: usize, orders: &OrderColumn, times: &[i64]) {
        for &at in times {
            self.by_time.recent.push((at, row as u32));
        }
        if self.by_time.recent.len() > MERGE_AFTER {
            self.merge();
        }
        let states = self.states.get_mut().unwrap_or_else(|e| e.into_inner());
        for (_, state) in states.iter_mut() {
            let (count, spend) = orders.after(row, state.cutoff);
            if row < state.count.len() {
                state.count[row] = count;
                state.spend[row] = spend;
            } else {
                state.count.resize(row + 1, 0);
                state.spend.resize(row + 1, 0);
                state.count[row] = count;
                state.spend[row] = spend;
            }
        }
    }

    fn merge(&mut self) {
        let index = &mut self.by_time;
        let mut all: Vec<(i64, u32)> = index.times.iter().copied().zip(index.rows.iter().copied()).collect();
        all.append(&mut index.recent);
        all.sort_unstable();
        all.dedup();
        index.times = all.iter().map(|(t, _)| *t).collect();
        index.rows = all.iter().map(|(_, r)| *r).collect();
    }

    /// Calls `read` with the `(count, spend)` columns for window `days` at `cutoff`, bringing them up to date.
    pub(crate) fn with_values<R>(
        &self,
        days: i64,
        cutoff: i64,
        rows: usize,
        orders: &OrderColumn,
        read: impl FnOnce(&[i64], &[i64]) -> R,
    ) -> R {
        let mut states = self.states.lock().unwrap_or_else(|e| e.into_inner());
        let position = match states.iter().position(|(d, _)| *d == days) {
            Some(position) => position,
            None => {
                let (count, spend) = (0..rows).map(|row| orders.after(row, cutoff)).unzip();
                states.push((days, State { cutoff, count, spend }));
                states.len() - 1
            }
        };
        let state = &mut states[position].1;
        if state.cutoff != cutoff {
            let (low, high) = (state.cutoff.min(cutoff), state.cutoff.max(cutoff));
            for row in self.rows_with_orders_in(low, high) {
                let (count, spend) = orders.after(row, cutoff);
                state.count[row] = count;
                state.spend[row] = spend;
            }
            state.cutoff = cutoff;
        }
        read(&state.count, &state.spend)
    }

    /// Rows owning an order with time in `(low, high]` (with repeats).
    fn rows_with_orders_in(&self, low: i64, high: i64) -> Vec<usize> {
        let index = &self.by_time;
        let start = index.times.partition_point(|&t| t <= low);
        let end = index.times.partition_point(|&t| t <= high);
        let sorted = index.rows[start..end].iter().map(|&r| r as usize);
        let recent = index.recent.iter().filter(|(t, _)| *t > low && *t <= high).map(|(_, r)| *r as usize);
        sorted.chain(recent).collect()
    }

    pub(crate) fn memory_bytes(&self) -> usize {
        let states = self.states.lock().unwrap_or_else(|e| e.into_inner());
        let cached: usize = states.iter().map(|(_, s)| (s.count.capacity() + s.spend.capacity()) * 8).sum();
        cached + self.by_time.times.capacity() * 12 + self.by_time.recent.capacity() * 16
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        /// Whatever sequence of cutoffs and order changes, cached values equal a fresh computation.
        #[test]
        fn cached_windows_equal_direct_computation(
            initial in prop::collection::vec(prop::collection::vec((0i64..100, 1i64..50), 0..5), 1..30),
            steps in prop::collection::vec((0i64..110, prop::option::of((0usize..30, prop::collection::vec((0i64..100, 1i64..50), 0..5)))), 1..40),
        ) {
            let mut orders = OrderColumn::default();
            let mut windows = Windows::default();
            for (row, run) in initial.iter().enumerate() {
                orders.push_row();
                orders.set(row, run.clone());
                windows.row_changed(row, &orders, &run.iter().map(|o| o.0).collect::<Vec<_>>());
            }
            // Initial orders in the sorted list, later ones among the recent additions: both paths checked.
            windows.merge();
            let rows = initial.len();
            for (cutoff, change) in steps {
                if let Some((row, run)) = change {
                    let row = row % rows;
                    orders.set(row, run.clone());
                    windows.row_changed(row, &orders, &run.iter().map(|o| o.0).collect::<Vec<_>>());
                }
                let (count, spend) = windows.with_values(7, cutoff, rows, &orders, |c, s| (c.to_vec(), s.to_vec()));
                for row in 0..rows {
                    prop_assert_eq!((count[row], spend[row]), orders.after(row, cutoff));
                }
            }
        }
    }
}
