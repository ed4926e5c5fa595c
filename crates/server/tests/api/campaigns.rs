//! Campaigns over HTTP: creation snapshots exactly the previewed audience, idempotent replays, the list and
//! its pages, one campaign with its timeline, the lifecycle commands and "retry failed", and the message
//! preview (the log is in `campaigns_log`, bad input in `campaigns_bad_input`). No dispatch worker runs in
//! `TestApp`: tests move messages through the store directly, as a worker would.

use chrono::Utc;
use converge_domain::{CampaignId, Channel, MessageId, ReceiptStatus};
use converge_store::{DispatchOutcome, ReceiptUpdate};
use serde_json::{json, Value};

use crate::both_modes;
use crate::helpers::{fields, problem, Mode, TestApp};

both_modes!(
    create_snapshots_the_previewed_audience,
    an_idempotency_key_replays_the_first_campaign,
    list_is_newest_first_and_paginates,
    a_campaign_reads_with_stats_and_timeline,
    pause_resume_cancel_follow_the_lifecycle,
    retry_failed_requeues_failed_messages,
    message_preview_renders_what_would_be_sent,
);

/// Six customers: three in Pune (one with a formula for a name, one with a comma and quotes), two in Mumbai
/// (one reachable by e-mail only with markup in the name, one unreachable), one in Delhi.
pub async fn seed(app: &TestApp) {
    let customers = json!([
        {"external_id": "C0", "name": "Asha Verma", "city": "Pune", "email": "asha@example.in",
         "phone": "+91 98765 43210", "preferred_channel": "email", "attributes": {"tier": "gold"}},
        {"external_id": "C1", "name": "=HYPERLINK(\"http://evil.example\",\"x\")", "city": "Pune",
         "phone": "+91 98765 43211"},
        {"external_id": "C2", "name": "Doe, \"Jo\"", "city": "Pune", "phone": "+91 98765 43212"},
        {"external_id": "C3", "name": "<b>Bob</b> Roy", "city": "Mumbai", "email": "bob@example.in"},
        {"external_id": "C4", "name": "Nobody", "city": "Mumbai"},
        {"external_id": "C5", "name": "Dev", "city": "Delhi", "phone": "+91 98765 43215"},
    ]);
    let response = app.post_json("/api/v1/customers/batch", &app.key, &json!({ "items": customers })).await;
    assert_eq!(response.status(), 202);
    app.drain().await;
}

pub fn city_rule(city: &str) -> Value {
    json!({"combinator": "and", "rules": [{"field": "city", "operator": "=", "value": city}]})
}

/// A valid create body for the Pune audience.
pub fn body(name: &str) -> Value {
    json!({"name": name, "rule": city_rule("Pune"), "channel": "sms",
           "template": "Hi {{ first_name | default(\"there\") }}, 10% off at {{ brand }}"})
}

pub async fn create(app: &TestApp, body: &Value) -> Value {
    let response = app.post_json("/api/v1/campaigns", &app.key, body).await;
    assert_eq!(response.status(), 201, "create {body}");
    response.json().await.unwrap()
}

/// Every campaign id of the default workspace, newest first.
/// A campaign of Pune made by the store with idempotency key `key`, as if created long ago by `request`.
async fn stored_with_key(app: &TestApp, key: &str, request: &[u8]) -> i64 {
    use converge_domain::segment::{Catalogue, Rule};
    let rule_json = city_rule("Pune");
    let currency = converge_domain::Currency::parse("INR").unwrap();
    let new = converge_store::NewCampaign {
        name: "Once".into(),
        channel: converge_domain::SendChannel::Sms,
        template: "Hi".into(),
        segment_id: None,
        rule: Rule::parse(&rule_json, &Catalogue::builtin(), &currency).unwrap(),
        rule_json,
        send_at: Utc::now(),
        idempotency_key: Some(key.to_owned()),
        request_fingerprint: Some(converge_server::http::campaigns::create::request_fingerprint(request)),
        topic: None,
        subject: None,
        preheader: None,
    };
    let ws = app.workspace_id("default").await;
    app.state.store.create_campaign(ws, &new, Utc::now()).await.unwrap().0.id.get()
}

