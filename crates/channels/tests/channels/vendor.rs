//! `VendorHttpSender` against the real vendor simulator on 127.0.0.1, chaos included.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use converge_channels::{OutboundMessage, SendOutcome, Sender, VendorConfig, VendorHttpSender};
use converge_domain::Channel;
use converge_egress::EgressPolicy;
use converge_vendor_sim::{spawn, Chaos, SimConfig, SimHandle};

use crate::smtp_server::free_port;

const KEY: &str = "channels_test_key";

/// A simulator with fast outcomes and no receipt callback (these tests are about sending).
async fn sim(chaos: Chaos) -> SimHandle {
    let config = SimConfig {
        api_key: KEY.into(),
        callback_url: String::new(),
        min_delay_ms: 5,
        max_delay_ms: 5,
        chaos,
        ..SimConfig::default()
    };
    spawn(config).await.unwrap()
}

/// A sender to an operator-configured vendor (every address allowed; the vendor's reasons are quoted).
fn sender_to(base_url: String, key: &str, timeout_ms: u64) -> VendorHttpSender {
    sender_with(base_url, key, timeout_ms, &EgressPolicy::open())
}

fn sender_with(base_url: String, key: &str, timeout_ms: u64, egress: &EgressPolicy) -> VendorHttpSender {
    let mut config = VendorConfig::new(base_url, key.into());
    config.timeout_ms = timeout_ms;
    config.connect_timeout_ms = timeout_ms.min(500);
    VendorHttpSender::new(&config, egress).unwrap()
}

fn sender(sim: &SimHandle) -> VendorHttpSender {
    sender_to(sim.base_url(), KEY, 5_000)
}

fn message(reference: String, channel: Channel) -> OutboundMessage {
    let (to, subject) = match channel {
        Channel::Email => ("asha@example.in".to_owned(), Some(format!("Offer {reference}"))),
        Channel::Sms | Channel::Whatsapp => ("+919812345678".to_owned(), None),
    };
    let body = format!("Hi Asha, 20% off ({reference})");
    OutboundMessage { body, reference, channel, to, subject, unsubscribe_url: None, sender: None }
}

fn batch(prefix: &str, count: usize) -> Vec<OutboundMessage> {
    (0..count).map(|i| message(format!("{prefix}-{i}"), Channel::ALL[i % 3])).collect()
}

fn accepted_ids(outcomes: &[SendOutcome]) -> Vec<String> {
    outcomes
        .iter()
        .map(|outcome| outcome.vendor_message_id().unwrap_or_else(|| panic!("not accepted: {outcome:?}")).to_owned())
        .collect()
}

fn all_retryable(outcomes: &[SendOutcome], needle: &str) {
    for outcome in outcomes {
        assert!(matches!(outcome, SendOutcome::Retryable { error } if error.contains(needle)), "{outcome:?}");
    }
}

#[tokio::test]
async fn an_accepted_batch_matches_the_ledger() {
    let sim = sim(Chaos::default()).await;
    let messages = batch("log", 30);
    let outcomes = sender(&sim).send(&messages).await;
    let ids = accepted_ids(&outcomes);
    let ledger = sim.ledger();
    assert_eq!(ledger.len(), 30);
    let by_reference: HashMap<&str, _> = ledger.iter().map(|entry| (entry.reference.as_str(), entry)).collect();
    for (message, id) in messages.iter().zip(&ids) {
        let entry = by_reference[message.reference.as_str()];
        assert_eq!(&entry.id, id);
        assert_eq!((entry.to.as_str(), entry.body.as_str()), (message.to.as_str(), message.body.as_str()));
        assert_eq!(entry.subject, message.subject);
        assert_eq!(serde_json::to_value(entry.channel).unwrap(), message.channel.as_str());
    }
    assert_eq!(sim.stats().send_requests, 1);
}

