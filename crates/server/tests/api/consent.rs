//! Consent end to end, in both modes, through the real binary's API and the in-process simulator: one
//! campaign to an audience where some customers are unsubscribed, suppressed, over the frequency cap, out of
//! a topic or inside their quiet hours; every log row's status and reason is exact, quiet-hour messages go out
//! when their window opens (the dispatcher's test clock stands in for the wait), and a STOP sent through the
//! simulator mid-campaign stops that number's remaining message. Then the bad inputs of every consent
//! endpoint, refused with the field named and nothing changed, and erasure with access.

use std::time::{Duration, Instant};

use chrono::{Timelike, Utc};
use serde_json::{json, Value};

use crate::both_modes;
use crate::helpers::{Mode, TestApp};

both_modes!(
    consent_is_decided_when_each_message_is_sent,
    bad_consent_input_changes_nothing,
    erasure_and_access,
    permanent_failures_are_suppressed_and_never_retried,
    double_opt_in_waits_for_the_link,
    an_import_sets_consent_with_its_source,
    a_spam_complaint_suppresses_and_unsubscribes
);

async fn app(mode: Mode) -> Option<TestApp> {
    TestApp::spawn_with_simulator(mode, 0.0).await
}

async fn reply(app: &TestApp, from: &str, text: &str) {
    let (base, key) = app.simulator();
    let body = json!({"from": from, "text": text});
    let answer = app.client.post(format!("{base}/admin/inbound")).bearer_auth(&key).json(&body).send().await.unwrap();
    assert_eq!(answer.status(), 200);
    let forwarded: Value = answer.json().await.unwrap();
    assert_eq!(forwarded["status"], 202, "Converge accepted the forwarded reply");
}

/// What the simulator was asked to send to `to`.
async fn sent_to(app: &TestApp, to: &str) -> Vec<String> {
    app.simulator_ledger()
        .await
        .iter()
        .filter(|e| e["to"] == to)
        .map(|e| e["body"].as_str().unwrap().to_owned())
        .collect()
}

