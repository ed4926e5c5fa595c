//! Idempotency by reference: a retried send never creates a second message or a second receipt.

use std::time::Duration;

use converge_vendor_sim::wire::{BatchItem, SendResponse};

use crate::support::{sms, TestSim};

#[tokio::test]
async fn sending_a_reference_again_returns_the_existing_message() {
    let sim = TestSim::start().await;
    let first = sim.send(&sms("log-7")).await;
    sim.wait_settled().await;
    let again = sim.post("/v1/messages", &sms("log-7")).await.unwrap();
    assert_eq!(again.status(), 200);
    let again: SendResponse = again.json().await.unwrap();
    assert_eq!(again.id, first.id);
    assert!(again.duplicate && !first.duplicate);
    // The answer carries the message's current status, not "queued".
    assert_eq!(again.status, sim.handle.ledger()[0].status);

    tokio::time::sleep(Duration::from_millis(50)).await;
    sim.wait_settled().await;
    assert_eq!(sim.handle.ledger().len(), 1);
    assert_eq!(sim.handle.ledger()[0].duplicate_requests, 1);
    assert_eq!(sim.receiver.receipts().len(), 1);
    assert_eq!(sim.handle.stats().duplicates_requested, 1);
}

#[tokio::test]
async fn duplicates_within_and_across_batches_are_recognised() {
    let sim = TestSim::start().await;
    let single = sim.send(&sms("a")).await;
    let answer = sim.send_batch(vec![sms("a"), sms("b"), sms("b"), sms("c")]).await;
    let accepted: Vec<&SendResponse> = answer
        .results
        .iter()
        .map(|item| match item {
            BatchItem::Accepted(accepted) => accepted,
            BatchItem::Rejected { error, .. } => panic!("{error}"),
        })
        .collect();
    assert_eq!(accepted.iter().map(|a| a.duplicate).collect::<Vec<_>>(), [true, false, true, false]);
    assert_eq!(accepted[0].id, single.id);
    assert_eq!(accepted[1].id, accepted[2].id);
    sim.wait_settled().await;
    assert_eq!(sim.handle.ledger().len(), 3);
    assert_eq!(sim.receiver.receipts().len(), 3);
}

#[tokio::test]
async fn concurrent_duplicates_create_one_message() {
    let sim = TestSim::start().await;
    let message = sms("race");
    let batch = serde_json::json!({ "messages": [sms("race")] });
    let (a, b, c, d, e) = tokio::join!(
        sim.post("/v1/messages", &message),
        sim.post("/v1/messages", &message),
        sim.post("/v1/messages", &message),
        sim.post("/v1/messages/batch", &batch),
        sim.post("/v1/messages/batch", &batch),
    );
    let mut answers: Vec<SendResponse> = Vec::new();
    for response in [a, b, c] {
        answers.push(response.unwrap().json().await.unwrap());
    }
    for response in [d, e] {
        let batch: converge_vendor_sim::wire::BatchResponse = response.unwrap().json().await.unwrap();
        let Some(BatchItem::Accepted(accepted)) = batch.results.into_iter().next() else { panic!() };
        answers.push(accepted);
    }
    assert_eq!(answers.iter().filter(|a| !a.duplicate).count(), 1);
    assert!(answers.iter().all(|a| a.id == answers[0].id));
    sim.wait_settled().await;
    assert_eq!(sim.handle.ledger().len(), 1);
    assert_eq!(sim.handle.ledger()[0].duplicate_requests, 4);
    assert_eq!(sim.receiver.receipts().len(), 1);
}