#[tokio::test]
async fn large_batches_go_in_chunks_of_a_thousand() {
    let sim = sim(Chaos::default()).await;
    let outcomes = sender(&sim).send(&batch("big", 2_345)).await;
    assert_eq!(accepted_ids(&outcomes).len(), 2_345);
    assert_eq!(sim.ledger().len(), 2_345);
    assert_eq!(sim.stats().send_requests, 3);
}

#[tokio::test]
async fn injected_5xx_errors_are_retryable_and_nothing_is_accepted() {
    let sim = sim(Chaos { error_rate: 1.0, ..Chaos::default() }).await;
    let outcomes = sender(&sim).send(&batch("err", 10)).await;
    assert_eq!(outcomes.len(), 10);
    all_retryable(&outcomes, "vendor answered 50");
    assert!(sim.ledger().is_empty());
    assert_eq!(sim.stats().send_errors_injected, 1);
}

#[tokio::test]
async fn a_dropped_connection_is_retryable_and_the_retry_is_not_a_second_send() {
    let sim = sim(Chaos { drop_rate: 1.0, ..Chaos::default() }).await;
    let sender = sender(&sim);
    let messages = batch("drop", 20);
    let first = sender.send(&messages).await;
    all_retryable(&first, "vendor request failed");
    // The vendor accepted them before it dropped the connection: we could not know.
    let ledger = sim.ledger();
    assert_eq!(ledger.len(), 20);
    assert_eq!(sim.stats().connections_dropped, 1);

    sim.set_chaos(Chaos::default()).unwrap();
    let retry = sender.send(&messages).await;
    let ids = accepted_ids(&retry);
    let original: HashMap<&str, &str> =
        ledger.iter().map(|entry| (entry.reference.as_str(), entry.id.as_str())).collect();
    for (message, id) in messages.iter().zip(&ids) {
        assert_eq!(original[message.reference.as_str()], id, "the retry must answer with the original id");
    }
    let after = sim.ledger();
    assert_eq!(after.len(), 20, "no message may be created twice");
    assert!(after.iter().all(|entry| entry.duplicate_requests == 1));
}

#[tokio::test]
async fn a_slow_vendor_times_out_and_the_retry_returns_the_original_ids() {
    let sim = sim(Chaos { slow_ms: 5_000, ..Chaos::default() }).await;
    let sender = sender_to(sim.base_url(), KEY, 300);
    let messages = batch("slow", 5);
    let started = Instant::now();
    all_retryable(&sender.send(&messages).await, "timed out");
    assert!(started.elapsed() < Duration::from_secs(3), "{:?}", started.elapsed());
    sim.set_chaos(Chaos::default()).unwrap();
    let ids = accepted_ids(&sender.send(&messages).await);
    let ledger_ids: Vec<String> = sim.ledger().into_iter().map(|entry| entry.id).collect();
    assert_eq!(ids, ledger_ids);
}

#[tokio::test]
async fn validation_errors_reject_only_the_bad_messages() {
    let sim = sim(Chaos::default()).await;
    let mut bad_phone = message("bad-phone".into(), Channel::Sms);
    bad_phone.to = "9812345678".into();
    let mut bad_email = message("bad-email".into(), Channel::Email);
    bad_email.to = "asha@localhost".into();
    let mut too_long = message("too-long".into(), Channel::Whatsapp);
    too_long.body = "x".repeat(1_601);
    let good = message("good".into(), Channel::Sms);
    let outcomes = sender(&sim).send(&[bad_phone, good, bad_email, too_long]).await;
    assert!(matches!(&outcomes[0], SendOutcome::Rejected { error } if error.starts_with("to:")), "{outcomes:?}");
    assert!(matches!(&outcomes[1], SendOutcome::Accepted { .. }), "{outcomes:?}");
    assert!(matches!(&outcomes[2], SendOutcome::Rejected { error } if error.starts_with("to:")), "{outcomes:?}");
    assert!(matches!(&outcomes[3], SendOutcome::Rejected { error } if error.starts_with("body:")), "{outcomes:?}");
    assert_eq!(sim.ledger().len(), 1);
}

