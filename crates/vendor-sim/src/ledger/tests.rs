use chrono::Utc;

use super::*;
use crate::message::SendRequest;

fn message(reference: &str) -> (Message, Fate) {
    let request = SendRequest {
        to: "+919812345678".into(),
        channel: "sms".into(),
        body: "hello".into(),
        subject: None,
        reference: reference.into(),
        list_unsubscribe: None,
        sender: Default::default(),
    };
    let Ok(message) = request.validate() else { panic!("valid message") };
    (message, Fate { outcome: Outcome::Failed, reason: 0, delay_ms: 30 })
}

#[test]
fn a_known_reference_is_answered_with_the_existing_message() {
    let ledger = Ledger::new(0xabcd);
    let first = ledger.accept(vec![message("r1"), message("r2"), message("r1")], Utc::now());
    assert_eq!(first.len(), 3);
    assert!(!first[0].duplicate && !first[1].duplicate && first[2].duplicate);
    assert_eq!(first[0].id, first[2].id);
    assert_eq!(first[0].due_in_ms, Some(30));
    assert_eq!(first[2].due_in_ms, None);
    let stats = ledger.stats();
    assert_eq!((stats.accepted, stats.duplicates_requested, stats.queued), (2, 1, 2));
    assert_eq!(ledger.snapshot()[0].duplicate_requests, 1);
}

#[test]
fn ids_round_trip_and_belong_to_one_instance() {
    let ledger = Ledger::new(7);
    let accepted = ledger.accept(vec![message("r1")], Utc::now());
    assert_eq!(ledger.get(&accepted[0].id).map(|e| e.reference), Some("r1".to_string()));
    assert_eq!(Ledger::new(8).get(&accepted[0].id), None);
    assert_eq!(ledger.get("msg_nonsense"), None);
}

#[test]
fn deciding_reveals_the_fate_once() {
    let ledger = Ledger::new(1);
    ledger.accept(vec![message("r1"), message("r2")], Utc::now());
    let receipts = ledger.decide(&[0, 1], &[1, 2], Utc::now());
    assert_eq!(receipts.len(), 2);
    assert_eq!(receipts[1].2.status, Outcome::Failed);
    assert_eq!(receipts[1].2.error.as_deref(), Some("handset unreachable"));
    assert!(ledger.decide(&[0], &[1], Utc::now()).is_empty());
    let stats = ledger.stats();
    assert_eq!((stats.failed, stats.queued, stats.receipts_pending), (2, 0, 3));
}

#[test]
fn attempts_are_recorded_per_copy() {
    let ledger = Ledger::new(1);
    ledger.accept(vec![message("r1"), message("r2")], Utc::now());
    ledger.decide(&[0, 1], &[2, 1], Utc::now());
    ledger.record_attempt(&[0, 1], &Attempt::Retrying("HTTP 500".into()));
    ledger.record_attempt(&[0, 0], &Attempt::Delivered);
    ledger.record_attempt(&[1], &Attempt::Rejected("HTTP 400".into()));
    let entries = ledger.snapshot();
    assert_eq!((entries[0].receipts.attempts, entries[0].receipts.delivered), (3, 2));
    assert_eq!(entries[0].receipts.state, ReceiptState::Delivered);
    assert_eq!(entries[1].receipts.state, ReceiptState::Rejected);
    let stats = ledger.stats();
    assert_eq!((stats.receipts_delivered, stats.receipts_failed, stats.receipts_pending), (2, 1, 0));
}

#[test]
fn pages_follow_the_cursor() {
    let ledger = Ledger::new(1);
    ledger.accept((0..5).map(|i| message(&format!("r{i}"))).collect(), Utc::now());
    let seqs = |page: Vec<LedgerEntry>| page.iter().map(|e| e.seq).collect::<Vec<_>>();
    assert_eq!(seqs(ledger.page(None, 2)), [0, 1]);
    assert_eq!(seqs(ledger.page(Some(1), 2)), [2, 3]);
    assert_eq!(seqs(ledger.page(Some(3), 10)), [4]);
    assert!(ledger.page(Some(4), 10).is_empty());
    assert!(ledger.page(Some(u64::MAX), 10).is_empty());
}