async fn log_by_customer(app: &TestApp, id: i64) -> std::collections::BTreeMap<String, Value> {
    let log: Value = app.get(&format!("/api/v1/campaigns/{id}/log?limit=100"), &app.key).await.json().await.unwrap();
    log["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|row| (row["customer_external_id"].as_str().unwrap().to_owned(), row.clone()))
        .collect()
}

fn status_and_reason(row: &Value) -> (String, Option<String>) {
    (row["status"].as_str().unwrap().to_owned(), row["error"].as_str().map(str::to_owned))
}

/// Applies receipts until `n` were applied (or 20 s passed).
async fn apply_receipts(app: &TestApp, n: u64) {
    let applier = converge_server::startup::receipt_applier(&app.state, "consent-test");
    let deadline = Instant::now() + Duration::from_secs(20);
    let mut applied = 0;
    while applied < n && Instant::now() < deadline {
        applied += applier.step().await.unwrap().outcome.applied;
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert_eq!(applied, n, "receipts applied");
}

fn phone(n: u32) -> String {
    format!("+9198000000{n:02}")
}

async fn create(app: &TestApp, body: Value) -> i64 {
    let created = app.post_json("/api/v1/campaigns", &app.key, &body).await;
    let status = created.status();
    let created: Value = created.json().await.unwrap();
    assert_eq!(status, 201, "{created}");
    created["id"].as_i64().unwrap()
}

async fn consent_is_decided_when_each_message_is_sent(mode: Mode) {
    let Some(app) = app(mode).await else { return };
    // Quiet hours from 3 to 5 hours ahead of UTC's hour: never now for a customer on UTC (the workspace's
    // zone), always now for one on UTC+4 (`Etc/GMT-4`), whose window ends within the hour.
    let hour = Utc::now().hour();
    let compliance = json!({"timezone": "UTC",
        "quiet_hours": {"start": format!("{:02}:00", (hour + 3) % 24), "end": format!("{:02}:00", (hour + 5) % 24)},
        "frequency_cap": {"messages": 1, "days": 7}, "topics": ["offers", "news"]});
    let put = app.client.put(app.url("/api/v1/settings/compliance")).bearer_auth(&app.key).json(&compliance).send();
    assert_eq!(put.await.unwrap().status(), 200);
    let night = json!({"timezone": "Etc/GMT-4"});
    let customers = json!({"items": [
        {"external_id": "A", "name": "Asha", "phone": phone(1)},
        {"external_id": "B", "name": "Bala", "phone": phone(2), "subscriptions": {"sms": "unsubscribed"}},
        {"external_id": "C", "name": "Chitra", "phone": phone(3)},
        {"external_id": "D", "name": "Dev", "phone": phone(4), "city": "Capville"},
        {"external_id": "E", "name": "Esha", "phone": phone(5), "attributes": night},
        {"external_id": "F", "name": "Farah", "phone": phone(6)},
        {"external_id": "G", "name": "Gopal", "phone": phone(7), "attributes": night},
    ]});
    assert_eq!(app.post_json("/api/v1/customers/batch", &app.key, &customers).await.status(), 202);
    app.drain().await;
    let suppressed = app
        .post_json("/api/v1/suppressions", &app.key, &json!({"address": phone(3), "reason": "asked by phone"}))
        .await;
    assert_eq!(suppressed.status(), 201);
    let left = app
        .client
        .put(app.url("/api/v1/customers/F/subscriptions"))
        .bearer_auth(&app.key)
        .json(&json!({"topics": {"offers": "unsubscribed"}}))
        .send()
        .await
        .unwrap();
    assert_eq!(left.status(), 200);
    let left: Value = left.json().await.unwrap();
    assert_eq!(
        (&left["topics"]["offers"]["status"], &left["topics"]["offers"]["source"]),
        (&json!("unsubscribed"), &json!("admin"))
    );
    assert_eq!(left["topics"].get("news"), None, "still in the other topic");

    let dispatcher = converge_server::startup::dispatcher(&app.state, "consent-test");
    // D's one message of the week.
    let first = create(
        &app,
        json!({"name": "Capville", "channel": "sms", "template": "Hi {{ first_name }}",
        "rule": {"combinator": "and", "rules": [{"field": "city", "operator": "=", "value": "Capville"}]}}),
    )
    .await;
    assert_eq!(dispatcher.step().await.unwrap().accepted, 1);
    apply_receipts(&app, 1).await;
    assert_eq!(status_and_reason(&log_by_customer(&app, first).await["D"]).0, "SENT");

    // Reach before sending: the same decisions, counted (quiet hours delay, so E and G count as reached).
    let everyone = json!({"combinator": "and", "rules": []});
    let ask = json!({"rule": everyone, "channel": "sms", "topic": "offers"});
    let reach = app.post_json("/api/v1/campaigns/reach", &app.key, &ask).await;
    assert_eq!(reach.status(), 200);
    let reach: Value = reach.json().await.unwrap();
    let skipped = json!({"frequency_cap": 1, "suppressed": 1, "unsubscribed": 2});
    assert_eq!(
        reach,
        json!({"matched": 7, "reachable": 3, "no_address": 0,
            "channels": [{"channel": "sms", "reachable": 3, "skipped": skipped}]})
    );
    let ask = json!({"rule": everyone, "channel": "email"});
    let by_email: Value = app.post_json("/api/v1/campaigns/reach", &app.key, &ask).await.json().await.unwrap();
    assert_eq!((&by_email["reachable"], &by_email["no_address"]), (&json!(0), &json!(7)), "nobody has an e-mail");
    let bad = app.post_json("/api/v1/campaigns/reach", &app.key, &json!({"rule": everyone, "channel": "fax"})).await;
    assert_eq!(bad.status(), 422);

    let id = create(
        &app,
        json!({"name": "Offers", "channel": "sms", "topic": "offers",
        "template": "Hi {{ first_name }}, 20% off. Prefs: {{ unsubscribe_url }}",
        "rule": {"combinator": "and", "rules": []}}),
    )
    .await;
    let report = dispatcher.step().await.unwrap();
    assert_eq!((report.claimed, report.accepted, report.skipped, report.deferred), (7, 1, 4, 2), "{report:?}");
    apply_receipts(&app, 1).await;
    let rows = log_by_customer(&app, id).await;
    let expect = |who: &str, status: &str, reason: Option<&str>| {
        assert_eq!(
            status_and_reason(&rows[who]),
            (status.to_owned(), reason.map(str::to_owned)),
            "{who}: {}",
            rows[who]
        );
    };
    expect("A", "SENT", None);
    expect("B", "SKIPPED", Some("unsubscribed"));
    expect("C", "SKIPPED", Some("suppressed"));
    expect("D", "SKIPPED", Some("frequency_cap"));
    expect("E", "PENDING", Some("quiet_hours"));
    expect("F", "SKIPPED", Some("unsubscribed"));
    expect("G", "PENDING", Some("quiet_hours"));
    let due = rows["E"]["next_attempt_at"].as_str().unwrap().parse::<chrono::DateTime<Utc>>().unwrap();
    assert_eq!((due.minute(), due.second()), (0, 0), "due when the window ends, on the hour: {due}");
    assert!(due > Utc::now() && due <= Utc::now() + chrono::Duration::hours(1), "{due}");
    // What A got: the template, a working link, and the opt-out line.
    let to_a = sent_to(&app, &phone(1)).await;
    assert_eq!(to_a.len(), 1);
    assert!(to_a[0].starts_with(&format!("Hi Asha, 20% off. Prefs: {}/u/", app.base)), "{}", to_a[0]);
    assert!(to_a[0].ends_with("\nReply STOP to opt out"), "{}", to_a[0]);
    // The link's page saves toggles: A keeps SMS and WhatsApp (nothing recorded: the policy allows) and
    // leaves only "offers"; a box left unticked would unsubscribe.
    let link = to_a[0].split_whitespace().find(|w| w.contains("/u/")).unwrap().to_owned();
    let page = app.client.get(&link).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("value=\"offers\" checked") && page.contains("value=\"sms\" checked"), "{page}");
    let toggles = [("preferences", "1"), ("channel", "sms"), ("channel", "whatsapp"), ("topic", "news")];
    let saved = app.client.post(&link).form(&toggles).send();
    let saved = saved.await.unwrap().text().await.unwrap();
    assert!(saved.contains("Your preferences are saved.") && saved.contains("value=\"offers\">"), "{saved}");
    let a: Value = app.get_json("/api/v1/customers/A/subscriptions").await;
    assert_eq!((&a["sms"], &a["topics"]["offers"]["source"]), (&Value::Null, &json!("preferences")), "{a}");
    assert_eq!(a["history"].as_array().unwrap().len(), 1, "only the topic changed: {a}");

    // Consent is a segment field, exact from the in-memory index too, which follows every change.
    let ws = app.workspace_id("default").await;
    app.state.audiences.load_now(&app.state.store, ws).await.unwrap();
    let opted_out = json!({"rule": {"combinator": "and", "rules": [
        {"field": "sms_status", "operator": "=", "value": "unsubscribed"}]}});
    let count = |preview: Value| (preview["count"].clone(), preview["source"].clone());
    let before = app.post_json("/api/v1/segments/preview", &app.key, &opted_out).await.json().await.unwrap();
    assert_eq!(count(before), (json!(1), json!("index")), "B");

    // G replies STOP while its message waits: confirmed by SMS, unsubscribed, suppressed.
    reply(&app, &phone(7), "stop please").await;
    let after = app.post_json("/api/v1/segments/preview", &app.key, &opted_out).await.json().await.unwrap();
    assert_eq!(count(after), (json!(2), json!("index")), "B and G, the index caught up with the reply");
    let g: Value = app.get_json("/api/v1/customers/G").await;
    assert_eq!(
        (&g["subscriptions"]["sms"]["status"], &g["subscriptions"]["sms"]["source"]),
        (&json!("unsubscribed"), &json!("reply"))
    );
    let confirmations = sent_to(&app, &phone(7)).await;
    assert_eq!(confirmations.len(), 1);
    assert!(confirmations[0].contains("Reply START"), "{confirmations:?}");
    let list: Value = app.get_json("/api/v1/suppressions").await;
    assert!(
        list["items"].as_array().unwrap().iter().any(|s| s["source"] == "reply" && s["masked"] == "+91******0007"),
        "{list}"
    );

    // The window opens (the test clock moves past it): E's message goes out, G's is stopped.
    let mut later = converge_server::startup::dispatcher(&app.state, "consent-test-later");
    later.clock_offset = chrono::Duration::hours(2);
    let report = later.step().await.unwrap();
    assert_eq!((report.claimed, report.accepted, report.skipped), (2, 1, 1), "{report:?}");
    apply_receipts(&app, 1).await;
    let rows = log_by_customer(&app, id).await;
    assert_eq!(status_and_reason(&rows["E"]), ("SENT".into(), None));
    assert_eq!(status_and_reason(&rows["G"]), ("SKIPPED".into(), Some("unsubscribed".into())));
    assert_eq!(sent_to(&app, &phone(7)).await.len(), 1, "nothing but the confirmation went to G");
    let campaign: Value = app.get_json(&format!("/api/v1/campaigns/{id}")).await;
    assert_eq!(campaign["stats"], json!({"audience": 7, "pending": 0, "sent": 2, "failed": 0, "skipped": 5}));
    assert_eq!(campaign["topic"], "offers");

    // START resubscribes and lifts the STOP's suppression; the redelivered STOP changes nothing new.
    reply(&app, &phone(7), "START").await;
    let history: Value = app.get_json("/api/v1/customers/G/subscriptions").await;
    assert_eq!(history["sms"]["status"], "subscribed");
    let changes: Vec<(&str, &str)> = history["history"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| (h["status"].as_str().unwrap(), h["source"].as_str().unwrap()))
        .collect();
    assert_eq!(changes, [("subscribed", "reply"), ("unsubscribed", "reply")], "newest first");
    let list: Value = app.get_json("/api/v1/suppressions").await;
    assert!(!list["items"].as_array().unwrap().iter().any(|s| s["source"] == "reply"), "{list}");
    assert!(sent_to(&app, &phone(7)).await.iter().any(|body| body.contains("subscribed to")), "START is confirmed");
}

async fn bad_consent_input_changes_nothing(mode: Mode) {
    let Some(app) = app(mode).await else { return };
    let refused = |response: reqwest::Response, field: &'static str| async move {
        let status = response.status();
        let problem: Value = response.json().await.unwrap();
        assert_eq!(status, 422, "{problem}");
        let fields: Vec<&str> =
            problem["errors"].as_array().unwrap().iter().map(|e| e["field"].as_str().unwrap()).collect();
        assert!(fields.contains(&field), "{field} not in {problem}");
    };
    for (body, field) in [
        (json!({"external_id": "X", "subscriptions": {"fax": "subscribed"}}), "subscriptions.fax"),
        (json!({"external_id": "X", "subscriptions": {"sms": "maybe"}}), "subscriptions.sms"),
        (json!({"external_id": "X", "attributes": {"timezone": "Mars/Olympus"}}), "attributes.timezone"),
    ] {
        refused(app.post_json("/api/v1/customers", &app.key, &body).await, field).await;
    }
    app.drain().await;
    assert_eq!(app.get("/api/v1/customers/X", &app.key).await.status(), 404, "nothing was stored");

    let before: Value = app.get_json("/api/v1/settings/compliance").await;
    for (body, field) in [
        (json!({"timezone": "Nowhere/City"}), "timezone"),
        (json!({"timezone": "UTC", "quiet_hours": {"start": "25:00", "end": "09:00"}}), "quiet_hours.start"),
        (json!({"timezone": "UTC", "quiet_hours": {"start": "21:00", "end": "9pm"}}), "quiet_hours.end"),
        (json!({"timezone": "UTC", "frequency_cap": {"messages": 0, "days": 7}}), "frequency_cap.messages"),
        (json!({"timezone": "UTC", "frequency_cap": {"messages": 3, "days": -1}}), "frequency_cap.days"),
        (json!({"timezone": "UTC", "policy": {"sms": "sometimes"}}), "policy.sms"),
    ] {
        let put = app.client.put(app.url("/api/v1/settings/compliance")).bearer_auth(&app.key).json(&body).send();
        refused(put.await.unwrap(), field).await;
    }
    assert_eq!(app.get_json("/api/v1/settings/compliance").await, before, "nothing changed");

    refused(app.post_json("/api/v1/suppressions", &app.key, &json!({"address": "98765 43210"})).await, "address").await;
    refused(app.post_json("/api/v1/suppressions", &app.key, &json!({"address": "not-mail@"})).await, "address").await;
    let topic = json!({"name": "T", "channel": "sms", "template": "Hi", "topic": "offers", "rule": {"combinator": "and", "rules": []}});
    refused(app.post_json("/api/v1/campaigns", &app.key, &topic).await, "topic").await;
    let email =
        json!({"name": "T", "channel": "email", "template": "<p>Hi</p>", "rule": {"combinator": "and", "rules": []}});
    refused(app.post_json("/api/v1/campaigns", &app.key, &email).await, "template").await;

    // Unsigned, or signed with another secret: 401; signed but malformed: 422 naming the field.
    let reply = json!({"from": "+919800000001", "text": "STOP", "received_at": Utc::now().to_rfc3339()});
    let unsigned = app.client.post(app.url("/api/v1/inbound-messages")).json(&reply).send().await.unwrap();
    assert_eq!(unsigned.status(), 401);
    let signed = |body: &Value, secret: &str| {
        let bytes = serde_json::to_vec(body).unwrap();
        let timestamp = Utc::now().timestamp();
        app.client
            .post(app.url("/api/v1/inbound-messages"))
            .header("content-type", "application/json")
            .header(converge_vendor_wire::TIMESTAMP_HEADER, timestamp.to_string())
            .header(converge_vendor_wire::SIGNATURE_HEADER, converge_vendor_wire::sign(secret, timestamp, &bytes))
            .body(bytes)
            .send()
    };
    assert_eq!(signed(&reply, "not-the-secret").await.unwrap().status(), 401);
    let secret = app.state.signing_secret.expose().to_owned();
    let local = json!({"from": "98000 00001", "text": "STOP", "received_at": Utc::now().to_rfc3339()});
    refused(signed(&local, &secret).await.unwrap(), "from").await;
    let stale = json!({"from": "+919800000001", "text": "STOP", "received_at": "2001-01-01T00:00:00Z"});
    refused(signed(&stale, &secret).await.unwrap(), "received_at").await;
    let chatter = json!({"from": "+919800000001", "text": "thanks!", "received_at": Utc::now().to_rfc3339()});
    let answer: Value = signed(&chatter, &secret).await.unwrap().json().await.unwrap();
    assert_eq!(answer, json!({"action": "none", "customers": 0}));
    let list: Value = app.get_json("/api/v1/suppressions").await;
    assert_eq!(list["items"], json!([]), "nothing was suppressed");
}

