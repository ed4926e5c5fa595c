//! Generating one order: an [`OrderDraft`] drawn from the order's own RNG, then viewed either as a validated
//! [`OrderRecord`] or as the JSON a client would send to the API.

use chrono::{DateTime, Duration, SecondsFormat, Utc};
use converge_domain::{Currency, ExternalId, Money, OrderItem, OrderRecord, OrderStatus, ProductName, Quantity, Sku};
use rand::Rng;
use serde_json::{Map, Value};

use crate::catalog::{closest_product, Product};
use crate::random::{rng_for, standard_normal, weighted, Stream};

/// Orders fall within the past year.
pub(crate) const ORDER_WINDOW: Duration = Duration::days(365);

/// The largest order total, in rupees.
const MAX_ORDER_RUPEES: i64 = 50_000;

/// Minor units per rupee.
const PAISE: i64 = 100;

const STATUSES: [(OrderStatus, u32); 5] = [
    (OrderStatus::Paid, 72),
    (OrderStatus::Fulfilled, 15),
    (OrderStatus::Placed, 5),
    (OrderStatus::Cancelled, 5),
    (OrderStatus::Refunded, 3),
];

const CHANNELS: [(&str, u32); 3] = [("web", 45), ("app", 40), ("store", 15)];

const LINE_COUNTS: [(u32, u32); 4] = [(1, 55), (2, 25), (3, 12), (4, 8)];

const QUANTITIES: [(u32, u32); 3] = [(1, 75), (2, 18), (3, 7)];

/// The raw choices for one order, before they become a record or JSON.
pub(crate) struct OrderDraft {
    index: u64,
    customer: ExternalId,
    status: OrderStatus,
    channel: &'static str,
    lines: Vec<(Product, u32)>,
    ordered_at: DateTime<Utc>,
}

impl OrderDraft {
    /// Draws order `index` for `customer`, placed between `not_before` (the later of a year ago and the
    /// customer's signup) and `now`.
    pub(crate) fn generate(
        seed: u64,
        index: u64,
        customer: ExternalId,
        not_before: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> OrderDraft {
        let mut rng = rng_for(seed, Stream::Order, index);
        let span = (now - not_before).num_seconds().max(0);
        let ordered_at = now - Duration::seconds(rng.gen_range(0..=span));
        OrderDraft {
            index,
            customer,
            status: weighted(&mut rng, &STATUSES),
            channel: weighted(&mut rng, &CHANNELS),
            lines: basket(&mut rng),
            ordered_at,
        }
    }

    /// `O` and the index in nine digits.
    pub(crate) fn external_id(&self) -> ExternalId {
        ExternalId::numbered("O", self.index, 9)
    }

    /// The order total: the sum of its lines, between ₹99 and ₹50,000.
    pub(crate) fn amount(&self) -> Money {
        let rupees: i64 = self.lines.iter().map(|(product, quantity)| product.rupees * i64::from(*quantity)).sum();
        Money::from_minor(rupees * PAISE)
    }

    /// The validated form; valid by construction (see the crate tests), so optional parts use `ok()`.
    pub(crate) fn to_record(&self) -> OrderRecord {
        let items = self
            .lines
            .iter()
            .map(|(product, quantity)| OrderItem {
                sku: Sku::parse(product.sku).ok(),
                name: ProductName::parse(product.name).ok(),
                quantity: Quantity::saturating(*quantity),
                unit_price: Some(Money::from_minor(product.rupees * PAISE)),
            })
            .collect();
        OrderRecord {
            external_id: self.external_id(),
            customer_external_id: self.customer.clone(),
            amount: self.amount(),
            currency: Currency::INR,
            status: self.status,
            channel: Some(self.channel.to_owned()),
            items,
            ordered_at: self.ordered_at,
        }
    }

    /// The JSON a client would POST, shaped like `OrderInput`: amounts as decimal strings (`"1499.00"`),
    /// timestamps in RFC 3339.
    pub(crate) fn to_json(&self) -> Value {
        let inr = Currency::INR;
        let items: Vec<Value> = self
            .lines
            .iter()
            .map(|(product, quantity)| {
                let mut item = Map::new();
                item.insert("sku".to_owned(), Value::from(product.sku));
                item.insert("name".to_owned(), Value::from(product.name));
                item.insert("quantity".to_owned(), Value::from(*quantity));
                let price = Money::from_minor(product.rupees * PAISE).format(&inr);
                item.insert("unit_price".to_owned(), Value::from(price));
                Value::Object(item)
            })
            .collect();
        let mut object = Map::new();
        object.insert("external_id".to_owned(), Value::from(self.external_id().as_str()));
        let customer = self.customer.as_str();
        object.insert("customer_external_id".to_owned(), Value::from(customer));
        object.insert("amount".to_owned(), Value::from(self.amount().format(&inr)));
        object.insert("currency".to_owned(), Value::from(inr.code()));
        object.insert("status".to_owned(), Value::from(self.status.as_str()));
        object.insert("channel".to_owned(), Value::from(self.channel));
        object.insert("items".to_owned(), Value::Array(items));
        let ordered_at = self.ordered_at.to_rfc3339_opts(SecondsFormat::Secs, true);
        object.insert("ordered_at".to_owned(), Value::from(ordered_at));
        Value::Object(object)
    }
}

/// One to four distinct products, each chosen near a log-normal target price (median ₹700), with small
/// quantities, keeping the total within ₹50,000. Sums of log-normal prices give the long-tailed order values
/// real shops see: mostly a few hundred to a few thousand rupees, occasionally a phone or a wedding outfit.
fn basket(rng: &mut impl Rng) -> Vec<(Product, u32)> {
    let wanted = weighted(rng, &LINE_COUNTS);
    let mut lines: Vec<(Product, u32)> = Vec::with_capacity(wanted as usize);
    let mut total = 0;
    for _ in 0..wanted {
        let target = (700f64.ln() + 1.1 * standard_normal(rng)).exp();
        let product = closest_product(target);
        let quantity = weighted(rng, &QUANTITIES);
        if lines.iter().any(|(line, _)| line.sku == product.sku) {
            continue;
        }
        let fitting = (1..=quantity).rev().find(|q| total + product.rupees * i64::from(*q) <= MAX_ORDER_RUPEES);
        if let Some(quantity) = fitting {
            total += product.rupees * i64::from(quantity);
            lines.push((product, quantity));
        }
    }
    if lines.is_empty() {
        // Only reachable if every product were dearer than the cap; the cheapest always fits.
        lines.push((closest_product(0.0), 1));
    }
    lines
}
