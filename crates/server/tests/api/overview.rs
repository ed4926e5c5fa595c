//! The dashboard and a customer's messages: figures that equal what was ingested and launched, zeros on
//! quiet days, one message per campaign newest first, and another workspace's data never visible.

use serde_json::json;

use crate::both_modes;
use crate::campaigns::{body as campaign_body, city_rule, create as create_campaign, seed};
use crate::helpers::{customer, fields, order, problem, Mode, TestApp};

both_modes!(
    the_dashboard_adds_up_what_was_ingested_and_launched,
    a_customer_page_lists_their_messages,
    template_variables_are_the_allow_list,
);

async fn the_dashboard_adds_up_what_was_ingested_and_launched(mode: Mode) {
    let Some(app) = TestApp::spawn(mode).await else { return };
    let empty = app.get_json("/api/v1/dashboard").await;
    assert_eq!((empty["customers"].as_i64(), empty["orders"].as_i64()), (Some(0), Some(0)));
    assert_eq!(empty["revenue"], "0.00");
    assert_eq!(empty["ingestion"].as_array().unwrap().len(), 30);
    seed(&app).await; // six customers
    let orders = json!({"items": [order("O1", "C0", "1499.00"), order("O2", "C0", "1.50"), order("O3", "NEW", "100")]});
    assert_eq!(app.post_json("/api/v1/orders/batch", &app.key, &orders).await.status(), 202);
    // The same orders again (a client retry): counted once.
    assert_eq!(app.post_json("/api/v1/orders/batch", &app.key, &orders).await.status(), 202);
    app.drain().await;
    let first = create_campaign(&app, &campaign_body("Pune")).await;
    create_campaign(
        &app,
        &json!({"name": "Mumbai", "rule": city_rule("Mumbai"), "channel": "email",
        "template": "Hi {{ unsubscribe_url }}"}),
    )
    .await;
    let board = app.get_json("/api/v1/dashboard").await;
    assert_eq!(board["customers"], 7, "{board}"); // six profiles and the customer order O3 created
    assert_eq!(board["orders"], 3);
    assert_eq!((board["revenue"].as_str(), board["revenue_minor"].as_i64()), (Some("1600.50"), Some(160_050)));
    assert_eq!(board["currency"], "INR");
    assert_eq!((board["campaigns"]["total"].as_i64(), board["campaigns"]["in_flight"].as_i64()), (Some(2), Some(2)));
    let recent = board["recent_campaigns"].as_array().unwrap();
    assert_eq!(recent.len(), 2);
    assert_eq!(recent[1]["id"], first["id"]);
    assert_eq!(recent[1]["stats"]["audience"], 3);
    let days = board["ingestion"].as_array().unwrap();
    assert_eq!(days.len(), 30);
    let today = chrono::Utc::now().date_naive().to_string();
    assert_eq!(days[29], json!({"date": today, "customers": 7, "orders": 3}));
    assert!(days[..29].iter().all(|d| d["customers"] == 0 && d["orders"] == 0));
    // The figures match the lists they summarise.
    let customers = app.get_json("/api/v1/customers?limit=200").await;
    assert_eq!(customers["items"].as_array().unwrap().len(), 7);
    let cancel = app.post_json(&format!("/api/v1/campaigns/{}/cancel", first["id"]), &app.key, &json!({})).await;
    assert_eq!(cancel.status(), 200);
    let board = app.get_json("/api/v1/dashboard").await;
    assert_eq!((board["campaigns"]["total"].as_i64(), board["campaigns"]["in_flight"].as_i64()), (Some(2), Some(1)));
    // Another workspace sees only its own (empty) figures.
    let other = app.create_key("overview-other", &["read"]).await;
    let theirs: serde_json::Value = app.get("/api/v1/dashboard", &other).await.json().await.unwrap();
    assert_eq!((theirs["customers"].as_i64(), theirs["campaigns"]["total"].as_i64()), (Some(0), Some(0)));
    assert!(theirs["recent_campaigns"].as_array().unwrap().is_empty());
    // Reading needs the `read` scope.
    let ingest_only = app.create_key("default", &["ingest"]).await;
    assert_eq!(app.get("/api/v1/dashboard", &ingest_only).await.status(), 403);
}