async fn erasure_and_access(mode: Mode) {
    let Some(app) = app(mode).await else { return };
    let person = json!({"external_id": "Z1", "name": "Zoravar Quixote", "email": "zoravar.q@example.in",
        "phone": "+919876500001", "city": "Xanadu", "subscriptions": {"email": "subscribed", "sms": "unsubscribed"}});
    assert_eq!(app.post_json("/api/v1/customers", &app.key, &person).await.status(), 202);
    let order = json!({"external_id": "ZO1", "customer_external_id": "Z1", "amount": "1499.00"});
    assert_eq!(app.post_json("/api/v1/orders", &app.key, &order).await.status(), 202);
    app.drain().await;
    let id = create(
        &app,
        json!({"name": "Hello", "channel": "email", "template": "<p>Hi {{ name }}</p>{{ unsubscribe_url }}",
        "rule": {"combinator": "and", "rules": []}}),
    )
    .await;
    let dispatcher = converge_server::startup::dispatcher(&app.state, "erasure-test");
    assert_eq!(dispatcher.step().await.unwrap().accepted, 1);

    let export: Value = app.get_json("/api/v1/customers/Z1/export").await;
    assert_eq!(export["customer"]["name"], "Zoravar Quixote");
    assert_eq!(export["orders"][0]["external_id"], "ZO1");
    assert_eq!(export["subscriptions"]["email"]["status"], "subscribed");
    assert_eq!(export["subscriptions"]["history"].as_array().unwrap().len(), 2);
    assert_eq!(export["messages"][0]["campaign_id"], id);
    assert!(export["messages"][0]["message"].as_str().unwrap().contains("Zoravar"), "{export}");

    let erased = app.client.delete(app.url("/api/v1/customers/Z1")).bearer_auth(&app.key).send().await.unwrap();
    assert_eq!(erased.status(), 204);
    let after: Value = app.get_json("/api/v1/customers/Z1/export").await;
    let text = after.to_string();
    for secret in ["Zoravar", "zoravar.q@example.in", "9876500001", "Xanadu"] {
        assert!(!text.contains(secret), "{secret} in {after}");
    }
    assert_eq!(after["customer"]["total_spend"], "1499.00", "aggregates stay, anonymous");
    let list: Value = app.get_json("/api/v1/suppressions").await;
    assert_eq!(list["items"].as_array().unwrap().len(), 2, "they had opted out: e-mail and phone stay suppressed");
    let audit: Value = app.get_json("/api/v1/audit").await;
    assert!(audit.to_string().contains("customer.erase"), "audited");
    assert!(!audit.to_string().contains("Zoravar"), "without personal data");
    let missing = app.client.delete(app.url("/api/v1/customers/nobody")).bearer_auth(&app.key).send().await.unwrap();
    assert_eq!(missing.status(), 404);
}

