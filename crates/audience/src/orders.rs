//! Every customer's orders in three flat arrays (time, running spend), so an order-window field is a binary
//! search in a short contiguous run per customer instead of a walk through a million small allocations.
//!
//! A customer whose orders change gets a fresh run appended at the end; the old run becomes garbage and the
//! arrays are compacted when garbage passes half their size.

#[derive(Default)]
pub(crate) struct OrderColumn {
    start: Vec<u32>,
    len: Vec<u32>,
    /// Time of each row's latest order (`i64::MIN` if none), so most rows answer a window without their run.
    last: Vec<i64>,
    times: Vec<i64>,
    /// `cumulative[i]`: saturating sum of the amounts of the run's orders up to and including `i`.
    cumulative: Vec<i64>,
    amounts: Vec<i64>,
    garbage: usize,
}

impl OrderColumn {
    pub(crate) fn push_row(&mut self) {
        self.start.push(self.times.len() as u32);
        self.len.push(0);
        self.last.push(i64::MIN);
    }

    /// Replaces a row's orders with `orders` (`(ordered_at ms, amount)`, any order); false if unchanged.
    pub(crate) fn set(&mut self, row: usize, mut orders: Vec<(i64, i64)>) -> bool {
        orders.sort_unstable();
        let old = self.run(row);
        if old.len() == orders.len()
            && old.clone().zip(&orders).all(|(i, o)| self.times[i] == o.0 && self.amounts[i] == o.1)
        {
            return false;
        }
        self.garbage += old.len();
        self.start[row] = self.times.len() as u32;
        self.len[row] = orders.len() as u32;
        self.last[row] = orders.last().map_or(i64::MIN, |(at, _)| *at);
        let mut sum = 0i64;
        for (at, amount) in orders {
            sum = sum.saturating_add(amount);
            self.times.push(at);
            self.amounts.push(amount);
            self.cumulative.push(sum);
        }
        if self.garbage > 1_000_000 && self.garbage * 2 > self.times.len() {
            self.compact();
        }
        true
    }

    fn run(&self, row: usize) -> std::ops::Range<usize> {
        let start = self.start[row] as usize;
        start..start + self.len[row] as usize
    }

    /// Number and saturating total of the row's orders placed strictly after `cutoff`.
    pub(crate) fn after(&self, row: usize, cutoff: i64) -> (i64, i64) {
        if self.last[row] <= cutoff {
            return (0, 0);
        }
        let run = self.run(row);
        let times = &self.times[run.clone()];
        let k = times.partition_point(|&at| at <= cutoff);
        let count = (times.len() - k) as i64;
        if count == 0 {
            return (0, 0);
        }
        let total = self.cumulative[run.end - 1];
        let spend = if total == i64::MAX {
            // Saturated: add the recent orders up the way the evaluator does.
            self.amounts[run.start + k..run.end].iter().fold(0i64, |sum, a| sum.saturating_add(*a))
        } else if k == 0 {
            total
        } else {
            total - self.cumulative[run.start + k - 1]
        };
        // Totals saturate at the money cap, as the evaluator and SQL do.
        (count, spend.min(converge_domain::TOTAL_CAP_MINOR))
    }

    fn compact(&mut self) {
        let mut fresh = OrderColumn::default();
        for row in 0..self.start.len() {
            fresh.push_row();
            let run = self.run(row);
            let orders = run.map(|i| (self.times[i], self.amounts[i])).collect();
            fresh.set(row, orders);
        }
        *self = fresh;
    }

    pub(crate) fn memory_bytes(&self) -> usize {
        self.start.capacity() * 16 + (self.times.capacity() + self.cumulative.capacity() + self.amounts.capacity()) * 8
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn windows_count_and_sum_strictly_after_the_cutoff() {
        let mut column = OrderColumn::default();
        column.push_row();
        column.push_row();
        column.set(0, vec![(30, 5), (10, 1), (20, 2)]);
        assert_eq!(column.after(0, 0), (3, 8));
        assert_eq!(column.after(0, 10), (2, 7));
        assert_eq!(column.after(0, 29), (1, 5));
        assert_eq!(column.after(0, 30), (0, 0));
        assert_eq!(column.after(1, 0), (0, 0));
        column.set(0, vec![(40, 100)]);
        assert_eq!(column.after(0, 0), (1, 100));
        column.set(1, vec![(1, i64::MAX), (2, 7)]);
        assert_eq!(column.after(1, 0), (2, i64::MAX));
        assert_eq!(column.after(1, 1), (1, 7));
        column.compact();
        assert_eq!(column.after(0, 0), (1, 100));
        assert_eq!(column.after(1, 1), (1, 7));
    }
}