pub async fn campaign_ids(app: &TestApp) -> Vec<i64> {
    let page = app.get_json("/api/v1/campaigns?limit=100").await;
    page["items"].as_array().unwrap().iter().map(|c| c["id"].as_i64().unwrap()).collect()
}

/// Claims the campaign's due messages as a worker would and records `outcome(index)` for each (`None`:
/// leave it claimed and pending). Returns the log ids, ascending.
pub async fn dispatch(
    app: &TestApp,
    campaign: i64,
    outcome: impl Fn(usize, MessageId) -> Option<DispatchOutcome>,
) -> Vec<MessageId> {
    let store = &app.state.store;
    let now = Utc::now();
    let claims = store.claim_deliveries("test-worker", 1000, chrono::Duration::seconds(60), now).await.unwrap();
    let claims: Vec<_> = claims.into_iter().filter(|c| c.campaign_id.get() == campaign).collect();
    let results: Vec<_> =
        claims.iter().enumerate().filter_map(|(i, c)| outcome(i, c.log_id).map(|o| c.result(o))).collect();
    store.record_dispatch(&results, now).await.unwrap();
    claims.iter().map(|c| c.log_id).collect()
}

pub fn failed(error: &str) -> Option<DispatchOutcome> {
    Some(DispatchOutcome::Failed { error: error.to_owned() })
}

async fn create_snapshots_the_previewed_audience(mode: Mode) {
    let Some(app) = TestApp::spawn(mode).await else { return };
    seed(&app).await;
    let preview = app.post_json("/api/v1/segments/preview", &app.key, &json!({"rule": city_rule("Pune")})).await;
    let preview: Value = preview.json().await.unwrap();
    assert_eq!(preview["count"], 3);

    let response = app.post_json("/api/v1/campaigns", &app.key, &body("Diwali")).await;
    assert_eq!(response.status(), 201);
    let id = {
        let location = response.headers().get("location").unwrap().to_str().unwrap().to_owned();
        let created: Value = response.json().await.unwrap();
        assert_eq!(location, format!("/api/v1/campaigns/{}", created["id"]));
        assert_eq!(created["audience"], preview["count"]);
        assert_eq!(created["stats"], json!({"audience": 3, "pending": 3, "sent": 0, "failed": 0, "skipped": 0}));
        assert_eq!(created["status"], "running", "due now, so started at once");
        assert!(created["launched_at"].is_string());
        assert_eq!(created["name"], "Diwali");
        assert_eq!(created["channel"], "sms");
        assert_eq!(created["rule"], city_rule("Pune"));
        assert_eq!(created["segment_id"], Value::Null);
        assert_eq!(created["success_rate"], Value::Null);
        created["id"].as_i64().unwrap()
    };
    assert_eq!(app.get_json(&format!("/api/v1/campaigns/{id}")).await["stats"]["audience"], 3);

    // From a saved segment, scheduled for later: the segment's rule is copied and the campaign waits.
    let segment =
        app.post_json("/api/v1/segments", &app.key, &json!({"name": "Mumbai", "rule": city_rule("mumbai")})).await;
    assert_eq!(segment.status(), 201);
    let segment: Value = segment.json().await.unwrap();
    let send_at = (Utc::now() + chrono::Duration::hours(2)).to_rfc3339();
    let later = create(
        &app,
        &json!({"name": "  Later  ", "segment_id": segment["id"], "channel": "preferred", "send_at": send_at,
                "template": "Hello {{ name }} {{ unsubscribe_url }}"}),
    )
    .await;
    assert_eq!(later["status"], "scheduled");
    assert_eq!(later["name"], "Later", "names are trimmed");
    assert_eq!(later["segment_id"], segment["id"]);
    assert_eq!(later["rule"], city_rule("mumbai"));
    assert_eq!(later["audience"], 2);
    assert_eq!(later["launched_at"], Value::Null);
}