async fn permanent_failures_are_suppressed_and_never_retried(mode: Mode) {
    let Some(app) = TestApp::spawn_with_simulator(mode, 1.0).await else {
        return;
    };
    let n = 12;
    let items: Vec<Value> = (1..=n).map(|i| json!({"external_id": format!("P{i}"), "phone": phone(i)})).collect();
    assert_eq!(app.post_json("/api/v1/customers/batch", &app.key, &json!({ "items": items })).await.status(), 202);
    app.drain().await;
    let everyone = json!({"combinator": "and", "rules": []});
    let id = create(&app, json!({"name": "All fail", "channel": "sms", "template": "Hi", "rule": everyone})).await;
    let dispatcher = converge_server::startup::dispatcher(&app.state, "permanent-test");
    assert_eq!(dispatcher.step().await.unwrap().accepted, n as usize);
    apply_receipts(&app, u64::from(n)).await;
    let rows = log_by_customer(&app, id).await;
    let permanent: Vec<&String> = rows
        .iter()
        .filter(|(_, row)| {
            let error = row["error"].as_str().unwrap();
            error.contains("do-not-disturb") || error.contains("does not exist")
        })
        .map(|(who, _)| who)
        .collect();
    assert!(rows.values().all(|row| row["status"] == "FAILED"), "{rows:?}");
    assert!(!permanent.is_empty() && permanent.len() < n as usize, "the seeded reasons mix both kinds: {permanent:?}");
    let list: Value = app.get_json("/api/v1/suppressions?limit=200").await;
    let bounced: Vec<&Value> = list["items"].as_array().unwrap().iter().filter(|s| s["source"] == "bounce").collect();
    assert_eq!(bounced.len(), permanent.len(), "each permanent failure's number is suppressed: {list}");

    // Retry re-sends only the transient failures.
    let retry = app.post_json(&format!("/api/v1/campaigns/{id}/retry-failed"), &app.key, &json!({})).await;
    assert_eq!(retry.status(), 200);
    let retried: Value = retry.json().await.unwrap();
    assert_eq!(retried["retried"], n as usize - permanent.len());
    let report = dispatcher.step().await.unwrap();
    assert_eq!(report.claimed, n as usize - permanent.len(), "{report:?}");
    let rows = log_by_customer(&app, id).await;
    for who in &permanent {
        assert_eq!(rows[*who]["attempts"], 1, "{who} was not sent again");
    }
    // A later campaign skips the suppressed numbers.
    let again = create(&app, json!({"name": "Again", "channel": "sms", "template": "Hi", "rule": everyone})).await;
    dispatcher.step().await.unwrap();
    let rows = log_by_customer(&app, again).await;
    for who in &permanent {
        assert_eq!(status_and_reason(&rows[*who]), ("SKIPPED".into(), Some("suppressed".into())), "{who}");
    }
}

