//! Orders exported from other systems keep their statuses' meaning: `shipped`, `delivered`, `completed`,
//! `processing`, `returned` … are accepted and stored as what they mean; an unknown status is a 422 on
//! `status` that lists what is accepted, and nothing of that request is stored.

use serde_json::{json, Value};

use crate::both_modes;
use crate::helpers::{customer, fields, order, problem, Mode, TestApp};

both_modes!(other_systems_statuses_are_mapped_and_unknown_ones_listed);

async fn other_systems_statuses_are_mapped_and_unknown_ones_listed(mode: Mode) {
    let Some(app) = TestApp::spawn(mode).await else { return };
    assert_eq!(app.post_json("/api/v1/customers", &app.key, &customer("C1")).await.status(), 202);
    let mut items = Vec::new();
    for (id, status) in [("o1", "Shipped"), ("o2", "delivered"), ("o3", "on-hold"), ("o4", "returned")] {
        let mut body = order(id, "C1", "100.00");
        body["status"] = json!(status);
        items.push(body);
    }
    assert_eq!(app.post_json("/api/v1/orders/batch", &app.key, &json!({"items": items})).await.status(), 202);
    let mut bad = order("o5", "C1", "100.00");
    bad["status"] = json!("lost in the mail");
    let response = app.post_json("/api/v1/orders", &app.key, &bad).await;
    assert_eq!(response.status(), 422);
    let problem = problem(response).await;
    assert_eq!(fields(&problem), ["status"]);
    assert!(problem.to_string().contains("shipped") && problem.to_string().contains("returned"), "{problem}");
    app.drain().await;
    let detail: Value = app.get_json("/api/v1/customers/C1").await;
    let mut statuses: Vec<(String, String)> = detail["orders"]
        .as_array()
        .unwrap_or_else(|| panic!("orders: {detail}"))
        .iter()
        .map(|o| (o["external_id"].as_str().unwrap().to_owned(), o["status"].as_str().unwrap().to_owned()))
        .collect();
    statuses.sort();
    let want = [("o1", "fulfilled"), ("o2", "fulfilled"), ("o3", "placed"), ("o4", "refunded")];
    assert_eq!(statuses, want.map(|(a, b)| (a.to_owned(), b.to_owned())), "the refused o5 is not among them");
}
