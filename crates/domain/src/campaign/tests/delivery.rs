//! Delivery status rules: forward-only moves, receipts, retry, string forms, and a property over random
//! receipt sequences.

use proptest::prelude::*;
use serde_json::json;
use utoipa::PartialSchema;

use crate::campaign::{DeliveryStatus, ReceiptStatus};

use DeliveryStatus::*;

#[test]
fn receipts_apply_only_to_pending() {
    let table = [
        (Pending, ReceiptStatus::Sent, Some(Sent)),
        (Pending, ReceiptStatus::Failed, Some(Failed)),
        (Sent, ReceiptStatus::Sent, None),
        (Sent, ReceiptStatus::Failed, None),
        (Failed, ReceiptStatus::Sent, None),
        (Failed, ReceiptStatus::Failed, None),
        (Skipped, ReceiptStatus::Sent, None),
        (Skipped, ReceiptStatus::Failed, None),
    ];
    for (current, receipt, expected) in table {
        assert_eq!(DeliveryStatus::apply_receipt(current, receipt), expected, "{current} + {receipt}");
    }
}

#[test]
fn moves_go_forward_only() {
    for from in DeliveryStatus::ALL {
        for to in DeliveryStatus::ALL {
            let expected = (from == Pending && to != Pending).then_some(to);
            assert_eq!(from.advance(to), expected, "{from} → {to}");
        }
        assert_eq!(from.is_final(), from != Pending);
    }
}

#[test]
fn retry_is_the_one_backward_move_and_only_from_failed() {
    assert_eq!(Failed.retry(), Some(Pending));
    for status in [Pending, Sent, Skipped] {
        assert_eq!(status.retry(), None, "{status}");
    }
}

#[test]
fn string_forms_are_upper_case() {
    for status in DeliveryStatus::ALL {
        assert_eq!(DeliveryStatus::parse(&status.as_str().to_lowercase()), Ok(status));
        assert_eq!(serde_json::to_value(status).unwrap(), json!(status.as_str()));
    }
    assert_eq!(serde_json::from_value::<ReceiptStatus>(json!("FAILED")).unwrap(), ReceiptStatus::Failed);
    assert!(serde_json::from_value::<ReceiptStatus>(json!("PENDING")).is_err());
    assert_eq!(ReceiptStatus::parse(" sent "), Ok(ReceiptStatus::Sent));
    assert!(ReceiptStatus::parse("SKIPPED").is_err());
    assert!(DeliveryStatus::parse("DELIVERED").is_err());
    let schema = serde_json::to_value(DeliveryStatus::schema()).unwrap();
    assert_eq!(schema["enum"], json!(["PENDING", "SENT", "FAILED", "SKIPPED"]));
}

fn receipt() -> impl Strategy<Value = ReceiptStatus> {
    prop_oneof![Just(ReceiptStatus::Sent), Just(ReceiptStatus::Failed)]
}

proptest! {
    /// Duplicated and reordered receipts: whatever arrives, the first one applied to PENDING decides, and no
    /// step ever lowers the rank.
    #[test]
    fn the_first_receipt_wins_and_status_never_goes_back(receipts in prop::collection::vec(receipt(), 1..30)) {
        let mut status = Pending;
        for receipt in &receipts {
            let before = status;
            if let Some(next) = DeliveryStatus::apply_receipt(status, *receipt) {
                status = next;
            }
            prop_assert!(status.rank() >= before.rank());
            prop_assert!(before == Pending || status == before, "a final status changed");
        }
        prop_assert_eq!(status, DeliveryStatus::from(receipts[0]));
    }
}