async fn double_opt_in_waits_for_the_link(mode: Mode) {
    let Some(app) = app(mode).await else { return };
    let settings = json!({"timezone": "UTC", "double_opt_in": {"email": true}});
    let put = app.client.put(app.url("/api/v1/settings/compliance")).bearer_auth(&app.key).json(&settings).send();
    assert_eq!(put.await.unwrap().status(), 200);
    let person = json!({"external_id": "D1", "email": "d1@example.in", "phone": phone(41),
        "subscriptions": {"email": "subscribed", "sms": "subscribed"}});
    assert_eq!(app.post_json("/api/v1/customers", &app.key, &person).await.status(), 202);
    app.drain().await;
    let subscriptions: Value = app.get_json("/api/v1/customers/D1/subscriptions").await;
    assert_eq!(
        (&subscriptions["email"]["status"], &subscriptions["sms"]["status"]),
        (&json!("pending"), &json!("subscribed"))
    );
    let email = json!({"name": "Welcome", "channel": "email", "template": "<p>Hi</p>{{ unsubscribe_url }}",
        "rule": {"combinator": "and", "rules": []}});
    let first = create(&app, email.clone()).await;
    let dispatcher = converge_server::startup::dispatcher(&app.state, "doi-test");
    dispatcher.step().await.unwrap();
    assert_eq!(
        status_and_reason(&log_by_customer(&app, first).await["D1"]),
        ("SKIPPED".into(), Some("pending".into()))
    );

    // The request goes out once, with a link to the page; a GET shows it and confirms nothing.
    let confirmer = converge_server::startup::confirmer(&app.state);
    let report = confirmer.step().await.unwrap();
    assert_eq!((report.claimed, report.sent), (1, 1), "{report:?}");
    assert_eq!(confirmer.step().await.unwrap().claimed, 0, "sent once");
    let requests = sent_to(&app, "d1@example.in").await;
    assert_eq!(requests.len(), 1);
    let link = requests[0].split("href=\"").nth(1).and_then(|rest| rest.split('"').next()).unwrap().to_owned();
    assert!(link.starts_with(&format!("{}/u/", app.base)) && link.contains(".0.e."), "{link}");
    let page = app.client.get(&link).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("Confirm my subscription"), "{page}");
    let still: Value = app.get_json("/api/v1/customers/D1/subscriptions").await;
    assert_eq!(still["email"]["status"], "pending", "a GET confirms nothing");
    let confirmed = app.client.post(&link).form(&[("confirm", "1")]).send().await.unwrap().text().await.unwrap();
    assert!(confirmed.contains("is confirmed"), "{confirmed}");
    let now: Value = app.get_json("/api/v1/customers/D1/subscriptions").await;
    assert_eq!((&now["email"]["status"], &now["email"]["source"]), (&json!("subscribed"), &json!("preferences")));
    let history = now["history"].as_array().unwrap().len();

    // Sent again as subscribed (double opt-in makes it pending at the edge): stays confirmed.
    assert_eq!(app.post_json("/api/v1/customers", &app.key, &person).await.status(), 202);
    app.drain().await;
    let again: Value = app.get_json("/api/v1/customers/D1/subscriptions").await;
    assert_eq!(
        (&again["email"]["status"], again["history"].as_array().unwrap().len()),
        (&json!("subscribed"), history)
    );
    let second = create(&app, email).await;
    assert_eq!(dispatcher.step().await.unwrap().accepted, 1);
    assert_eq!(
        status_and_reason(&log_by_customer(&app, second).await["D1"]).0,
        "PENDING",
        "accepted, awaiting its receipt"
    );
}

