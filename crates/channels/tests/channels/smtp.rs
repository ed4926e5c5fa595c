//! `SmtpSender` against a real SMTP server (aiosmtpd).

use std::time::{Duration, Instant};

use converge_channels::{OutboundMessage, SendOutcome, Sender, SmtpConfig, SmtpSender, SmtpTls};
use converge_domain::Channel;
use converge_egress::EgressPolicy;
use serde_json::Value;

use crate::smtp_server::{free_port, SmtpServer};

const FROM: &str = "offers@brand.example";

fn sender(port: u16) -> SmtpSender {
    let mut config = SmtpConfig::new("127.0.0.1", port, SmtpTls::None, FROM);
    config.from_name = Some("Brand Offers".into());
    config.helo_name = Some("converge.test".into());
    config.timeout_ms = 3_000;
    // The relay on loopback is the operator's test peer: allowed by address, as `egress.allow` would.
    SmtpSender::new(&config, &EgressPolicy::new(vec!["127.0.0.1".parse().unwrap()])).unwrap()
}

fn email(reference: &str, to: &str) -> OutboundMessage {
    OutboundMessage {
        reference: reference.into(),
        channel: Channel::Email,
        to: to.into(),
        subject: Some(format!("Your offer, caf\u{e9} lover \u{2713} ({reference})")),
        // As an e-mail template renders it: the marketer's markup, the customer's values HTML-escaped.
        body: format!("<p>Hi Tom &amp; Jerry &lt;3,</p><p>20% off for <b>{reference}</b> \u{2014} caf\u{e9}.</p>"),
        unsubscribe_url: None,
        sender: None,
    }
}

fn field<'a>(received: &'a Value, name: &str) -> &'a str {
    received[name].as_str().unwrap_or_else(|| panic!("{name} missing in {received}"))
}

#[tokio::test]
async fn emails_arrive_with_their_recipient_subject_html_body_and_message_id() {
    let Some(server) = SmtpServer::start() else { return };
    let batch: Vec<OutboundMessage> =
        (0..5).map(|i| email(&format!("log-{i}"), &format!("customer{i}@example.in"))).collect();
    let outcomes = sender(server.port).send(&batch).await;
    let received = server.wait_for(5).await;
    assert_eq!(received.len(), 5);
    for (message, outcome) in batch.iter().zip(&outcomes) {
        let SendOutcome::Accepted { vendor_message_id } = outcome else { panic!("{outcome:?}") };
        let mail = received.iter().find(|mail| field(mail, "reference") == message.reference).unwrap();
        assert_eq!(field(mail, "message_id"), vendor_message_id);
        assert!(vendor_message_id.starts_with(&format!("<{}.", message.reference)), "{vendor_message_id}");
        assert!(vendor_message_id.ends_with("@brand.example>"), "{vendor_message_id}");
        assert_eq!(field(mail, "to"), message.to);
        assert_eq!(mail["rcpt_tos"], serde_json::json!([message.to]));
        assert_eq!(field(mail, "mail_from"), FROM);
        assert_eq!(field(mail, "from"), format!("Brand Offers <{FROM}>"));
        assert_eq!(field(mail, "subject"), message.subject.as_deref().unwrap());
        assert_eq!(field(mail, "content_type"), "multipart/alternative");
        assert_eq!(field(mail, "html_type"), "text/html; charset=utf-8");
        assert_eq!(field(mail, "html").trim_end(), message.body);
        let expected_text = format!("Hi Tom & Jerry <3,\n\n20% off for {} \u{2014} caf\u{e9}.", message.reference);
        assert_eq!(field(mail, "text").trim_end().replace("\r\n", "\n"), expected_text);
    }
    let ids: std::collections::HashSet<&str> = received.iter().map(|mail| field(mail, "message_id")).collect();
    assert_eq!(ids.len(), 5, "Message-IDs must be unique");
}

#[tokio::test]
async fn a_refused_recipient_is_rejected_a_busy_one_retryable_and_the_rest_still_go() {
    let Some(server) = SmtpServer::start() else { return };
    let batch = [
        email("ok-1", "asha@example.in"),
        email("refused", "reject-me@example.in"),
        email("busy", "busy-box@example.in"),
        email("ok-2", "ravi@example.in"),
    ];
    let outcomes = sender(server.port).send(&batch).await;
    assert!(matches!(&outcomes[0], SendOutcome::Accepted { .. }), "{outcomes:?}");
    assert!(matches!(&outcomes[1], SendOutcome::Rejected { error } if error.contains("550")), "{outcomes:?}");
    assert!(matches!(&outcomes[2], SendOutcome::Retryable { error } if error.contains("451")), "{outcomes:?}");
    assert!(matches!(&outcomes[3], SendOutcome::Accepted { .. }), "{outcomes:?}");
    let received = server.wait_for(2).await;
    let references: Vec<&str> = received.iter().map(|mail| field(mail, "reference")).collect();
    assert_eq!(references, ["ok-1", "ok-2"]);
}

#[tokio::test]
async fn concurrent_batches_share_the_pool_and_all_arrive() {
    let Some(server) = SmtpServer::start() else { return };
    let sender = sender(server.port);
    let first: Vec<OutboundMessage> = (0..6).map(|i| email(&format!("a-{i}"), "a@example.in")).collect();
    let second: Vec<OutboundMessage> = (0..6).map(|i| email(&format!("b-{i}"), "b@example.in")).collect();
    let clone = sender.clone();
    let (one, two) = tokio::join!(sender.send(&first), clone.send(&second));
    assert!(one.iter().chain(&two).all(|outcome| matches!(outcome, SendOutcome::Accepted { .. })));
    assert_eq!(server.wait_for(12).await.len(), 12);
}

#[tokio::test]
async fn a_closed_port_is_retryable_quickly() {
    let started = Instant::now();
    let outcomes = sender(free_port()).send(&[email("log-1", "asha@example.in")]).await;
    assert!(matches!(&outcomes[0], SendOutcome::Retryable { .. }), "{outcomes:?}");
    assert!(started.elapsed() < Duration::from_secs(3), "{:?}", started.elapsed());
}

#[tokio::test]
async fn bad_messages_are_rejected_without_touching_the_network() {
    let mut sms = email("log-1", "asha@example.in");
    sms.channel = Channel::Sms;
    let outcomes = sender(free_port()).send(&[sms, email("log-2", "not an address")]).await;
    assert!(matches!(&outcomes[0], SendOutcome::Rejected { error } if error.contains("e-mail only")), "{outcomes:?}");
    assert!(matches!(&outcomes[1], SendOutcome::Rejected { error } if error.starts_with("to:")), "{outcomes:?}");
    assert!(sender(free_port()).send(&[]).await.is_empty());
}

/// A tenant aims its SMTP channel at the server's loopback by name: the policy refuses the resolved address,
/// the relay's port never sees a connection, and the reason names no address.
#[tokio::test]
async fn a_relay_aimed_inward_never_connects() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let config = SmtpConfig::new("localhost", port, SmtpTls::None, FROM);
    let sender = SmtpSender::new(&config, &EgressPolicy::new(Vec::new())).unwrap();
    let outcomes = sender.send(&[email("inward", "asha@example.in")]).await;
    assert!(
        matches!(&outcomes[0], SendOutcome::Retryable { error } if error.contains("egress policy") && !error.contains("127.")),
        "{outcomes:?}"
    );
    let accepted = tokio::time::timeout(Duration::from_millis(300), listener.accept()).await;
    assert!(accepted.is_err(), "the internal listener must see no connection");
}