#[tokio::test]
async fn an_outage_is_retryable_quickly() {
    let until = chrono::Utc::now() + chrono::Duration::seconds(60);
    let sim = sim(Chaos { outage_until: Some(until), ..Chaos::default() }).await;
    let started = Instant::now();
    let outcomes = sender_to(sim.base_url(), KEY, 20_000).send(&batch("outage", 3)).await;
    all_retryable(&outcomes, "503 Service Unavailable (retry after");
    // Answered at once, not after the 20 s request timeout.
    assert!(started.elapsed() < Duration::from_secs(3), "{:?}", started.elapsed());
    assert!(sim.ledger().is_empty());
}

#[tokio::test]
async fn nothing_listening_is_retryable_quickly() {
    let sender = sender_to(format!("http://127.0.0.1:{}", free_port()), KEY, 20_000);
    let started = Instant::now();
    let outcomes = sender.send(&batch("down", 3)).await;
    all_retryable(&outcomes, "vendor request failed");
    assert!(started.elapsed() < Duration::from_secs(3), "{:?}", started.elapsed());
}

#[tokio::test]
async fn a_refused_api_key_is_retryable_not_a_message_failure() {
    let sim = sim(Chaos::default()).await;
    let outcomes = sender_to(sim.base_url(), "wrong_key", 5_000).send(&batch("key", 2)).await;
    all_retryable(&outcomes, "401");
    assert!(sim.ledger().is_empty());
}

#[tokio::test]
async fn an_empty_batch_makes_no_request() {
    let sim = sim(Chaos::default()).await;
    assert!(sender(&sim).send(&[]).await.is_empty());
    assert_eq!(sim.stats().send_requests, 0);
}

/// A tenant aims its vendor channel at a service on the server's own loopback by name. The policy refuses
/// the resolved address, so nothing ever connects to the listener, and the reason names no address.
#[tokio::test]
async fn a_tenants_vendor_aimed_inward_never_connects() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let closed = EgressPolicy::new(Vec::new());
    let outcomes = sender_with(format!("http://localhost:{port}"), KEY, 2_000, &closed).send(&batch("ssrf", 2)).await;
    all_retryable(&outcomes, "egress policy");
    for outcome in &outcomes {
        assert!(!format!("{outcome:?}").contains("127.0.0.1"), "{outcome:?}");
    }
    let accepted = tokio::time::timeout(Duration::from_millis(300), listener.accept()).await;
    assert!(accepted.is_err(), "the internal listener must see no connection");
}

/// What a tenant's own vendor answers is not copied into what the tenant reads: the status only, so a
/// channel aimed at some other HTTP service cannot be used to read that service's answers.
#[tokio::test]
async fn a_tenants_vendor_is_not_quoted() {
    let until = chrono::Utc::now() + chrono::Duration::seconds(60);
    let sim = sim(Chaos { outage_until: Some(until), ..Chaos::default() }).await;
    let allowed = EgressPolicy::new(vec!["127.0.0.1".parse().unwrap()]);
    let outcomes = sender_with(sim.base_url(), KEY, 5_000, &allowed).send(&batch("quiet", 2)).await;
    for outcome in &outcomes {
        let SendOutcome::Retryable { error } = outcome else { panic!("{outcome:?}") };
        assert!(error.starts_with("vendor answered 503 Service Unavailable"), "{error}");
        assert!(!error.contains("outage"), "the vendor's own words leaked: {error}");
    }
    sim.set_chaos(Chaos::default()).unwrap();
    let mut bad_phone = message("bad-phone".into(), Channel::Sms);
    bad_phone.to = "9812345678".into();
    let outcomes = sender_with(sim.base_url(), KEY, 5_000, &allowed).send(&[bad_phone]).await;
    assert_eq!(outcomes, vec![SendOutcome::Rejected { error: "rejected by the vendor".into() }]);
}