async fn an_import_sets_consent_with_its_source(mode: Mode) {
    let Some(app) = app(mode).await else { return };
    let csv = "Customer ID,E-mail,SMS OK\nI1,i1@example.in,subscribed\nI2,i2@example.in,maybe\n";
    let body = json!({"kind": "customers", "csv": csv, "dry_run": false,
        "mapping": {"external_id": "Customer ID", "email": "E-mail", "subscriptions.sms": "SMS OK"}});
    let answer = app.post_json("/api/v1/imports", &app.key, &body).await;
    let status = answer.status();
    let report: Value = answer.json().await.unwrap();
    assert_eq!(status, 202, "{report}");
    assert_eq!((&report["accepted"], &report["rejected"]), (&json!(1), &json!(1)), "{report}");
    assert_eq!(report["errors"][0]["field"], "subscriptions.sms", "the bad consent value is named: {report}");
    app.drain().await;
    let i1: Value = app.get_json("/api/v1/customers/I1/subscriptions").await;
    assert_eq!((&i1["sms"]["status"], &i1["sms"]["source"]), (&json!("subscribed"), &json!("import")), "{i1}");
    assert_eq!(app.get("/api/v1/customers/I2", &app.key).await.status(), 404, "the bad row stored nothing");
}

/// The simulator's id of the message it was asked to send to `to`.
async fn vendor_id_of(app: &TestApp, to: &str) -> String {
    let entries = app.simulator_ledger().await;
    let entry = entries.iter().find(|e| e["to"] == to).expect("a message to that number");
    entry["id"].as_str().unwrap().to_owned()
}

