//! Deterministic generator of realistic Indian retail customers and orders, for `converge demo` and the
//! benchmarks.
//!
//! Every record is a pure function of `(seed, index)`: [`Generator::customer`] and [`Generator::order`] derive
//! a fresh RNG from the seed and the index, so any slice of a data set of 1M customers and 5M orders can be
//! produced in any order, in parallel, without holding the rest in memory, and the same seed always gives the
//! same data. Records pass the domain's validation; the JSON forms are exactly what a client would POST.
//!
//! What must not live here: I/O (writing files or calling the API is the caller's job).

mod catalog;
mod customer;
mod order;
mod random;
mod vocabulary;

use chrono::{DateTime, Duration, Utc};
use converge_domain::{CustomerRecord, ExternalId, OrderRecord};
use rand::Rng;
use serde_json::Value;

use crate::customer::CustomerDraft;
use crate::order::{OrderDraft, ORDER_WINDOW};
use crate::random::{coprime_stride, rng_for, Stream};

/// Share of customers who place at least one order (given enough orders); the rest never buy, as in real
/// CRMs where a good part of the list is sign-ups only.
const BUYER_PERCENT: u64 = 85;

/// Share of buyers who come back: only they receive orders beyond the first, so the rest stay one-time
/// buyers, the usual majority in retail.
const REPEAT_PERCENT: u64 = 40;

/// A seeded data set of `customers` customers and `orders` orders as of `now`.
#[derive(Clone, Debug)]
pub struct Generator {
    seed: u64,
    customers: u64,
    orders: u64,
    now: DateTime<Utc>,
    /// Customers that receive orders: `ceil(85% of customers)`.
    buyers: u64,
    /// Buyers (the lowest ranks) that receive the orders beyond the first `buyers`: `ceil(40% of buyers)`.
    repeaters: u64,
    /// `rank * stride + offset mod customers` maps buyer ranks to customer indexes, scattering the heavy
    /// buyers (and the non-buyers) across the index range.
    stride: u64,
    offset: u64,
}

impl Generator {
    /// A data set described by its seed and sizes. `now` is truncated to whole seconds so that the JSON
    /// forms (RFC 3339 with seconds) describe exactly the same instants as the records.
    pub fn new(seed: u64, customers: u64, orders: u64, now: DateTime<Utc>) -> Generator {
        let now = now - Duration::nanoseconds(i64::from(now.timestamp_subsec_nanos()));
        let buyers = customers.saturating_mul(BUYER_PERCENT).div_ceil(100);
        let repeaters = buyers.saturating_mul(REPEAT_PERCENT).div_ceil(100);
        let offset =
            if customers == 0 { 0 } else { rng_for(seed, Stream::OrderCustomer, u64::MAX).gen_range(0..customers) };
        Generator { seed, customers, orders, now, buyers, repeaters, stride: coprime_stride(seed, customers), offset }
    }

    /// Number of customers in the data set.
    pub fn customer_count(&self) -> u64 {
        self.customers
    }

    /// Number of orders in the data set.
    pub fn order_count(&self) -> u64 {
        self.orders
    }

    /// The (whole-second) "now" the data set is relative to.
    pub fn now(&self) -> DateTime<Utc> {
        self.now
    }

    /// Customer `index` (`C00000042` for index 42). Pure function of seed and index.
    pub fn customer(&self, index: u64) -> CustomerRecord {
        CustomerDraft::generate(self.seed, self.now, index).to_record()
    }

    /// Customer `index` as the JSON body of `POST /api/v1/customers` (`CustomerInput`).
    pub fn customer_json(&self, index: u64) -> Value {
        CustomerDraft::generate(self.seed, self.now, index).to_json()
    }

    /// Order `index` (`O000000042` for index 42). Pure function of seed and index.
    pub fn order(&self, index: u64) -> OrderRecord {
        self.order_draft(index).to_record()
    }

    /// Order `index` as the JSON body of `POST /api/v1/orders` (`OrderInput`), amounts as decimal strings.
    pub fn order_json(&self, index: u64) -> Value {
        self.order_draft(index).to_json()
    }

    /// All customers, in index order, generated lazily.
    pub fn customers(&self) -> impl Iterator<Item = CustomerRecord> + '_ {
        (0..self.customers).map(|index| self.customer(index))
    }

    /// All orders, in index order, generated lazily.
    pub fn orders(&self) -> impl Iterator<Item = OrderRecord> + '_ {
        (0..self.orders).map(|index| self.order(index))
    }

    /// When customer `index` signed up: within the past two years.
    pub fn customer_created_at(&self, index: u64) -> DateTime<Utc> {
        customer::created_at(self.seed, self.now, index)
    }

    /// The index of the customer who placed order `index`.
    ///
    /// The first `buyers` orders go one to each buyer, so exactly 85% of customers (given at least that many
    /// orders) have an order and 15% have none. Later orders go to the 40% of buyers who come back, picking
    /// their rank half the time uniformly and half the time from `u^1.5` (density ∝ rank^(-1/3)), so most
    /// buyers order once, the typical repeat buyer a handful of times, and a few dozens or hundreds of times.
    /// With no customers at all, orders name customer 0.
    pub fn customer_index_of_order(&self, index: u64) -> u64 {
        if self.customers == 0 {
            return 0;
        }
        let rank = if index < self.buyers {
            index
        } else {
            let mut rng = rng_for(self.seed, Stream::OrderCustomer, index);
            let u: f64 = rng.gen();
            let share = if rng.gen_bool(0.5) { u * u.sqrt() } else { u };
            // `as` saturates; `min` keeps the rank in range when share rounds up to 1.
            ((share * self.repeaters as f64) as u64).min(self.repeaters - 1)
        };
        let mapped =
            (u128::from(rank) * u128::from(self.stride) + u128::from(self.offset)) % u128::from(self.customers);
        u64::try_from(mapped).unwrap_or(0)
    }

    fn order_draft(&self, index: u64) -> OrderDraft {
        let customer = self.customer_index_of_order(index);
        let not_before = self.customer_created_at(customer).max(self.now - ORDER_WINDOW);
        let customer_id = ExternalId::numbered("C", customer, 8);
        OrderDraft::generate(self.seed, index, customer_id, not_before, self.now)
    }
}