async fn a_customer_page_lists_their_messages(mode: Mode) {
    let Some(app) = TestApp::spawn(mode).await else { return };
    seed(&app).await;
    let pune = create_campaign(&app, &campaign_body("Pune")).await;
    let mumbai = create_campaign(
        &app,
        &json!({"name": "Mumbai", "rule": city_rule("Mumbai"), "channel": "email",
        "template": "Hi {{ unsubscribe_url }}"}),
    )
    .await;
    let everyone = create_campaign(
        &app,
        &json!({"name": "All", "rule": {"combinator": "and", "rules": []},
        "channel": "sms", "template": "Hello"}),
    )
    .await;
    let messages = app.get_json("/api/v1/customers/C0/messages").await;
    let ids: Vec<_> = messages["items"].as_array().unwrap().iter().map(|m| m["campaign_id"].clone()).collect();
    assert_eq!(ids, vec![everyone["id"].clone(), pune["id"].clone()]);
    assert_eq!(messages["items"][0]["campaign_name"], "All");
    assert_eq!(messages["items"][0]["status"], "PENDING");
    assert!(messages["next_cursor"].is_null());
    let c3 = app.get_json("/api/v1/customers/C3/messages").await;
    let ids: Vec<_> = c3["items"].as_array().unwrap().iter().map(|m| m["campaign_id"].clone()).collect();
    assert_eq!(ids, vec![everyone["id"].clone(), mumbai["id"].clone()]);
    // Pages.
    let first = app.get_json("/api/v1/customers/C3/messages?limit=1").await;
    assert_eq!(first["items"].as_array().unwrap().len(), 1);
    let cursor = first["next_cursor"].as_str().unwrap().to_owned();
    let second = app.get_json(&format!("/api/v1/customers/C3/messages?limit=1&cursor={cursor}")).await;
    assert_eq!(second["items"][0]["campaign_id"], mumbai["id"]);
    assert!(second["next_cursor"].is_null());
    // Unknown customer, another workspace's customer, bad paging: clear answers.
    assert_eq!(app.get("/api/v1/customers/NOPE/messages", &app.key).await.status(), 404);
    let other = app.create_key("messages-other", &["all"]).await;
    let theirs = app.post_json("/api/v1/customers", &other, &customer("C0")).await;
    assert_eq!(theirs.status(), 202);
    app.drain().await;
    let seen: serde_json::Value = app.get("/api/v1/customers/C0/messages", &other).await.json().await.unwrap();
    assert!(seen["items"].as_array().unwrap().is_empty(), "{seen}");
    let bad = app.get("/api/v1/customers/C0/messages?limit=0", &app.key).await;
    assert_eq!(fields(&problem(bad).await), vec!["limit"]);
    let bad = app.get("/api/v1/customers/C0/messages?cursor=nope", &app.key).await;
    assert_eq!(fields(&problem(bad).await), vec!["cursor"]);
}

async fn template_variables_are_the_allow_list(mode: Mode) {
    let Some(app) = TestApp::spawn(mode).await else { return };
    let variables = app.get_json("/api/v1/template-variables").await;
    let names: Vec<&str> = variables.as_array().unwrap().iter().map(|v| v["name"].as_str().unwrap()).collect();
    let expected: Vec<&str> = converge_domain::template::TEMPLATE_VARIABLES.iter().map(|v| v.name).collect();
    assert_eq!(names, expected);
    assert!(names.contains(&"first_name"));
    assert_eq!(variables[1]["example"], "Priya");
    // Each one is accepted by the template checker, as the composer will use it.
    for name in names.iter().filter(|n| **n != "attributes") {
        let body = json!({"template": format!("Hi {{{{ {name} }}}}"), "channel": "sms"});
        let response = app.post_json("/api/v1/campaigns/message-preview", &app.key, &body).await;
        assert_eq!(response.status(), 200, "{name}");
    }
    let ingest_only = app.create_key("default", &["ingest"]).await;
    assert_eq!(app.get("/api/v1/template-variables", &ingest_only).await.status(), 403);
}