async fn an_idempotency_key_replays_the_first_campaign(mode: Mode) {
    let Some(app) = TestApp::spawn(mode).await else { return };
    seed(&app).await;
    let send = |body: Value, header: Option<&'static str>| {
        let mut request = app.client.post(app.url("/api/v1/campaigns")).bearer_auth(&app.key).json(&body);
        if let Some(key) = header {
            request = request.header("Idempotency-Key", key);
        }
        request.send()
    };
    let first = send(body("Once"), Some("launch-1")).await.unwrap();
    assert_eq!(first.status(), 201);
    assert!(first.headers().get("idempotent-replay").is_none());
    let first: Value = first.json().await.unwrap();

    let again = send(body("Once"), Some("launch-1")).await.unwrap();
    assert_eq!(again.status(), 200);
    assert_eq!(again.headers().get("idempotent-replay").unwrap(), "true");
    let again: Value = again.json().await.unwrap();
    assert_eq!(again["id"], first["id"]);
    assert_eq!(again["audience"], 3);

    // The key may come in the body instead: the same request with the same key finds the same campaign.
    let mut in_body = body("Once");
    in_body["idempotency_key"] = json!("launch-1");
    let by_body = send(in_body.clone(), None).await.unwrap();
    assert_eq!(by_body.status(), 200);
    assert_eq!(by_body.json::<Value>().await.unwrap()["id"], first["id"]);
    assert_eq!(send(in_body.clone(), Some("launch-1")).await.unwrap().status(), 200);

    // A retry long after a "send now" carries a send_at that is in the past by now: still the same campaign.
    // (Made by the store, since an API create with a stale send_at is refused; see the next line.)
    let mut stale = body("Once");
    stale["send_at"] = json!("2020-01-01T00:00:00Z");
    assert_eq!(send(stale.clone(), Some("launch-new")).await.unwrap().status(), 422, "a new key is validated");
    let old = stored_with_key(&app, "launch-old", &serde_json::to_vec(&stale).unwrap()).await;
    let late = send(stale, Some("launch-old")).await.unwrap();
    assert_eq!(late.status(), 200, "a replay is not validated again");
    assert_eq!(late.json::<Value>().await.unwrap()["id"], old);

    // Header and body disagreeing is refused, not guessed.
    let disagree = send(in_body, Some("launch-2")).await.unwrap();
    assert_eq!(disagree.status(), 422);
    assert_eq!(fields(&problem(disagree).await), ["idempotency_key"]);

    let mut ids = campaign_ids(&app).await;
    ids.sort_unstable();
    assert_eq!(ids, [first["id"].as_i64().unwrap(), old]);
    let stats = app
        .state
        .store
        .campaign_log_counts(app.workspace_id("default").await, CampaignId::new(first["id"].as_i64().unwrap()));
    assert_eq!(stats.await.unwrap().audience, 3, "the replays snapshotted nobody again");
}

async fn list_is_newest_first_and_paginates(mode: Mode) {
    let Some(app) = TestApp::spawn(mode).await else { return };
    seed(&app).await;
    let mut created = Vec::new();
    for i in 0..5 {
        created.push(create(&app, &body(&format!("C{i}"))).await["id"].as_i64().unwrap());
    }
    created.reverse();
    assert_eq!(campaign_ids(&app).await, created);

    let mut seen = Vec::new();
    let mut path = "/api/v1/campaigns?limit=2".to_owned();
    loop {
        let page = app.get_json(&path).await;
        let items = page["items"].as_array().unwrap();
        assert!(items.len() <= 2);
        seen.extend(items.iter().map(|c| c["id"].as_i64().unwrap()));
        assert!(items.iter().all(|c| c["stats"]["audience"] == 3 && c["stats"]["pending"] == 3));
        match page["next_before"].as_i64() {
            Some(before) => path = format!("/api/v1/campaigns?limit=2&before={before}"),
            None => break,
        }
    }
    assert_eq!(seen, created);
    let default_page = app.get_json("/api/v1/campaigns").await;
    assert_eq!(default_page["items"].as_array().unwrap().len(), 5);
    assert_eq!(default_page["next_before"], Value::Null);

    for (query, field) in [
        ("limit=0", "limit"),
        ("limit=101", "limit"),
        ("limit=ten", "limit"),
        ("before=x", "before"),
        ("colour=red", "query"),
    ] {
        let response = app.get(&format!("/api/v1/campaigns?{query}"), &app.key).await;
        assert_eq!(response.status(), 422, "{query}");
        assert_eq!(fields(&problem(response).await), [field], "{query}");
    }
    let other = app.create_key("other", &["all"]).await;
    let theirs: Value = app.get("/api/v1/campaigns", &other).await.json().await.unwrap();
    assert_eq!(theirs["items"], json!([]));
}

