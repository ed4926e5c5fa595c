//! A campaign delivered by e-mail over SMTP, configured for one workspace through the API and received by a
//! real SMTP server (Debian's aiosmtpd): accepted messages end SENT without a vendor receipt, a recipient the
//! relay refuses ends FAILED with the relay's reason, one without an address is SKIPPED, and customer values
//! are HTML-escaped in the body.

use std::time::Duration;

use converge_domain::{CampaignId, DeliveryStatus};
use serde_json::{json, Value};

use crate::both_modes;
use crate::helpers::{Mode, TestApp};

#[path = "../../../channels/tests/channels/smtp_server.rs"]
#[allow(dead_code)]
pub mod smtp_server;

async fn email_campaign_over_smtp(mode: Mode) {
    let Some(smtp) = smtp_server::SmtpServer::start() else { return };
    let Some(app) = TestApp::spawn(mode).await else { return };
    let customers = json!({"items": [
        {"external_id": "E1", "name": "Asha <b>Rao</b>", "email": "asha@example.in", "city": "Pune"},
        {"external_id": "E2", "name": "Ravi Kumar", "email": "reject-ravi@example.in"},
        {"external_id": "E3", "name": "Meera", "phone": "+919812345678"},
        {"external_id": "E4", "name": "Kabir", "email": "kabir@example.in", "city": "Goa"},
    ]});
    assert_eq!(app.post_json("/api/v1/customers/batch", &app.key, &customers).await.status(), 202);
    app.drain().await;

    app.use_smtp(smtp.port).await;

    let campaign = json!({"name": "Monsoon sale", "channel": "email",
        "rule": {"combinator": "and", "rules": []},
        "template": "<p>Hi {{ name }}, monsoon offers in {{ city | default(\"your city\") }}.</p>\
            <p><a href=\"{{ unsubscribe_url }}\">Unsubscribe</a></p>"});
    let created = app.post_json("/api/v1/campaigns", &app.key, &campaign).await;
    assert_eq!(created.status(), 201);
    let id = created.json::<Value>().await.unwrap()["id"].as_i64().unwrap();

    let dispatcher = converge_server::startup::dispatcher(&app.state, "smtp-test");
    let applier = converge_server::startup::receipt_applier(&app.state, "smtp-test");
    let scheduler = converge_server::startup::scheduler(&app.state);
    let report = dispatcher.step().await.unwrap();
    assert_eq!((report.claimed, report.accepted, report.skipped, report.failed), (4, 2, 1, 1), "{report:?}");
    // SMTP reports no receipts: the dispatcher queued SENT receipts for the accepted messages.
    let mut applied = 0;
    for _ in 0..50 {
        applied += applier.step().await.unwrap().outcome.applied;
        if applied >= 2 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert_eq!(applied, 2);
    assert_eq!(scheduler.tick().await.unwrap().completed, vec![CampaignId::new(id)]);

    let received = smtp.wait_for(2).await;
    let text = serde_json::to_string(&received).unwrap();
    assert!(text.contains("Asha &lt;b&gt;Rao&lt;&#x2f;b&gt;"), "values are escaped: {text}");
    assert!(text.contains("Monsoon sale") && text.contains("offers@brand.example"), "{text}");
    assert!(!text.contains("reject-ravi"), "the refused recipient got nothing: {text}");

    let log: Value = app.get(&format!("/api/v1/campaigns/{id}/log"), &app.key).await.json().await.unwrap();
    let by_customer = |external: &str| {
        log["items"].as_array().unwrap().iter().find(|row| row["customer_external_id"] == external).cloned().unwrap()
    };
    assert_eq!(by_customer("E1")["status"], DeliveryStatus::Sent.as_str());
    assert_eq!(by_customer("E4")["status"], DeliveryStatus::Sent.as_str());
    let refused = by_customer("E2");
    assert_eq!(refused["status"], DeliveryStatus::Failed.as_str());
    assert!(refused["error"].as_str().unwrap().contains("550"), "{refused}");
    let skipped = by_customer("E3");
    assert_eq!(skipped["status"], DeliveryStatus::Skipped.as_str());
    let campaign: Value = app.get(&format!("/api/v1/campaigns/{id}"), &app.key).await.json().await.unwrap();
    assert_eq!(campaign["status"], "completed");
    assert_eq!(campaign["stats"], json!({"audience": 4, "pending": 0, "sent": 2, "failed": 1, "skipped": 1}));

    // Every e-mail carries RFC 8058 one-click unsubscribe; a mail client's POST to it unsubscribes at once.
    let asha = received.iter().find(|mail| mail["to"].as_str().unwrap().contains("asha@")).unwrap();
    let header = asha["list_unsubscribe"].as_str().unwrap();
    assert_eq!(asha["list_unsubscribe_post"], "List-Unsubscribe=One-Click");
    let url = header.strip_prefix('<').and_then(|h| h.strip_suffix('>')).unwrap_or_else(|| panic!("{header}"));
    assert!(url.starts_with(&format!("{}/u/", app.base)), "{url}");
    assert!(asha["html"].as_str().unwrap().contains(&format!("href=\"{url}\"")), "the body links the same URL");
    // A GET (what a link scanner does) shows the preferences page and changes nothing.
    let page = app.client.get(url).send().await.unwrap();
    assert_eq!(page.status(), 200);
    let html = page.text().await.unwrap();
    assert!(html.contains("name=\"viewport\"") && html.contains("value=\"email\" checked"), "{html}");
    let subscriptions = app.get_json("/api/v1/customers/E1/subscriptions").await;
    assert_eq!(subscriptions["email"], Value::Null, "a GET changes nothing");
    let one_click = app
        .client
        .post(url)
        .header("content-type", "application/x-www-form-urlencoded")
        .body("List-Unsubscribe=One-Click")
        .send()
        .await
        .unwrap();
    assert_eq!(one_click.status(), 200);
    let subscriptions = app.get_json("/api/v1/customers/E1/subscriptions").await;
    assert_eq!(subscriptions["email"]["status"], "unsubscribed");
    assert_eq!(subscriptions["email"]["source"], "unsubscribe_link");
    assert_eq!(subscriptions["history"].as_array().unwrap().len(), 1);
    // A forged or altered link is refused and changes nothing.
    let forged = format!("{}x", url.trim_end_matches(|c: char| c != '.'));
    assert_eq!(app.client.post(&forged).send().await.unwrap().status(), 404);
    let other_channel = url.replace(".e.", ".s.");
    assert_eq!(app.client.post(&other_channel).send().await.unwrap().status(), 404, "the channel is signed too");

    // The next campaign skips her as unsubscribed, and still reaches Kabir.
    let again = app
        .post_json(
            "/api/v1/campaigns",
            &app.key,
            &json!({"name": "Again", "channel": "email",
        "rule": {"combinator": "and", "rules": []}, "template": "<p>Hi</p>{{ unsubscribe_url }}"}),
        )
        .await;
    assert_eq!(again.status(), 201);
    let again_id = again.json::<Value>().await.unwrap()["id"].as_i64().unwrap();
    dispatcher.step().await.unwrap();
    let log: Value = app.get(&format!("/api/v1/campaigns/{again_id}/log"), &app.key).await.json().await.unwrap();
    let row = log["items"].as_array().unwrap().iter().find(|row| row["customer_external_id"] == "E1").unwrap();
    assert_eq!((&row["status"], &row["error"]), (&json!("SKIPPED"), &json!("unsubscribed")), "{row}");

    // A test send of the first campaign, rendered for Kabir, reaches the tester's own mailbox through the same
    // relay: a real e-mail with its subject marked, both parts from the same template, and nothing counted.
    let before = smtp.received().len();
    let test = json!({"to": ["tester@brand.example"], "customer_external_id": "E4"});
    let sent = app.post_json(&format!("/api/v1/campaigns/{id}/test"), &app.key, &test).await;
    let sent: Value = sent.json().await.unwrap();
    assert_eq!(
        sent["results"],
        json!([{"to": "tester@brand.example", "channel": "email", "status": "sent", "error": null}])
    );
    let received = smtp.wait_for(before + 1).await;
    let mail = received.iter().find(|mail| mail["to"].as_str().unwrap().contains("tester@")).unwrap();
    assert_eq!(mail["subject"], "[Test] Monsoon sale");
    assert!(mail["html"].as_str().unwrap().contains("Hi Kabir, monsoon offers in Goa."), "{mail}");
    assert!(mail["text"].as_str().unwrap().contains("Hi Kabir, monsoon offers in Goa."), "{mail}");
    let campaign: Value = app.get(&format!("/api/v1/campaigns/{id}"), &app.key).await.json().await.unwrap();
    assert_eq!(campaign["stats"], json!({"audience": 4, "pending": 0, "sent": 2, "failed": 1, "skipped": 1}));
}

both_modes!(email_campaign_over_smtp);
