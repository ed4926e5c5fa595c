//! What ingestion added per workspace and UTC day (table `ingest_daily`, migration 0008): customers created,
//! orders recorded and their revenue. The ingest transaction adds exactly what its statements inserted, so
//! the totals equal the customer and order tables (a property the conformance suite checks) and a dashboard
//! reads a few dozen rows instead of scanning millions.

pub(crate) mod postgres;
pub(crate) mod sqlite;

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU32, Ordering};

use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};

use crate::{IngestDay, StoreResult};
use converge_domain::WorkspaceId;

/// Rows per workspace and day, so that concurrent ingest transactions rarely wait on one row's lock.
const SHARDS: u32 = 8;

/// One day's additions for one workspace.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct DailyDelta {
    pub customers: i64,
    pub orders: i64,
    pub revenue_minor: i64,
}

/// Additions of one ingest batch, keyed by workspace and day, in key order (the order rows are locked in).
#[derive(Debug, Default)]
pub(crate) struct Rollup(BTreeMap<(WorkspaceId, NaiveDate), DailyDelta>);

impl Rollup {
    pub fn customer_created(&mut self, workspace_id: WorkspaceId, received_at: DateTime<Utc>) {
        self.entry(workspace_id, received_at).customers += 1;
    }

    pub fn orders_recorded(&mut self, workspace_id: WorkspaceId, day: NaiveDate, orders: i64, revenue_minor: i64) {
        let delta = self.0.entry((workspace_id, day)).or_default();
        delta.orders += orders;
        delta.revenue_minor = converge_domain::Money::capped_total(delta.revenue_minor, revenue_minor);
    }

    pub fn order_recorded(&mut self, workspace_id: WorkspaceId, received_at: DateTime<Utc>, amount_minor: i64) {
        self.orders_recorded(workspace_id, received_at.date_naive(), 1, amount_minor);
    }

    fn entry(&mut self, workspace_id: WorkspaceId, at: DateTime<Utc>) -> &mut DailyDelta {
        self.0.entry((workspace_id, at.date_naive())).or_default()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn rows(&self) -> impl Iterator<Item = (WorkspaceId, NaiveDate, DailyDelta)> + '_ {
        self.0.iter().map(|(&(workspace_id, day), &delta)| (workspace_id, day, delta))
    }
}

/// The shard this batch adds to: batches of one process take turns, and processes start apart.
pub(crate) fn next_shard() -> i16 {
    static NEXT: AtomicU32 = AtomicU32::new(0);
    let turn = NEXT.fetch_add(1, Ordering::Relaxed).wrapping_add(std::process::id());
    (turn % SHARDS) as i16
}

/// What ingestion added per day.
#[async_trait]
pub trait Daily: Send + Sync {
    /// What ingestion added to the workspace per UTC day, oldest first, only days with something: kept by the
    /// ingest transaction, so the sums over every day equal the workspace's customers, orders and revenue.
    async fn ingest_days(&self, workspace_id: WorkspaceId) -> StoreResult<Vec<IngestDay>>;
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn w(id: i64) -> WorkspaceId {
        WorkspaceId::new(id)
    }

    #[test]
    fn batches_add_up_per_workspace_and_utc_day() {
        let late = Utc.with_ymd_and_hms(2026, 3, 1, 23, 59, 59).unwrap();
        let next = Utc.with_ymd_and_hms(2026, 3, 2, 0, 0, 0).unwrap();
        let mut rollup = Rollup::default();
        rollup.customer_created(w(1), late);
        rollup.order_recorded(w(1), late, 500);
        rollup.order_recorded(w(1), late, 250);
        rollup.order_recorded(w(1), next, 100);
        rollup.customer_created(w(2), next);
        let rows: Vec<_> = rollup.rows().collect();
        assert_eq!(
            rows,
            vec![
                (w(1), late.date_naive(), DailyDelta { customers: 1, orders: 2, revenue_minor: 750 }),
                (w(1), next.date_naive(), DailyDelta { customers: 0, orders: 1, revenue_minor: 100 }),
                (w(2), next.date_naive(), DailyDelta { customers: 1, orders: 0, revenue_minor: 0 }),
            ]
        );
    }

    #[test]
    fn shards_stay_in_range() {
        for _ in 0..100 {
            assert!((0..SHARDS as i16).contains(&next_shard()));
        }
    }
}