async fn a_campaign_reads_with_stats_and_timeline(mode: Mode) {
    let Some(app) = TestApp::spawn(mode).await else { return };
    seed(&app).await;
    let id = create(&app, &body("Timeline")).await["id"].as_i64().unwrap();
    let before = app.get_json(&format!("/api/v1/campaigns/{id}")).await;
    assert_eq!(before["timeline"], json!([]));
    assert!(before["bucket_seconds"].as_i64().unwrap() >= 1);

    // One message fails at dispatch, one is accepted and then delivered, one stays pending.
    let accepted = |log_id: MessageId| DispatchOutcome::Accepted {
        vendor_message_id: format!("vendor-{log_id}"),
        route: "default".into(),
        channel: Channel::Sms,
        address: "+919876543210".into(),
        message: "Hi".into(),
    };
    let ids = dispatch(&app, id, |i, log_id| match i {
        0 => failed("number unreachable"),
        1 => Some(accepted(log_id)),
        _ => None,
    })
    .await;
    let receipt = ReceiptUpdate {
        log_id: ids[1],
        route: "default".into(),
        vendor_message_id: format!("vendor-{}", ids[1]),
        status: ReceiptStatus::Sent,
        error: None,
        at: Utc::now(),
        permanent: false,
    };
    assert_eq!(app.state.store.apply_receipts(&[receipt], Utc::now()).await.unwrap().applied, 1);

    let detail = app.get_json(&format!("/api/v1/campaigns/{id}")).await;
    assert_eq!(detail["stats"], json!({"audience": 3, "pending": 1, "sent": 1, "failed": 1, "skipped": 0}));
    assert_eq!(detail["success_rate"], 0.5);
    let timeline = detail["timeline"].as_array().unwrap();
    let total = |key: &str| timeline.iter().map(|p| p[key].as_i64().unwrap()).sum::<i64>();
    assert_eq!((total("sent"), total("failed")), (1, 1));
    assert!(timeline.iter().all(|p| p["bucket_start"].is_string()));
    assert_eq!(detail["bucket_seconds"], 1, "a campaign a second old has one-second buckets");

    let missing = app.get("/api/v1/campaigns/999999", &app.key).await;
    assert_eq!(missing.status(), 404);
    assert_eq!(problem(missing).await["status"], 404);
    let other = app.create_key("other", &["all"]).await;
    assert_eq!(app.get(&format!("/api/v1/campaigns/{id}"), &other).await.status(), 404);
    let read_only = app.create_key("default", &["read"]).await;
    assert_eq!(app.get(&format!("/api/v1/campaigns/{id}"), &read_only).await.status(), 200);
}

async fn command(app: &TestApp, id: i64, verb: &str) -> reqwest::Response {
    app.client.post(app.url(&format!("/api/v1/campaigns/{id}/{verb}"))).bearer_auth(&app.key).send().await.unwrap()
}

async fn status_after(app: &TestApp, id: i64, verb: &str) -> String {
    let response = command(app, id, verb).await;
    assert_eq!(response.status(), 200, "{verb}");
    response.json::<Value>().await.unwrap()["status"].as_str().unwrap().to_owned()
}