async fn a_spam_complaint_suppresses_and_unsubscribes(mode: Mode) {
    let Some(app) = app(mode).await else { return };
    let items: Vec<Value> = (1..=2)
        .map(|i| json!({"external_id": format!("S{i}"), "phone": phone(i), "subscriptions": {"sms": "subscribed"}}))
        .collect();
    assert_eq!(app.post_json("/api/v1/customers/batch", &app.key, &json!({ "items": items })).await.status(), 202);
    app.drain().await;
    let everyone = json!({"combinator": "and", "rules": []});
    create(&app, json!({"name": "Promo", "channel": "sms", "template": "Hi", "rule": everyone})).await;
    let dispatcher = converge_server::startup::dispatcher(&app.state, "complaint-test");
    assert_eq!(dispatcher.step().await.unwrap().accepted, 2);
    apply_receipts(&app, 2).await;

    // The recipient reports the message as spam; the carrier tells the simulator, which tells Converge.
    let (base, key) = app.simulator();
    let message_id = vendor_id_of(&app, &phone(1)).await;
    for _ in 0..2 {
        let answer = app
            .client
            .post(format!("{base}/admin/complaint"))
            .bearer_auth(&key)
            .json(&json!({"message_id": message_id}))
            .send()
            .await
            .unwrap();
        assert_eq!(answer.status(), 200);
        let forwarded: Value = answer.json().await.unwrap();
        assert_eq!(forwarded["status"], 202, "Converge accepted the forwarded complaint");
    }
    let list: Value = app.get_json("/api/v1/suppressions").await;
    let items = list["items"].as_array().unwrap();
    assert_eq!(items.len(), 1, "listed once, though the complaint came twice: {list}");
    assert_eq!((items[0]["source"].as_str(), items[0]["kind"].as_str()), (Some("complaint"), Some("phone")));
    let detail: Value = app.get_json("/api/v1/customers/S1/subscriptions").await;
    let sms = &detail["sms"];
    assert_eq!((sms["status"].as_str(), sms["source"].as_str()), (Some("unsubscribed"), Some("complaint")), "{detail}");
    let complaints = detail["history"].as_array().unwrap().iter().filter(|h| h["source"] == "complaint").count();
    assert_eq!(complaints, 1, "one change in the history: {detail}");
    let other: Value = app.get_json("/api/v1/customers/S2/subscriptions").await;
    assert_eq!(other["sms"]["status"], "subscribed", "the other recipient is untouched");
    // The segment field follows.
    let rule = json!({"combinator": "and", "rules": [{"field": "suppressed", "operator": "=", "value": true}]});
    let preview: Value =
        app.post_json("/api/v1/segments/preview", &app.key, &json!({"rule": rule})).await.json().await.unwrap();
    assert_eq!(preview["count"], 1, "{preview}");

    // Unsigned: 401. A message the route did not deliver, or a made-up id: acknowledged, nothing changes.
    let secret = app.state.signing_secret.expose().to_owned();
    let made_up = json!({"message_id": "not-ours", "reference": "1.0", "occurred_at": Utc::now().to_rfc3339()});
    let unsigned = app.client.post(app.url("/api/v1/complaints")).json(&made_up).send().await.unwrap();
    assert_eq!(unsigned.status(), 401);
    let answer = crate::receipts::post_signed_to(&app, "/api/v1/complaints", &made_up, &secret).await;
    assert_eq!(answer.status(), 202);
    assert_eq!(answer.json::<Value>().await.unwrap(), json!({"action": "none"}));
    let stale = json!({"message_id": message_id, "reference": "1.0", "occurred_at": "2001-01-01T00:00:00Z"});
    let answer = crate::receipts::post_signed_to(&app, "/api/v1/complaints", &stale, &secret).await;
    assert_eq!(answer.status(), 422);
    let list: Value = app.get_json("/api/v1/suppressions").await;
    assert_eq!(list["items"].as_array().unwrap().len(), 1);
}
