//! The generator's contract: valid, deterministic, realistic.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // a test (or a bench tool) says what it expects by panicking

use std::collections::HashMap;

use chrono::{DateTime, Duration, Utc};
use converge_datagen::Generator;
use converge_domain::{Channel, Currency, CustomerInput, OrderInput, OrderStatus};

fn now() -> DateTime<Utc> {
    "2025-06-01T12:00:00.123456789Z".parse().unwrap()
}

fn generator() -> Generator {
    Generator::new(42, 2_000, 10_000, now())
}

#[test]
fn every_json_form_validates_to_the_record() {
    let generator = generator();
    let now = generator.now();
    for index in 0..generator.customer_count() {
        let input: CustomerInput = serde_json::from_value(generator.customer_json(index)).unwrap();
        let record = input.validate(now).unwrap_or_else(|e| panic!("customer {index}: {e}"));
        assert_eq!(record, generator.customer(index));
    }
    for index in 0..generator.order_count() {
        let input: OrderInput = serde_json::from_value(generator.order_json(index)).unwrap();
        let record = input.validate(now, &Currency::INR).unwrap_or_else(|e| panic!("order {index}: {e}"));
        assert_eq!(record, generator.order(index));
    }
}

#[test]
fn same_seed_same_data_other_seed_other_data() {
    let (a, b) = (generator(), generator());
    assert!(a.customers().eq(b.customers()));
    assert!(a.orders().eq(b.orders()));
    let c = Generator::new(43, 2_000, 10_000, now());
    assert!(a.customers().zip(c.customers()).any(|(x, y)| x != y));
}

#[test]
fn records_are_deterministic_per_index() {
    let generator = generator();
    for index in [0, 1, 999, 1_999, 123_456_789] {
        assert_eq!(generator.customer(index), generator.customer(index));
        assert_eq!(generator.customer_json(index), generator.customer_json(index));
        assert_eq!(generator.order(index), generator.order(index));
    }
    let big = Generator::new(42, 1_000_000, 5_000_000, now());
    assert_eq!(big.order(4_999_999), big.order(4_999_999));
    assert_eq!(big.customer(999_999).external_id.as_str(), "C00999999");
    assert_eq!(big.order(4_999_999).external_id.as_str(), "O004999999");
}

#[test]
fn orders_are_skewed_over_85_percent_of_customers() {
    let generator = generator();
    let mut per_customer: HashMap<u64, u64> = HashMap::new();
    for index in 0..generator.order_count() {
        let customer = generator.customer_index_of_order(index);
        assert!(customer < generator.customer_count());
        *per_customer.entry(customer).or_default() += 1;
    }
    assert_eq!(per_customer.len(), 1_700, "exactly 15% of customers have no orders");
    let most = per_customer.values().max().copied().unwrap();
    assert!(most >= 30, "heaviest buyer has {most} orders");
    let single = per_customer.values().filter(|&&n| n == 1).count();
    assert!(single > 800, "{single} one-time buyers");
}

#[test]
fn orders_are_realistic() {
    let generator = generator();
    let now = generator.now();
    let mut paid = 0;
    for order in generator.orders() {
        let customer_index = order.customer_external_id.as_str()[1..].parse::<u64>().unwrap();
        let created_at = generator.customer(customer_index).created_at.unwrap();
        assert!(order.ordered_at <= now && order.ordered_at >= now - Duration::days(365));
        assert!(order.ordered_at >= created_at, "order before signup: {order:?}");
        assert!((9_900..=5_000_000).contains(&order.amount.minor()), "{:?}", order.amount);
        assert!((1..=4).contains(&order.items.len()));
        assert!(["web", "app", "store"].contains(&order.channel.as_deref().unwrap()));
        paid += usize::from(order.status == OrderStatus::Paid);
    }
    assert!(paid > 6_000, "{paid} paid");
    let mut amounts: Vec<i64> = generator.orders().map(|o| o.amount.minor()).collect();
    amounts.sort_unstable();
    let median = amounts[amounts.len() / 2];
    assert!((50_000..=300_000).contains(&median), "median {median} paise");
    assert!(amounts[amounts.len() * 99 / 100] > 1_000_000, "a long tail above ₹10,000");
}

#[test]
fn customers_are_realistic() {
    let generator = generator();
    let now = generator.now();
    let customers: Vec<_> = generator.customers().collect();
    assert_eq!(customers[42].external_id.as_str(), "C00000042");
    let count = |f: &dyn Fn(&converge_domain::CustomerRecord) -> bool| customers.iter().filter(|c| f(c)).count();
    assert!((100..400).contains(&count(&|c| c.email.is_none())));
    assert!((50..300).contains(&count(&|c| c.phone.is_none())));
    assert_eq!(count(&|c| c.email.is_none() && c.phone.is_none()), 0);
    let whatsapp = count(&|c| c.preferred_channel == Some(Channel::Whatsapp));
    let sms = count(&|c| c.preferred_channel == Some(Channel::Sms));
    let email = count(&|c| c.preferred_channel == Some(Channel::Email));
    assert!(whatsapp > sms && whatsapp > email);
    let metros = ["Mumbai", "Delhi", "Bengaluru", "Hyderabad", "Chennai", "Kolkata", "Pune", "Ahmedabad"];
    let in_metros = count(&|c| metros.contains(&c.city.as_ref().unwrap().as_str()));
    assert!(in_metros > 1_200, "{in_metros}");
    for customer in &customers {
        let created_at = customer.created_at.unwrap();
        assert!(created_at < now && created_at >= now - Duration::days(730));
        let phone = customer.phone.as_ref().map(|p| p.as_str().to_owned());
        assert!(phone.is_none_or(|p| p.len() == 13 && p.starts_with("+919")));
        let tier = customer.attributes.get("tier").unwrap();
        assert!(["gold", "silver", "bronze"]
            .iter()
            .any(|t| *tier == converge_domain::AttributeValue::String((*t).into())));
        assert!(customer.attributes.get("newsletter").is_some());
    }
}