async fn refused(app: &TestApp, id: i64, verb: &str, current: &str) {
    let response = command(app, id, verb).await;
    assert_eq!(response.status(), 409, "{verb} on a {current} campaign");
    let problem = problem(response).await;
    assert!(problem["detail"].as_str().unwrap().contains(current), "{problem}");
}

async fn pause_resume_cancel_follow_the_lifecycle(mode: Mode) {
    let Some(app) = TestApp::spawn(mode).await else { return };
    seed(&app).await;
    // A scheduled campaign resumes to scheduled while its send time is ahead.
    let mut later = body("Later");
    later["send_at"] = json!((Utc::now() + chrono::Duration::hours(1)).to_rfc3339());
    let id = create(&app, &later).await["id"].as_i64().unwrap();
    assert_eq!(status_after(&app, id, "pause").await, "paused");
    refused(&app, id, "pause", "paused").await;
    assert_eq!(status_after(&app, id, "resume").await, "scheduled");
    refused(&app, id, "resume", "scheduled").await;
    assert_eq!(status_after(&app, id, "cancel").await, "cancelled");
    refused(&app, id, "cancel", "cancelled").await;
    refused(&app, id, "pause", "cancelled").await;
    refused(&app, id, "resume", "cancelled").await;
    let cancelled = app.get_json(&format!("/api/v1/campaigns/{id}")).await;
    assert_eq!(cancelled["stats"]["skipped"], 3, "waiting messages are skipped");
    assert_eq!(cancelled["stats"]["pending"], 0);
    assert!(cancelled["completed_at"].is_string());

    // A running campaign resumes to running.
    let id = create(&app, &body("Now")).await["id"].as_i64().unwrap();
    assert_eq!(status_after(&app, id, "pause").await, "paused");
    assert_eq!(status_after(&app, id, "resume").await, "running");
    assert_eq!(app.get_json(&format!("/api/v1/campaigns/{id}")).await["status"], "running");

    for verb in ["pause", "resume", "cancel", "retry-failed"] {
        let response = command(&app, 999_999, verb).await;
        assert_eq!(response.status(), 404, "{verb}");
        problem(response).await;
    }
    let other = app.create_key("other", &["all"]).await;
    let theirs = app.client.post(app.url(&format!("/api/v1/campaigns/{id}/pause"))).bearer_auth(&other).send();
    assert_eq!(theirs.await.unwrap().status(), 404);
    let read_only = app.create_key("default", &["read"]).await;
    let forbidden = app.client.post(app.url(&format!("/api/v1/campaigns/{id}/pause"))).bearer_auth(&read_only).send();
    assert_eq!(forbidden.await.unwrap().status(), 403);
    assert_eq!(app.get_json(&format!("/api/v1/campaigns/{id}")).await["status"], "running");
}

async fn retry_failed_requeues_failed_messages(mode: Mode) {
    let Some(app) = TestApp::spawn(mode).await else { return };
    seed(&app).await;
    let id = create(&app, &body("Retry")).await["id"].as_i64().unwrap();
    dispatch(&app, id, |i, _| if i < 2 { failed("vendor down") } else { None }).await;
    assert_eq!(app.get_json(&format!("/api/v1/campaigns/{id}")).await["stats"]["failed"], 2);

    let response = command(&app, id, "retry-failed").await;
    assert_eq!(response.status(), 200);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["retried"], 2);
    assert_eq!(body["campaign"]["id"], id);
    assert_eq!(body["campaign"]["stats"], json!({"audience": 3, "pending": 3, "sent": 0, "failed": 0, "skipped": 0}));
    let log = app.get_json(&format!("/api/v1/campaigns/{id}/log?status=PENDING")).await;
    let retried: Vec<&Value> = log["items"].as_array().unwrap().iter().take(2).collect();
    assert!(retried.iter().all(|r| r["error"].is_null() && r["attempts"] == 0), "{log}");

    let again: Value = command(&app, id, "retry-failed").await.json().await.unwrap();
    assert_eq!(again["retried"], 0);
    assert_eq!(status_after(&app, id, "cancel").await, "cancelled");
    refused(&app, id, "retry-failed", "cancelled").await;
}

async fn preview_message(app: &TestApp, body: Value) -> reqwest::Response {
    app.post_json("/api/v1/campaigns/message-preview", &app.key, &body).await
}

async fn message_preview_renders_what_would_be_sent(mode: Mode) {
    let Some(app) = TestApp::spawn(mode).await else { return };
    seed(&app).await;
    let template = "Hi {{ first_name }} ({{ attributes.tier | default(\"new\") }}) from {{ brand }}";

    let example = preview_message(&app, json!({"template": template, "channel": "sms"})).await;
    assert_eq!(example.status(), 200);
    let example: Value = example.json().await.unwrap();
    assert_eq!(example["channel"], "sms");
    assert_eq!(
        example["message"], "Hi Priya (gold) from Default workspace\nReply STOP to opt out",
        "the example customer, in this workspace's brand, with the opt-out line"
    );
    assert_eq!(example["variables"], json!(["first_name", "attributes.tier", "brand"]));
    assert_eq!(example["customer_external_id"], Value::Null);
    assert_eq!(example["sms_segments"], 1);

    // E-mail must carry the unsubscribe link; the preview shows where it goes (not a working link).
    let refused = preview_message(&app, json!({"template": template, "channel": "preferred"})).await;
    assert_eq!(refused.status(), 422);
    let refusal: Value = refused.json().await.unwrap();
    assert!(refusal["errors"][0]["message"].as_str().unwrap().contains("unsubscribe_url"), "{refusal}");
    let link = format!("{}/u/preview", app.state.links.base_url());
    let template = &format!("{template} {{{{ unsubscribe_url }}}}");
    let asha: Value =
        preview_message(&app, json!({"template": template, "channel": "preferred", "customer_external_id": "C0"}))
            .await
            .json()
            .await
            .unwrap();
    assert_eq!(asha["channel"], "email", "her preferred channel");
    let brand = app.state.store.workspace(app.workspace_id("default").await).await.unwrap().unwrap().name;
    assert_eq!(asha["message"], format!("Hi Asha (gold) from {brand} {link}"));
    assert_eq!(asha["customer_external_id"], "C0");
    assert_eq!(asha["note"], Value::Null);

    // E-mail escapes customer data.
    let bob: Value = preview_message(
        &app,
        json!({"template": "<p>Dear {{ name }}</p>{{ unsubscribe_url }}", "channel": "email", "customer_external_id": "C3"}),
    )
    .await
    .json()
    .await
    .unwrap();
    assert_eq!(bob["message"], format!("<p>Dear &lt;b&gt;Bob&lt;&#x2f;b&gt; Roy</p>{link}"));

    // Unreachable: shown as SMS, and the note says the campaign would skip them.
    let nobody: Value =
        preview_message(&app, json!({"template": template, "channel": "preferred", "customer_external_id": "C4"}))
            .await
            .json()
            .await
            .unwrap();
    assert_eq!(nobody["channel"], "sms");
    assert!(nobody["note"].as_str().unwrap().contains("skip"), "{nobody}");
    assert_eq!(nobody["message"], format!("Hi Nobody (new) from {brand} {link}\nReply STOP to opt out"));

    for (body, field, needle) in [
        (json!({"template": "Hi {{ first_name ", "channel": "sms"}), "template", "line 1"),
        (json!({"template": "Hi\n{{ frist_name }}", "channel": "sms"}), "template", "line 2, column"),
        (json!({"template": "Hi", "channel": "fax"}), "channel", "sms"),
        (
            json!({"template": "Hi", "channel": "sms", "customer_external_id": "nope"}),
            "customer_external_id",
            "no such",
        ),
        (json!({"channel": "sms"}), "template", "required"),
    ] {
        let response = preview_message(&app, body.clone()).await;
        assert_eq!(response.status(), 422, "{body}");
        let problem = problem(response).await;
        assert_eq!(fields(&problem), [field], "{body}");
        assert!(problem["errors"][0]["message"].as_str().unwrap().contains(needle), "{problem}");
    }
}
